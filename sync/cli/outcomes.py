"""``jobmojito-sync outcomes``: the interview outcomes of a ledger's enrolments, in a sheet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sync.cli._app import _configure_logging, _default, _State, cli, handle_errors
from sync.options import DEFAULT_BASE_URL

#: This command's flags that set an option of another name.
_RENAMED = {"out": "outcomes_out", "layout": "outcomes_layout", "page_size": "outcomes_page_size"}


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
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="The outcomes sheet, .xlsx or .csv [default: <results stem>.outcomes.xlsx].",
)
@click.option(
    "--changed-since",
    help="Only what changed: 'last-run' (since each line was last written) or a date/time"
    " (2026-11-01, 2026-11-01T06:00:00Z).",
)
@click.option(
    "--details",
    is_flag=True,
    default=None,
    help="Add the AI assessment of completed interviews (one request each; never the transcript).",
)
@click.option(
    "--layout",
    help="Import file: auto (per the mapping that enrolled each candidate), generic (none),"
    " or an ATS's layout (lever)." + _default("outcomes_layout"),
)
@click.option(
    "--page-size",
    type=int,
    help="Results per page of merchant-result-list, 1-1000." + _default("outcomes_page_size"),
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
@click.option("--max-attempts", type=int, help="Attempts per request." + _default("max_attempts"))
@click.option(
    "--token-command",
    help="Command printing a fresh token, run once on a 401 (env JOBMOJITO_TOKEN_COMMAND).",
)
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

    given = {_RENAMED.get(key, key): value for key, value in flags.items()}
    given["log_format"] = _State.log_format
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
