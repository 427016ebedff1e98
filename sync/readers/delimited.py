"""Delimited text to a grid of cells: the delimiter, then the records.

The delimiter is ``--delimiter`` when given, else Excel's ``sep=;`` first line
(which Excel hides), else whichever of ``, ; tab |`` gives the most consistent
column count over the first lines, counting only outside quoted cells. The
grid keeps blank records, so a record's index + 1 is its Excel row number even
when quoted cells span several lines.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from sync.errors import InputError
from sync.readers.encoding import decode

DELIMITERS = (",", ";", "\t", "|")  # in order of preference on a tie
_SNIFF_CHARS = 65536  # characters sampled for the delimiter
_SNIFF_LINES = 20  # logical lines sampled for the delimiter
_SEP_LINE_RE = re.compile(r"sep=([^\r\n])[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)


def read_delimited(
    data: bytes, source: str, encoding: str | None, delimiter: str | None, notes: list[str]
) -> tuple[list[list[str]], str, str]:
    """The grid of a delimited file's bytes, with the encoding and delimiter used."""
    text, used_encoding = decode(data, source, encoding, notes)
    text, hinted = _split_sep_line(text)
    used_delimiter = _check_delimiter(delimiter, source) or hinted or _sniff_delimiter(text)
    return _parse_csv(text, used_delimiter, source), used_encoding, used_delimiter


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


__all__ = ["DELIMITERS", "read_delimited"]
