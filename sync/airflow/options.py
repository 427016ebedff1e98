"""The Airflow task's options and verdict: pure functions, no Airflow needed.

What the task passes to the run (``task_options``), what it refuses in a DAG
(``check_sync_kwargs``), how the results file is named, how an Airflow
Connection becomes the URL of a PostgreSQL ledger (``connection_ledger_url``),
how a run's exit code and counts become the task's state (``task_verdict``; a
shard is judged on its own rows), the same for the outcomes task
(``outcomes_task_options``, ``outcomes_verdict``), and what a sharded DAG maps
over (``shard_list``) and names its run group (``dag_run_group``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sync.errors import ConfigError, UsageError
from sync.ledger.location import SCHEMA_PARAMETER, PostgresURL, is_postgres_url, password_refused
from sync.options import SyncOptions
from sync.shards import MAX_SHARDS, check_group
from sync.text import did_you_mean

AIRFLOW_MISSING = "Apache Airflow is not installed: pip install 'jobmojito-sync[airflow]'"

#: Exit 1 fails the task when more than this share of the rows are problems.
DEFAULT_FAIL_ON_PROBLEMS = 0.05

#: The ledger's file name in ``out_dir``: one per DAG, stable across retries and runs.
LEDGER_NAME = "jobmojito-sync.ledger.sqlite"

#: The results sheet's name in ``out_dir``; ``{ds}`` is the run's date.
RESULTS_NAME = "results_{ds}.xlsx"

#: The outcomes sheet's name in ``out_dir``; ``{ds}`` is the run's date.
OUTCOMES_NAME = "outcomes_{ds}.xlsx"

#: Exit codes whose failure Airflow should retry (the ledger makes a retry safe).
RETRYABLE_EXIT_CODES = frozenset({3})

#: Options the task decides itself; passing them is a mistake.
_TASK_OWNED = frozenset(
    {"out", "out_dir", "progress", "log_format", "yes", "outcomes_out", "with_outcomes"}
)

_PROBLEM_STATUSES = ("invalid", "rejected", "failed")


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


def results_file_name(
    run_date: str | None,
    *,
    pattern: str = RESULTS_NAME,
    what: str = "results_name",
    shard: str | None = None,
) -> str:
    """``results_2026-11-22.xlsx`` for the run's date; a UTC timestamp without one.
    A shard's own sheet is ``results_2026-11-22.shard-2-of-4.xlsx``.

    Anything but letters, digits, ``-``, ``_`` and ``.`` in the date becomes ``-``
    (a ``ts`` such as ``2026-11-22T00:00:00+00:00`` is a valid file name too).
    """
    if not run_date:
        run_date = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", str(run_date))
    if "{ds}" not in pattern:
        raise UsageError(f"{what}={pattern!r}: it must contain {{ds}}")
    name = pattern.replace("{ds}", safe)
    if not name.lower().endswith((".xlsx", ".csv")):
        raise UsageError(f"{what}={pattern!r}: the file must end in .xlsx or .csv")
    if shard:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem}.shard-{shard.replace('/', '-of-')}{dot}{suffix}"
    return name


def check_shards(shards: int | None) -> int:
    """``make_dag(shards=N)``: N mapped sync tasks, 1 to ``MAX_SHARDS`` (1: no mapping)."""
    if shards is None:
        return 1
    if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
        raise UsageError(f"shards={shards!r}: give a whole number of shards, 1 to {MAX_SHARDS}")
    return shards


def shard_list(shards: int) -> list[str]:
    """What ``make_dag(shards=N)`` maps its sync task over: ``["1/N", …, "N/N"]``."""
    return [f"{i}/{shards}" for i in range(1, shards + 1)]


def dag_run_group(dag_id: str, ds: str | None, run_id: str | None) -> str:
    """The run group of a DAG run's shards: one per DAG and logical date (a manual run
    without one: its run_id), the same for every try of every shard, on any worker."""
    return check_group(f"{dag_id}-{ds or run_id or 'run'}")


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
            " out_dir/results_<ds>.xlsx, outcomes to out_dir/outcomes_<ds>.xlsx with"
            " make_dag(with_outcomes=True), JSON logs, no progress bar, no prompt)"
        )
    unknown = sorted(set(options) - set(SyncOptions.model_fields))
    if unknown:
        hints = [key + did_you_mean(key, sorted(SyncOptions.model_fields)) for key in unknown]
        raise UsageError(f"unknown option(s): {', '.join(hints)}")
    for key in ("ledger", "ledger_url"):
        value = options.get(key)
        if is_postgres_url(value):
            problem = password_refused(PostgresURL(str(value)), "a DAG")
            if problem:
                raise UsageError(
                    f"{key}: {problem}; or name an Airflow Connection: ledger_conn_id=…"
                )


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
    """The run's options as flags for ``sync.resolve.resolve_options``.

    The ledger defaults to ``out_dir/jobmojito-sync.ledger.sqlite`` (stable across
    task retries and DAG runs); the results file is ``out_dir/results_<ds>.xlsx``.
    """
    check_sync_kwargs({**options, "ledger": ledger})
    folder = Path(out_dir)
    shard = options.get("shard")
    flags: dict[str, Any] = {
        **options,
        "applicants": str(applicants),
        "jobs": str(jobs) if jobs else None,
        "mapping": mapping,
        "out": folder / results_file_name(run_date, pattern=results_name, shard=shard),
        "ledger": ledger_flag(ledger, folder),
        "progress": False,
        "log_format": "json",
        "yes": True,
    }
    return {k: v for k, v in flags.items() if v is not None}


def ledger_flag(ledger: str | Path | None, folder: Path) -> str | Path:
    """The ledger as a task passes it on (``task_options``, ``outcomes_task_options``,
    ``merge_results``): a URL as text (a path would turn its // into /), a file
    as a path, else the stable file in ``out_dir``."""
    if ledger and is_postgres_url(str(ledger)):
        return str(ledger)
    return Path(ledger) if ledger else folder / LEDGER_NAME


def outcomes_task_options(
    *,
    out_dir: str | Path,
    ledger: str | Path | None = None,
    run_date: str | None = None,
    outcomes_name: str = OUTCOMES_NAME,
    **options: Any,
) -> dict[str, Any]:
    """The outcomes run's options as flags for ``resolve_options(require=())``:
    the ledger the sync task writes, the sheet ``out_dir/outcomes_<ds>.xlsx``."""
    check_sync_kwargs({**options, "ledger": ledger})
    folder = Path(out_dir)
    flags: dict[str, Any] = {
        **options,
        "outcomes_out": folder
        / results_file_name(run_date, pattern=outcomes_name, what="outcomes_name"),
        "ledger": ledger_flag(ledger, folder),
        "progress": False,
        "log_format": "json",
        "yes": True,
    }
    return {k: v for k, v in flags.items() if v is not None}


def outcomes_verdict(summary: Mapping[str, Any]) -> str | None:
    """Why the outcomes task must fail, or ``None`` when it succeeds.

    ``summary`` is ``OutcomeReport.as_dict()``. Exit 0 succeeds, and so does 1 (some
    AI assessments could not be read: the sheet says which, and the next run brings
    them); 3 (the results could not all be read, the token was refused) fails and is
    retried; anything else fails.
    """
    code = int(summary.get("exit_code", 2))
    where = f"see {summary.get('outcomes_path')}" if summary.get("outcomes_path") else ""
    if code in (0, 1):
        return None
    if code == 3:
        reason = summary.get("aborted") or "the interview results could not all be read"
        return f"outcomes aborted (exit 3): {reason}; a retry is safe; {where}".rstrip("; ")
    return f"outcomes failed (exit {code}); {where}".rstrip("; ")


#: libpq settings an Airflow Connection's extra may carry into the ledger's URL (and
#: ``ledger_schema``); Airflow's own keys (``cursor``, ``iam``, ...) are not libpq's.
LIBPQ_EXTRAS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslnegotiation",
    "sslcompression", "connect_timeout", "application_name", "options",
    "target_session_attrs", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "gssencmode", "channel_binding",
    "require_auth", "passfile", "service", SCHEMA_PARAMETER,
})  # fmt: skip


def connection_ledger_url(conn_id: str, conn: Any) -> str:
    """The PostgreSQL URL of the ledger an Airflow Connection describes.

    Uses the Connection's host, port, login, password and schema (Airflow's name
    for the database), and from its extra the libpq settings (``sslmode``, ...)
    and ``ledger_schema``; other extra keys are Airflow's and are left out.
    """
    conn_type = str(getattr(conn, "conn_type", "") or "")
    if conn_type not in ("postgres", "postgresql"):
        raise ConfigError(
            f"ledger_conn_id={conn_id!r}: the Connection's type is {conn_type or 'not set'!r};"
            " the ledger needs a Postgres Connection (host, port, login, password, database)"
        )
    host = str(getattr(conn, "host", "") or "")
    if not host:
        raise ConfigError(f"ledger_conn_id={conn_id!r}: the Connection has no host")
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if getattr(conn, "port", None):
        netloc += f":{int(conn.port)}"
    login, password = getattr(conn, "login", None), getattr(conn, "password", None)
    if login:
        user = quote(str(login), safe="")
        if password:
            user += ":" + quote(str(password), safe="")
        netloc = f"{user}@{netloc}"
    database = quote(str(getattr(conn, "schema", "") or ""), safe="")
    extra = getattr(conn, "extra_dejson", None) or {}
    query = {k: str(v) for k, v in extra.items() if k in LIBPQ_EXTRAS}
    url = f"postgresql://{netloc}/{database}"
    return f"{url}?{urlencode(query, quote_via=quote)}" if query else url


def _problem_breakdown(counts: Mapping[str, int]) -> str:
    parts = [f"{s}={counts[s]}" for s in _PROBLEM_STATUSES if counts.get(s)]
    return ", ".join(parts) or "none"


def task_verdict(summary: Mapping[str, Any], fail_on_problems: float) -> str | None:
    """Why the task must fail, or ``None`` when it succeeds.

    ``summary`` is ``SyncReport.as_dict()``. Exit 0 succeeds; exit 1 succeeds
    while the problem rows (invalid, rejected, failed) are at most
    ``fail_on_problems`` of all rows (0 makes any problem fail the task; with
    ``fail_on`` ``new``, the task's default, only problems no earlier run reported
    count); exit 2 and 3 always fail (``RETRYABLE_EXIT_CODES`` says which to retry).
    """
    share_limit = check_share(fail_on_problems)
    code = int(summary.get("exit_code", 2))
    counts: Mapping[str, int] = summary.get("counts") or {}
    rows = int(summary.get("rows") or 0) - int(counts.get("other_shard", 0))  # a shard's own
    where = f"see {summary.get('results_path')}" if summary.get("results_path") else ""
    if code == 0:
        return None
    if code == 1:
        new = summary.get("fail_on") == "new" and "new_problems" in summary
        problems = int(summary.get("new_problems" if new else "problems") or 0)
        share = problems / rows if rows else 1.0
        if problems and share > share_limit:
            what = "newly " if new else ""
            return (
                f"{problems} of {rows} rows ({share:.1%}) are {what}invalid, rejected or failed"
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
