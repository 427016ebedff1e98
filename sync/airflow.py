"""Apache Airflow: a task function and a ready DAG factory.

A DAG file (``dags/jobmojito_nightly.py``) is three lines::

    from sync.airflow import make_dag

    dag = make_dag(
        "jobmojito_nightly",
        applicants="/data/exports/applicants.csv",
        jobs="/data/exports/jobs.csv",
        mapping="greenhouse",
        out_dir="/data/jobmojito",
    )

or, inside a DAG of your own, call ``sync_task(...)`` from a ``@task``.

One task = one ``run_sync``. The task pushes only the run's small summary to
XCom (counts, run id, paths, exit code; never rows or personal data) and maps
the exit code to the task's state:

====  ==========================================  =========================
exit  meaning                                     task
====  ==========================================  =========================
0     every row reached a final outcome           success
1     some rows invalid, rejected or failed       success up to
                                                  ``fail_on_problems`` (share
                                                  of rows, default 5 %), then
                                                  failed, no retry
2     configuration or input error, nothing sent  failed, no retry
3     aborted mid-run (auth, circuit, signal)     failed, **retried**
====  ==========================================  =========================

Retries are safe because of the ledger: one stable SQLite file in ``out_dir``
(``jobmojito-sync.ledger.sqlite``) shared by every attempt and every DAG run.
Candidates it shows enrolled are skipped; requests left in flight are resent
and the API answers ``already-applied``. The results sheet is per run
(``results_<ds>.xlsx``); a retry rewrites it with the whole picture.

Only this module imports Airflow, and only when a function needs it, so the
pure helpers (``task_verdict``, ``task_options``, ``results_file_name``) work
without it. Airflow 3 is the target (``airflow.sdk``); Airflow 2.x works too.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.errors import ConfigError, LedgerLockedError, SyncError, UsageError
from sync.options import SyncOptions
from sync.text import did_you_mean

AIRFLOW_MISSING = "Apache Airflow is not installed: pip install 'jobmojito-sync[airflow]'"

#: Exit 1 fails the task when more than this share of the rows are problems.
DEFAULT_FAIL_ON_PROBLEMS = 0.05

#: The ledger's file name in ``out_dir``: one per DAG, stable across retries and runs.
LEDGER_NAME = "jobmojito-sync.ledger.sqlite"

#: The results sheet's name in ``out_dir``; ``{ds}`` is the run's date.
RESULTS_NAME = "results_{ds}.xlsx"

#: Exit codes whose failure Airflow should retry (the ledger makes a retry safe).
RETRYABLE_EXIT_CODES = frozenset({3})

#: Options the task decides itself; passing them is a mistake.
_TASK_OWNED = frozenset({"out", "out_dir", "progress", "log_format", "yes"})

_PROBLEM_STATUSES = ("invalid", "rejected", "failed")


# --------------------------------------------------------------------------------------------
# Pure helpers (no Airflow needed)
# --------------------------------------------------------------------------------------------


def check_share(fail_on_problems: float) -> float:
    """``fail_on_problems`` must be a share of rows, 0 to 1 (0: any problem fails)."""
    if isinstance(fail_on_problems, bool) or not isinstance(fail_on_problems, int | float):
        raise UsageError(
            f"fail_on_problems={fail_on_problems!r}: give a share of rows between 0 and 1"
        )
    if not 0.0 <= float(fail_on_problems) <= 1.0:
        raise UsageError(
            f"fail_on_problems={fail_on_problems!r}: give a share of rows between 0 and 1"
            " (0.05 = fail when more than 5 % of the rows are invalid, rejected or failed)"
        )
    return float(fail_on_problems)


def results_file_name(run_date: str | None, *, pattern: str = RESULTS_NAME) -> str:
    """``results_2026-11-22.xlsx`` for the run's date; a UTC timestamp without one.

    Anything but letters, digits, ``-``, ``_`` and ``.`` in the date becomes ``-``
    (a ``ts`` such as ``2026-11-22T00:00:00+00:00`` is a valid file name too).
    """
    if not run_date:
        run_date = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", str(run_date))
    if "{ds}" not in pattern:
        raise UsageError(f"results_name={pattern!r}: it must contain {{ds}}")
    name = pattern.replace("{ds}", safe)
    if not name.lower().endswith((".xlsx", ".csv")):
        raise UsageError(f"results_name={pattern!r}: the results file must end in .xlsx or .csv")
    return name


def check_sync_kwargs(options: Mapping[str, Any]) -> None:
    """Refuse unknown options, options the task owns, and a token in the DAG."""
    if "token" in options:
        raise UsageError(
            "do not put the API token in the DAG (it would land in the DAG code and the"
            " rendered task fields): set JOBMOJITO_TOKEN in the worker's environment, or"
            " give token_conn_id (a Connection whose password is the token) or token_variable"
        )
    owned = sorted(set(options) & _TASK_OWNED)
    if owned:
        raise UsageError(
            f"{', '.join(owned)}: the Airflow task sets these itself (results go to"
            " out_dir/results_<ds>.xlsx, JSON logs, no progress bar, no prompt)"
        )
    unknown = sorted(set(options) - set(SyncOptions.model_fields))
    if unknown:
        hints = [key + did_you_mean(key, sorted(SyncOptions.model_fields)) for key in unknown]
        raise UsageError(f"unknown option(s): {', '.join(hints)}")


def task_options(
    *,
    applicants: str | Path,
    out_dir: str | Path,
    jobs: str | Path | None = None,
    mapping: str = "auto",
    ledger: str | Path | None = None,
    run_date: str | None = None,
    results_name: str = RESULTS_NAME,
    **options: Any,
) -> dict[str, Any]:
    """The run's options as flags for ``sync.options.resolve_options``.

    The ledger defaults to ``out_dir/jobmojito-sync.ledger.sqlite`` (stable across
    task retries and DAG runs); the results file is ``out_dir/results_<ds>.xlsx``.
    """
    check_sync_kwargs(options)
    folder = Path(out_dir)
    flags: dict[str, Any] = {
        **options,
        "applicants": str(applicants),
        "jobs": str(jobs) if jobs else None,
        "mapping": mapping,
        "out": folder / results_file_name(run_date, pattern=results_name),
        "ledger": Path(ledger) if ledger else folder / LEDGER_NAME,
        "progress": False,
        "log_format": "json",
        "yes": True,
    }
    return {k: v for k, v in flags.items() if v is not None}


def _problem_breakdown(counts: Mapping[str, int]) -> str:
    parts = [f"{s}={counts[s]}" for s in _PROBLEM_STATUSES if counts.get(s)]
    return ", ".join(parts) or "none"


def task_verdict(summary: Mapping[str, Any], fail_on_problems: float) -> str | None:
    """Why the task must fail, or ``None`` when it succeeds.

    ``summary`` is ``SyncReport.as_dict()``. Exit 0 succeeds; exit 1 succeeds
    while the problem rows (invalid, rejected, failed) are at most
    ``fail_on_problems`` of all rows (0 makes any problem fail the task); exit 2
    and 3 always fail (``RETRYABLE_EXIT_CODES`` says which failures to retry).
    """
    share_limit = check_share(fail_on_problems)
    code = int(summary.get("exit_code", 2))
    counts: Mapping[str, int] = summary.get("counts") or {}
    rows = int(summary.get("rows") or 0)
    where = f"see {summary.get('results_path')}" if summary.get("results_path") else ""
    if code == 0:
        return None
    if code == 1:
        problems = int(summary.get("problems") or 0)
        share = problems / rows if rows else 1.0
        if problems and share > share_limit:
            return (
                f"{problems} of {rows} rows ({share:.1%}) are invalid, rejected or failed"
                f" ({_problem_breakdown(counts)}), above fail_on_problems={share_limit:.1%};"
                f" {where}"
            ).rstrip("; ")
        return None
    if code == 2:
        return f"configuration or input error (exit 2); nothing was sent; {where}".rstrip("; ")
    if code == 3:
        reason = summary.get("aborted") or "aborted mid-run"
        not_sent = counts.get("not_sent", 0)
        return (
            f"run aborted (exit 3): {reason}; {not_sent} rows not sent; a retry is safe"
            f" (the ledger skips enrolled candidates); {where}"
        ).rstrip("; ")
    return f"unexpected exit code {code}; {where}".rstrip("; ")


# --------------------------------------------------------------------------------------------
# Airflow glue (imports Airflow lazily)
# --------------------------------------------------------------------------------------------


def _exceptions() -> tuple[type[Exception], type[Exception]]:
    """``(AirflowFailException, AirflowException)`` of the installed Airflow."""
    try:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException
    except ImportError:
        try:
            from airflow.exceptions import AirflowException, AirflowFailException
        except ImportError:
            raise ConfigError(AIRFLOW_MISSING) from None
    return AirflowFailException, AirflowException


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


def _get_connection(conn_id: str) -> Any:
    try:
        from airflow.sdk import Connection
    except ImportError:  # Airflow 2
        from airflow.hooks.base import BaseHook

        return BaseHook.get_connection(conn_id)
    return Connection.get(conn_id)


def _get_variable(key: str) -> Any:
    try:
        from airflow.sdk import Variable
    except ImportError:  # Airflow 2
        from airflow.models import Variable
    return Variable.get(key)


def _token_from_airflow(conn_id: str | None, variable: str | None) -> str | None:
    """The token from a Connection's password or a Variable; never logged."""
    if conn_id:
        try:
            conn = _get_connection(conn_id)
        except Exception as exc:
            raise ConfigError(
                f"token_conn_id={conn_id!r}: cannot read that Airflow Connection"
                f" ({type(exc).__name__})"
            ) from None
        token = getattr(conn, "password", None)
        if not token:
            raise ConfigError(
                f"token_conn_id={conn_id!r}: the Connection has no password; put the"
                " API token in its password field"
            )
        return str(token)
    if variable:
        try:
            value = _get_variable(variable)
        except Exception as exc:
            raise ConfigError(
                f"token_variable={variable!r}: cannot read that Airflow Variable"
                f" ({type(exc).__name__})"
            ) from None
        if not value:
            raise ConfigError(f"token_variable={variable!r}: the Variable is empty")
        return str(value)
    return None


class TaskProgress:
    """Progress for a task log: a line of counts every tenth of the rows, not one per row.

    (The CLI's ``LogProgress`` writes a line per row: 100,000 lines in a task log.)
    """

    def __init__(self, steps: int = 10) -> None:
        import structlog

        self._log = structlog.get_logger("sync.airflow")
        self.steps = max(1, steps)
        self.total = 0
        self.done = 0
        self.counts: dict[str, int] = {}
        self._next = 0

    def start(self, total: int) -> None:
        self.total = total
        self._next = max(1, -(-total // self.steps))
        self._log.info("sending", rows=total)

    def advance(self, line: Any) -> None:
        status = str(getattr(line.status, "value", line.status))
        self.counts[status] = self.counts.get(status, 0) + 1
        self.done += 1
        if self.done >= self._next and self.done < self.total:
            self._log.info("progress", sent=self.done, of=self.total, **self.counts)
            self._next += max(1, -(-self.total // self.steps))

    def close(self) -> None:
        self._log.info("progress", sent=self.done, of=self.total, **self.counts)


@contextlib.contextmanager
def _task_logging() -> Iterator[None]:
    """JSON log lines with the privacy processors for the run, then Airflow's own back.

    Airflow 3 configures structlog itself; without this our lines would skip the
    e-mail masking and token scrubbing of ``sync.logs``.
    """
    import structlog

    from sync.logs import configure_logging

    saved = structlog.get_config()
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    configure_logging("json", stream=sys.stderr)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        structlog.configure(**saved)
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def sync_task(
    *,
    applicants: str | Path,
    out_dir: str | Path,
    jobs: str | Path | None = None,
    mapping: str = "auto",
    ledger: str | Path | None = None,
    fail_on_problems: float = DEFAULT_FAIL_ON_PROBLEMS,
    run_date: str | None = None,
    ds: str | None = None,
    token_conn_id: str | None = None,
    token_variable: str | None = None,
    results_name: str = RESULTS_NAME,
    **options: Any,
) -> dict[str, Any]:
    """Run one sync inside an Airflow task; return the summary for XCom.

    The token comes from ``token_conn_id`` (a Connection's password), else
    ``token_variable`` (a Variable), else ``JOBMOJITO_TOKEN`` / ``token_file`` as
    for the CLI (``jobmojito-sync.toml`` and ``JOBMOJITO_*`` are read too; the
    arguments here win). ``options`` are further ``SyncOptions`` fields
    (``rate``, ``concurrency``, ``base_url``, ...).

    Returns ``SyncReport.as_dict()``. Raises ``AirflowFailException`` (no retry)
    for exit 2 and for exit 1 above ``fail_on_problems``; ``AirflowException``
    (retried) for exit 3 and for a ledger held by another run.
    """
    fail, retry = _exceptions()
    from pydantic import SecretStr

    from sync.options import resolve_options
    from sync.run import execute

    with _task_logging():
        import structlog

        log = structlog.get_logger("sync.airflow")
        try:
            share = check_share(fail_on_problems)
            flags = task_options(
                applicants=applicants,
                out_dir=out_dir,
                jobs=jobs,
                mapping=mapping,
                ledger=ledger,
                run_date=run_date or ds,
                results_name=results_name,
                **options,
            )
            loaded = resolve_options(flags)
            # resolve_options honours out_dir from a config file or JOBMOJITO_OUT_DIR by
            # renaming the results file; the task's names win.
            update: dict[str, Any] = {"out": flags["out"], "ledger": flags["ledger"]}
            update["out_dir"] = None
            token = _token_from_airflow(token_conn_id, token_variable)
            if token is not None:
                update["token"] = SecretStr(token)
            opts = loaded.model_copy(update=update)
            try:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"out_dir {out_dir}: cannot create it ({exc.strerror})") from None
            report = execute(opts, progress=TaskProgress())
        except LedgerLockedError as exc:
            raise retry(f"jobmojito-sync: {exc}; the task will retry") from None
        except SyncError as exc:
            if exc.exit_code in RETRYABLE_EXIT_CODES:
                raise retry(f"jobmojito-sync (exit {exc.exit_code}): {exc}") from None
            raise fail(f"jobmojito-sync (exit {exc.exit_code}): {exc}") from None
        summary = report.as_dict()
        verdict = task_verdict(summary, share)
        log.info("task summary", verdict=verdict or "success", **summary)
        if verdict is None:
            if summary["exit_code"] == 1:
                log.warning(
                    "some rows need attention",
                    problems=summary["problems"],
                    rows=summary["rows"],
                    fail_on_problems=share,
                    results=summary["results_path"],
                )
            return summary
    if summary["exit_code"] in RETRYABLE_EXIT_CODES:
        raise retry(f"jobmojito-sync: {verdict}")
    raise fail(f"jobmojito-sync: {verdict}")


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
) -> dict[str, Any]:
    """The task body of ``make_dag``: Airflow fills ``ds`` and ``run_id`` from the context.

    A run without a logical date (an Airflow 3 manual trigger) has no ``ds``; its
    ``run_id`` names the results file then, so its retries rewrite one file.
    """
    return sync_task(
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
    task_id: str = "jobmojito_sync",
    tags: tuple[str, ...] = ("jobmojito",),
    task_kwargs: Mapping[str, Any] | None = None,
    dag_kwargs: Mapping[str, Any] | None = None,
    **sync_kwargs: Any,
) -> Any:
    """A DAG with one task that runs ``sync_task``; put it at a DAG file's top level.

    ``catchup`` is off and ``max_active_runs`` is 1 (the ledger's run lock would
    refuse an overlap anyway). ``applicants``, ``jobs``, ``out_dir`` and string
    ``sync_kwargs`` are Jinja-templated by Airflow (``"/data/applicants_{{ ds }}.csv"``).
    ``task_kwargs`` go to ``@task`` (``pool``, ``execution_timeout``, ``queue``),
    ``dag_kwargs`` to ``@dag``. Mistakes in the options fail at parse time, so the
    DAG shows an import error instead of failing at night.
    """
    check_share(fail_on_problems)
    check_sync_kwargs(sync_kwargs)
    results_file_name("check", pattern=results_name)
    dag_decorator, task_decorator = _taskflow()
    when = start_date or datetime(2025, 1, 1, tzinfo=UTC)
    extra_dag = dict(dag_kwargs or {})
    default_args = {"retries": retries, "retry_delay": retry_delay}
    default_args.update(extra_dag.pop("default_args", {}) or {})

    def body() -> None:
        run = task_decorator(task_id=task_id, **dict(task_kwargs or {}))(_dag_task)
        run(
            applicants=str(applicants),
            out_dir=str(out_dir),
            jobs=str(jobs) if jobs else None,
            mapping=mapping,
            ledger=str(ledger) if ledger else None,
            fail_on_problems=float(fail_on_problems),
            token_conn_id=token_conn_id,
            token_variable=token_variable,
            results_name=results_name,
            options={k: (str(v) if isinstance(v, Path) else v) for k, v in sync_kwargs.items()},
        )

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

Retries are safe: the ledger in `out_dir` skips candidates already enrolled.
"""

__all__ = [
    "AIRFLOW_MISSING",
    "DEFAULT_FAIL_ON_PROBLEMS",
    "LEDGER_NAME",
    "RESULTS_NAME",
    "RETRYABLE_EXIT_CODES",
    "TaskProgress",
    "check_share",
    "check_sync_kwargs",
    "make_dag",
    "results_file_name",
    "sync_task",
    "task_options",
    "task_verdict",
]
