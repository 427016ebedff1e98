"""The ``jobmojito-sync`` command group: global options, logging, and errors to exit codes.

Every command turns a ``SyncError`` into ``Error: <message>`` with its exit
code (``handle_errors``), and so a failure of the machine (a full disk, no
memory: ``sync.failures``); anything else is a bug (exit 70). The traceback is
shown only with ``--debug``, secrets scrubbed. With ``--quiet`` the error is a
log line instead, with its date and time like every other line cron keeps. A
"no" at the confirmation question is not an error: ``nothing sent``, exit 4.
Messages are printed as data (``sync.text.printable``): a file name or a
header holding an escape sequence cannot steer the terminal. A reader that
closes the pipe early (``| head``) ends the command quietly.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sync import __version__
from sync.errors import EXIT_INTERNAL, Declined, SyncError
from sync.options import DEFAULT_BASE_URL, SyncOptions

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BROKEN_PIPE = 141  # what a shell reports for a command its reader stopped (128 + SIGPIPE)

_DEFAULTS = {name: f.default for name, f in SyncOptions.model_fields.items()}


class _State:
    debug = False
    quiet = False
    log_format: str | None = None  # the --log-format flag (or JOBMOJITO_LOG_FORMAT), if given


def _configure_logging(log_format: str, *, calm: bool = False) -> None:
    """Logging for the command; ``calm``: a screen tells the story, so only warnings."""
    from sync.logs import configure_logging

    quiet = _State.quiet or calm
    level = logging.DEBUG if _State.debug else logging.WARNING if quiet else logging.INFO
    configure_logging(log_format, level=level)  # type: ignore[arg-type]


def _fail(exc: BaseException) -> None:
    from sync.redact import scrub
    from sync.text import printable

    if isinstance(exc, BrokenPipeError):  # the reader went away (| head): end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    if _State.debug:  # the traceback too, secrets scrubbed; the exit code stays the same
        import traceback

        text = printable(scrub("".join(traceback.format_exception(exc))), one_line=False)
        click.echo(text.rstrip(), err=True)

    if not isinstance(exc, SyncError):  # a full disk, no memory: the machine's, not a bug
        from sync.failures import operational

        exc = operational(exc, sending_began=False) or exc
    message = printable(scrub(str(exc)), one_line=False)
    if isinstance(exc, Declined):
        click.echo(message, err=True)
        sys.exit(exc.exit_code)
    if isinstance(exc, SyncError):
        if _State.quiet:  # a dated log line, like the rest of what cron keeps
            import structlog

            structlog.get_logger("sync").error("error", message=message, exit_code=exc.exit_code)
        else:
            click.echo(f"Error: {message}", err=True)
        sys.exit(exc.exit_code)
    click.echo(
        f"Internal error: {type(exc).__name__}: {message}\n"
        "This is a bug in jobmojito-sync; rerun with --debug for the traceback.",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def ledger_flag(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--ledger``'s check: refuse a URL given on the command line with a password in
    it (``ps`` shows command lines to every user of the machine)."""
    from sync.ledger.location import PostgresURL, is_postgres_url, password_refused

    source = ctx.get_parameter_source(param.name or "")
    if value is None or source is not click.core.ParameterSource.COMMANDLINE:
        return value
    if is_postgres_url(value):
        problem = password_refused(PostgresURL(value), "a command line (ps shows it to anyone)")
        if problem:
            raise click.BadParameter(problem)
    return value


def config_option(help: str) -> Callable[[F], F]:
    """``--config FILE``: the TOML config file the command resolves its options with,
    passed as ``config_file``; ``help`` says what this command takes from it."""
    return click.option("--config", "config_file", type=click.Path(path_type=Path), help=help)


def ledger_option(help: str, **settings: Any) -> Callable[[F], F]:
    """``--ledger FILE|URL`` with its check (``ledger_flag``: no password on a command
    line); ``help`` says which ledger this command means."""
    return click.option("--ledger", callback=ledger_flag, help=help, **settings)


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


def _default(name: str) -> str:
    value = _DEFAULTS.get(name)
    return "" if value is None else f" [default: {value}]"


def _stacked(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    """One decorator for ``options``, in the order given (as if written one above another)."""

    def apply(fn: F) -> F:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return apply


#: The flags of a command that talks to the API (``run``, ``outcomes``): where, how
#: fast, how patiently, and the command that prints a fresh token.
api_flags = _stacked(
    [
        click.option(
            "--base-url",
            help=f"API base URL [default: {DEFAULT_BASE_URL}] (env JOBMOJITO_BASE_URL).",
        ),
        click.option("--timeout", type=float, help="Seconds per request." + _default("timeout")),
        click.option(
            "--concurrency", type=int, help="Requests in flight at once." + _default("concurrency")
        ),
        click.option(
            "--rate",
            type=float,
            help="Requests per second, a ceiling; slows down on 429." + _default("rate"),
        ),
        click.option(
            "--max-attempts",
            type=int,
            help="Attempts per row sent (per request read) before giving up."
            + _default("max_attempts"),
        ),
        click.option(
            "--token-command",
            help="Command printing a fresh token, run whenever the API refuses the token, the"
            " pre-flight's refusal included (env JOBMOJITO_TOKEN_COMMAND).",
        ),
        click.option(
            "--allow-insecure-http",
            is_flag=True,
            default=None,
            help="Allow an http:// --base-url on another machine: the token then crosses the"
            " network in clear. Without it, http:// is for this machine only (the sandbox).",
        ),
    ]
)


def outcomes_flags(prefix: str) -> Callable[[F], F]:
    """The flags that choose the outcomes sheet: ``--<prefix>out``, ``--changed-since``,
    ``--details``, ``--<prefix>layout`` and ``--<prefix>page-size`` (``prefix`` is
    ``outcomes-`` on ``run``, nothing on ``outcomes``); each sets its option by name."""
    return _stacked(
        [
            click.option(
                f"--{prefix}out",
                "outcomes_out",
                type=click.Path(path_type=Path),
                help="The outcomes sheet, .xlsx or .csv [default: <results stem>.outcomes.xlsx].",
            ),
            click.option(
                "--changed-since",
                help="Outcomes: only what changed, 'last-run' (since each line was last"
                " written) or a date/time (2026-11-01, 2026-11-01T06:00:00Z).",
            ),
            click.option(
                "--details",
                is_flag=True,
                default=None,
                help="Outcomes: add the AI assessment of completed interviews (one request"
                " each; never the transcript).",
            ),
            click.option(
                f"--{prefix}layout",
                "outcomes_layout",
                help="Outcomes import file: auto (per the mapping that enrolled each"
                " candidate), generic (none), or an ATS's layout (lever)."
                + _default("outcomes_layout"),
            ),
            click.option(
                f"--{prefix}page-size",
                "outcomes_page_size",
                type=int,
                help="Outcomes: results per page of merchant-result-list, 1-1000."
                + _default("outcomes_page_size"),
            ),
        ]
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jobmojito-sync")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-format",
    type=click.Choice(["auto", "console", "json"]),
    help="Logs on stderr: console on a terminal, JSON lines otherwise (auto; also"
    " JOBMOJITO_LOG_FORMAT or log_format in the config file).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Only warnings and errors, as dated log lines; nothing when all is well (cron).",
)
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
    2 usage or configuration error (nothing sent); 3 aborted mid-run;
    4 declined at the question (nothing sent).
    """
    _State.debug, _State.quiet, _State.log_format = debug, quiet, log_format
    # Commands that read run options (run) configure logging again once they know
    # the config file's log_format and JOBMOJITO_LOG_FORMAT; the others use this.
    _configure_logging(log_format or os.environ.get("JOBMOJITO_LOG_FORMAT", "auto"))


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="jobmojito-sync")
