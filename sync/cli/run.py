"""``jobmojito-sync run``: preview, confirm, send, and the outcome at the terminal.

Who sees what:

- a person at a terminal (stderr is one, or a question will be asked on
  ``/dev/tty``) sees the screens of ``sync.screen``: the preview, the question,
  the progress bar, the outcome; logs there keep to warnings (``--debug``: all);
- without a terminal (cron, CI), logs say everything (JSON lines by default),
  the last one the run's outcome; ``--quiet`` keeps warnings only, so a clean
  night prints nothing, and every line carries its date and time.

Nothing is sent without a yes: ``--yes`` (or ``yes = true``), or ``y`` typed at
the question (``sync.cli.ask``). Without a terminal to ask on, the run stops
before sending (exit 2); a "no" sends nothing (exit 4). ``--create-positions``
runs the ``positions`` step first, with its own preview and question.
``sync.cli.sending`` holds what ``run`` and ``positions`` share of all this.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

import click

from sync.cli._app import _default, api_flags, cli, handle_errors, ledger_flag, outcomes_flags
from sync.cli.positions import position_options
from sync.cli.sending import consent_options


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
    "--max-input-mb",
    type=int,
    help="Refuse an applicants or jobs file (or a .csv.gz's content) larger than this;"
    " a table takes about ten times its size in memory." + _default("max_input_mb"),
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Results sheet; .xlsx or .csv." + _default("out")
)
@click.option(
    "--overwrite",
    is_flag=True,
    default=None,
    help="Replace an existing results sheet (default: keep it as <name>.1.xlsx, .2, …).",
)
@click.option(
    "--interview-links",
    type=click.Choice(["include", "omit"]),
    help="omit: leave the tokenised interview links (credentials) out of the results"
    " sheet, for one forwarded outside the team; the ledger keeps them."
    + _default("interview_links"),
)
@click.option(
    "--out-dir",
    type=click.Path(path_type=Path),
    help="Write results-<UTC time>.xlsx here, with one stable ledger beside them (cron).",
)
@click.option(
    "--dry-run", is_flag=True, default=None, help="Read, map, validate and plan; send nothing."
)
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="CONDITION",
    help="Send only rows meeting this condition, on top of the mapping's select: (repeatable;"
    " all must hold): 'Stage = Phone screen', 'Status != Hired', 'Stage in A, B',"
    " 'Status not in A, B', 'Archived At is blank', 'Hired is false', 'Applied On >= 2026-11-01',"
    " 'Applied On within 30d', 'Tags ~ regex'.",
)
@click.option(
    "--since",
    metavar="DATE|Nd|last-run",
    help="Send only rows whose application date (the mapping's select: application_date) is"
    " this day or later: 2026-11-01, 7d (the last 7 days), or last-run (since the last run"
    " on this ledger that left every row settled, less a day).",
)
@click.option(
    "--results",
    type=click.Choice(["problems", "selected", "all"]),
    help="Which rows the Results sheet lists: problems (those that need a person, as on the"
    " Problems sheet, and those not sent yet), selected (all but excluded) or all; the other"
    " sheets count every row." + _default("results"),
)
@click.option(
    "--fail-on",
    type=click.Choice(["new", "any"]),
    help="Which problem rows make exit code 1: new (not reported by an earlier run on this"
    " ledger) or any [default: new with --out-dir, any otherwise].",
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
    "--fetch-resume-urls",
    is_flag=True,
    default=None,
    help="Download resume links found in the export (they expire; never logged).",
)
@click.option(
    "--resume-url-rate",
    type=float,
    help="Resume downloads started per second, apart from the API's rate"
    + _default("resume_url_rate"),
)
@click.option(
    "--resume-fallback",
    type=click.Choice(["none", "profile"]),
    help="profile: for rows without a resume, compose one from the profile columns"
    " (headline, summary, experiences …), marked as such." + _default("resume_fallback"),
)
@click.option(
    "--candidate-country-from",
    type=click.Choice(["none", "job"]),
    help="job: a candidate with no country of their own takes the job's."
    + _default("candidate_country_from"),
)
@click.option(
    "--default-country",
    metavar="XX",
    help="Country (ISO code) for candidates no column, location or phone places.",
)
@click.option(
    "--position-location",
    metavar="TEXT",
    help="Position location where the export and the jobs file give none.",
)
@click.option(
    "--position-country",
    metavar="XX",
    help="Position country (ISO code) where neither the export, the jobs file nor the"
    " location text gives one.",
)
@click.option(
    "--language",
    metavar="CODE",
    help="Interview language where the export gives none and the job's country has no"
    " single main language (en, de, br …).",
)
@click.option(
    "--ledger",
    callback=ledger_flag,
    help="The ledger: an SQLite file (default: <out>.ledger.sqlite beside the results, or"
    " jobmojito-sync.ledger.sqlite in --out-dir), or a PostgreSQL URL postgresql://user@host/db"
    " (its password in ~/.pgpass, PGPASSWORD or JOBMOJITO_LEDGER_URL, never here).",
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
    "--shard",
    metavar="I/N",
    help="Send only shard I of N: the rows whose candidate identity hashes to I, so that"
    " N workers share one export and one ledger (each shard a run in one run group).",
)
@click.option(
    "--group",
    metavar="NAME",
    help="The run group of the shards (default: a name derived from the inputs' content,"
    " the mapping and N, the same for every shard started on them).",
)
@click.option(
    "--with-outcomes",
    is_flag=True,
    default=None,
    help="After the run, bring the interview outcomes back (as the `outcomes` command).",
)
@outcomes_flags("outcomes-")
@click.option(
    "--create-positions",
    is_flag=True,
    default=None,
    help="First make one interview per job of --jobs (as `positions` does), then enrol.",
)
@click.option(
    "--positions-out",
    type=click.Path(path_type=Path),
    help="The positions step's results sheet [default: <out>.positions.xlsx beside --out].",
)
@position_options
@consent_options
@handle_errors
def run(config_file: Path | None, **flags: Any) -> None:
    """Sync an applicants export: map, validate, send, write the results sheet.

    The API token comes from the JOBMOJITO_TOKEN environment variable, or from
    token_file in the config file (a file only its owner can read); never from
    a flag. Before sending it shows what it will send and asks; without a
    terminal to ask on it sends only with --yes. Every input row gets one line
    in the results sheet with its status, reason and interview link.
    """
    from sync.cli.sending import confirmation, log_outcome, sending_command
    from sync.positions.run import PositionsHooks
    from sync.positions.screens import jobs_question, preview_jobs
    from sync.run import execute
    from sync.screen import question

    flags["where"] = list(flags["where"]) or None  # none given: the config file's stand
    sending = sending_command(flags, config_file)
    options, screen = sending.options, sending.screen
    hooks = PositionsHooks(
        on_prepared=functools.partial(preview_jobs, screen) if screen is not None else None,
        confirm=confirmation(sending.terminal, jobs_question, "interviews")
        if sending.asking
        else None,
        progress=sending.progress() if options.create_positions else None,
    )
    report = execute(
        options,
        on_prepared=screen.preview if screen is not None else None,
        confirm=confirmation(sending.terminal, question, "candidates") if sending.asking else None,
        progress=sending.progress(),
        positions=hooks if options.create_positions else None,
    )
    if screen is not None:
        screen.outcome(report)
    else:
        log_outcome(report)
    sys.exit(report.exit_code)
