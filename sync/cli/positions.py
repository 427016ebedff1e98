"""``jobmojito-sync positions`` and ``templates``: one interview per job, and the templates.

``positions`` makes (or finds) one interview per row of a jobs export, through
the mapping's ``positions:`` section, with the same options, ledger, results
sheet and exit codes as ``run``. ``templates`` lists the interview templates
``--template`` chooses from. ``position_options`` are the flags ``run
--create-positions`` shares with ``positions``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sync.cli._app import _default, _sending_command, cli, handle_errors
from sync.errors import EXIT_MEANINGS
from sync.options import DEFAULT_BASE_URL

F = TypeVar("F", bound=Callable[..., Any])


def position_options(fn: F) -> F:
    """The flags of the positions step, shared by ``positions`` and ``run``."""
    for option in reversed(
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
    ):
        fn = option(fn)
    return fn


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="TOML config file (as for run). Flags override it.",
)
@click.option(
    "--jobs",
    type=click.Path(path_type=Path),
    help="The jobs export: one interview per row. Required here or in the config file.",
)
@click.option("--mapping", help="A shipped mapping name or a YAML file with a positions: section.")
@click.option("--latest", is_flag=True, default=None, help="--jobs is a glob: the newest file.")
@click.option(
    "--out",
    "positions_out",
    type=click.Path(path_type=Path),
    help="Results sheet, one line per job; .xlsx or .csv [default: results.positions.xlsx].",
)
@position_options
@click.option(
    "--dry-run", is_flag=True, default=None, help="Read, map, validate and plan; send nothing."
)
@click.option("--jobs-sheet", help="Sheet of the jobs workbook.")
@click.option("--encoding", help="CSV encoding, when sniffing guesses wrong.")
@click.option("--delimiter", help="CSV delimiter, when sniffing guesses wrong: , ; tab |")
@click.option(
    "--ledger",
    type=click.Path(path_type=Path),
    help="SQLite ledger: give `run` the same one, so enrolments name these interviews.",
)
@click.option("--base-url", help=f"API base URL [default: {DEFAULT_BASE_URL}].")
@click.option("--timeout", type=float, help="Seconds per request." + _default("timeout"))
@click.option("--concurrency", type=int, help="Requests at once." + _default("concurrency"))
@click.option("--rate", type=float, help="Requests per second, a ceiling." + _default("rate"))
@click.option("--max-attempts", type=int, help="Attempts per job." + _default("max_attempts"))
@click.option("--token-command", help="Command printing a fresh token, run once on a 401.")
@click.option("--yes", "-y", is_flag=True, default=None, help="Do not ask before sending.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (on a terminal).")
@handle_errors
def positions(config_file: Path | None, **flags: Any) -> None:
    """Make one interview per job of a jobs export, once: later runs reuse it.

    Jobs in --questions get those questions (job-interview-create-from-array);
    the others get questions JobMojito writes from the job (job-interview-create).
    A job made before is skipped; a changed one is reported, and sent with
    --update; one gone from the export is reported, never deleted.
    """
    from sync.positions.run import run_positions

    options, interactive, progress = _sending_command(flags, config_file, require=("jobs",))
    report = run_positions(
        options,
        on_prepared=preview_jobs if interactive or options.dry_run else None,
        confirm=confirm_jobs if interactive and not options.yes and not options.dry_run else None,
        progress=progress,
    )
    click.echo(f"positions: {report.results_path}", err=True)
    counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
    click.echo(f"jobs: {counts or 'none'}", err=True)
    if report.exit_code:
        click.echo(f"exit {report.exit_code}: {EXIT_MEANINGS[report.exit_code]}", err=True)
    sys.exit(report.exit_code)


def preview_jobs(prepared: Any) -> None:
    """What the positions step is about to do: counts and the first jobs."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    console.print("[bold]mapping[/]:", _plain(prepared.mapping.name), "(positions:)")
    for warning in prepared.warnings:
        console.print("[yellow]note[/]:", _plain(warning))
    counts = prepared.counts()
    console.print("jobs: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    table = Table(title="first jobs")
    for col in ("row", "job", "interview", "status", "reason"):
        table.add_column(col)
    for p in prepared.planned[:8]:
        line = p.line()
        table.add_row(
            str(line.source_row or ""),
            _plain(p.key),
            _plain(p.name),
            p.status.value if p.status else f"to {p.action}",
            _plain(line.reason[:80]),
        )
    console.print(table)


def confirm_jobs(prepared: Any) -> bool:
    n = len(prepared.to_send)
    return click.confirm(
        f"Send {n} interview{'s' if n != 1 else ''} (create or update) to"
        f" {prepared.options.base_url}?",
        default=False,
        err=True,
    )


@cli.command()
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("--base-url", help=f"API base URL [default: {DEFAULT_BASE_URL}].")
@click.option("--token-command", help="Command printing a fresh token, run once on a 401.")
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

    from sync.errors import ConfigError
    from sync.options import resolve_options
    from sync.redact import register_secret
    from sync.send import api_client

    flags = {"base_url": base_url, "token_command": token_command}
    options = resolve_options(flags, config=config_file, require=())
    if options.token is None and not options.token_command:
        raise ConfigError("no API token: set JOBMOJITO_TOKEN (or token_file, token_command)")
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
    from rich.table import Table

    table = Table(title=f"{len(found)} interview template{'s' if len(found) != 1 else ''}")
    table.add_column("name")
    table.add_column("id", no_wrap=True, min_width=36)  # whole: it is copied into --template
    for col in ("type", "language", "status"):
        table.add_column(col)
    for t in found:
        table.add_row(
            _plain(t.name), _plain(t.id), _plain(t.type), _plain(t.mojito_language_code),
            _plain(t.status),
        )  # fmt: skip
    Console().print(table)


def _plain(value: str | None) -> Any:
    """Text from a file or the API as a terminal shows it: never markup, never a control
    sequence."""
    from rich.text import Text

    from sync.results.cells import cell_text

    return Text(cell_text(value or ""))
