"""``jobmojito-sync report`` and ``history``: what the ledger remembers of past runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli._app import cli, handle_errors, ledger_flag
from sync.text import printable

_ledger_option = click.option(
    "--ledger",
    envvar="JOBMOJITO_LEDGER_URL",
    required=True,
    callback=ledger_flag,
    help="The ledger: an SQLite file, or a PostgreSQL URL (its password in ~/.pgpass or"
    " PGPASSWORD); default: $JOBMOJITO_LEDGER_URL.",
)


@cli.command()
@_ledger_option
@click.option("--run", "run_id", help="Run id (default: the last run).")
@click.option(
    "--group",
    metavar="NAME",
    help="A run group instead of one run: one sheet for all its shards, every input row"
    " once, each from its own shard's latest run.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Results sheet to write (.xlsx or .csv).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an existing sheet at --out (default: keep it as <name>.1.xlsx, .2, …).",
)
@click.option(
    "--interview-links",
    type=click.Choice(["include", "omit"]),
    default="include",
    show_default=True,
    help="omit: leave the tokenised interview links (credentials) out of the sheet.",
)
@handle_errors
def report(
    ledger: str,
    run_id: str | None,
    group: str | None,
    out: Path,
    overwrite: bool,
    interview_links: str,
) -> None:
    """Rebuild the results sheet of any run from the ledger (also a killed one), or of a
    whole run group."""
    from sync.errors import UsageError
    from sync.results import keep_previous
    from sync.results.history import rebuild_group, rebuild_results

    if run_id and group:
        raise UsageError("give --run or --group, not both")
    kept = None if overwrite else keep_previous(out)
    links = interview_links == "include"
    if group:
        path = rebuild_group(ledger, out, group, links=links)
    else:
        path = rebuild_results(ledger, out, run_id=run_id, links=links)
    said = f" (the previous sheet kept as {kept.name})" if kept else ""
    click.echo(printable(f"results: {path}{said}"), err=True)


#: The columns ``history`` prints, and how wide each is.
HISTORY_COLUMNS = (
    ("run id", 22),
    ("state", 8),
    ("exit", 4),
    ("mapping", 12),
    ("started (UTC)", 20),
)


@cli.command()
@_ledger_option
@click.option(
    "--limit", type=int, default=20, show_default=True, help="How many runs to list, newest first."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@handle_errors
def history(ledger: str, limit: int, as_json: bool) -> None:
    """Past runs in a ledger, newest first, with their counts (outcomes runs too)."""
    from sync.results.history import run_history

    runs = run_history(ledger, limit=limit)
    if as_json:
        for info in runs:
            click.echo(json.dumps(info, default=str))
        return
    if not runs:
        click.echo("no runs yet", err=True)
        return
    head = "  ".join(f"{name:<{width}}" for name, width in HISTORY_COLUMNS)
    click.echo(f"{head}  rows by status")
    for info in runs:
        started = str(info["started_at"] or "")[:19]
        kind = " (dry run)" if info["dry_run"] else ""
        what = info["mapping"] if info["kind"] == "sync" else f"{info['kind']}:{info['mapping']}"
        values = (info["run_id"], info["state"], info["exit_code"], what, started)
        cells = "  ".join(
            f"{'' if v is None else v!s:<{w}}"
            for v, (_, w) in zip(values, HISTORY_COLUMNS, strict=True)
        )
        counts = " ".join(f"{k}={v}" for k, v in info["counts"].items())
        shard = f"  shard {info['shard']} of {info['group']}" if "group" in info else ""
        click.echo(printable(f"{cells}  {counts}{kind}{shard}"))
