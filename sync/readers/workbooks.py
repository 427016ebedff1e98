"""Workbooks (XLSX, XLS, ODS via python-calamine) to a grid of cells as Excel shows them.

A sheet is chosen by name (``--sheet``, case-insensitive); else, when the
caller knows the columns it wants, the visible sheet whose header row holds the
most of them (a cover or instructions sheet before the data is passed over,
and the choice is noted); else the first non-empty visible one. Before calamine
builds a sheet (a dense grid of the rectangle its values span),
``sync.readers.extent`` counts what the sheet really holds and refuses one whose
rectangle is far larger: reading is bounded by the cells used, not by the
sheet's dimensions. Cell values become the text Excel's General format shows:
floats with 15 significant digits (``447700900123.0`` -> ``"447700900123"``),
dates as ISO dates, durations as ``[h]:mm:ss``. Damaged and password-protected
workbooks are an
``InputError`` saying what to do.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import python_calamine as calamine

from sync.errors import InputError
from sync.readers.extent import DENSE_FLOOR, check_extent, check_workbook, sheet_extent
from sync.readers.grid import HEADER_SCAN_ROWS, normalise_header
from sync.readers.sniff import WHAT_TO_DO

# What calamine raises for a damaged file; a Rust panic arrives as pyo3's
# PanicException, which derives from BaseException and is matched by name.
_CALAMINE_FAILURES = (calamine.CalamineError, ValueError, OSError, RuntimeError, IndexError)


@contextmanager
def _workbook_errors(data: bytes, fmt: str, source: str) -> Iterator[None]:
    """Turn calamine's failures on a damaged or protected workbook into an InputError."""
    kind = fmt.upper()
    try:
        yield
    except InputError:
        raise
    except calamine.PasswordError:
        raise _password_error(source) from None
    except BaseException as exc:
        if not isinstance(exc, _CALAMINE_FAILURES) and type(exc).__name__ != "PanicException":
            raise
        if fmt == "xls" and "EncryptedPackage".encode("utf-16-le") in data:
            raise _password_error(source) from None  # an encrypted XLSX is an OLE2 file
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{source}: cannot read this {kind} file; it is damaged or not really {kind} "
            f"({detail}); open it in Excel and save it again, or export it again"
        ) from None


def _password_error(source: str) -> InputError:
    return InputError(
        f"{source}: the workbook is password-protected; save a copy without a password "
        "(or export it as CSV) and try again"
    )


def _open_workbook(data: bytes, fmt: str, source: str) -> calamine.CalamineWorkbook:
    check_workbook(data, fmt, source)  # an XLS is built whole when opened
    with _workbook_errors(data, fmt, source):
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def sheet_names(data: bytes, fmt: str, source: str) -> list[str]:
    """The sheet names of a workbook, in workbook order."""
    book = _open_workbook(data, fmt, source)
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def read_sheet(
    data: bytes,
    fmt: str,
    source: str,
    sheet: str | None,
    notes: list[str],
    expect: Iterable[str] = (),
) -> tuple[list[list[str]], str]:
    """The chosen sheet as a grid of text cells, and the sheet's name."""
    book = _open_workbook(data, fmt, source)
    names = list(book.sheet_names)
    values: Sequence[Sequence[object]]
    try:
        with _workbook_errors(data, fmt, source):
            if sheet is not None:
                chosen = _match_sheet(sheet, names)
                if chosen is None:
                    listed = ", ".join(repr(n) for n in names) or "none"
                    raise InputError(
                        f"{source}: there is no sheet {sheet!r}; the sheets are {listed}; "
                        "pass one of them with --sheet"
                    )
                _check_size(data, fmt, source, names.index(chosen), chosen)
                values = _grid(book.get_sheet_by_name(chosen))
            else:
                chosen, values = _best_sheet(book, data, fmt, source, expect, notes)
    finally:
        book.close()
    return [[v if type(v) is str else cell_text(v) for v in row] for row in values], chosen


def _match_sheet(wanted: str, names: Sequence[str]) -> str | None:
    if wanted in names:
        return wanted
    key = normalise_header(wanted)
    return next((name for name in names if normalise_header(name) == key), None)


def _header_fit(sheet: calamine.CalamineSheet, wanted: set[str]) -> int:
    """How many of the ``wanted`` columns the best of the sheet's first rows holds."""
    best = 0
    for row in sheet.to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS + 10):
        found = {normalise_header(v) for v in row if type(v) is str and v} & wanted
        best = max(best, len(found))
    return best


def _best_sheet(
    book: calamine.CalamineWorkbook,
    data: bytes,
    fmt: str,
    source: str,
    expect: Iterable[str],
    notes: list[str],
) -> tuple[str, Sequence[Sequence[object]]]:
    """The sheet whose header fits ``expect`` best, else the first non-empty one."""
    metadata = list(book.sheets_metadata)
    position = {m.name: i for i, m in enumerate(metadata)}
    worksheets = [m for m in metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    visible = [m for m in worksheets if m.visible == calamine.SheetVisibleEnum.Visible]
    hidden = [m for m in worksheets if m.visible != calamine.SheetVisibleEnum.Visible]
    wanted = {normalise_header(name) for name in expect} - {""}
    filled: list[tuple[str, calamine.CalamineSheet]] = []
    for meta in (*visible, *hidden):
        if not _check_size(data, fmt, source, position[meta.name], meta.name):
            continue  # holds no value
        sheet = book.get_sheet_by_name(meta.name)
        if sheet.start is None:
            continue
        values = sheet.to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS + 10)
        if any(any(v != "" for v in row) for row in values):
            filled.append((meta.name, sheet))
            if not wanted:
                break
    if not filled:
        raise InputError(f"{source}: every sheet of the workbook is empty; {WHAT_TO_DO}")
    chosen, sheet = filled[0]
    if wanted and len(filled) > 1:
        fits = [(_header_fit(s, wanted), -i) for i, (_, s) in enumerate(filled)]
        best = max(fits)
        if best[0] > fits[0][0]:
            chosen, sheet = filled[-best[1]]
            notes.append(
                f"read sheet {chosen!r}: its header fits the mapping ({best[0]} known columns);"
                f" the first sheet {filled[0][0]!r} looks like a cover or instructions sheet"
            )
    names = list(book.sheet_names)
    if chosen == filled[0][0] and names and chosen != names[0]:
        notes.append(f"read sheet {chosen!r}, the first sheet with data")
    return chosen, _grid(sheet)


def _check_size(data: bytes, fmt: str, source: str, index: int, name: str) -> bool:
    """Refuse a sheet that would cost far more than it holds; whether it holds anything."""
    extent = sheet_extent(data, fmt, index)
    if extent is None:
        return True  # not countable: calamine reads it (or says what is wrong)
    check_extent(extent, source, name)
    return extent.used > 0


_NO_CELLS: list[object] = []  # the rows above a sheet's first value (shared: never changed)


def _grid(sheet: calamine.CalamineSheet) -> list[Sequence[object]]:
    """The sheet's cells from A1, with its leading empty rows and columns, built from the
    rectangle its values span (never calamine's grid from A1, which a far value blows up)."""
    values = sheet.to_python(skip_empty_area=True)
    top, left = sheet.start or (0, 0)
    if left and left * len(values) <= DENSE_FLOOR:  # keeps column letters right
        values = [[""] * left + list(row) for row in values]
    return [*([_NO_CELLS] * top), *values]


def _float_text(value: float) -> str:
    # Excel's General format shows 15 significant digits: 123.0 -> "123",
    # 447700900123.0 -> "447700900123", 0.1 + 0.2 -> "0.3", 1e20 -> "1e+20".
    text = f"{value:.15g}"
    return "0" if text == "-0" else text


def _datetime_text(value: dt.datetime) -> str:
    if value.tzinfo is None and value.time() == dt.time(0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


def _duration_text(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"  # [h]:mm:ss


_TEXT_OF: dict[type, Callable[[Any], str]] = {
    str: str,
    float: _float_text,
    int: str,
    bool: lambda value: "TRUE" if value else "FALSE",
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: dt.time.isoformat,
    dt.timedelta: _duration_text,
    type(None): lambda _: "",
}


def cell_text(value: object) -> str:
    """A cell value as the user sees it in Excel's General format."""
    convert = _TEXT_OF.get(type(value), str)
    return convert(value)


__all__ = ["cell_text", "read_sheet", "sheet_names"]
