"""``jobmojito-sync mappings``: list, show, detect and start mapping files.

What comes from a file (its headers, a mapping's text) is printed as data
(``sync.text.printable``): no escape sequence in a header reaches the terminal.
"""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli._app import cli, handle_errors
from sync.text import printable


@cli.group()
def mappings() -> None:
    """List, show, detect and start mapping files (mappings/*.yaml)."""


@mappings.command("list")
@handle_errors
def mappings_list() -> None:
    """List the shipped mappings."""
    from sync.mapping import list_mappings

    for m in list_mappings():
        click.echo(printable(f"{m.name:<18} {m.title}"))


@mappings.command("show")
@click.argument("name")
@handle_errors
def mappings_show(name: str) -> None:
    """Print a mapping file (a shipped name or a path)."""
    from sync.mapping import load_mapping, mapping_path

    load_mapping(name)  # validates it
    click.echo(printable(mapping_path(name).read_text(encoding="utf-8"), one_line=False))


@mappings.command("detect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sheet", help="Sheet of a workbook.")
@handle_errors
def mappings_detect(file: Path, sheet: str | None) -> None:
    """Score every shipped mapping against FILE's headers."""
    from sync.errors import MappingError
    from sync.mapping import all_signature_columns, choose_mapping, score_mappings
    from sync.readers import read_table

    table = read_table(file, sheet=sheet, expect=all_signature_columns())
    for score in score_mappings(table.headers):
        click.echo(printable(f"{score.score:6.2f}  {score.mapping.name:<18} {score.explain}"))
    try:
        choice = choose_mapping(table.headers, file_name=table.name)
    except MappingError as exc:
        click.echo(printable(f"--mapping auto: {exc}"))
    else:
        click.echo(f"--mapping auto would use '{choice.mapping.name}'")


@mappings.command("init")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Write here (default: stdout).")
@click.option("--sheet", help="Sheet of a workbook.")
@handle_errors
def mappings_init(file: Path, out: Path | None, sheet: str | None) -> None:
    """Write a starter mapping for FILE by matching its headers to API fields."""
    from sync.mapping import starter_mapping
    from sync.readers import read_table

    table = read_table(file, sheet=sheet)
    text = starter_mapping(table, name=out.stem if out is not None else None)
    if out is None:
        click.echo(printable(text, one_line=False))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
