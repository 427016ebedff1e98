"""The dates ATS exports write, read strictly: what ``select:`` and ``--since`` compare.

A cell is read as the calendar day it names, as written (a time and a zone
after it are checked and dropped: selection compares days). The forms:

- ISO and its relatives: ``2026-11-01``, ``2026-11-01 09:00:00`` (Lever's
  ``(GMT)`` columns), ``2026-11-01T12:00:00.000Z`` (Ashby), ``2026-11-01
  08:30:00 UTC`` (Recruitee, Workable), ``2026/11/01``;
- day first with dots: ``01.11.2026``, ``22.03.2022 15:59:12`` (Personio,
  Teamtailor), ``1.11.26``;
- day first with dashes and a short year: ``01-11-26 09:00`` (a Lever export
  re-saved by Excel);
- slashes, ``11/05/2026`` (iCIMS, JazzHR: month first in US accounts) or
  ``05/11/2026`` (day first elsewhere): which comes first is decided per
  column by :func:`slash_order`, from a value that shows it (a part over 12);
- month names: ``Nov 1, 2026``, ``1 Nov 2026``, ``01-Nov-2026``, ``1. November
  2026`` (English and German names);
- an Excel serial day number, ``45962`` or ``45962.375`` (a date cell that
  reached a CSV as its number), 1900 date system;
- Unix time, 10 digits in seconds or 13 in milliseconds (Lever's API and the
  connectors that copy it).

Text in none of these forms is not a date (``None``), never a guess:
``dateutil`` was measured reading ``01.11.2026`` as 11 January, ``1`` as the
first of this month, and costing ~50 µs a cell; these regular expressions cost
about 2 µs and know the forms above, Excel serials and epochs included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

#: Years a cell may name: anything else is a number that looks like a date.
FIRST_YEAR, LAST_YEAR = 1900, 2199
#: Excel serial day numbers read as dates: 1954-10-03 .. 2119-01-05.
_SERIALS = (20_000, 80_000)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug)

# A time after the date, and an optional zone: checked, then dropped.
_TIME = (
    r"(?:[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|\([A-Z]{2,5}\)|[A-Z]{3,4}))?)?\s*"
)
_ISO = re.compile(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + r"$")
_DOTTED = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})\.?" + _TIME + r"$")
_DASHED = re.compile(r"\s*(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})" + _TIME + r"$")
_SLASHED = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME + r"$")
_NUMBER = re.compile(r"\s*(\d{1,13})(?:\.(\d+))?\s*$")

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar jän jänner",
        "feb february februar",
        "mar march märz maerz mrz",
        "apr april",
        "may mai",
        "jun june juni",
        "jul july juli",
        "aug august",
        "sep sept september",
        "oct october okt oktober",
        "nov november",
        "dec december dez dezember",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
_MONTH = r"([A-Za-zäÄ]{3,9})\.?"
_NAMED_DAY_FIRST = re.compile(r"\s*(\d{1,2})\.?[ -]" + _MONTH + r"[ ,-]\s*(\d{4})" + _TIME + "$")
_NAMED_MONTH_FIRST = re.compile(
    r"\s*" + _MONTH + r" (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _TIME + "$"
)


def _day(written: str, month: int, day: int) -> date | None:
    """The day of a year as written (two digits: 1970-2069), or ``None``."""
    year = int(written)
    if len(written) <= 2:
        year += 2000 if year < 70 else 1900
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_date(text: str, *, day_first: bool = False) -> date | None:
    """The day ``text`` names in one of the forms of this module, else ``None``.

    ``day_first`` says how to read ``05/11/2026`` when neither part is over 12
    (:func:`slash_order` decides it for a column).
    """
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        return _day(m[1], int(m[2]), int(m[3]))
    m = _DOTTED.match(text) or _DASHED.match(text)
    if m:
        return _day(m[3], int(m[2]), int(m[1]))
    m = _SLASHED.match(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), m[3]
        if a > 12 or (day_first and b <= 12):
            return _day(year, b, a)
        return _day(year, a, b)
    m = _NUMBER.match(text)
    if m:
        return _from_number(m[1], m[2])
    m = _NAMED_DAY_FIRST.match(text)
    if m and m[2].lower() in _MONTHS:
        return _day(m[3], _MONTHS[m[2].lower()], int(m[1]))
    m = _NAMED_MONTH_FIRST.match(text)
    if m and m[1].lower() in _MONTHS:
        return _day(m[3], _MONTHS[m[1].lower()], int(m[2]))
    return None


def _from_number(whole: str, fraction: str | None) -> date | None:
    """An Excel serial day (5 digits) or Unix time (10 digits: seconds, 13: milliseconds)."""
    if len(whole) == 5 and _SERIALS[0] <= int(whole) <= _SERIALS[1]:
        return _EXCEL_EPOCH + timedelta(days=int(whole))
    if fraction is not None:
        return None
    if len(whole) == 10:
        return datetime.fromtimestamp(int(whole), UTC).date()
    if len(whole) == 13:
        return datetime.fromtimestamp(int(whole) / 1000, UTC).date()
    return None


def slash_order(values: Iterable[str]) -> bool | None:
    """Whether a column's ``a/b/yyyy`` dates are day first (True), month first (False),
    or ``None`` when no value shows it (every part 12 or less) or the values disagree."""
    day_first = month_first = False
    for text in values:
        m = _SLASHED.match(text)
        if m is None:
            continue
        a, b = int(m[1]), int(m[2])
        day_first |= a > 12
        month_first |= b > 12
        if day_first and month_first:
            return None
    if day_first == month_first:
        return None
    return day_first


def is_slashed(text: str) -> bool:
    """Whether ``text`` is an ``a/b/yyyy`` date (whose order a column must decide)."""
    return _SLASHED.match(text) is not None


_GIVEN_FORMS = "2026-11-01 or 01.11.2026"


def given_date(text: str) -> date:
    """A date typed by a person (a flag, a config key, a mapping file): the ISO form or
    the dotted day-first one, never a slashed one (``03/04/2026`` reads two ways).
    Raises ValueError saying what to write."""
    value = text.strip()
    if _SLASHED.match(value):
        raise ValueError(f"'{value}' reads two ways (day or month first); write {_GIVEN_FORMS}")
    found = read_date(value) if (_ISO.match(value) or _DOTTED.match(value)) else None
    if found is None:
        raise ValueError(f"'{value}' is not a date; write {_GIVEN_FORMS}")
    return found


__all__ = ["given_date", "is_slashed", "read_date", "slash_order"]
