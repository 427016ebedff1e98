"""Which format a file is, by its content first: the step before any parsing.

``classify`` looks at the bytes: OLE2 magic -> xls, ZIP with ``xl/`` -> xlsx,
ZIP with the ODS mimetype -> ods, gzip -> decompressed and classified again;
then at the extension; anything else is delimited text ("csv"). Files that
are clearly not tables (a PDF, an image, a Word document, an HTML page saved
as ``.xls``) are refused here with what to do, and so are archives that would
unpack past :data:`MAX_UNCOMPRESSED_BYTES`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zipfile
import zlib
from pathlib import Path

from sync.errors import InputError
from sync.text import file_name

FORMATS = ("csv", "xlsx", "xls", "ods")
"""The values of ``Table.format`` and of :func:`~sync.readers.tables.sniff_format`."""

MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
"""Refuse archives (xlsx, ods) that would unpack to more than this."""

MAX_INPUT_BYTES = 256 * 1024 * 1024
"""The largest input read by default (``--max-input-mb``): a file, or a gzipped CSV's content."""

WHAT_TO_DO = "export the data from the ATS as CSV or XLSX and try again"
"""The advice that ends every message about a file that is not a readable table."""

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
_HTML_RE = re.compile(rb"\s*(<!doctype html|<html|<table|<\?xml)", re.IGNORECASE)


def classify(
    data: bytes, path: Path, source: str, notes: list[str], *, limit: int = MAX_INPUT_BYTES
) -> tuple[str, bytes]:
    """Return (format, bytes to read): content first, then the file extension.

    A gzipped file's content may be at most ``limit`` bytes."""
    suffix = path.suffix.lower()
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, source, limit)
        if not data:
            raise InputError(f"{source}: the gzip file holds an empty file; {WHAT_TO_DO}")
        suffix = Path(path.stem).suffix.lower()
    if data.startswith(_OLE2_MAGIC):
        return "xls", data
    if data.startswith(_ZIP_MAGICS):
        return _zip_format(data, suffix, source), data
    for magic, what in _NOT_TABLES:
        if data.startswith(magic):
            raise InputError(f"{source}: this is {what}, not a CSV or spreadsheet; {WHAT_TO_DO}")
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
    raise InputError(f"{source}: this is {what}, not a CSV or spreadsheet; {WHAT_TO_DO}")


def _gunzip(data: bytes, source: str, limit: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as archive:
            out = archive.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"{source}: the gzip file is damaged or incomplete ({exc}); download it again"
        ) from None
    if len(out) > limit:
        raise InputError(
            f"{source}: refusing to unpack this gzip file: it holds more than "
            f"{limit / 2**20:,.0f} MB; split the export into smaller files, or raise the"
            " limit with --max-input-mb"
        )
    return out


__all__ = ["FORMATS", "MAX_INPUT_BYTES", "MAX_UNCOMPRESSED_BYTES", "WHAT_TO_DO", "classify"]
