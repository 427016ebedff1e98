"""``jobmojito-sync positions`` and ``templates``: one interview per job, and the templates.

``positions`` makes (or finds) one interview per row of a jobs export, through
the mapping's ``positions:`` section, with the same options, ledger, results
sheet, screens, confirmation rule (``sync.cli.sending``: nothing is sent
without a yes) and exit codes as ``run``. ``templates`` lists the interview
templates ``--template`` chooses from. ``position_options`` are the flags
``run --create-positions`` shares with ``positions``. Text from a file or the
API is printed as data (``sync.text.printable``, markup off).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import click

from sync.cli._app import (
    _default,
    _stacked,
    api_flags,
    cli,
    config_option,
    handle_errors,
    ledger_option,
)
from sync.cli.sending import consent_options

#: The flags of the positions step, shared by ``positions`` and ``run``.
position_options = _stacked(
    [
        click.option(
            "--questions",
            type=click.Path(path_type=Path),
            help="Questions sheet (one row per question: job, order, question, duration,"
            " type, alternatives, follow-up of); its jobs get these questions.",
        ),
        click.option("--questions-sheet", help="Sheet of the questions workbook."),
        click.option(
            "--template",
            help="Interview template by name or id (see `jobmojito-sync templates`);"
            " default: the only active one.",
        ),
        click.option(
            "--update",
            is_flag=True,
            default=None,
            help="Send the changes of jobs changed since their interview was made"
            " (job-interview-update).",
        ),
        click.option(
            "--position-status",
            type=click.Choice(["draft", "active"]),
            help="New interviews' status (default: the mapping's, else active).",
        ),
        click.option(
            "--position-type",
            type=click.Choice(["interview", "coaching", "assessment"]),
            help="New interviews' type (default: the mapping's, else interview).",
        ),
        click.option(
            "--position-visibility",
            type=click.Choice(["merchant_public", "merchant_invite", "merchant_unlisted"]),
            help="New interviews' visibility (default: the mapping's, else merchant_invite).",
        ),
    ]
)


@cli.command()
@config_option("TOML config file (as for run). Flags override it.")
@click.option(
    "--jobs",
    type=click.Path(path_type=Path),
    help="The jobs export: one interview per row. Required here or in the config file.",
)
@click.option("--mapping", help="A shipped mapping name or a YAML file with a positions: section.")
@click.option("--latest", is_flag=True, default=None, help="--jobs is a glob: the newest file.")
@click.option(
    "--max-input-mb",
    type=int,
    help="Refuse a jobs or questions file larger than this." + _default("max_input_mb"),
)
@click.option(
    "--out",
    "positions_out",
    type=click.Path(path_type=Path),
    help="Results sheet, one line per job; .xlsx or .csv [default: results.positions.xlsx].",
)
@click.option(
    "--overwrite",
    is_flag=True,
    default=None,
    help="Replace an existing sheet (default: keep it as <name>.1.xlsx, .2, …).",
)
@click.option(
    "--interview-links",
    type=click.Choice(["include", "omit"]),
    help="omit: leave the recruiter links (signed, credentials) out of the sheet."
    + _default("interview_links"),
)
@position_options
@click.option(
    "--dry-run", is_flag=True, default=None, help="Read, map, validate and plan; send nothing."
)
@click.option("--jobs-sheet", help="Sheet of the jobs workbook.")
@click.option("--encoding", help="CSV encoding, when sniffing guesses wrong.")
@click.option("--delimiter", help="CSV delimiter, when sniffing guesses wrong: , ; tab |")
@ledger_option(
    "The ledger, an SQLite file or a postgresql:// URL: give `run` the same one, so"
    " enrolments name these interviews [default: results.ledger.sqlite].",
)
@api_flags
@consent_options
@handle_errors
def positions(config_file: Path | None, **flags: Any) -> None:
    """Make one interview per job of a jobs export, once: later runs reuse it.

    Jobs in --questions get those questions (job-interview-create-from-array);
    the others get questions JobMojito writes from the job (job-interview-create).
    A job made before is skipped; a changed one is reported, and sent with
    --update; one gone from the export is reported, never deleted.
    """
    from sync.cli.sending import confirmation, log_outcome, sending_command
    from sync.positions.run import PositionsHooks, run_positions
    from sync.positions.screens import jobs_question, preview_jobs

    sending = sending_command(flags, config_file, require=("jobs",))
    screen = sending.screen
    hooks = PositionsHooks(
        on_prepared=functools.partial(preview_jobs, screen) if screen is not None else None,
        confirm=confirmation(sending.terminal, jobs_question, "interviews")
        if sending.asking
        else None,
    )
    report = run_positions(sending.options, hooks=hooks, progress=sending.progress())
    if screen is not None:
        screen.outcome(report)
    else:
        log_outcome(report)
    sys.exit(report.exit_code)


@cli.command()
@config_option("TOML config file.")
@click.option("--base-url", help="API base URL (as for run).")
@click.option("--token-command", help="Command printing a fresh token (as for run).")
@click.option("--all", "show_all", is_flag=True, help="Archived templates too.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@handle_errors
def templates(
    config_file: Path | None,
    base_url: str | None,
    token_command: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """List the interview templates (merchant-avatar-list) --template chooses from."""
    import asyncio

    from sync.checks import check_sending
    from sync.redact import register_secret
    from sync.resolve import resolve_options
    from sync.send import api_client

    flags = {"base_url": base_url, "token_command": token_command}
    options = resolve_options(flags, config=config_file, require=())
    check_sending(options)
    if options.token is not None:
        register_secret(options.token.get_secret_value())

    async def fetch() -> list[Any]:
        async with api_client(options, concurrency=1) as client:
            filters = {"include_archived": "true"} if show_all else {}
            return await client.avatar_templates(**filters)

    found = asyncio.run(fetch())
    if as_json:
        for template in found:
            click.echo(json.dumps(template.to_json()))  # ASCII: no control sequence gets out
        return
    from rich.console import Console

    from sync.positions.screens import templates_table

    # The list is the command's output (stdout), its text as data like every screen's.
    Console(markup=False, emoji=False, highlight=False).print(templates_table(found))
