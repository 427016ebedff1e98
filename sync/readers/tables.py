"""Read ATS exports (CSV, XLSX, XLS, ODS, gzipped CSV) as tables of text.

``read_table(path)`` returns a :class:`sync.records.Table` whose every cell is a
``str``: ``"00123"`` stays ``"00123"``, e-mails and dates stay as written, and
empty cells are ``""``. ``Row.line`` is the row number the user sees in Excel,
so messages about a row point at the right place even after title rows, blank
rows and quoted cells that span several lines.

What is sniffed, and how:

- format: by content first (OLE2 magic -> xls, ZIP with ``xl/`` -> xlsx, ZIP
  with the ODS mimetype -> ods, gzip -> decompressed and sniffed again), then by
  extension; anything else is delimited text.
- text encoding: UTF-8 (with or without BOM), UTF-16 with BOM, UTF-16 without
  BOM when NUL bytes sit in every other byte, else cp1252 (with a note).
- delimiter: Excel's ``sep=;`` first line when present, else ``, ; tab |``,
  whichever gives the most consistent column count over the first lines,
  counting only outside quoted cells.
- header row: the row among the first 20 that best matches ``expect`` (the
  columns the mapping knows), else the first row that is about as wide as the
  table; title rows above it are skipped with a note.

Every problem is an :class:`sync.errors.InputError` naming the file, the row
and column where it applies, and what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import gzip
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine as calamine

from sync.errors import InputError
from sync.records import Row, Table
from sync.text import file_name

__all__ = [
    "FORMATS",
    "MAX_UNCOMPRESSED_BYTES",
    "list_sheets",
    "normalise_header",
    "read_table",
    "sniff_format",
]

FORMATS = ("csv", "xlsx", "xls", "ods")
"""The values of ``Table.format`` and of :func:`sniff_format`."""

MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
"""Refuse archives (xlsx, ods, gzip) that would unpack to more than this."""

HEADER_SCAN_ROWS = 20  # non-empty rows searched for the header
DELIMITERS = (",", ";", "\t", "|")  # in order of preference on a tie
_SNIFF_CHARS = 65536
_SNIFF_LINES = 20

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_GZIP_MAGIC = b"\x1f\x8b"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SPREADSHEET_EXTS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
_NOT_TABLES = (  # (magic, what it is)
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_WHAT_TO_DO = "export the data from the ATS as CSV or XLSX and try again"

_INVISIBLE = "\ufeff\x00\u200b\u200c\u200d\u2060"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
_SPACES_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SEP_LINE_RE = re.compile(r"sep=([^\r\n])[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)
_HTML_RE = re.compile(rb"\s*(<!doctype html|<html|<table|<\?xml)", re.IGNORECASE)


# --------------------------------------------------------------------------- public


@lru_cache(maxsize=4096)
def normalise_header(name: str) -> str:
    """The form in which header names are compared (mapping, detection, duplicates).

    Removes BOM, NUL and zero-width characters, applies Unicode NFKC, case-folds,
    turns every run of white space (new lines and NBSP included) into one space
    and strips the ends: ``"\\ufeffE-Mail\\u00a0 Address\\n"`` -> ``"e-mail address"``.
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", name)).casefold()
    return _SPACES_RE.sub(" ", text).strip()


def sniff_format(path: str | Path) -> str:
    """The format ``read_table`` would read ``path`` as: one of :data:`FORMATS`.

    A gzipped file reports the format of its content ("csv" for a ``.csv.gz``).
    Raises ``InputError`` when the file cannot be opened or is clearly not a
    table (a PDF, an image, a ZIP that holds no spreadsheet).
    """
    source = str(path)
    data = _read_bytes(Path(path), source)
    return _classify(data, Path(path), source, [])[0]


def list_sheets(path: str | Path) -> list[str]:
    """The sheet names of a workbook, in workbook order; ``[]`` for a CSV file."""
    source = str(path)
    data = _read_bytes(Path(path), source)
    fmt, payload = _classify(data, Path(path), source, [])
    if fmt == "csv":
        return []
    book = _open_workbook(payload, fmt, source)
    try:
        return list(book.sheet_names)
    finally:
        book.close()


def read_table(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    expect: Iterable[str] = (),
) -> Table:
    """Read a CSV/XLSX/XLS/ODS file (or a gzipped CSV) as a table of text.

    ``sheet`` picks a workbook sheet by name (case-insensitive); by default the
    first non-empty visible sheet is read. ``encoding`` and ``delimiter`` force
    what is otherwise sniffed (CSV only). ``expect`` names the columns the
    caller knows; the header row is the row among the first 20 that holds the
    most of them. Raises ``InputError`` with a message for the user.
    """
    source = str(path)
    data = _read_bytes(Path(path), source)
    notes: list[str] = []
    with _gc_paused():
        return _read(data, source, sheet, encoding, delimiter, expect, notes)


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
) -> Table:
    fmt, payload = _classify(data, Path(source), source, notes)
    used_encoding: str | None = None
    used_delimiter: str | None = None
    sheet_name: str | None = None
    if fmt == "csv":
        if sheet is not None:
            notes.append(f"--sheet {sheet!r} ignored: {file_name(source)} is a CSV file")
        text, used_encoding = _decode(payload, source, encoding, notes)
        text, hinted = _split_sep_line(text)
        used_delimiter = _check_delimiter(delimiter, source) or hinted or _sniff_delimiter(text)
        grid = _parse_csv(text, used_delimiter, source)
    else:
        grid, sheet_name = _read_sheet(payload, fmt, source, sheet, notes)
    headers, rows, header_line = _build(
        grid, source, expect, notes, sheet_name, csv_delimiter=used_delimiter
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


# ---------------------------------------------------------------- file and format


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
        raise InputError(f"{source}: the file is empty (0 bytes); {_WHAT_TO_DO}")
    return data


def _classify(data: bytes, path: Path, source: str, notes: list[str]) -> tuple[str, bytes]:
    """Return (format, bytes to read): content first, then the file extension."""
    suffix = path.suffix.lower()
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, source)
        if not data:
            raise InputError(f"{source}: the gzip file holds an empty file; {_WHAT_TO_DO}")
        suffix = Path(path.stem).suffix.lower()
    if data.startswith(_OLE2_MAGIC):
        return "xls", data
    if data.startswith(_ZIP_MAGICS):
        return _zip_format(data, suffix, source), data
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            raise InputError(f"{source}: this is {what}, not a CSV or spreadsheet; {_WHAT_TO_DO}")
    if _HTML_RE.match(data[:512].lstrip(codecs.BOM_UTF8)):
        raise InputError(
            f"{source}: this is an HTML or XML page, not a CSV or spreadsheet (some ATS "
            "'Excel' exports are web pages, and a login page may have been saved instead); "
            "open it in Excel and save it as XLSX or CSV, or export the data again"
        )
    if suffix in _SPREADSHEET_EXTS:
        notes.append(
            f"{file_name(source)} is a text file despite its {suffix} extension; read as CSV"
        )
    return "csv", data


def _zip_format(data: bytes, suffix: str, source: str) -> str:
    kind = _SPREADSHEET_EXTS.get(suffix, "").upper() or "spreadsheet"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError) as exc:
        raise InputError(
            f"{source}: the {kind} file is damaged or incomplete ({exc}); a download may have "
            "been cut short: open it in Excel and save it again, or export it again"
        ) from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{source}: refusing to open this {kind}: it would unpack to "
            f"{unpacked / 2**20:,.1f} MB (limit {MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MB); "
            "real exports are far smaller, so check the file or export it as CSV"
        )
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if mimetype.strip().startswith(_ODS_MIMETYPE) or (suffix == ".ods" and "content.xml" in names):
        return "ods"
    if any(name.startswith("word/") for name in names):
        what = "a Word document"
    elif mimetype.startswith(b"application/vnd.oasis.opendocument"):
        what = "an OpenDocument file that is not a spreadsheet"
    else:
        what = "a ZIP archive"
    raise InputError(f"{source}: this is {what}, not a CSV or spreadsheet; {_WHAT_TO_DO}")


def _gunzip(data: bytes, source: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as archive:
            out = archive.read(MAX_UNCOMPRESSED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{source}: the gzip file is damaged or incomplete ({exc}); download it again"
        ) from None
    if len(out) > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{source}: refusing to unpack this gzip file: it holds more than "
            f"{MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MB; split the export into smaller files"
        )
    return out


# ------------------------------------------------------------------------ CSV text


def _decode(data: bytes, source: str, encoding: str | None, notes: list[str]) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding used)."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(
                f"{source}: unknown encoding {encoding!r} given with --encoding; use a name "
                "such as utf-8, cp1252, latin-1 or utf-16"
            ) from None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        hint = (
            f"the file is not {encoding}; pass its real encoding with --encoding "
            "(e.g. --encoding cp1252 for a Windows Excel CSV), or leave --encoding out "
            "to let the reader guess"
        )
        text, used = _strict_decode(data, encoding, source, hint), encoding
    elif (bom := _bom_encoding(data)) is not None:
        codec, size = bom
        hint = (
            f"the file starts with a {codec.upper()} byte-order mark but is not valid "
            f"{codec.upper()} (damaged?); export it again, or pass its real encoding "
            "with --encoding"
        )
        text = _strict_decode(data[size:], codec, source, hint)
        used = "utf-8-sig" if codec == "utf-8" else codec
    elif (guess := _utf16_without_bom(data)) is not None:
        hint = "it looks like UTF-16 without a BOM; pass its real encoding with --encoding"
        text, used = _strict_decode(data, guess, source, hint), guess
        notes.append(f"decoded as {guess.upper()} (NUL bytes in every other byte, no BOM)")
    else:
        if b"\x00" in data:
            count = data.count(b"\x00")
            data = data.replace(b"\x00", b"")
            notes.append(f"removed {count} NUL byte{'s' if count > 1 else ''} (\\x00)")
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if _looks_binary(data.decode("latin-1")):
                raise _binary_error(source) from None
            hint = (
                "the file is neither UTF-8 nor cp1252; pass its encoding with --encoding "
                "(e.g. --encoding cp1250 or --encoding latin-1)"
            )
            text, used = _strict_decode(data, "cp1252", source, hint), "cp1252"
            notes.append("decoded as cp1252 (not valid UTF-8)")
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"removed {count} NUL character{'s' if count > 1 else ''} (\\x00)")
    text = text.removeprefix("\ufeff").rstrip("\x1a")  # BOM; DOS end-of-file mark
    if _looks_binary(text):
        raise _binary_error(source)
    return text, used


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when the bytes start with a byte-order mark."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with FF FE too
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _strict_decode(data: bytes, encoding: str, source: str, hint: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise InputError(
            f"{source}: cannot decode byte 0x{bad} on line {line} as {encoding}: {hint}"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.6 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.6 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_CHARS]
    return len(_CONTROL_RE.findall(sample)) > max(2, len(sample) // 100)


def _binary_error(source: str) -> InputError:
    return InputError(
        f"{source}: this is not a CSV or spreadsheet file (it holds binary data); {_WHAT_TO_DO}"
    )


def _check_delimiter(delimiter: str | None, source: str) -> str | None:
    if delimiter is None:
        return None
    if delimiter.lower() in ("tab", "\\t"):
        return "\t"
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputError(
            f"{source}: --delimiter {delimiter!r} must be a single character such as , ; | or tab"
        )
    return delimiter


def _split_sep_line(text: str) -> tuple[str, str | None]:
    """Excel's optional first line ``sep=;`` names the delimiter; Excel hides the line."""
    match = _SEP_LINE_RE.match(text)
    if match is None:
        return text, None
    return text[match.end() :], match.group(1)


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | giving the most consistent column count.

    Counts each candidate per logical line over the first lines, outside quoted
    cells (a quote opens a cell only at the start of a field, as in ``csv``).
    """
    per_line: list[Counter[str]] = []
    current: Counter[str] = Counter()
    in_quotes = False
    at_field_start = True
    content = False
    limit = min(len(text), _SNIFF_CHARS)
    i = 0
    while i < limit and len(per_line) < _SNIFF_LINES:
        ch = text[i]
        i += 1
        if in_quotes:
            if ch == '"':
                if i < limit and text[i] == '"':
                    i += 1
                else:
                    in_quotes = False
        elif ch == '"' and at_field_start:
            in_quotes = content = True
        elif ch in "\r\n":
            if content:
                per_line.append(current)
                current = Counter()
            content = False
            at_field_start = True
        elif ch in DELIMITERS:
            current[ch] += 1
            content = at_field_start = True
        else:
            at_field_start = False
            content = content or not ch.isspace()
    if content and len(per_line) < _SNIFF_LINES:
        per_line.append(current)

    best, best_key = ",", (False, 0, 0.0)
    for delimiter in DELIMITERS:
        counts = Counter(line[delimiter] for line in per_line if line[delimiter])
        if not counts:
            continue
        # the most frequent non-zero count; on a tie, the larger count
        mode, frequency = max(counts.items(), key=lambda item: (item[1], item[0]))
        consistency = frequency / len(per_line)
        key = (consistency >= 0.8, mode, consistency)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _parse_csv(text: str, delimiter: str, source: str) -> list[list[str]]:
    """All records, blank ones included (as ``[]``), so index + 1 = Excel row."""
    if csv.field_size_limit() < 1 << 26:
        csv.field_size_limit(1 << 26)  # long resumes and descriptions in one cell
    grid: list[list[str]] = []
    try:
        grid.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError(
                f'{source}: row {len(grid) + 1} opens a quoted cell (") that is never closed, '
                "so everything after it would land in one cell; fix the quotes in that row or "
                "export the file again"
            ) from None
        grid = []  # a stray quote inside a cell: read it leniently, as Excel does
        try:
            grid.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc2:
            raise InputError(
                f"{source}: row {len(grid) + 1} cannot be read as CSV ({exc2}); "
                "fix that row or export the file again"
            ) from None
    return grid


# --------------------------------------------------------------------- workbooks


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


def _open_workbook(data: bytes, fmt: str, source: str) -> calamine.CalamineWorkbook:
    with _workbook_errors(data, fmt, source):
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def _password_error(source: str) -> InputError:
    return InputError(
        f"{source}: the workbook is password-protected; save a copy without a password "
        "(or export it as CSV) and try again"
    )


def _read_sheet(
    data: bytes, fmt: str, source: str, sheet: str | None, notes: list[str]
) -> tuple[list[list[str]], str]:
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
                values = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
            else:
                chosen, values = _first_non_empty_sheet(book, source)
                if names and chosen != names[0]:
                    notes.append(f"read sheet {chosen!r}, the first sheet with data")
    finally:
        book.close()
    return [[v if type(v) is str else _cell_text(v) for v in row] for row in values], chosen


def _match_sheet(wanted: str, names: Sequence[str]) -> str | None:
    if wanted in names:
        return wanted
    key = normalise_header(wanted)
    return next((name for name in names if normalise_header(name) == key), None)


def _first_non_empty_sheet(
    book: calamine.CalamineWorkbook, source: str
) -> tuple[str, Sequence[Sequence[object]]]:
    metadata = list(book.sheets_metadata)
    worksheets = [m for m in metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    visible = [m for m in worksheets if m.visible == calamine.SheetVisibleEnum.Visible]
    hidden = [m for m in worksheets if m.visible != calamine.SheetVisibleEnum.Visible]
    for meta in (*visible, *hidden):
        sheet = book.get_sheet_by_name(meta.name)
        if sheet.start is None:
            continue
        values = sheet.to_python(skip_empty_area=False)
        if any(any(v != "" for v in row) for row in values):
            return meta.name, values
    raise InputError(f"{source}: every sheet of the workbook is empty; {_WHAT_TO_DO}")


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


def _cell_text(value: object) -> str:
    """A cell value as the user sees it in Excel's General format."""
    convert = _TEXT_OF.get(type(value), str)
    return convert(value)


# ------------------------------------------------------------------ header and rows


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


def _build(
    grid: list[list[str]],
    source: str,
    expect: Iterable[str],
    notes: list[str],
    sheet: str | None,
    *,
    csv_delimiter: str | None,
) -> tuple[tuple[str, ...], tuple[Row, ...], int]:
    where = f" (sheet {sheet!r})" if sheet is not None else ""
    head = _find_header(grid, expect)
    if head is None:
        what = "the sheet is empty" if sheet is not None else "the file holds only blank lines"
        raise InputError(f"{source}{where}: no header row: {what}; {_WHAT_TO_DO}")
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
    for offset, record in enumerate(data):
        size = len(record)
        if size != width:
            if size < width:
                record = record + pad[size:]
            else:
                _check_extra(record, width, head + offset + 2, source, csv_delimiter)
                record = record[:width]
        if _is_blank(record):
            continue
        if pick is not None:
            record = [record[col] for col in pick]
        append(Row(source, head + offset + 2, dict(zip(headers, record, strict=True))))
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


def _check_extra(
    record: list[str], width: int, line: int, source: str, delimiter: str | None
) -> None:
    """A row wider than the header: an error when the extra cells hold data."""
    filled = [col for col in range(width, len(record)) if record[col].strip()]
    if not filled:
        return
    col = filled[0]
    value = record[col] if len(record[col]) <= 40 else record[col][:40] + "…"
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    raise InputError(
        f"{source}: row {line} has {filled[-1] + 1} values but the header has {width} "
        f"columns (column {_column_letter(col)} holds {value!r} and has no header); "
        f"quote cells that contain the delimiter {shown}, or add a header for the extra column"
    )
