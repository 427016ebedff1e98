"""What the sending commands (``run``, ``positions``) share at the terminal.

``sending_command`` resolves a command's options and decides who sees what:

- a person at a terminal (stderr is one, or a question will be asked on
  ``/dev/tty``) sees the screens of ``sync.screen``: the preview, the question,
  the progress bar, the outcome; logs there keep to warnings (``--debug``: all);
- without a terminal (cron, CI), logs say everything (JSON lines by default),
  the last one the run's outcome (``log_outcome``); ``--quiet`` keeps warnings
  only, so a clean night prints nothing.

Nothing is sent without a yes: ``--yes`` (or ``yes = true``), or ``y`` typed at
the question (``confirmation``, asked through ``sync.cli.ask``). Without a
terminal to ask on, the command stops before sending (exit 2); a "no" sends
nothing (exit 4). ``consent_options`` are the flags of that rule, which both
commands take (the API's are ``sync.cli._app.api_flags``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import structlog

from sync.cli._app import _configure_logging, _stacked, _State
from sync.errors import EXIT_MEANINGS, UsageError
from sync.options import SyncOptions

log = structlog.get_logger("sync")


#: Sending without asking, and the progress bar (``run`` and ``positions``).
consent_options = _stacked(
    [
        click.option(
            "--yes",
            "-y",
            is_flag=True,
            default=None,
            help="Send without asking (needed where no terminal can be asked: cron, CI).",
        ),
        click.option(
            "--progress/--no-progress",
            default=None,
            help="Progress bar (default: only on a terminal).",
        ),
    ]
)


@dataclass(frozen=True, slots=True)
class Sending:
    """A sending command's options (logging set up by them), its screens (None: the
    logs tell the story), whether it shows a progress bar, whether it must ask
    before sending, and whether a person can be asked."""

    options: SyncOptions
    screen: Any
    show_bar: bool
    asking: bool
    terminal: bool

    def progress(self) -> Any:
        """A progress bar for one sending step (None: log lines); each step its own."""
        if not self.show_bar:
            return None
        from sync.progress import RichProgress

        return RichProgress(console=self.screen.out if self.screen is not None else None)


def sending_command(
    flags: dict[str, Any], config_file: Path | None, *, require: tuple[str, ...] = ("applicants",)
) -> Sending:
    """Resolve the command's options (``require``: those it cannot do without) and set
    up what the person, or the log, sees of it."""
    from sync.cli.ask import has_terminal
    from sync.resolve import resolve_options

    if flags.get("delimiter") in ("tab", "\\t", "TAB"):
        flags["delimiter"] = "\t"
    options = resolve_options(
        {**flags, "log_format": _State.log_format}, config=config_file, require=require
    )
    asking = not options.yes and not options.dry_run
    terminal = asking and has_terminal()
    on_screen = not _State.quiet and (sys.stderr.isatty() or terminal or options.dry_run)
    # At a terminal the screens tell the story: the logs there keep to warnings.
    console = sys.stderr.isatty() and options.log_format != "json"
    _configure_logging(options.log_format, calm=on_screen and console)

    from sync.screen import Screen

    screen = Screen() if on_screen else None
    show_bar = options.progress if options.progress is not None else sys.stderr.isatty()
    show_bar = show_bar and not options.dry_run and not _State.quiet
    return Sending(options, screen, show_bar, asking, terminal)


def confirmation(
    terminal: bool, question: Callable[[Any], str], what: str
) -> Callable[[Any], bool]:
    """The confirmation of a send: ``question`` asked at the terminal, or a stop where
    there is none (``what``: the things ready to send, ``candidates``, ``interviews``)."""
    from sync.cli.ask import ask

    def confirm(prepared: Any) -> bool:
        if not terminal:
            raise UsageError(
                f"nothing sent: {len(prepared.to_send)} {what} are ready to send to"
                f" {prepared.options.base_url}, but there is no terminal to ask for"
                " confirmation; add --yes (or yes = true in the config file) to send"
                " without asking"
            )
        answer = ask(question(prepared))
        log.info("confirmation", answer="yes" if answer else "no")
        return bool(answer)

    return confirm


def log_outcome(report: Any) -> None:
    """Without a screen: the outcome as the last log line (a warning when a person is needed)."""
    from sync.results import headline
    from sync.screen import sources_by_field

    say = log.info if report.exit_code == 0 else log.warning
    positions = report.positions
    say(
        "outcome",
        headline=headline(report.counts, dry_run=report.dry_run, jobs=report.of_jobs),
        results=str(report.results_path),
        previous_results_kept_as=str(report.previous_results or "") or None,
        values_from=sources_by_field(report.sources) or None,
        outcomes=[str(p) for p in report.outcomes.files] if report.outcomes else None,
        outcomes_note=report.outcomes_note or None,
        positions=None
        if positions is None
        else headline(positions.counts, dry_run=positions.dry_run, jobs=True),
        positions_sheet=None if positions is None else str(positions.results_path),
        run_group=report.group or None,
        shard=report.shard or None,
        exit_code=report.exit_code,
        meaning=EXIT_MEANINGS.get(report.exit_code, ""),
    )


__all__ = ["Sending", "confirmation", "consent_options", "log_outcome", "sending_command"]
