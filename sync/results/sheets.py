"""The results sheet: one line per input row, written as XLSX or CSV, and read back.

``write_results(path, lines, summary)`` picks the format from the extension:

``.xlsx``
    A workbook of four sheets (``sync.results.workbook``): "Results" (one row
    per line, ``RESULT_COLUMNS``), "Problems" (the rows that need a person,
    grouped by cause, with the fix), "Summary" (the run in one sentence, its
    counts, inputs and notes) and "Statuses" (what every status means and
    what to do). Every cell is a number or a string cell, never a formula
    (``sync.results.cells``). ``--results`` (``RunSummary.results``) may list
    only the problem rows or the selected ones on "Results" (``sync.results.shown``);
    the other sheets count every row. A problem an earlier run reported reads
    ``invalid (known since 2026-11-29)``, amber; an excluded row is grey.

``.csv``
    UTF-8 with a BOM (so Excel detects the encoding), comma-separated, quoted as
    needed, header ``RESULT_COLUMNS``; text a spreadsheet would run as a formula
    gets a leading apostrophe, numbers are plain digits. The summary goes beside
    it as ``<stem>.summary.txt`` (``results.csv`` -> ``results.summary.txt``).

``links=False`` (``--interview-links omit``) leaves the ``interview_url`` column
out: the tokenised links are credentials, and a sheet may be forwarded. For the
same reason no sheet names a local folder: a path in a reason or a note shows
its last part only (``not found in /home/ana/cvs`` reads ``not found in cvs``).

Every file is written to a temporary file in the same folder and moved into
place with ``os.replace``, so a crash leaves the previous file or the new one,
never half a sheet; the folder is created if missing. Files are created 0600
(owner only): they hold names, e-mails and interview URLs. Whether an existing
file is kept first is the caller's choice (``sync.results.files``).
"""

from __future__ import annotations

import csv
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from sync.errors import InputError, UsageError
from sync.records import ResultLine, RunSummary, Status
from sync.results.cells import cell_text, is_number, linkable, neutralise_csv
from sync.results.guides import write_problems_sheet, write_statuses_sheet
from sync.results.problems import group_problems
from sync.results.shown import KNOWN, KNOWN_COLOUR, shown_lines, status_key
from sync.results.summary import (
    Section,
    count_statuses,
    summary_headline,
    summary_sections,
    summary_text,
    summary_text_path,
    without_local_paths,
)

RESULT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    "candidate_name",
    "candidate_email",
    "position",
    "position_id",
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
MAX_WIDTH = 60  # widest column of the Results sheet, in characters ...
REASON_WIDTH = 80  # ... but the reason, the column people read most
LINKS_OMITTED = (
    "interview links left out (--interview-links omit): they are credentials; the ledger"
    " keeps them, and `jobmojito-sync report` writes a sheet with them"
)

# Excel's own "Good", "Neutral" and "Bad" styles for accepted, waiting and problem rows;
# a colour of its own for every other status, so that each reads at a glance.
_GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
_AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
_DECLINED = {"bg_color": "#FCE4D6", "font_color": "#843C0C"}  # a decision, not a problem
_GREY = {"bg_color": "#F2F2F2", "font_color": "#7F7F7F"}  # not selected: greyed out
STATUS_COLOURS: dict[str, dict[str, str]] = {
    Status.AI_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACCEPT.value: _GOOD,
    Status.ALREADY_APPLIED.value: {"bg_color": "#E2EFDA", "font_color": "#375623"},
    Status.RECRUITER_ACTION.value: _AMBER,
    Status.NOT_SENT.value: _AMBER,
    Status.AI_REJECT.value: _DECLINED,
    Status.RECRUITER_REJECT.value: _DECLINED,
    **{s.value: _BAD for s in Status if s.is_problem},
    Status.DUPLICATE.value: {"bg_color": "#E4DFEC", "font_color": "#5B3C88"},
    Status.SKIPPED.value: {"bg_color": "#EDEDED", "font_color": "#404040"},
    Status.DRY_RUN.value: {"bg_color": "#DDEBF7", "font_color": "#1F4E78"},
    Status.EXCLUDED.value: _GREY,
}


def result_columns(*, links: bool = True) -> tuple[str, ...]:
    """The Results columns: ``RESULT_COLUMNS``, without ``interview_url`` unless ``links``."""
    return RESULT_COLUMNS if links else tuple(c for c in RESULT_COLUMNS if c != "interview_url")


def write_results(
    path: Path, lines: Sequence[ResultLine], summary: RunSummary, *, links: bool = True
) -> Path:
    """Write the results sheet (``.xlsx`` or ``.csv``, by extension) atomically; return ``path``.

    The Summary's counts are those of ``lines``, so the sheets cannot disagree; the
    Results sheet lists those ``summary.results`` asks for (``sync.results.shown``).
    ``links=False`` leaves the interview links out. Raises ``UsageError`` for any
    other extension; ``OSError`` if the file cannot be written (the previous
    file, if any, is then left as it was).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"{path}: the results file must end in .xlsx or .csv, not {suffix or '(nothing)'!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = count_statuses(lines)
    columns = result_columns(links=links)
    shown, notes = shown_lines(lines, summary.results)
    if not links:
        notes.append(LINKS_OMITTED)
    if suffix == ".xlsx":
        with _atomic(path) as tmp:
            _write_xlsx(tmp, lines, shown, summary, counts, columns, notes)
    else:
        with _atomic(path) as tmp:
            _write_csv(tmp, shown, columns)
        sections = summary_sections(summary, counts, extra_notes=notes)
        with _atomic(summary_text_path(path)) as tmp:
            head = summary_headline(summary, counts)
            tmp.write_text(summary_text(path, sections, head), encoding="utf-8")
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


def _write_csv(path: Path, lines: Iterable[ResultLine], columns: Sequence[str]) -> None:
    values = attrgetter(*columns)
    reason, status = columns.index("reason"), columns.index("status")
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for line in lines:
            row = [str(v) if is_number(v) else neutralise_csv(cell_text(v)) for v in values(line)]
            row[status] = line.shown_status
            if row[reason]:
                row[reason] = without_local_paths(row[reason])
            writer.writerow(row)


def _write_xlsx(
    path: Path,
    lines: Sequence[ResultLine],
    shown: Sequence[ResultLine],
    summary: RunSummary,
    counts: dict[str, int],
    columns: Sequence[str],
    notes: list[str],
) -> None:
    """The workbook: ``shown`` on the Results sheet, every one of ``lines`` counted."""
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
        bold = workbook.add_format({"bold": True, "font_size": 12})
        wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        colours = {status: workbook.add_format(fmt) for status, fmt in STATUS_COLOURS.items()}
        colours[KNOWN] = workbook.add_format(KNOWN_COLOUR)
        results = workbook.add_worksheet("Results")
        unlinked = _write_results_sheet(results, shown, columns, header, colours)
        write_problems_sheet(
            workbook.add_worksheet("Problems"),
            group_problems(lines),
            header=header,
            colours=colours,
            widest=REASON_WIDTH,
        )
        if unlinked:
            notes = [
                *notes,
                f"interview_url: Excel allows {EXCEL_LINKS_PER_SHEET:,} links per sheet; "
                f"{unlinked:,} later URLs are plain text",
            ]
        sections = summary_sections(summary, counts, extra_notes=notes)
        _write_summary_sheet(
            workbook.add_worksheet("Summary"),
            summary_headline(summary, counts),
            sections,
            formats={"title": title, "headline": bold, "header": header},
            colours=colours,
        )
        write_statuses_sheet(
            workbook.add_worksheet("Statuses"),
            counts,
            header=header,
            colours=colours,
            wrapped=wrapped,
        )
        results.activate()
        workbook.close()


def _write_results_sheet(
    ws: Any, lines: Sequence[ResultLine], columns: Sequence[str], header: Any, colours: Any
) -> int:
    """Fill the Results sheet; return how many URLs were left unlinked (Excel's limit)."""
    widths = [len(name) + 3 for name in columns]  # room for the filter button
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, header)
    numeric = [name in NUMBER_COLUMNS for name in columns]
    status_col = columns.index("status")
    reason_col = columns.index("reason")
    url_col = columns.index("interview_url") if "interview_url" in columns else -1
    values = attrgetter(*columns)
    write_string, write_number, write_url = ws.write_string, ws.write_number, ws.write_url
    links = unlinked = 0
    row = 0
    for row, line in enumerate(lines, start=1):
        for col, value in enumerate(values(line)):
            if value is None or value == "":
                continue
            if numeric[col] and is_number(value):
                write_number(row, col, value)
                continue
            if col == status_col:  # invalid (known since …)
                value = line.shown_status
            text = cell_text(value)
            if col == reason_col:  # "not found in /home/ana/cvs": the folder's name is enough
                text = without_local_paths(text)
            if len(text) > widths[col]:
                widths[col] = len(text)
            if col == status_col:
                write_string(row, col, text, colours.get(status_key(line)))
            elif col == url_col and linkable(text):
                if links < EXCEL_LINKS_PER_SHEET:
                    links += 1
                    write_url(row, col, text, None, text)
                else:
                    unlinked += 1
                    write_string(row, col, text)
            else:
                write_string(row, col, text)
    for col, (name, width) in enumerate(zip(columns, widths, strict=True)):
        ws.set_column(col, col, min(width + 2, REASON_WIDTH if name == "reason" else MAX_WIDTH))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, row, len(columns) - 1)
    return unlinked


def _write_summary_sheet(
    ws: Any,
    head: str,
    sections: list[Section],
    *,
    formats: dict[str, Any],
    colours: Any,
) -> None:
    ws.write_string(0, 0, "jobmojito-sync run summary", formats["title"])
    ws.write_string(1, 0, cell_text(head), formats["headline"])
    widths = [12, 12]
    row = 3
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
                fmt = colours.get(text) if name == "Rows by status" and col == 0 else None
                ws.write_string(row, col, text, fmt)
            row += 1
        row += 1
    ws.set_column(0, 0, min(widths[0] + 2, MAX_WIDTH))
    ws.set_column(1, 1, min(widths[1] + 2, REASON_WIDTH))


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


__all__ = ["RESULT_COLUMNS", "read_results", "result_columns", "write_results"]
