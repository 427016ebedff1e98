"""The results sheet: one line per input row, written as XLSX or CSV, and read back.

``write_results(path, lines, summary)`` picks the format from the extension:

``.xlsx``
    A workbook of four sheets (``sync.results.workbook``): "Results" (one row
    per line, ``RESULT_COLUMNS``; a positions run: ``POSITION_COLUMNS``, one
    line per job, and its Statuses sheet in a job's words), "Problems" (the rows that need a person,
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
(a positions run: ``recruiter_link``) out: the tokenised links are credentials,
and a sheet may be forwarded. For the
same reason no sheet names a local folder: a path in a reason or a note shows
its last part only (``not found in /home/ana/cvs`` reads ``not found in cvs``).

Every file is written to a temporary file in the same folder and moved into
place with ``os.replace``, so a crash leaves the previous file or the new one,
never half a sheet; the folder is created if missing. Files are created 0600
(owner only): they hold names, e-mails and interview URLs. Whether an existing
file is kept first is the caller's choice (``sync.results.files``).

How any table becomes a sheet, and the atomic private write, is
``sync.results.tables``, shared with the outcomes sheet (``sync.outcomes.sheets``);
this module knows what a results line shows.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sync.errors import InputError, UsageError
from sync.records import ResultLine, RunSummary, Status
from sync.results.cells import cell_text
from sync.results.guides import write_problems_sheet, write_statuses_sheet
from sync.results.problems import group_problems
from sync.results.shown import KNOWN, KNOWN_COLOUR, colour_key, shown_lines, shown_rows
from sync.results.summary import (
    count_statuses,
    summary_headline,
    summary_sections,
    summary_text,
    summary_text_path,
)
from sync.results.tables import (
    MAX_WIDTH,
    REASON_WIDTH,
    SUFFIXES,
    Table,
    atomic,
    open_workbook,
    sheet_suffix,
    unlinked_note,
    write_csv_table,
    write_summary_sheet,
    write_table,
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
#: The sheet of a positions run, one line per job: (header, the ``ResultLine`` field shown).
POSITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "source_file"),
    ("source_row", "source_row"),
    ("job", "identity"),  # the job's key
    ("position", "position"),
    ("status", "status"),
    ("reason", "reason"),
    ("interview_def_set_id", "position_def_set_id"),
    ("recruiter_link", "interview_url"),  # a signed link to the interview's results
    ("http_status", "http_status"),
    ("attempts", "attempts"),
)
NUMBER_COLUMNS = frozenset({"source_row", "http_status", "attempts"})

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
    Status.OTHER_SHARD.value: _GREY,
    Status.CREATED.value: _GOOD,
    Status.ADOPTED.value: _GOOD,
    Status.UPDATED.value: _GOOD,
    Status.CHANGED.value: _AMBER,
    Status.GONE.value: _AMBER,
}


def result_columns(*, links: bool = True) -> tuple[str, ...]:
    """The Results columns: ``RESULT_COLUMNS``, without ``interview_url`` unless ``links``."""
    return RESULT_COLUMNS if links else tuple(c for c in RESULT_COLUMNS if c != "interview_url")


def _layout(summary: RunSummary, *, links: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Results sheet's (headers, the ``ResultLine`` field under each): a positions
    run's or the candidates', without the links unless ``links``."""
    if not summary.positions:
        columns = result_columns(links=links)
        return columns, columns
    pairs = [(h, f) for h, f in POSITION_COLUMNS if links or f != "interview_url"]
    return tuple(h for h, _ in pairs), tuple(f for _, f in pairs)


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
    suffix = sheet_suffix(path, "results")
    counts = count_statuses(lines)
    columns, fields = _layout(summary, links=links)
    shown, notes = shown_lines(lines, summary.results)
    if not links:
        notes.append(LINKS_OMITTED)
    if suffix == ".xlsx":
        with atomic(path) as tmp:
            _write_xlsx(tmp, lines, shown, summary, counts, (columns, fields), notes)
    else:
        with atomic(path) as tmp:
            write_csv_table(tmp, columns, shown_rows(shown, fields), reason="reason")
        sections = summary_sections(summary, counts, extra_notes=notes)
        with atomic(summary_text_path(path)) as tmp:
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


def _write_xlsx(
    path: Path,
    lines: Sequence[ResultLine],
    shown: Sequence[ResultLine],
    summary: RunSummary,
    counts: dict[str, int],
    layout: tuple[tuple[str, ...], tuple[str, ...]],
    notes: list[str],
) -> None:
    """The workbook: ``shown`` on the Results sheet, every one of ``lines`` counted
    (``layout``: the headers, and the field each shows)."""
    columns, fields = layout
    link = columns[fields.index("interview_url")] if "interview_url" in fields else None
    subject = f"run {cell_text(summary.run_id)}"
    title = "jobmojito-sync results"
    with open_workbook(path, title=title, subject=subject) as (workbook, formats):
        header = formats["header"]
        colours = {status: workbook.add_format(fmt) for status, fmt in STATUS_COLOURS.items()}
        colours[KNOWN] = workbook.add_format(KNOWN_COLOUR)
        results = workbook.add_worksheet("Results")
        table = Table(
            "Results",
            columns,
            shown_rows(shown, fields),
            numbers=NUMBER_COLUMNS,
            link=link,
            coloured="status",
            colour_key=colour_key,
            reason="reason",
        )
        unlinked = write_table(results, table, header, colours)
        write_problems_sheet(
            workbook.add_worksheet("Problems"),
            group_problems(lines),
            header=header,
            colours=colours,
            widest=REASON_WIDTH,
        )
        if unlinked:
            notes = [*notes, unlinked_note(link or "interview_url", unlinked)]
        sections = summary_sections(summary, counts, extra_notes=notes)
        write_summary_sheet(
            workbook.add_worksheet("Summary"),
            summary_headline(summary, counts),
            sections,
            formats=formats,
            colours=colours,
        )
        write_statuses_sheet(
            workbook.add_worksheet("Statuses"),
            counts,
            header=header,
            colours=colours,
            wrapped=formats["wrapped"],
            jobs=summary.positions,
        )
        results.activate()


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
    "MAX_WIDTH",
    "POSITION_COLUMNS",
    "RESULT_COLUMNS",
    "STATUS_COLOURS",
    "read_results",
    "result_columns",
    "write_results",
]
