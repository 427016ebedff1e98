"""``jobmojito-sync report`` and ``history``: what the ledger remembers of past runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli._app import cli, handle_errors, ledger_flag

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
@handle_errors
def report(ledger: str, run_id: str | None, group: str | None, out: Path) -> None:
    """Rebuild the results sheet of any run from the ledger (also a killed one), or of a
    whole run group."""
    from sync.errors import UsageError
    from sync.results.history import rebuild_group, rebuild_results

    if run_id and group:
        raise UsageError("give --run or --group, not both")
    if group:
        path = rebuild_group(ledger, out, group)
    else:
        path = rebuild_results(ledger, out, run_id=run_id)
    click.echo(f"results: {path}", err=True)


@cli.command()
@_ledger_option
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@handle_errors
def history(ledger: str, limit: int, as_json: bool) -> None:
    """Past runs in a ledger, newest first, with their counts."""
    from sync.results.history import run_history

    runs = run_history(ledger, limit=limit)
    for info in runs:
        if as_json:
            click.echo(json.dumps(info, default=str))
        else:
            counts = " ".join(f"{k}={v}" for k, v in info["counts"].items())
            shard = f"  shard {info['shard']} of {info['group']}" if "group" in info else ""
            click.echo(
                f"{info['run_id']}  {info['state']:<8} exit={info['exit_code']}"
                f"  {info['mapping']}{shard}  {counts}"
            )
