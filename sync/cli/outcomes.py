"""``jobmojito-sync outcomes``: the interview outcomes of a ledger's enrolments, in a sheet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sync.cli._app import (
    _configure_logging,
    _State,
    api_flags,
    cli,
    handle_errors,
    outcomes_flags,
)


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="TOML config file, as for `run` (its ledger, base_url, token_file ... apply).",
)
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),
    help="The ledger your runs write (default: as `run` finds it).",
)
@outcomes_flags("")
@api_flags
@handle_errors
def outcomes(config_file: Path | None, **flags: Any) -> None:
    """Bring the interview outcomes back: one line per enrolled candidate.

    Reads every interview result (merchant-result-list), matches it to the
    ledger's enrolments and writes who started, who completed, the decision,
    the score and sub-scores, with the ATS's own candidate and job ids; results
    that match no enrolment go to a sheet of their own. The token comes from
    JOBMOJITO_TOKEN, as for `run`.
    """
    from sync.options import resolve_options
    from sync.outcomes.run import execute_outcomes

    given = {**flags, "log_format": _State.log_format}
    options = resolve_options(given, config=config_file, applicants_required=False)
    _configure_logging(options.log_format)
    report = execute_outcomes(options)
    _print_report(report)
    sys.exit(report.exit_code)


def _print_report(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    counts = report.counts
    if sys.stderr.isatty():
        table = Table(title=f"outcomes {report.run_id}")
        table.add_column("enrolments")
        table.add_column("", justify="right")
        for key in ("not_started", "started", "completed", "other", "unmatched"):
            if key in counts:
                table.add_row(key.replace("_", " "), str(counts[key]))
        table.add_row("[bold]written", f"[bold]{counts.get('written', 0)}")
        Console(stderr=True).print(table)
    for path in report.files:
        click.echo(f"outcomes: {path}", err=True)
    if counts.get("unmatched"):
        click.echo(
            f"not matched: {counts['unmatched']} results of candidates this ledger did not"
            " enrol (listed apart)",
            err=True,
        )
    if report.exit_code:
        from sync.outcomes.summary import OUTCOMES_EXIT_MEANINGS

        meaning = OUTCOMES_EXIT_MEANINGS.get(report.exit_code, "")
        click.echo(f"exit {report.exit_code}: {meaning}", err=True)
