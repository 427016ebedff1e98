"""The results sheet: one line per input row, written as XLSX or CSV, and read back.

``write_results(path, lines, summary)`` picks the format from the extension:

``.xlsx``
    Sheet "Results": ``RESULT_COLUMNS`` as a bold, filled, frozen header with an
    autofilter, then one row per ``ResultLine`` in the order given. ``interview_url``
    is a clickable link, ``source_row``, ``http_status`` and ``attempts`` are
    numbers, and every other cell is a string cell (``sync.results.cells``): a
    candidate named ``=HYPERLINK("http://x","y")`` reads back exactly as typed and
    is never a formula. The ``status`` cell is green for an accept, amber for a
    recruiter action or an unsent row, red for a problem. Sheet "Summary": the
    sections of ``sync.results.summary``.

    Written with XlsxWriter in constant-memory mode: rows stream to a temporary
    file, so memory stays flat however many lines there are, and ``write_string``
    never turns text into a formula (openpyxl's write-only mode was measured
    about twice as slow and twice as large for 100,000 lines). Excel holds at
    most 65,530 links per sheet: past that, ``interview_url`` cells are plain
    text (still the full URL) and the Summary notes it.

``.csv``
    UTF-8 with a BOM (so Excel detects the encoding), comma-separated, quoted as
    needed, header ``RESULT_COLUMNS``; text a spreadsheet would run as a formula
    gets a leading apostrophe, numbers are plain digits. The summary goes beside
    it as ``<stem>.summary.txt`` (``results.csv`` -> ``results.summary.txt``).

Every file is written to a temporary file in the same folder and moved into
place with ``os.replace``, so a crash leaves the previous file or the new one,
never half a sheet; the folder is created if missing.

The writing knows no results line: ``write_workbook`` lays out any ``Table``
with a Summary, ``write_csv_table`` any table as CSV, ``atomic`` makes either
atomic; the outcomes sheet (``sync.outcomes.sheets``) is written with them.
"""

from __future__ import annotations

import csv
import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from sync.errors import InputError, UsageError
from sync.records import ResultLine, RunSummary, Status
from sync.results.cells import cell_text, is_number, linkable, neutralise_csv
from sync.results.summary import (
    Section,
    count_statuses,
    summary_sections,
    summary_text,
    summary_text_path,
)

RESULT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    "candidate_name",
    "candidate_email",
    "position",
    "status",
    "reason",
    "interview_url",
    "position_def_set_id",
    "profile_interview_id",
    "http_status",
    "attempts",
)
NUMBER_COLUMNS = frozenset({"source_row", "http_status", "attempts"})
SUFFIXES = (".xlsx", ".csv")

EXCEL_LINKS_PER_SHEET = 65_530  # XlsxWriter's bound on hyperlinks in one worksheet
MAX_WIDTH = 60  # widest column of the Results sheet, in characters

# Excel's own "Good", "Neutral" and "Bad" cell styles; other statuses stay plain.
_GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
_AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
STATUS_COLOURS: dict[str, dict[str, str]] = {
    Status.AI_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACTION.value: _AMBER,
    Status.NOT_SENT.value: _AMBER,
    **{s.value: _BAD for s in Status if s.is_problem},
}

_values = attrgetter(*RESULT_COLUMNS)


@dataclass(frozen=True)
class Table:
    """One sheet of a workbook: ``columns``, then one row of values per line.

    ``numbers`` are the columns whose numbers are number cells (any other value is
    text); ``link`` names the column whose web addresses are links; ``coloured``
    the column whose text picks its cell's format from ``colours``.
    """

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    numbers: frozenset[str] = frozenset()
    link: str | None = None
    coloured: str | None = None
    colours: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def write_results(path: Path, lines: Sequence[ResultLine], summary: RunSummary) -> Path:
    """Write the results sheet (``.xlsx`` or ``.csv``, by extension) atomically; return ``path``.

    The Summary's counts are those of ``lines``, so the two sheets cannot disagree.
    Raises ``UsageError`` for any other extension; ``OSError`` if the file cannot be
    written (the previous file, if any, is then left as it was).
    """
    path = Path(path)
    suffix = sheet_suffix(path, "results")
    counts = count_statuses(lines)
    rows = (_values(line) for line in lines)
    if suffix == ".xlsx":
        table = Table(
            "Results",
            RESULT_COLUMNS,
            rows,
            numbers=NUMBER_COLUMNS,
            link="interview_url",
            coloured="status",
            colours=STATUS_COLOURS,
        )
        with atomic(path) as tmp:
            write_workbook(
                tmp,
                [table],
                lambda notes: summary_sections(summary, counts, extra_notes=notes),
                title="jobmojito-sync results",
                subject=f"run {cell_text(summary.run_id)}",
            )
    else:
        with atomic(path) as tmp:
            write_csv_table(tmp, RESULT_COLUMNS, rows)
        sections = summary_sections(summary, counts, extra_notes=[])
        with atomic(summary_text_path(path)) as tmp:
            tmp.write_text(summary_text(path, sections), encoding="utf-8")
    return path


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


def read_results(path: Path) -> list[dict[str, str]]:
    """The lines of a results file as text, column -> value, in file order.

    Reads either format as written: numbers come back as digits, empty cells as
    ``""``, and CSV text keeps the apostrophe ``neutralise_csv`` added.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: a results file ends in .xlsx or .csv")
    if not path.is_file():
        raise InputError(f"{path}: no such results file")
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [dict(row) for row in csv.DictReader(fh)]
    return _read_xlsx(path)


# --- writing -----------------------------------------------------------------


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path``; moved over ``path`` if the block succeeds."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.open("xb").close()  # created with the user's umask, unlike mkstemp's 0600
    try:
        if path.exists():
            tmp.chmod(stat.S_IMODE(path.stat().st_mode))
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


def write_csv_table(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A CSV with a BOM: ``columns``, then the rows; numbers as digits, text neutralised."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for values in rows:
            writer.writerow(
                [str(v) if is_number(v) else neutralise_csv(cell_text(v)) for v in values]
            )


def write_workbook(
    path: Path,
    tables: Sequence[Table],
    sections: Callable[[list[str]], list[Section]],
    *,
    title: str,
    subject: str,
    summary_title: str = "jobmojito-sync run summary",
    coloured_section: str = "Rows by status",
) -> None:
    """An XLSX of ``tables``, then a "Summary" sheet of ``sections(notes)``.

    ``notes`` are what the writing itself has to say (URLs left unlinked past
    Excel's limit); the first column of ``coloured_section`` is coloured like the
    first table's coloured column.
    """
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
        header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "border_color": "#8EA9DB"}
        )
        heading = workbook.add_format({"bold": True, "font_size": 13})
        formats = [
            {text: workbook.add_format(dict(fmt)) for text, fmt in table.colours.items()}
            for table in tables
        ]
        notes = []
        for table, colours in zip(tables, formats, strict=True):
            unlinked = _write_table(workbook.add_worksheet(table.name), table, header, colours)
            if unlinked:
                notes.append(
                    f"{table.link}: Excel allows {EXCEL_LINKS_PER_SHEET:,} links per sheet; "
                    f"{unlinked:,} later URLs are plain text"
                )
        _write_summary_sheet(
            workbook.add_worksheet("Summary"),
            sections(notes),
            title=heading,
            header=header,
            colours=formats[0] if formats else {},
            summary_title=summary_title,
            coloured_section=coloured_section,
        )
        workbook.close()


def _write_table(ws: Any, table: Table, header: Any, colours: Mapping[str, Any]) -> int:
    """Fill one sheet; return how many URLs were left unlinked (Excel's limit)."""
    columns = table.columns
    widths = [len(name) + 3 for name in columns]  # room for the filter button
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, header)
    numeric = [name in table.numbers for name in columns]
    status_col = columns.index(table.coloured) if table.coloured else -1
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
            if len(text) > widths[col]:
                widths[col] = len(text)
            if col == status_col:
                write_string(row, col, text, colours.get(text))
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
        ws.set_column(col, col, min(width + 2, MAX_WIDTH))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, row, len(columns) - 1)
    return unlinked


def _write_summary_sheet(
    ws: Any,
    sections: list[Section],
    *,
    title: Any,
    header: Any,
    colours: Any,
    summary_title: str = "jobmojito-sync run summary",
    coloured_section: str = "Rows by status",
) -> None:
    ws.write_string(0, 0, summary_title, title)
    widths = [12, 12]
    row = 2
    for name, columns, rows in sections:
        ws.write_string(row, 0, name, header)
        for col, column in enumerate(columns[1:], start=1):
            ws.write_string(row, col, column, header)
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
                coloured = name == coloured_section and col == 0 and values[-1] != 0
                fmt = colours.get(text) if coloured else None
                ws.write_string(row, col, text, fmt)
            row += 1
        row += 1
    ws.set_column(0, 0, min(widths[0] + 2, MAX_WIDTH))
    ws.set_column(1, 1, min(widths[1] + 2, 80))


# --- reading -------------------------------------------------------------------


def _read_xlsx(path: Path) -> list[dict[str, str]]:
    # python-calamine reads 100,000 lines in about a second (openpyxl: about ten),
    # and undoes Excel's _xHHHH_ escapes as Excel does.
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    if "Results" not in workbook.sheet_names:
        raise InputError(f"{path}: no sheet named 'Results'")
    rows = workbook.get_sheet_by_name("Results").to_python(skip_empty_area=False)
    if not rows:
        return []
    header = [_read_text(v) for v in rows[0]]
    lines = []
    for row in rows[1:]:
        texts = [_read_text(v) for v in row]
        texts += [""] * (len(header) - len(texts))
        lines.append(dict(zip(header, texts, strict=False)))
    return lines


def _read_text(value: object) -> str:
    """A cell as calamine read it, as the text it was written as (whole floats as digits)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = [
    "RESULT_COLUMNS",
    "Table",
    "atomic",
    "read_results",
    "sheet_suffix",
    "write_csv_table",
    "write_results",
    "write_workbook",
]
