"""The ``jobmojito-sync`` command group: global options, logging, and errors to exit codes.

Every command turns a ``SyncError`` into ``Error: <message>`` with its exit
code (``handle_errors``); anything else is a bug (exit 70). The traceback is
shown only with ``--debug``, secrets scrubbed.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from sync import __version__
from sync.errors import EXIT_INTERNAL, SyncError
from sync.options import SyncOptions

F = TypeVar("F", bound=Callable[..., Any])

_DEFAULTS = {name: f.default for name, f in SyncOptions.model_fields.items()}


class _State:
    debug = False
    quiet = False
    log_format: str | None = None  # the --log-format flag (or JOBMOJITO_LOG_FORMAT), if given


def _configure_logging(log_format: str) -> None:
    from sync.logs import configure_logging

    level = logging.DEBUG if _State.debug else logging.WARNING if _State.quiet else logging.INFO
    configure_logging(log_format, level=level)  # type: ignore[arg-type]


def _fail(exc: BaseException) -> None:
    from sync.redact import scrub

    if _State.debug:  # the traceback too, secrets scrubbed; the exit code stays the same
        import traceback

        click.echo(scrub("".join(traceback.format_exception(exc))).rstrip(), err=True)

    if isinstance(exc, SyncError):
        click.echo(f"Error: {scrub(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    click.echo(
        f"Internal error: {type(exc).__name__}: {scrub(str(exc))}\n"
        "This is a bug in jobmojito-sync; rerun with --debug for the traceback.",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def handle_errors(fn: F) -> F:
    """Turn library errors into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # the CLI's last line of defence
            _fail(exc)

    return wrapper  # type: ignore[return-value]


def _sending_command(
    flags: dict[str, Any], config_file: Any, *, require: tuple[str, ...] = ("applicants",)
) -> tuple[SyncOptions, bool, Any]:
    """A sending command's options (logging set up by them), whether a person is at the
    terminal, and its progress bar (None: log lines)."""
    from sync.options import resolve_options

    if flags.get("delimiter") in ("tab", "\\t", "TAB"):
        flags["delimiter"] = "\t"
    options = resolve_options(
        {**flags, "log_format": _State.log_format}, config=config_file, require=require
    )
    _configure_logging(options.log_format)
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    show_bar = options.progress if options.progress is not None else sys.stderr.isatty()
    progress = None
    if show_bar and not options.dry_run:
        from sync.progress import RichProgress

        progress = RichProgress()
    return options, interactive, progress


def _default(name: str) -> str:
    value = _DEFAULTS.get(name)
    return "" if value is None else f" [default: {value}]"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobmojito-sync")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    help="Logs on stderr: console on a terminal, JSON lines otherwise (auto; also"
    " JOBMOJITO_LOG_FORMAT or log_format in the config file).",
)
@click.option("--quiet", "-q", is_flag=True, help="Log only warnings and errors (for cron).")
def cli(debug: bool, log_format: str | None, quiet: bool) -> None:
    """Enrol candidates from ATS spreadsheet exports into JobMojito AI interviews.

    \b
    Start with a dry run: it sends nothing and writes the results sheet.
      jobmojito-sync run --applicants applicants.csv --jobs jobs.csv --dry-run
    Rehearse against the local sandbox, then go live with JOBMOJITO_TOKEN set:
      jobmojito-sync sandbox            # in another terminal
      JOBMOJITO_TOKEN=sandbox-token jobmojito-sync run --applicants applicants.csv \\
          --jobs jobs.csv --base-url http://127.0.0.1:8787/functions/v1/

    \b
    Exit codes: 0 every row done; 1 some rows invalid, rejected or failed;
    2 usage or configuration error (nothing sent); 3 aborted mid-run.
    """
    _State.debug, _State.quiet, _State.log_format = debug, quiet, log_format
    # Commands that read run options (run) configure logging again once they know
    # the config file's log_format and JOBMOJITO_LOG_FORMAT; the others use this.
    _configure_logging(log_format or os.environ.get("JOBMOJITO_LOG_FORMAT", "auto"))


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="jobmojito-sync")
