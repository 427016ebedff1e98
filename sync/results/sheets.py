"""The results sheet: one line per input row, and the summary of the run.

``write_results(path, lines, summary)`` picks the format from the extension:

``.xlsx``
    Sheet "Results": ``RESULT_COLUMNS`` as a bold, filled, frozen header with an
    autofilter, then one row per ``ResultLine`` in the order given. ``interview_url``
    is a clickable link, ``source_row``, ``http_status`` and ``attempts`` are
    numbers, and every other cell is a string cell: a candidate named
    ``=HYPERLINK("http://x","y")`` or a phone ``+44 20 7946 0958`` reads back
    exactly as typed and is never a formula. The ``status`` cell is green for an
    accept, amber for a recruiter action or an unsent row, red for a problem.
    Sheet "Summary": the run (id, tool version, mapping, dry run, exit code and
    its meaning, start and end in UTC), rows by status with the total, the input
    files with their SHA-256, and the notes.

    Written with XlsxWriter in constant-memory mode: rows stream to a temporary
    file, so memory stays flat however many lines there are, and ``write_string``
    never turns text into a formula (openpyxl's write-only mode was measured
    about twice as slow and twice as large for 100,000 lines). Excel holds at
    most 65,530 links per sheet: past that, ``interview_url`` cells are plain
    text (still the full URL) and the Summary notes it.

``.csv``
    UTF-8 with a BOM (so Excel detects the encoding), comma-separated, quoted as
    needed, header ``RESULT_COLUMNS``. A CSV cell has no type, so text Excel
    would run as a formula gets a leading apostrophe (``neutralise_csv``, as
    OWASP advises for CSV injection); numbers are plain digits. A CSV holds one
    table only, so the summary goes beside it as ``<stem>.summary.txt``
    (``results.csv`` -> ``results.summary.txt``), with the Summary sheet's content.

In both formats text is cleaned of characters XML cannot hold (control
characters, lone surrogates: each becomes U+FFFD) and cut to Excel's limit of
32,767 characters per cell. Every file is written to a temporary file in the
same folder and moved into place with ``os.replace``, so a crash leaves the
previous file or the new one, never half a sheet; the folder is created if
missing.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from sync.errors import EXIT_MEANINGS, InputError, UsageError
from sync.records import ResultLine, RunSummary, Status

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

EXCEL_CELL_CHARS = 32_767  # characters (UTF-16 code units) in one cell
EXCEL_LINKS_PER_SHEET = 65_530  # XlsxWriter's bound on hyperlinks in one worksheet
EXCEL_URL_CHARS = 2_079  # longest URL Excel accepts as a link
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

# Characters XML 1.0 cannot hold (tab, LF and CR are kept), DEL and the C1
# controls (terminal escapes in the summary text), lone surrogates.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# OWASP's formula triggers, plus their full-width forms that some Excel locales accept.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_STATUS_ORDER = {s.value: i for i, s in enumerate(Status)}
_values = attrgetter(*RESULT_COLUMNS)


def neutralise_csv(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def count_statuses(lines: Iterable[ResultLine]) -> dict[str, int]:
    """Status value -> number of lines, in ``Status`` order, non-zero counts only."""
    counts = Counter(str(line.status) for line in lines)
    order = sorted(counts, key=lambda s: (_STATUS_ORDER.get(s, len(_STATUS_ORDER)), s))
    return {status: counts[status] for status in order}


def write_results(path: Path, lines: Sequence[ResultLine], summary: RunSummary) -> Path:
    """Write the results sheet (``.xlsx`` or ``.csv``, by extension) atomically; return ``path``.

    The Summary's counts are those of ``lines``, so the two sheets cannot disagree.
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
    if suffix == ".xlsx":
        with _atomic(path) as tmp:
            _write_xlsx(tmp, lines, summary, counts)
    else:
        with _atomic(path) as tmp:
            _write_csv(tmp, lines)
        sections = _summary_sections(summary, counts, extra_notes=[])
        with _atomic(summary_text_path(path)) as tmp:
            tmp.write_text(_summary_text(path, sections), encoding="utf-8")
    return path


def summary_text_path(csv_path: Path) -> Path:
    """Where the summary of a CSV results file goes: ``<stem>.summary.txt`` beside it."""
    return csv_path.with_name(f"{csv_path.stem}.summary.txt")


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


def _text(value: object) -> str:
    """``value`` as cell text: XML-illegal characters replaced, cut to Excel's limit."""
    text = "" if value is None else str(value)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_CHARS // 2:
        text = _cut(text)
    return text


def _cut(text: str) -> str:
    """``text`` cut to 32,767 UTF-16 code units (Excel's count), never inside a pair."""
    if len(text.encode("utf-16-le")) // 2 <= EXCEL_CELL_CHARS:
        return text
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > EXCEL_CELL_CHARS:
            return text[:i]
    return text  # pragma: no cover - the length check above makes this unreachable


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _write_csv(path: Path, lines: Iterable[ResultLine]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(RESULT_COLUMNS)
        for line in lines:
            writer.writerow(
                [str(v) if _is_number(v) else neutralise_csv(_text(v)) for v in _values(line)]
            )


def _write_xlsx(
    path: Path, lines: Sequence[ResultLine], summary: RunSummary, counts: dict[str, int]
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
            {"title": "jobmojito-sync results", "subject": f"run {_text(summary.run_id)}"}
        )
        header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "border_color": "#8EA9DB"}
        )
        title = workbook.add_format({"bold": True, "font_size": 13})
        colours = {status: workbook.add_format(fmt) for status, fmt in STATUS_COLOURS.items()}
        unlinked = _write_results_sheet(workbook.add_worksheet("Results"), lines, header, colours)
        notes = []
        if unlinked:
            notes.append(
                f"interview_url: Excel allows {EXCEL_LINKS_PER_SHEET:,} links per sheet; "
                f"{unlinked:,} later URLs are plain text"
            )
        sections = _summary_sections(summary, counts, extra_notes=notes)
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
            if numeric[col] and _is_number(value):
                write_number(row, col, value)
                continue
            text = _text(value)
            if len(text) > widths[col]:
                widths[col] = len(text)
            if col == status_col:
                write_string(row, col, text, colours.get(text))
            elif col == url_col and _linkable(text):
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


def _linkable(url: str) -> bool:
    """Only web addresses become links, and only those Excel accepts."""
    return url[:8].lower().startswith(("https://", "http://")) and len(url) <= EXCEL_URL_CHARS


# --- the summary ---------------------------------------------------------------

Section = tuple[str, tuple[str, ...], list[tuple[str | int, ...]]]


def _summary_sections(
    summary: RunSummary, counts: dict[str, int], *, extra_notes: list[str]
) -> list[Section]:
    """The Summary's content, shared by the XLSX sheet and the CSV's text file."""
    total = sum(counts.values())
    code = summary.exit_code
    run: list[tuple[str | int, ...]] = [
        ("run id", summary.run_id),
        ("tool version", summary.tool_version),
        ("mapping", summary.mapping),
        ("dry run", "yes" if summary.dry_run else "no"),
        ("exit code", code),
        ("exit meaning", EXIT_MEANINGS.get(code, "not an exit code jobmojito-sync uses")),
        ("started (UTC)", _utc(summary.started_at)),
        ("finished (UTC)", _utc(summary.finished_at)),
        ("rows", total),
    ]
    by_status: list[tuple[str | int, ...]] = [(s.value, counts.get(s.value, 0)) for s in Status]
    by_status += [(s, n) for s, n in counts.items() if s not in _STATUS_ORDER]
    by_status.append(("total", total))
    inputs: list[tuple[str | int, ...]] = [(name, sha) for name, sha in summary.inputs]
    notes: list[tuple[str | int, ...]] = [
        (note,) for note in [*summary.notes, *extra_notes] if note
    ]
    return [
        ("Run", ("item", "value"), run),
        ("Rows by status", ("status", "rows"), by_status),
        ("Input files", ("file", "sha256"), inputs),
        ("Notes", ("note",), notes),
    ]


def _utc(moment: str) -> str:
    """An ISO 8601 time with a zone, shown in UTC; anything else as given."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if parsed.tzinfo is None:
        return moment
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


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
                if _is_number(value):
                    ws.write_number(row, col, value)
                    continue
                text = _text(value)
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


def _summary_text(results: Path, sections: list[Section]) -> str:
    out = ["jobmojito-sync run summary", f"results: {_text(results.name)}", ""]
    for name, columns, rows in sections:
        out.append(name)
        if not rows:
            out.append("  (none)")
        keys = [_text(values[0]) for values in rows]
        pad = max((len(k) for k in keys), default=0)
        for key, values in zip(keys, rows, strict=True):
            if len(columns) == 1:
                out.append(f"  - {key}")
            else:
                rest = "  ".join(_text(v) for v in values[1:])
                out.append(f"  {key:<{pad}}  {rest}".rstrip())
        out.append("")
    return "\n".join(out)


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
    header = [_cell_text(v) for v in rows[0]]
    lines = []
    for row in rows[1:]:
        texts = [_cell_text(v) for v in row]
        texts += [""] * (len(header) - len(texts))
        lines.append(dict(zip(header, texts, strict=False)))
    return lines


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = [
    "RESULT_COLUMNS",
    "count_statuses",
    "neutralise_csv",
    "read_results",
    "summary_text_path",
    "write_results",
]
