"""One sync inside an Airflow task: options, token, logging, progress, and the task's state.

``outcomes_task`` does the same for an outcomes run (``make_dag(with_outcomes=True)``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from sync.airflow.options import (
    AIRFLOW_MISSING,
    DEFAULT_FAIL_ON_PROBLEMS,
    OUTCOMES_NAME,
    RESULTS_NAME,
    RETRYABLE_EXIT_CODES,
    check_share,
    connection_ledger_url,
    ledger_flag,
    outcomes_task_options,
    outcomes_verdict,
    results_file_name,
    task_options,
    task_verdict,
)
from sync.errors import (
    ConfigError,
    LedgerLockedError,
    LedgerUnavailableError,
    SyncError,
    UsageError,
)
from sync.ledger.location import PostgresURL, is_postgres_url
from sync.redact import register_secret


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


@contextlib.contextmanager
def _task_errors(what: str) -> Iterator[None]:
    """A ``SyncError`` as the task's state: retried for exit 3, for a ledger held by
    another run and for a ledger database that cannot be reached (``AirflowException``),
    failed for good otherwise (``AirflowFailException``)."""
    fail, retry = _exceptions()
    try:
        yield
    except (LedgerLockedError, LedgerUnavailableError) as exc:
        raise retry(f"{what}: {exc}; the task will retry") from None
    except SyncError as exc:
        if exc.exit_code in RETRYABLE_EXIT_CODES:
            raise retry(f"{what} (exit {exc.exit_code}): {exc}") from None
        raise fail(f"{what} (exit {exc.exit_code}): {exc}") from None


def _failed(summary: dict[str, Any], verdict: str) -> NoReturn:
    """End the task for ``verdict``: retried when its exit code may pass on a retry."""
    fail, retry = _exceptions()
    if summary["exit_code"] in RETRYABLE_EXIT_CODES:
        raise retry(f"jobmojito-sync: {verdict}")
    raise fail(f"jobmojito-sync: {verdict}")


def _token_update(conn_id: str | None, variable: str | None) -> dict[str, Any]:
    """``{"token": ...}`` from the Connection or Variable named, else nothing."""
    from pydantic import SecretStr

    token = _token_from_airflow(conn_id, variable)
    return {} if token is None else {"token": SecretStr(token)}


def _ledger_from_airflow(conn_id: str) -> str:
    """The PostgreSQL ledger's URL from an Airflow Connection; its password never logged."""
    try:
        conn = _get_connection(conn_id)
    except Exception as exc:
        raise ConfigError(
            f"ledger_conn_id={conn_id!r}: cannot read that Airflow Connection"
            f" ({type(exc).__name__})"
        ) from None
    register_secret(getattr(conn, "password", None))
    url = connection_ledger_url(conn_id, conn)
    register_secret(PostgresURL(url).password)  # as it is quoted in the URL
    return url


def merge_results(
    *,
    out_dir: str | Path,
    group: str,
    ledger: str | Path | None = None,
    ledger_conn_id: str | None = None,
    run_date: str | None = None,
    results_name: str = RESULTS_NAME,
) -> dict[str, Any]:
    """The last task of a sharded DAG: the run group's one results sheet, from the ledger.

    Every input row once, in input order, each from its own shard's latest run
    (a shard that failed shows its rows as its last try left them). Returns a small
    summary for XCom (counts, rows, the sheet's path; no row data).
    """
    _exceptions()  # Airflow must be there before anything runs
    from collections import Counter

    from sync.ledger import location
    from sync.results.history import rebuild_group
    from sync.results.sheets import read_results

    with _task_logging():
        import structlog

        log = structlog.get_logger("sync.airflow")
        with _task_errors("jobmojito-sync"):
            folder = Path(out_dir)
            flag = ledger_flag(ledger, folder)
            chosen = _task_ledger(flag, ledger, ledger_conn_id)
            where = location(
                chosen["ledger_url"].get_secret_value() if chosen["ledger_url"] else flag
            )
            out = folder / results_file_name(run_date, pattern=results_name)
            path = rebuild_group(where, out, group)
            counts = dict(Counter(line["status"] for line in read_results(path)))
        summary = {
            "group": group,
            "results_path": str(path),
            "rows": sum(counts.values()),
            "counts": counts,
        }
        log.info("run group results", **summary)
        return summary


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


def _task_ledger(flag: Any, ledger: str | Path | None, conn_id: str | None) -> dict[str, Any]:
    """The ledger options the task sets: a Connection's database, a URL, or a file."""
    from pydantic import SecretStr

    if conn_id:
        if ledger:
            raise UsageError("give the ledger once: ledger=… or ledger_conn_id=…, not both")
        return {"ledger": None, "ledger_url": SecretStr(_ledger_from_airflow(conn_id))}
    if is_postgres_url(flag):
        return {"ledger": None, "ledger_url": SecretStr(str(flag))}
    return {"ledger": flag, "ledger_url": None}


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
    ledger_conn_id: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Run one sync inside an Airflow task; return the summary for XCom.

    The token comes from ``token_conn_id`` (a Connection's password), else
    ``token_variable`` (a Variable), else ``JOBMOJITO_TOKEN`` / ``token_file`` as
    for the CLI (``jobmojito-sync.toml`` and ``JOBMOJITO_*`` are read too; the
    arguments here win). ``options`` are further ``SyncOptions`` fields
    (``rate``, ``concurrency``, ``base_url``, ...).

    The ledger is the PostgreSQL database of ``ledger_conn_id`` (an Airflow
    Connection of type Postgres), else ``ledger`` (a file, or a URL whose password
    is in the worker's ~/.pgpass), else ``out_dir/jobmojito-sync.ledger.sqlite``.

    Returns ``SyncReport.as_dict()``. Raises ``AirflowFailException`` (no retry)
    for exit 2 and for exit 1 above ``fail_on_problems``; ``AirflowException``
    (retried) for exit 3, for a ledger held by another run and for a ledger database
    that cannot be reached.
    """
    _exceptions()  # Airflow must be there before anything runs
    from sync.resolve import resolve_options
    from sync.run import execute

    with _task_logging():
        import structlog

        log = structlog.get_logger("sync.airflow")
        with _task_errors("jobmojito-sync"):
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
            # a scheduled run: fail_on defaults to new (only problems no earlier run reported)
            loaded = resolve_options(flags, scheduled=True)
            # resolve_options honours out_dir from a config file or JOBMOJITO_OUT_DIR by
            # renaming the results file; the task's names win.
            update: dict[str, Any] = {"out": flags["out"], "out_dir": None}
            update.update(_task_ledger(flags["ledger"], ledger, ledger_conn_id))
            update.update(_token_update(token_conn_id, token_variable))
            opts = loaded.model_copy(update=update)
            try:
                Path(out_dir).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"out_dir {out_dir}: cannot create it ({exc.strerror})") from None
            report = execute(opts, progress=TaskProgress())
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
    _failed(summary, verdict)


def outcomes_task(
    *,
    out_dir: str | Path,
    ledger: str | Path | None = None,
    run_date: str | None = None,
    ds: str | None = None,
    token_conn_id: str | None = None,
    token_variable: str | None = None,
    outcomes_name: str = OUTCOMES_NAME,
    ledger_conn_id: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Bring the interview outcomes of the ledger's enrolments back; the summary for XCom.

    The ledger is the sync task's: ``ledger_conn_id``'s database, else ``ledger``,
    else ``out_dir/jobmojito-sync.ledger.sqlite``; the sheet is
    ``out_dir/outcomes_<ds>.xlsx``; ``options`` are further
    ``SyncOptions`` fields (``changed_since``, ``details``, ``outcomes_layout``,
    ``rate``, ...), the token as for ``sync_task``. Returns ``OutcomeReport.as_dict()``
    (counts and paths only). Raises ``AirflowException`` (retried) for exit 3, a
    ledger held by another run or a ledger database out of reach,
    ``AirflowFailException`` otherwise.
    """
    _exceptions()  # Airflow must be there before anything runs
    from sync.outcomes.run import execute_outcomes
    from sync.resolve import resolve_options

    with _task_logging():
        import structlog

        log = structlog.get_logger("sync.airflow")
        with _task_errors("jobmojito-sync outcomes"):
            flags = outcomes_task_options(
                out_dir=out_dir,
                ledger=ledger,
                run_date=run_date or ds,
                outcomes_name=outcomes_name,
                **options,
            )
            loaded = resolve_options(flags, require=())
            update: dict[str, Any] = {"outcomes_out": flags["outcomes_out"]}
            update.update(_task_ledger(flags["ledger"], ledger, ledger_conn_id))
            update.update(_token_update(token_conn_id, token_variable))
            report = execute_outcomes(loaded.model_copy(update=update))
        summary = report.as_dict()
        verdict = outcomes_verdict(summary)
        log.info("outcomes summary", verdict=verdict or "success", **summary)
        if verdict is None:
            return summary
    _failed(summary, verdict)
