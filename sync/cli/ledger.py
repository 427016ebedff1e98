"""``jobmojito-sync report`` and ``history``: what the ledger remembers of past runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli._app import cli, handle_errors


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
    """Past runs in a ledger, newest first, with their counts (outcomes runs too)."""
    from sync.results.history import run_history

    runs = run_history(ledger, limit=limit)
    for info in runs:
        if as_json:
            click.echo(json.dumps(info, default=str))
        else:
            counts = " ".join(f"{k}={v}" for k, v in info["counts"].items())
            what = (
                info["mapping"] if info["kind"] == "sync" else f"{info['kind']}:{info['mapping']}"
            )
            click.echo(
                f"{info['run_id']}  {info['state']:<8} exit={info['exit_code']}  {what}  {counts}"
            )
