"""``make_dag``: a ready DAG whose task runs ``sync_task`` (mapped over shards, with
``shards=N``, then one task for the run group's results sheet), then ``outcomes_task``
if asked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.airflow import task
from sync.airflow.options import (
    AIRFLOW_MISSING,
    DEFAULT_FAIL_ON_PROBLEMS,
    OUTCOMES_NAME,
    RESULTS_NAME,
    check_shards,
    check_share,
    check_sync_kwargs,
    dag_run_group,
    results_file_name,
    shard_list,
)
from sync.errors import ConfigError, UsageError


def _taskflow() -> tuple[Any, Any]:
    """The ``dag`` and ``task`` decorators: ``airflow.sdk`` (3.x), else ``airflow.decorators``."""
    try:
        from airflow.sdk import dag, task
    except ImportError:
        try:
            from airflow.decorators import dag, task
        except ImportError:
            raise ConfigError(AIRFLOW_MISSING) from None
    return dag, task


def _dag_task(
    applicants: str,
    out_dir: str,
    jobs: str | None,
    mapping: str,
    ledger: str | None,
    fail_on_problems: float,
    token_conn_id: str | None,
    token_variable: str | None,
    results_name: str,
    options: dict[str, Any],
    ds: str | None = None,
    run_id: str | None = None,
    ledger_conn_id: str | None = None,
    shard: str | None = None,
    dag_name: str | None = None,
) -> dict[str, Any]:
    """The task body of ``make_dag``: Airflow fills ``ds`` and ``run_id`` from the context.

    A run without a logical date (an Airflow 3 manual trigger) has no ``ds``; its
    ``run_id`` names the results file then, so its retries rewrite one file. A
    mapped task gets its ``shard``; its run group is the DAG run's (``dag_run_group``).
    """
    if shard is not None:
        options = {**options, "shard": shard, "group": dag_run_group(dag_name or "", ds, run_id)}
    return task.sync_task(
        applicants=applicants,
        out_dir=out_dir,
        jobs=jobs,
        mapping=mapping,
        ledger=ledger,
        fail_on_problems=fail_on_problems,
        run_date=ds or run_id,
        token_conn_id=token_conn_id,
        token_variable=token_variable,
        results_name=results_name,
        ledger_conn_id=ledger_conn_id,
        **options,
    )


def _merge_task(
    out_dir: str,
    ledger: str | None,
    ledger_conn_id: str | None,
    results_name: str,
    dag_name: str,
    ds: str | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """The last task of a sharded ``make_dag``: the DAG run's one results sheet."""
    return task.merge_results(
        out_dir=out_dir,
        group=dag_run_group(dag_name, ds, run_id),
        ledger=ledger,
        ledger_conn_id=ledger_conn_id,
        run_date=ds or run_id,
        results_name=results_name,
    )


def _outcomes_task(
    out_dir: str,
    ledger: str | None,
    token_conn_id: str | None,
    token_variable: str | None,
    outcomes_name: str,
    options: dict[str, Any],
    ds: str | None = None,
    run_id: str | None = None,
    ledger_conn_id: str | None = None,
) -> dict[str, Any]:
    """The outcomes task of ``make_dag(with_outcomes=True)``; its XCom holds counts and paths."""
    return task.outcomes_task(
        out_dir=out_dir,
        ledger=ledger,
        run_date=ds or run_id,
        token_conn_id=token_conn_id,
        token_variable=token_variable,
        outcomes_name=outcomes_name,
        ledger_conn_id=ledger_conn_id,
        **options,
    )


def make_dag(
    dag_id: str,
    *,
    applicants: str | Path,
    out_dir: str | Path,
    jobs: str | Path | None = None,
    mapping: str = "auto",
    ledger: str | Path | None = None,
    schedule: Any = "@daily",
    start_date: datetime | None = None,
    retries: int = 2,
    retry_delay: timedelta = timedelta(minutes=5),
    fail_on_problems: float = DEFAULT_FAIL_ON_PROBLEMS,
    token_conn_id: str | None = None,
    token_variable: str | None = None,
    results_name: str = RESULTS_NAME,
    ledger_conn_id: str | None = None,
    shards: int | None = None,
    task_id: str = "jobmojito_sync",
    tags: tuple[str, ...] = ("jobmojito",),
    task_kwargs: Mapping[str, Any] | None = None,
    dag_kwargs: Mapping[str, Any] | None = None,
    with_outcomes: bool = False,
    outcomes_name: str = OUTCOMES_NAME,
    outcomes_kwargs: Mapping[str, Any] | None = None,
    **sync_kwargs: Any,
) -> Any:
    """A DAG with one task that runs ``sync_task``; put it at a DAG file's top level.

    ``catchup`` is off and ``max_active_runs`` is 1 (the ledger's run lock would
    refuse an overlap anyway). ``applicants``, ``jobs``, ``out_dir`` and string
    ``sync_kwargs`` are Jinja-templated by Airflow (``"/data/applicants_{{ ds }}.csv"``).
    ``task_kwargs`` go to ``@task`` (``pool``, ``execution_timeout``, ``queue``),
    ``dag_kwargs`` to ``@dag``. Mistakes in the options fail at parse time, so the
    DAG shows an import error instead of failing at night.

    ``with_outcomes=True`` adds a task ``<task_id>_outcomes`` after it (run even when the
    sync task failed: the outcomes of earlier enrolments still come back) writing
    ``out_dir/outcomes_<ds>.xlsx`` from the same ledger; ``outcomes_kwargs`` are its
    own options (``changed_since="last-run"``, ``details=True``, ``outcomes_layout``),
    on top of ``sync_kwargs``. Its XCom holds counts and paths only.

    ``ledger_conn_id`` names an Airflow Connection (type Postgres) whose database
    holds the ledger, for tasks that may run on any of several workers; without
    it the ledger is ``ledger`` or a file in ``out_dir``.

    ``shards=N`` maps the sync task over N shards of the export (dynamic task
    mapping: ``jobmojito_sync[0]`` … ``[N-1]``, each ``--shard I/N`` of the DAG
    run's run group, each retried on its own, on any worker), then a last task
    (``<task_id>_results``, run whatever the shards' outcome) writes the group's
    one results sheet, ``results_<ds>.xlsx``; each shard's own is
    ``results_<ds>.shard-I-of-N.xlsx``. ``--rate`` is the whole group's. The
    outcomes task, if asked, comes after that one.
    """
    check_share(fail_on_problems)
    count = check_shards(shards)
    if count > 1 and {"shard", "group"} & set(sync_kwargs):
        raise UsageError("make_dag(shards=N) gives each task its shard and group; give neither")
    if count > 1 and sync_kwargs.get("create_positions"):
        raise UsageError(
            "make_dag(shards=N) with create_positions: every shard would make the positions;"
            " run `jobmojito-sync positions` (or a task of your own) before the DAG's shards"
        )
    check_sync_kwargs({**sync_kwargs, "ledger": ledger})
    check_sync_kwargs(dict(outcomes_kwargs or {}))
    if ledger and ledger_conn_id:
        raise UsageError("give the ledger once: ledger=… or ledger_conn_id=…, not both")
    results_file_name("check", pattern=results_name)
    results_file_name("check", pattern=outcomes_name, what="outcomes_name")
    dag_decorator, task_decorator = _taskflow()
    when = start_date or datetime(2025, 1, 1, tzinfo=UTC)
    extra_dag = dict(dag_kwargs or {})
    default_args = {"retries": retries, "retry_delay": retry_delay}
    default_args.update(extra_dag.pop("default_args", {}) or {})

    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in sync_kwargs.items()}

    def body() -> None:
        run = task_decorator(task_id=task_id, **dict(task_kwargs or {}))(_dag_task)
        arguments: dict[str, Any] = {
            "applicants": str(applicants),
            "out_dir": str(out_dir),
            "jobs": str(jobs) if jobs else None,
            "mapping": mapping,
            "ledger": str(ledger) if ledger else None,
            "fail_on_problems": float(fail_on_problems),
            "token_conn_id": token_conn_id,
            "token_variable": token_variable,
            "results_name": results_name,
            "ledger_conn_id": ledger_conn_id,
            "options": options,
        }
        if count == 1:
            synced = run(**arguments)
        else:
            sent = run.partial(**arguments, dag_name=dag_id).expand(shard=shard_list(count))
            merge_settings = {**dict(task_kwargs or {}), "trigger_rule": "all_done"}
            merge = task_decorator(task_id=f"{task_id}_results", **merge_settings)(_merge_task)
            synced = merge(
                out_dir=str(out_dir),
                ledger=arguments["ledger"],
                ledger_conn_id=ledger_conn_id,
                results_name=results_name,
                dag_name=dag_id,
            )
            sent >> synced
        if not with_outcomes:
            return
        outcomes = task_decorator(
            task_id=f"{task_id}_outcomes", trigger_rule="all_done", **dict(task_kwargs or {})
        )(_outcomes_task)
        brought = outcomes(
            out_dir=str(out_dir),
            ledger=str(ledger) if ledger else None,
            token_conn_id=token_conn_id,
            token_variable=token_variable,
            outcomes_name=outcomes_name,
            ledger_conn_id=ledger_conn_id,
            options={**options, **dict(outcomes_kwargs or {})},
        )
        synced >> brought

    settings: dict[str, Any] = {
        "dag_id": dag_id,
        "schedule": schedule,
        "start_date": when,
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args,
        "tags": list(tags),
        "doc_md": _DOC_MD,
        **extra_dag,
    }
    return dag_decorator(**settings)(body)()


_DOC_MD = """\
### jobmojito-sync

Enrols the candidates of an ATS export into JobMojito AI interviews.
The task's XCom (`return_value`) is the run's summary: counts by status, run id,
results sheet and ledger paths, exit code. Row details are in the results sheet
(`results_<ds>.xlsx` in `out_dir`), never in XCom.

Retries are safe: the ledger skips candidates already enrolled. A sharded DAG
(`shards=N`) runs one mapped task per shard, then `<task>_results` writes the
run group's one sheet (`results_<ds>.xlsx`).
With `with_outcomes=True`, a second task writes `outcomes_<ds>.xlsx`: who took the
interview and how they scored (its XCom: counts only).
"""
