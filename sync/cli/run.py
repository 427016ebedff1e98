"""``jobmojito-sync run``: preview, confirm, send, and the outcome at the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sync.cli._app import (
    _configure_logging,
    _default,
    _State,
    api_flags,
    cli,
    handle_errors,
    outcomes_flags,
)
from sync.errors import EXIT_MEANINGS


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
@api_flags
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
    "--with-outcomes",
    is_flag=True,
    default=None,
    help="After the run, bring the interview outcomes back (as the `outcomes` command).",
)
@outcomes_flags("outcomes-")
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
    if report.outcomes is not None:
        for path in report.outcomes.files:
            click.echo(f"outcomes: {path}", err=True)
    if report.exit_code:
        click.echo(f"exit {report.exit_code}: {EXIT_MEANINGS[report.exit_code]}", err=True)
