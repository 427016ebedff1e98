"""The results sheet: one line per input row, written as XLSX or CSV, and read back.

``write_results(path, lines, summary)`` picks the format from the extension:

``.xlsx``
    Sheet "Results": ``RESULT_COLUMNS`` as a bold, filled, frozen header with an
    autofilter, then one row per ``ResultLine`` in the order given (``--results``,
    ``RunSummary.results``, may show only the problem rows or the selected ones; the
    Summary counts every line either way). ``interview_url``
    is a clickable link, ``source_row``, ``http_status`` and ``attempts`` are
    numbers, and every other cell is a string cell (``sync.results.cells``): a
    candidate named ``=HYPERLINK("http://x","y")`` reads back exactly as typed and
    is never a formula. The ``status`` cell is green for an accept, amber for a
    recruiter action, an unsent row or a problem an earlier run already reported
    (``invalid (known since 2026-11-29)``), red for a new problem, grey for an
    excluded row. Sheet "Summary": the sections of ``sync.results.summary``.

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
never half a sheet; the folder is created if missing. Files are created 0600
(owner only): they hold names, e-mails and interview URLs.
"""

from __future__ import annotations

import csv
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
    "notes",
)
NUMBER_COLUMNS = frozenset({"source_row", "http_status", "attempts"})
SUFFIXES = (".xlsx", ".csv")

EXCEL_LINKS_PER_SHEET = 65_530  # XlsxWriter's bound on hyperlinks in one worksheet
MAX_WIDTH = 60  # widest column of the Results sheet, in characters

# Excel's own "Good", "Neutral" and "Bad" cell styles; other statuses stay plain.
_GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
_AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
_GREY = {"font_color": "#7F7F7F"}
STATUS_COLOURS: dict[str, dict[str, str]] = {
    Status.AI_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACTION.value: _AMBER,
    Status.NOT_SENT.value: _AMBER,
    Status.EXCLUDED.value: _GREY,
    **{s.value: _BAD for s in Status if s.is_problem},
}
KNOWN = "known"  # the colour key of a problem an earlier run reported: amber, not red
STATUS_COLOURS[KNOWN] = _AMBER

#: ``--results``: which lines the Results sheet shows (the Summary counts every line).
SHOWN_LINES: dict[str, Callable[[ResultLine], bool]] = {
    "all": lambda line: True,
    "selected": lambda line: line.status is not Status.EXCLUDED,
    "problems": lambda line: line.status.is_problem or line.status is Status.NOT_SENT,
}

_values = attrgetter(*RESULT_COLUMNS)


def write_results(path: Path, lines: Sequence[ResultLine], summary: RunSummary) -> Path:
    """Write the results sheet (``.xlsx`` or ``.csv``, by extension) atomically; return ``path``.

    The Summary's counts are those of ``lines``, so the two sheets cannot disagree;
    the Results sheet shows the lines ``summary.results`` asks for (``SHOWN_LINES``).
    Raises ``UsageError`` for any other extension; ``OSError`` if the file cannot be
    written (the previous file, if any, is then left as it was).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: the results file must end in .xlsx or .csv, not {suffix or '(nothing)'!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = count_statuses(lines)
    shown, notes = _shown(lines, summary.results)
    if suffix == ".xlsx":
        with _atomic(path) as tmp:
            _write_xlsx(tmp, shown, summary, counts, notes)
    else:
        with _atomic(path) as tmp:
            _write_csv(tmp, shown)
        sections = summary_sections(summary, counts, extra_notes=notes)
        with _atomic(summary_text_path(path)) as tmp:
            tmp.write_text(summary_text(path, sections), encoding="utf-8")
    return path


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


def _shown(lines: Sequence[ResultLine], results: str) -> tuple[Sequence[ResultLine], list[str]]:
    """The lines ``--results`` shows, and the note that says so when it is not all."""
    if results == "all":
        return lines, []
    keep = SHOWN_LINES[results]
    shown = [line for line in lines if keep(line)]
    what = "problem and unsent" if results == "problems" else "selected"
    return shown, [
        f"the Results sheet shows the {len(shown):,} {what} rows of {len(lines):,}"
        f" (--results {results}); the counts here are of every row"
    ]


def _status_cell(line: ResultLine) -> tuple[str, str]:
    """The status cell's text and its colour key."""
    text = line.shown_status
    return text, KNOWN if line.known_since and line.status.is_problem else str(line.status)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
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


def _write_csv(path: Path, lines: Iterable[ResultLine]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(RESULT_COLUMNS)
        status_col = RESULT_COLUMNS.index("status")
        for line in lines:
            values = list(_values(line))
            values[status_col] = line.shown_status
            writer.writerow(
                [str(v) if is_number(v) else neutralise_csv(cell_text(v)) for v in values]
            )


def _write_xlsx(
    path: Path,
    lines: Sequence[ResultLine],
    summary: RunSummary,
    counts: dict[str, int],
    notes: list[str],
) -> None:
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
        workbook.set_properties(
            {"title": "jobmojito-sync results", "subject": f"run {cell_text(summary.run_id)}"}
        )
        header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "border_color": "#8EA9DB"}
        )
        title = workbook.add_format({"bold": True, "font_size": 13})
        colours = {status: workbook.add_format(fmt) for status, fmt in STATUS_COLOURS.items()}
        unlinked = _write_results_sheet(workbook.add_worksheet("Results"), lines, header, colours)
        notes = list(notes)
        if unlinked:
            notes.append(
                f"interview_url: Excel allows {EXCEL_LINKS_PER_SHEET:,} links per sheet; "
                f"{unlinked:,} later URLs are plain text"
            )
        sections = summary_sections(summary, counts, extra_notes=notes)
        _write_summary_sheet(
            workbook.add_worksheet("Summary"), sections, title=title, header=header, colours=colours
        )
        workbook.close()


def _write_results_sheet(ws: Any, lines: Sequence[ResultLine], header: Any, colours: Any) -> int:
    """Fill the Results sheet; return how many URLs were left unlinked (Excel's limit)."""
    widths = [len(name) + 3 for name in RESULT_COLUMNS]  # room for the filter button
    for col, name in enumerate(RESULT_COLUMNS):
        ws.write_string(0, col, name, header)
    numeric = [name in NUMBER_COLUMNS for name in RESULT_COLUMNS]
    status_col = RESULT_COLUMNS.index("status")
    url_col = RESULT_COLUMNS.index("interview_url")
    write_string, write_number, write_url = ws.write_string, ws.write_number, ws.write_url
    links = unlinked = 0
    row = 0
    for row, line in enumerate(lines, start=1):
        for col, value in enumerate(_values(line)):
            if value is None or value == "":
                continue
            if numeric[col] and is_number(value):
                write_number(row, col, value)
                continue
            colour = None
            if col == status_col:
                value, colour = _status_cell(line)
            text = cell_text(value)
            if len(text) > widths[col]:
                widths[col] = len(text)
            if col == status_col:
                write_string(row, col, text, colours.get(colour))
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
    ws.autofilter(0, 0, row, len(RESULT_COLUMNS) - 1)
    return unlinked


def _write_summary_sheet(
    ws: Any, sections: list[Section], *, title: Any, header: Any, colours: Any
) -> None:
    ws.write_string(0, 0, "jobmojito-sync run summary", title)
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
                coloured = name == "Rows by status" and col == 0 and values[-1] != 0
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


__all__ = ["RESULT_COLUMNS", "SHOWN_LINES", "read_results", "write_results"]
