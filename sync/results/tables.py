"""Writing any table as a sheet: what the results sheet and the outcomes sheet share.

- ``atomic(path)``: a temporary file beside ``path``, created 0600 (sheets hold
  names, e-mails and interview URLs), fsynced and moved over ``path`` when the
  block succeeds, so a crash leaves the previous file or the new one; the
  rename itself is made durable.
- ``sheet_suffix(path, what)``: ``.xlsx`` or ``.csv``, else a ``UsageError``.
- ``Table``: one sheet's columns and rows of values, which columns hold numbers,
  which one links, which one is coloured, which one is the reason people read.
- ``write_csv_table``: a CSV with a BOM, numbers as digits, every other value
  neutralised text (``sync.results.cells``: never a formula).
- ``write_workbook``: an XLSX of tables and a Summary sheet; ``open_workbook``,
  ``write_table`` and ``write_summary_sheet`` are its parts, which the results
  writer (``sync.results.sheets``) lays out with sheets of its own between them.
  XlsxWriter is told never to turn text into a formula, a number or a link; its
  scratch files (candidate data) live in a folder of their own, removed even
  when writing fails.
"""

from __future__ import annotations

import csv
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from sync.errors import UsageError
from sync.results.cells import cell_text, is_number, linkable, neutralise_csv
from sync.results.summary import Section, without_local_paths

SUFFIXES = (".xlsx", ".csv")
EXCEL_LINKS_PER_SHEET = 65_530  # XlsxWriter's bound on hyperlinks in one worksheet
MAX_WIDTH = 60  # widest column of a sheet, in characters ...
REASON_WIDTH = 80  # ... but the reason, the column people read most


@dataclass(frozen=True)
class Table:
    """One sheet of a workbook: ``columns``, then one row of values per line.

    ``numbers`` are the columns whose numbers are number cells (any other value is
    text); ``link`` names the column whose web addresses are links; ``coloured``
    the column whose text (or ``colour_key`` of it) picks its cell's format from
    ``colours``; ``reason`` the
    column people read most (up to ``REASON_WIDTH`` wide, a local folder shown by
    its last part only).
    """

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    numbers: frozenset[str] = frozenset()
    link: str | None = None
    coloured: str | None = None
    colours: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    colour_key: Callable[[str], str] | None = None
    reason: str | None = None


def sheet_suffix(path: Path, what: str) -> str:
    """``.xlsx`` or ``.csv``, the format ``path`` asks for, its folder made; else
    ``UsageError`` naming ``what`` file it is."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: the {what} file must end in .xlsx or .csv, not {suffix or '(nothing)'!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return suffix


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path``; moved over ``path`` if the block succeeds."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # Names, e-mails and tokenised interview URLs: readable by the owner only, whatever
    # the umask, and so is a sheet that replaces one an older version left readable.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(path)  # os.replace: atomic on POSIX and Windows
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if os.name == "posix":  # make the rename itself durable
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_csv_table(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    reason: str | None = None,
) -> None:
    """A CSV with a BOM: ``columns``, then the rows; numbers as digits, text neutralised,
    a local folder in the ``reason`` column shown by its last part."""
    at = columns.index(reason) if reason else -1
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for values in rows:
            row = [str(v) if is_number(v) else neutralise_csv(cell_text(v)) for v in values]
            if at >= 0 and row[at]:
                row[at] = without_local_paths(row[at])
            writer.writerow(row)


@contextmanager
def open_workbook(path: Path, *, title: str, subject: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    """An XlsxWriter workbook that never makes a formula, a number or a link of text on
    its own, and the formats every sheet shares; closed (written) when the block ends."""
    # XlsxWriter keeps row data and package parts in temporary files; a folder of
    # our own makes sure they (candidate data) go away even when writing fails.
    with tempfile.TemporaryDirectory(
        prefix="jobmojito-results-", ignore_cleanup_errors=True
    ) as scratch:
        workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": scratch,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        workbook.set_properties({"title": title, "subject": subject})
        formats = {
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "border_color": "#8EA9DB"}
            ),
            "title": workbook.add_format({"bold": True, "font_size": 13}),
            "headline": workbook.add_format({"bold": True, "font_size": 12}),
            "wrapped": workbook.add_format({"text_wrap": True, "valign": "top"}),
        }
        yield workbook, formats
        workbook.close()


def unlinked_note(column: str | None, unlinked: int) -> str:
    """The Summary's note on URLs left as text past Excel's limit of links per sheet."""
    return (
        f"{column}: Excel allows {EXCEL_LINKS_PER_SHEET:,} links per sheet; "
        f"{unlinked:,} later URLs are plain text"
    )


def write_workbook(
    path: Path,
    tables: Sequence[Table],
    sections: Callable[[list[str]], list[Section]],
    *,
    title: str,
    subject: str,
    summary_title: str,
    coloured_section: str,
) -> None:
    """An XLSX of ``tables``, then a "Summary" sheet of ``sections(notes)``.

    ``notes`` are what the writing itself has to say (URLs left unlinked past
    Excel's limit); the first column of ``coloured_section`` is coloured like the
    first table's coloured column.
    """
    with open_workbook(path, title=title, subject=subject) as (workbook, formats):
        palettes = [
            {text: workbook.add_format(dict(fmt)) for text, fmt in table.colours.items()}
            for table in tables
        ]
        notes = []
        for table, colours in zip(tables, palettes, strict=True):
            unlinked = write_table(
                workbook.add_worksheet(table.name), table, formats["header"], colours
            )
            if unlinked:
                notes.append(unlinked_note(table.link, unlinked))
        write_summary_sheet(
            workbook.add_worksheet("Summary"),
            "",
            sections(notes),
            formats=formats,
            colours=palettes[0] if palettes else {},
            title=summary_title,
            coloured=coloured_section,
        )


def write_table(ws: Any, table: Table, header: Any, colours: Mapping[str, Any]) -> int:
    """Fill one sheet; return how many URLs were left unlinked (Excel's limit)."""
    columns = table.columns
    widths = [len(name) + 3 for name in columns]  # room for the filter button
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, header)
    numeric = [name in table.numbers for name in columns]
    status_col = columns.index(table.coloured) if table.coloured else -1
    reason_col = columns.index(table.reason) if table.reason else -1
    url_col = columns.index(table.link) if table.link else -1
    write_string, write_number, write_url = ws.write_string, ws.write_number, ws.write_url
    links = unlinked = 0
    row = 0
    for row, values in enumerate(table.rows, start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if numeric[col] and is_number(value):
                write_number(row, col, value)
                continue
            text = cell_text(value)
            if col == reason_col:  # "not found in /home/ana/cvs": the folder's name is enough
                text = without_local_paths(text)
            if len(text) > widths[col]:
                widths[col] = len(text)
            if col == status_col:
                key = table.colour_key(text) if table.colour_key else text
                write_string(row, col, text, colours.get(key))
            elif col == url_col and linkable(text):
                if links < EXCEL_LINKS_PER_SHEET:
                    links += 1
                    write_url(row, col, text, None, text)
                else:
                    unlinked += 1
                    write_string(row, col, text)
            else:
                write_string(row, col, text)
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(width + 2, REASON_WIDTH if col == reason_col else MAX_WIDTH))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, row, len(columns) - 1)
    return unlinked


def write_summary_sheet(
    ws: Any,
    head: str,
    sections: list[Section],
    *,
    formats: dict[str, Any],
    colours: Any,
    title: str = "jobmojito-sync run summary",
    coloured: str = "Rows by status",
) -> None:
    """The Summary: ``title``, the ``head`` line if any, then each section; the first
    column of the section ``coloured`` is coloured as on the first sheet."""
    ws.write_string(0, 0, title, formats["title"])
    if head:
        ws.write_string(1, 0, cell_text(head), formats["headline"])
    widths = [12, 12]
    row = 3 if head else 2
    for name, columns, rows in sections:
        ws.write_string(row, 0, name, formats["header"])
        for col, column in enumerate(columns[1:], start=1):
            ws.write_string(row, col, column, formats["header"])
        row += 1
        for values in rows:
            for col, value in enumerate(values):
                if is_number(value):
                    ws.write_number(row, col, value)
                    continue
                text = cell_text(value)
                if not text:
                    continue
                widths[min(col, 1)] = max(widths[min(col, 1)], len(text))
                fmt = colours.get(text) if name == coloured and col == 0 else None
                ws.write_string(row, col, text, fmt)
            row += 1
        row += 1
    ws.set_column(0, 0, min(widths[0] + 2, MAX_WIDTH))
    ws.set_column(1, 1, min(widths[1] + 2, REASON_WIDTH))


__all__ = [
    "EXCEL_LINKS_PER_SHEET",
    "MAX_WIDTH",
    "REASON_WIDTH",
    "SUFFIXES",
    "Table",
    "atomic",
    "open_workbook",
    "sheet_suffix",
    "unlinked_note",
    "write_csv_table",
    "write_summary_sheet",
    "write_table",
    "write_workbook",
]
