"""A grid of text cells to a table's header and rows, with Excel row numbers.

The header row is the row among the first 20 non-empty ones that holds the
most of the columns the caller expects, else the first row about as wide as
the table; title rows above it are skipped with a note. A column with values
but no header is read as ``column_<letter>`` with a note; duplicate headers
(compared by :func:`normalise_header`) are an error naming the columns. A row
with data in cells right of the header is kept with that problem (it is
``invalid``, the rest of the file is read), and a note suggests ``--delimiter``
when most rows are like it. Hyperlink targets of a workbook's cells (``links``)
travel with their rows as ``Row.links``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from sync.errors import InputError
from sync.readers.sniff import WHAT_TO_DO
from sync.records import Row

HEADER_SCAN_ROWS = 20  # non-empty rows searched for the header
_INVISIBLE = "\ufeff\x00\u200b\u200c\u200d\u2060"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_SPACES_RE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalise_header(name: str) -> str:
    """The form in which header names are compared (mapping, detection, duplicates).

    Removes BOM, NUL and zero-width characters, applies Unicode NFKC, case-folds,
    turns every run of white space (new lines and NBSP included) into one space
    and strips the ends: ``"\\ufeffE-Mail\\u00a0 Address\\n"`` -> ``"e-mail address"``.
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", name)).casefold()
    return _SPACES_RE.sub(" ", text).strip()


def _column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _clean_header(cell: str) -> str:
    return cell.replace("\ufeff", "").replace("\x00", "").strip().strip(_INVISIBLE).strip()


def _is_blank(record: Sequence[str]) -> bool:
    return not any(record) or not "".join(record).strip()


def _find_header(grid: Sequence[Sequence[str]], expect: Iterable[str]) -> int | None:
    """Index of the header row among the first non-empty rows, or None if all are blank."""
    candidates: list[tuple[int, int]] = []  # (index, non-empty cells)
    for index, record in enumerate(grid):
        filled = sum(1 for cell in record if cell.strip())
        if filled:
            candidates.append((index, filled))
            if len(candidates) == HEADER_SCAN_ROWS:
                break
    if not candidates:
        return None
    wanted = {normalise_header(name) for name in expect} - {""}
    if wanted:
        scores = [
            (len({normalise_header(c) for c in grid[index]} & wanted), index)
            for index, _ in candidates
        ]
        best = max(score for score, _ in scores)
        if best:
            return next(index for score, index in scores if score == best)
    widest = max(filled for _, filled in candidates)
    for index, filled in candidates:
        if filled >= 2 and filled * 2 >= widest:
            return index
    return candidates[0][0]


def headers_and_rows(
    grid: list[list[str]],
    source: str,
    expect: Iterable[str],
    notes: list[str],
    sheet: str | None,
    *,
    csv_delimiter: str | None,
    links: Mapping[tuple[int, int], str] | None = None,
) -> tuple[tuple[str, ...], tuple[Row, ...], int]:
    """The header names, the rows under the header (blank ones left out), and the
    header's row number; ``grid[i]`` is Excel row ``i + 1``. ``links`` maps
    ``(grid row, column)`` to a cell's hyperlink target."""
    where = f" (sheet {sheet!r})" if sheet is not None else ""
    head = _find_header(grid, expect)
    if head is None:
        what = "the sheet is empty" if sheet is not None else "the file holds only blank lines"
        raise InputError(f"{source}{where}: no header row: {what}; {WHAT_TO_DO}")
    header_line = head + 1
    skipped = sum(1 for record in grid[:head] if not _is_blank(record))
    if skipped:
        notes.append(
            f"skipped {skipped} title row{'s' if skipped > 1 else ''} above the header "
            f"(the header is row {header_line})"
        )
    data = grid[head + 1 :]
    names = [_clean_header(cell) for cell in grid[head]]
    width = len(names)
    keep: list[int] = []
    for col, name in enumerate(names):
        if name:
            keep.append(col)
        elif any(col < len(record) and record[col].strip() for record in data):
            names[col] = f"column_{_column_letter(col)}"
            keep.append(col)
            notes.append(
                f"column {_column_letter(col)} has values but no header; "
                f"its values are read as {names[col]!r}"
            )
    _check_duplicates(names, keep, source, where, header_line)
    headers = tuple(names[col] for col in keep)
    pick = None if len(keep) == width else keep
    pad = [""] * width
    rows: list[Row] = []
    append = rows.append
    link_rows = {r for r, _ in links} if links else set()
    too_wide = 0
    for offset, record in enumerate(data):
        size = len(record)
        problem = None
        if size != width:
            if size < width:
                record = record + pad[size:]
            else:
                problem = _extra_cells(record, width, csv_delimiter)
                record = record[:width]
        if _is_blank(record):
            continue
        if pick is not None:
            record = [record[col] for col in pick]
        line = head + offset + 2
        values = dict(zip(headers, record, strict=True))
        if problem is None and line - 1 not in link_rows:
            append(Row(source, line, values))
            continue
        too_wide += problem is not None
        row_links = _row_links(links, line - 1, names, keep) if links else {}
        append(Row(source, line, values, row_links, (problem,) if problem else ()))
    if too_wide and too_wide * 2 > len(rows):
        shown = "tab" if csv_delimiter == "\t" else repr(csv_delimiter)
        notes.append(
            f"{too_wide} of {len(rows)} rows have more cells than the header: if the"
            f" delimiter is not {shown}, give it with --delimiter"
        )
    return headers, tuple(rows), header_line


def _check_duplicates(
    names: list[str], keep: list[int], source: str, where: str, header_line: int
) -> None:
    seen: dict[str, list[int]] = {}
    for col in keep:
        seen.setdefault(normalise_header(names[col]), []).append(col)
    for cols in seen.values():
        if len(cols) < 2:
            continue
        letters = [_column_letter(col) for col in cols]
        listed = f"{', '.join(letters[:-1])} and {letters[-1]}"
        times = "twice" if len(cols) == 2 else f"{len(cols)} times"
        spellings = sorted({names[col] for col in cols})
        also = f", spelled {' and '.join(repr(s) for s in spellings)}" if len(spellings) > 1 else ""
        raise InputError(
            f"{source}{where}: column {names[cols[0]]!r} appears {times} (columns {listed}"
            f"{also}) in the header on row {header_line}; rename or delete all but one "
            "so that each column name is unique"
        )


def _row_links(
    links: Mapping[tuple[int, int], str], index: int, names: list[str], keep: list[int]
) -> dict[str, str]:
    return {names[col]: url for col in keep if (url := links.get((index, col)))}


def _extra_cells(record: list[str], width: int, delimiter: str | None) -> str | None:
    """The problem of a row wider than the header, when the extra cells hold data."""
    filled = [col for col in range(width, len(record)) if record[col].strip()]
    if not filled:
        return None
    col = filled[0]
    value = record[col] if len(record[col]) <= 40 else record[col][:40] + "…"
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    fix = f"quote cells that contain the delimiter {shown}" if delimiter else "delete them"
    return (
        f"row: {filled[-1] + 1} cells but the header has {width} columns (column"
        f" {_column_letter(col)} holds {value!r} and has no header); {fix}, or add a header"
        " for the extra column"
    )


__all__ = ["HEADER_SCAN_ROWS", "headers_and_rows", "normalise_header"]
