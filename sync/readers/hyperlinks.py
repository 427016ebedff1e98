"""The web links behind an XLSX sheet's cells: a resume link whose cell shows "Resume".

Exports put a resume's URL in a cell's hyperlink rather than its text
(``=HYPERLINK`` aside, which calamine already gives as text). python-calamine
does not expose hyperlinks, openpyxl's read-only mode cannot see them, and
openpyxl's normal mode builds every cell of the workbook in memory (about ten
times the file's unpacked size). So this module reads the few parts that hold
them straight from the zip: ``xl/workbook.xml`` and its relations to find the
sheet's part, the sheet's relations (a sheet without external relations has no
links, and its XML is not read at all), then the sheet's ``<hyperlinks>``
element, streamed with ``iterparse`` while each ``<row>`` is dropped as soon as
it is passed, so memory stays flat however large the sheet.

Only ``http``/``https`` targets are returned; links to places inside the
workbook, ``mailto:`` and ``file:`` links are not resume links. A damaged or
unusual package gives no links rather than an error: the cell text is still read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser, fromstring

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_HYPERLINK_TYPE = "/hyperlink"
_CELL = re.compile(r"([A-Z]{1,3})(\d{1,7})")
MAX_LINKS = 1_000_000  # cells read per sheet; a hostile sheet cannot grow this further


def _column(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _cells(ref: str) -> list[tuple[int, int]]:
    """``"B2"`` -> ``[(1, 1)]``; ``"B2:C3"`` -> every cell of the range (row, column)."""
    ends = []
    for part in ref.upper().split(":")[:2]:
        match = _CELL.fullmatch(part.strip())
        if match is None:
            return []
        ends.append((int(match.group(2)) - 1, _column(match.group(1))))
    (r1, c1), (r2, c2) = ends[0], ends[-1]
    if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:  # a link over a whole area: not a resume link
        return []
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _safe_xml(data: bytes) -> bytes | None:
    """The part's bytes, unless they declare a DTD. Without a DTD there are no entity
    declarations, so neither entity expansion ("billion laughs") nor external
    entities can happen; OOXML parts never need one."""
    return None if b"<!DOCTYPE" in data[:4096].upper() else data


def _relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str, str]]:
    """A part's relations: id -> (type, target, target mode)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    data = _safe_xml(archive.read(rels))
    if data is None:
        return {}
    out = {}
    for rel in fromstring(data).iter(f"{_PKG}Relationship"):  # noqa: S314 (no DTD: _safe_xml)
        out[rel.get("Id", "")] = (
            rel.get("Type", ""),
            rel.get("Target", ""),
            rel.get("TargetMode", ""),
        )
    return out


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    data = _safe_xml(archive.read("xl/workbook.xml"))
    if data is None:
        return None
    rel_id = None
    for node in fromstring(data).iter(f"{_MAIN}sheet"):  # noqa: S314 (no DTD: _safe_xml)
        if node.get("name") == sheet:
            rel_id = node.get(f"{_REL}id")
            break
    relation = _relations(archive, "xl/workbook.xml").get(rel_id or "")
    if relation is None:
        return None
    target = relation[1]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def sheet_links(data: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """(0-based row, 0-based column) -> the web address a cell of ``sheet`` links to."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            if part is None or part not in archive.NameToInfo:
                return {}
            targets = {
                rid: target
                for rid, (kind, target, mode) in _relations(archive, part).items()
                if kind.endswith(_HYPERLINK_TYPE)
                and mode == "External"
                and target.lower().startswith(("http://", "https://"))
            }
            if not targets:
                return {}
            with archive.open(part) as fh:
                return _read_links(fh, targets)
    except (zipfile.BadZipFile, KeyError, OSError, ParseError, ValueError, RuntimeError):
        return {}


def _read_links(fh: IO[bytes], targets: dict[str, str]) -> dict[tuple[int, int], str]:
    """Stream the sheet's XML: rows are dropped as they pass, hyperlinks kept."""
    links: dict[tuple[int, int], str] = {}
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    rows: Element | None = None  # <sheetData>, emptied after each row
    first = True
    while chunk := fh.read(1 << 16):
        if first and _safe_xml(chunk) is None:
            return {}
        first = False
        parser.feed(chunk)
        for event, node in cast("Iterator[tuple[str, Element]]", parser.read_events()):
            if not isinstance(node, Element):
                continue
            if event == "start":
                if node.tag == f"{_MAIN}sheetData":
                    rows = node
            elif node.tag == f"{_MAIN}row":  # the cells: read by calamine, not needed here
                (rows if rows is not None else node).clear()
            elif node.tag == f"{_MAIN}hyperlink":
                target = targets.get(node.get(f"{_REL}id", ""))
                for cell in _cells(node.get("ref", "")) if target else ():
                    links[cell] = target or ""
                    if len(links) >= MAX_LINKS:
                        return links
    parser.close()
    return links


__all__ = ["MAX_LINKS", "sheet_links"]
