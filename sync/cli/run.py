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
before sending (exit 2); a "no" sends nothing (exit 4).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import structlog

from sync.cli._app import _configure_logging, _default, _State, cli, handle_errors
from sync.errors import EXIT_MEANINGS, UsageError
from sync.options import DEFAULT_BASE_URL

log = structlog.get_logger("sync")


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
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    default=None,
    help="Send without asking (needed where no terminal can be asked: cron, CI).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal)."
)
@handle_errors
def run(config_file: Path | None, **flags: Any) -> None:
    """Sync an applicants export: map, validate, send, write the results sheet.

    The API token comes from the JOBMOJITO_TOKEN environment variable, or from
    token_file in the config file (a file only its owner can read); never from
    a flag. Before sending it shows what it will send and asks; without a
    terminal to ask on it sends only with --yes. Every input row gets one line
    in the results sheet with its status, reason and interview link.
    """
    from sync.cli.ask import has_terminal
    from sync.options import resolve_options
    from sync.run import execute

    if flags.get("delimiter") in ("tab", "\\t", "TAB"):
        flags["delimiter"] = "\t"
    options = resolve_options({**flags, "log_format": _State.log_format}, config=config_file)
    asking = not options.yes and not options.dry_run
    terminal = asking and has_terminal()
    on_screen = not _State.quiet and (sys.stderr.isatty() or terminal or options.dry_run)
    # At a terminal the screens tell the story: the logs there keep to warnings.
    console = sys.stderr.isatty() and options.log_format != "json"
    _configure_logging(options.log_format, calm=on_screen and console)

    from sync.screen import Screen

    screen = Screen() if on_screen else None
    show_bar = options.progress if options.progress is not None else sys.stderr.isatty()
    progress = None
    if show_bar and not options.dry_run and not _State.quiet:
        from sync.progress import RichProgress

        progress = RichProgress(console=screen.out if screen is not None else None)
    report = execute(
        options,
        on_prepared=screen.preview if screen is not None else None,
        confirm=_confirm(terminal) if asking else None,
        progress=progress,
    )
    if screen is not None:
        screen.outcome(report)
    else:
        _log_outcome(report)
    sys.exit(report.exit_code)


def _confirm(terminal: bool) -> Any:
    """The run's confirmation: the question at the terminal, or a stop where there is none."""
    from sync.cli.ask import ask
    from sync.screen import question

    def confirm(prepared: Any) -> bool:
        if not terminal:
            raise UsageError(
                f"nothing sent: {len(prepared.to_send)} candidates are ready to send to"
                f" {prepared.options.base_url}, but there is no terminal to ask for"
                " confirmation; add --yes (or yes = true in the config file) to send"
                " without asking"
            )
        answer = ask(question(prepared))
        log.info("confirmation", answer="yes" if answer else "no")
        return bool(answer)

    return confirm


def _log_outcome(report: Any) -> None:
    """Without a screen: the outcome as the last log line (a warning when a person is needed)."""
    from sync.results import headline

    say = log.info if report.exit_code == 0 else log.warning
    say(
        "outcome",
        headline=headline(report.counts, dry_run=report.dry_run),
        results=str(report.results_path),
        previous_results_kept_as=str(report.previous_results or "") or None,
        exit_code=report.exit_code,
        meaning=EXIT_MEANINGS.get(report.exit_code, ""),
    )
