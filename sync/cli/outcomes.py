"""``jobmojito-sync outcomes``: the interview outcomes of a ledger's enrolments, in a sheet.

At a terminal the outcome is a screen (``sync.screen.Screen.outcomes``: the
enrolments by interview status, what was written, the files), its text printed
as data; without one (cron) the last log line says the same.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import structlog

from sync.cli._app import (
    _configure_logging,
    _State,
    api_flags,
    cli,
    config_option,
    handle_errors,
    ledger_option,
    outcomes_flags,
)

log = structlog.get_logger("sync")


@cli.command()
@config_option("TOML config file, as for `run` (its ledger, base_url, token_file ... apply).")
@ledger_option(
    "The ledger your runs write: an SQLite file or a PostgreSQL URL (its password in"
    " ~/.pgpass, PGPASSWORD or JOBMOJITO_LEDGER_URL, never here); default: as `run` finds it.",
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
    from sync.outcomes.run import execute_outcomes
    from sync.resolve import resolve_options

    given = {**flags, "log_format": _State.log_format}
    options = resolve_options(given, config=config_file, require=())
    on_screen = not _State.quiet and sys.stderr.isatty()
    _configure_logging(options.log_format, calm=on_screen and options.log_format != "json")
    report = execute_outcomes(options)
    if on_screen:
        from sync.screen import Screen

        Screen().outcomes(report)
    else:
        _log_outcomes(report)
    sys.exit(report.exit_code)


def _log_outcomes(report: Any) -> None:
    """Without a screen: the outcomes run as the last log line (a warning when not 0)."""
    from sync.outcomes.summary import OUTCOMES_EXIT_MEANINGS
    from sync.screen import outcomes_sentence

    say = log.info if report.exit_code == 0 else log.warning
    say(
        "outcomes",
        headline=outcomes_sentence(report),
        files=[str(path) for path in report.files],
        not_matched=report.counts.get("unmatched", 0),
        exit_code=report.exit_code,
        meaning=OUTCOMES_EXIT_MEANINGS.get(report.exit_code, ""),
    )
