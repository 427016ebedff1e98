"""Read ATS exports (CSV, XLSX, XLS, ODS, gzipped CSV) as tables of text.

``read_table(path)`` returns a :class:`sync.records.Table` whose every cell is a
``str``: ``"00123"`` stays ``"00123"``, e-mails and dates stay as written, and
empty cells are ``""``. ``Row.line`` is the row number the user sees in Excel,
so messages about a row point at the right place even after title rows, blank
rows and quoted cells that span several lines.

The steps, in the order the data goes through them:

- ``sniff``: the format, by content first, then by extension (gzip unpacked);
- ``delimited`` (with ``encoding``): CSV bytes to text to a grid of cells, or
  ``workbooks``: a workbook sheet to a grid of cells as Excel shows them;
- ``grid``: the header row found, then the rows under it, with Excel row numbers.

Every problem is an :class:`sync.errors.InputError` naming the file, the row
and column where it applies, and what to do about it.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.errors import InputError
from sync.readers.delimited import read_delimited
from sync.readers.grid import headers_and_rows
from sync.readers.hyperlinks import sheet_links
from sync.readers.sniff import MAX_INPUT_BYTES, WHAT_TO_DO, classify
from sync.readers.workbooks import read_sheet, sheet_names
from sync.records import Table
from sync.text import file_name

__all__ = ["list_sheets", "read_table", "sniff_format"]


def sniff_format(path: str | Path) -> str:
    """The format ``read_table`` would read ``path`` as: one of :data:`~sync.readers.sniff.FORMATS`.

    A gzipped file reports the format of its content ("csv" for a ``.csv.gz``).
    Raises ``InputError`` when the file cannot be opened or is clearly not a
    table (a PDF, an image, a ZIP that holds no spreadsheet).
    """
    source = str(path)
    data = _read_bytes(Path(path), source)
    return classify(data, Path(path), source, [])[0]


def list_sheets(path: str | Path) -> list[str]:
    """The sheet names of a workbook, in workbook order; ``[]`` for a CSV file."""
    source = str(path)
    data = _read_bytes(Path(path), source)
    fmt, payload = classify(data, Path(path), source, [])
    if fmt == "csv":
        return []
    return sheet_names(payload, fmt, source)


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    expect: Iterable[str] = (),
    max_bytes: int = MAX_INPUT_BYTES,
) -> Table:
    """Read a CSV/XLSX/XLS/ODS file (or a gzipped CSV) as a table of text.

    ``sheet`` picks a workbook sheet by name (case-insensitive); by default the
    visible sheet whose header holds the most ``expect`` columns is read (else
    the first non-empty one), and an XLSX sheet's cell hyperlinks come as
    ``Row.links``. ``encoding`` and ``delimiter`` force what is otherwise
    sniffed (CSV only). ``expect`` names the columns the caller knows; the
    header row is the row among the first 20 that holds the most of them. A
    file (or a gzipped CSV's content) over ``max_bytes`` is refused before it
    is parsed: the table costs about ten times its bytes in memory. Raises
    ``InputError`` with a message for the user.
    """
    source = str(path)
    _check_size(Path(path), source, max_bytes)
    data = _read_bytes(Path(path), source)
    notes: list[str] = []
    with _gc_paused():
        return _read(data, source, sheet, encoding, delimiter, expect, notes, max_bytes)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building millions of acyclic lists and dicts.

    The objects built here hold no reference cycles, and the collector's passes
    over the growing heap would otherwise double the time of a large read.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(
    data: bytes,
    source: str,
    sheet: str | None,
    encoding: str | None,
    delimiter: str | None,
    expect: Iterable[str],
    notes: list[str],
    max_bytes: int = MAX_INPUT_BYTES,
) -> Table:
    fmt, payload = classify(data, Path(source), source, notes, limit=max_bytes)
    used_encoding: str | None = None
    used_delimiter: str | None = None
    sheet_name: str | None = None
    links = None
    if fmt == "csv":
        if sheet is not None:
            notes.append(f"--sheet {sheet!r} ignored: {file_name(source)} is a CSV file")
        grid, used_encoding, used_delimiter = read_delimited(
            payload, source, encoding, delimiter, notes
        )
    else:
        expect = list(expect)
        grid, sheet_name = read_sheet(payload, fmt, source, sheet, notes, expect)
        links = sheet_links(payload, sheet_name) if fmt == "xlsx" else None
    headers, rows, header_line = headers_and_rows(
        grid, source, expect, notes, sheet_name, csv_delimiter=used_delimiter, links=links
    )
    return Table(
        path=source,
        format=fmt,
        headers=headers,
        rows=rows,
        sha256=hashlib.sha256(data).hexdigest(),
        header_line=header_line,
        sheet=sheet_name,
        encoding=used_encoding,
        delimiter=used_delimiter,
        notes=tuple(notes),
    )


def _check_size(path: Path, source: str, max_bytes: int) -> None:
    """Refuse a file over ``max_bytes`` before reading it (a missing one is ``_read_bytes``')."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > max_bytes:
        raise InputError(
            f"{source}: the file is {size / 2**20:,.0f} MB, over the limit of"
            f" {max_bytes / 2**20:,.0f} MB (a table takes about ten times its size in"
            " memory); split the export, or raise the limit with --max-input-mb"
        )


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{source}: file not found; check the path (relative paths start in {Path.cwd()})"
        ) from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a file; give the export file") from None
    except PermissionError:
        raise InputError(
            f"{source}: permission denied; make the file readable by this user"
        ) from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read the file ({exc.strerror or exc})") from None
    if not data:
        raise InputError(f"{source}: the file is empty (0 bytes); {WHAT_TO_DO}")
    return data
