"""The command line: a thin layer over the Python API (``sync.run``).

Only this module imports click. Each command turns options into one library
call and a ``SyncError`` into ``Error: <message>`` with its exit code; the
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sync import __version__
from sync.errors import EXIT_INTERNAL, EXIT_MEANINGS, SyncError
from sync.options import DEFAULT_BASE_URL, SyncOptions

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULTS = {name: f.default for name, f in SyncOptions.model_fields.items()}


class _State:
    debug = False
    quiet = False
    log_format: str | None = None  # the --log-format flag (or JOBMOJITO_LOG_FORMAT), if given


def _configure_logging(log_format: str) -> None:
    from sync.logs import configure_logging

    level = logging.DEBUG if _State.debug else logging.WARNING if _State.quiet else logging.INFO
    configure_logging(log_format, level=level)  # type: ignore[arg-type]


def _fail(exc: BaseException) -> None:
    from sync.redact import scrub

    if _State.debug:  # the traceback too, secrets scrubbed; the exit code stays the same
        import traceback

        click.echo(scrub("".join(traceback.format_exception(exc))).rstrip(), err=True)

    if isinstance(exc, SyncError):
        click.echo(f"Error: {scrub(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    click.echo(
        f"Internal error: {type(exc).__name__}: {scrub(str(exc))}\n"
        "This is a bug in jobmojito-sync; rerun with --debug for the traceback.",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def handle_errors(fn: F) -> F:
    """Turn library errors into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # the CLI's last line of defence
            _fail(exc)

    return wrapper  # type: ignore[return-value]


def _default(name: str) -> str:
    value = _DEFAULTS.get(name)
    return "" if value is None else f" [default: {value}]"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobmojito-sync")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    help="Logs on stderr: console on a terminal, JSON lines otherwise (auto; also"
    " JOBMOJITO_LOG_FORMAT or log_format in the config file).",
)
@click.option("--quiet", "-q", is_flag=True, help="Log only warnings and errors (for cron).")
def cli(debug: bool, log_format: str | None, quiet: bool) -> None:
    """Enrol candidates from ATS spreadsheet exports into JobMojito AI interviews.

    \b
    Start with a dry run: it sends nothing and writes the results sheet.
      jobmojito-sync run --applicants applicants.csv --jobs jobs.csv --dry-run
    Rehearse against the local sandbox, then go live with JOBMOJITO_TOKEN set:
      jobmojito-sync sandbox            # in another terminal
      JOBMOJITO_TOKEN=sandbox-token jobmojito-sync run --applicants applicants.csv \\
          --jobs jobs.csv --base-url http://127.0.0.1:8787/functions/v1/

    \b
    Exit codes: 0 every row done; 1 some rows invalid, rejected or failed;
    2 usage or configuration error (nothing sent); 3 aborted mid-run.
    """
    _State.debug, _State.quiet, _State.log_format = debug, quiet, log_format
    # Commands that read run options (run) configure logging again once they know
    # the config file's log_format and JOBMOJITO_LOG_FORMAT; the others use this.
    _configure_logging(log_format or os.environ.get("JOBMOJITO_LOG_FORMAT", "auto"))


# --------------------------------------------------------------------------- run


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="TOML config file (default: $JOBMOJITO_SYNC_CONFIG, else ./jobmojito-sync.toml"
    " when present). Flags override it.",
)
@click.option(
    "--applicants",
    type=click.Path(path_type=Path),
    help="The applicants export: CSV (also .csv.gz), XLSX, XLS or ODS; a glob with --latest."
    " Required here or in the config file.",
)
@click.option(
    "--jobs",
    type=click.Path(path_type=Path),
    help="A jobs export joined to the applicants by the mapping's job key.",
)
@click.option(
    "--mapping",
    help="A shipped mapping name (see `mappings list`), a YAML file,"
    " or 'auto' to detect it from the headers." + _default("mapping"),
)
@click.option(
    "--latest",
    is_flag=True,
    default=None,
    help="--applicants/--jobs are globs: take the newest matching file (cron).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Results sheet; .xlsx or .csv." + _default("out")
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path),
    help="Write results-<UTC time>.xlsx here, with one stable ledger beside them (cron).",
)
@click.option(
    "--dry-run", is_flag=True, default=None, help="Read, map, validate and plan; send nothing."
)
@click.option("--sheet", help="Sheet of the applicants workbook (default: first non-empty).")
@click.option("--jobs-sheet", help="Sheet of the jobs workbook.")
@click.option("--encoding", help="CSV encoding, when sniffing guesses wrong (e.g. cp1252).")
@click.option("--delimiter", help="CSV delimiter, when sniffing guesses wrong: , ; tab |")
@click.option(
    "--resumes",
    type=click.Path(path_type=Path),
    help="Folder or zip holding the resume files named in the export.",
)
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),
    help="SQLite ledger (default: <out>.ledger.sqlite beside the results, or"
    " jobmojito-sync.ledger.sqlite in --out-dir).",
)
@click.option(
    "--base-url",
    help=f"API base URL [default: {DEFAULT_BASE_URL}] (env JOBMOJITO_BASE_URL).",
)
@click.option("--timeout", type=float, help="Seconds per request." + _default("timeout"))
@click.option(
    "--concurrency", type=int, help="Requests in flight at once." + _default("concurrency")
)
@click.option(
    "--rate",
    type=float,
    help="Requests per second, a ceiling; slows down on 429." + _default("rate"),
)
@click.option(
    "--max-attempts",
    type=int,
    help="Attempts per row before it is failed." + _default("max_attempts"),
)
@click.option(
    "--force",
    is_flag=True,
    default=None,
    help="Send candidates the ledger shows enrolled in earlier runs.",
)
@click.option(
    "--ignore-credits",
    is_flag=True,
    default=None,
    help="Send even when merchant-status says the credits are short.",
)
@click.option("--limit", type=int, help="Send only the first N rows to send (a canary run).")
@click.option(
    "--token-command",
    help="Command printing a fresh token, run once on a 401 (env JOBMOJITO_TOKEN_COMMAND).",
)
@click.option("--yes", "-y", is_flag=True, default=None, help="Do not ask before sending.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal)."
)
@handle_errors
def run(config_file: Path | None, **flags: Any) -> None:
    """Sync an applicants export: map, validate, send, write the results sheet.

    The API token comes from the JOBMOJITO_TOKEN environment variable, never
    from a flag. Every input row gets one line in the results sheet with its
    status, reason and interview_url.
    """
    from sync.options import resolve_options
    from sync.run import execute

    if flags.get("delimiter") in ("tab", "\\t", "TAB"):
        flags["delimiter"] = "\t"
    options = resolve_options({**flags, "log_format": _State.log_format}, config=config_file)
    _configure_logging(options.log_format)
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    show_bar = options.progress if options.progress is not None else sys.stderr.isatty()
    progress = None
    if show_bar and not options.dry_run:
        from sync.progress import RichProgress

        progress = RichProgress()
    confirm = None
    if interactive and not options.yes and not options.dry_run:
        confirm = _confirm
    report = execute(
        options,
        on_prepared=_preview if interactive or options.dry_run else None,
        confirm=confirm,
        progress=progress,
    )
    _print_outcome(report)
    sys.exit(report.exit_code)


def _preview(prepared: Any) -> None:
    """What the run is about to do: mapping, counts, the first payloads."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    console.print(f"[bold]mapping[/]: {prepared.mapping.name} — {prepared.mapping_reason}")
    for warning in prepared.warnings:
        console.print(f"[yellow]note[/]: {warning}")
    counts = prepared.counts()
    console.print(
        "rows: "
        + ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        + f" (of {len(prepared.planned)})"
    )
    first = prepared.to_send[:5] or [p for p in prepared.planned if p.status is not None][:5]
    if not first:
        return
    table = Table(title="first rows", show_lines=False)
    for col in ("row", "candidate", "e-mail", "country", "position", "language", "status"):
        table.add_column(col)
    for p in first:
        body = p.payload
        table.add_row(
            str(p.row.line),
            str(body.get("candidate_name", "")),
            str(body.get("candidate_email", "")),
            str(body.get("candidate_country_code", "")),
            str(body.get("position_name") or body.get("position_external_id") or ""),
            str(body.get("mojito_language_code", "")),
            p.status.value if p.status else "to send",
        )
    console.print(table)


def _confirm(prepared: Any) -> bool:
    n = len(prepared.to_send)
    return click.confirm(
        f"Send {n} candidate{'s' if n != 1 else ''} to {prepared.options.base_url}?",
        default=False,
        err=True,
    )


def _print_outcome(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    if sys.stderr.isatty():
        table = Table(title=f"run {report.run_id}")
        table.add_column("status")
        table.add_column("rows", justify="right")
        for status, count in report.counts.items():
            table.add_row(status, str(count))
        table.add_row("[bold]total", f"[bold]{report.rows}")
        console.print(table)
    click.echo(f"results: {report.results_path}", err=True)
    if report.exit_code:
        click.echo(f"exit {report.exit_code}: {EXIT_MEANINGS[report.exit_code]}", err=True)


# ---------------------------------------------------------------------- mappings


@cli.group()
def mappings() -> None:
    """List, show, detect and start mapping files (mappings/*.yaml)."""


@mappings.command("list")
@handle_errors
def mappings_list() -> None:
    """List the shipped mappings."""
    from sync.mapping import list_mappings

    for m in list_mappings():
        click.echo(f"{m.name:<18} {m.title}")


@mappings.command("show")
@click.argument("name")
@handle_errors
def mappings_show(name: str) -> None:
    """Print a mapping file (a shipped name or a path)."""
    from sync.mapping import load_mapping, mapping_path

    load_mapping(name)  # validates it
    click.echo(mapping_path(name).read_text(encoding="utf-8"))


@mappings.command("detect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet of a workbook.")
@handle_errors
def mappings_detect(file: Path, sheet: str | None) -> None:
    """Score every shipped mapping against FILE's headers."""
    from sync.errors import MappingError
    from sync.mapping.detect import all_signature_columns, choose_mapping, score_mappings
    from sync.readers import read_table

    table = read_table(file, sheet=sheet, expect=all_signature_columns())
    for score in score_mappings(table.headers):
        click.echo(f"{score.score:6.2f}  {score.mapping.name:<18} {score.explain}")
    try:
        choice = choose_mapping(table.headers, file_name=table.name)
    except MappingError as exc:
        click.echo(f"--mapping auto: {exc}")
    else:
        click.echo(f"--mapping auto would use '{choice.mapping.name}'")


@mappings.command("init")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write here (default: stdout).")
@click.option("--sheet", help="Sheet of a workbook.")
@handle_errors
def mappings_init(file: Path, out: Path | None, sheet: str | None) -> None:
    """Write a starter mapping for FILE by matching its headers to API fields."""
    from sync.mapping import starter_mapping
    from sync.readers import read_table

    table = read_table(file, sheet=sheet)
    text = starter_mapping(table)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


# ------------------------------------------------------------------ report, history


@cli.command()
@click.option("--ledger", type=click.Path(path_type=Path), required=True, help="The ledger.")
@click.option("--run", "run_id", help="Run id (default: the last run).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Results sheet to write (.xlsx or .csv).",
)
@handle_errors
def report(ledger: Path, run_id: str | None, out: Path) -> None:
    """Rebuild the results sheet of any run from the ledger (also a killed one)."""
    from sync.results.history import rebuild_results

    path = rebuild_results(ledger, out, run_id=run_id)
    click.echo(f"results: {path}", err=True)


@cli.command()
@click.option("--ledger", type=click.Path(path_type=Path), required=True, help="The ledger.")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@handle_errors
def history(ledger: Path, limit: int, as_json: bool) -> None:
    """Past runs in a ledger, newest first, with their counts."""
    from sync.results.history import run_history

    runs = run_history(ledger, limit=limit)
    for info in runs:
        if as_json:
            click.echo(json.dumps(info, default=str))
        else:
            counts = " ".join(f"{k}={v}" for k, v in info["counts"].items())
            click.echo(
                f"{info['run_id']}  {info['state']:<8} exit={info['exit_code']}"
                f"  {info['mapping']}  {counts}"
            )


# ------------------------------------------------------------------------ sandbox


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option(
    "--token",
    default="sandbox-token",
    show_default=True,
    help="The bearer token the sandbox accepts (a test token, not a secret).",
)
@click.option("--rate", type=float, help="Server rate limit, requests per second (default: none).")
@click.option("--burst", type=int, help="Token-bucket burst size.")
@click.option("--latency-ms", type=float, default=0.0, show_default=True)
@click.option("--latency-jitter-ms", type=float, help="Extra uniform random latency per request.")
@click.option(
    "--faults", default="", help="Fault rates, e.g. '500=0.05,503=0.05,slow=0.02,drop=0.01'."
)
@click.option("--slow-seconds", type=float, help="How long a 'slow' answer waits (default: 5).")
@click.option("--credits", type=int, help="Monthly interview credits at start (default: 1000).")
@click.option("--seed", type=int, default=0, show_default=True)
@handle_errors
def sandbox(**flags: Any) -> None:
    """Serve the local JobMojito API simulator for rehearsals (127.0.0.1 only)."""
    from sync.sandbox.__main__ import serve_from_flags

    serve_from_flags(**flags)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="jobmojito-sync")


if __name__ == "__main__":  # pragma: no cover
    main()
