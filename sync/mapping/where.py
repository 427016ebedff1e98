"""``--where`` and ``--since`` as typed: one line of text to a condition's keys.

The syntax (README "Choosing who gets an interview")::

    COLUMN = VALUE          COLUMN != VALUE
    COLUMN in A, B, "C, D"  COLUMN not in A, B
    COLUMN is blank         COLUMN is not blank     COLUMN is true     COLUMN is false
    COLUMN >= DATE          COLUMN > DATE           COLUMN <= DATE     COLUMN < DATE
    COLUMN >= 7d            COLUMN within 7d        (the last 7 days)
    COLUMN ~ PATTERN        COLUMN !~ PATTERN       (a regular expression, case ignored)

Words and signs are found between spaces; a column whose name holds one
(``Currently in Standard Stage Hired``) is found anyway, since every reading is
tried against the file's headers (``sync.mapping.select``), or may be written in
double quotes. DATE is ``2026-11-01`` or ``01.11.2026`` (``03/04/2026`` reads two
ways and is refused). Every mistake is one line saying what to write.
``sync.mapping.conditions`` turns the keys into a ``Condition``.
"""

from __future__ import annotations

import re
from typing import Any

from sync.dates import given_date, is_slashed

IS_VALUES: tuple[str, ...] = ("blank", "not blank", "true", "false")
DATE_OPERATORS = ("since", "after", "until", "before")


def is_value(value: Any) -> Any:
    """An ``is`` value as written (``empty``, ``not_blank``, YAML ``true``) to its name."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = " ".join(value.replace("_", " ").split()).lower()
        return {"empty": "blank", "not empty": "not blank"}.get(text, text)
    return value


def pattern_problem(pattern: str) -> str:
    """Why ``pattern`` is not a regular expression, or ``""``."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a regular expression ({exc})"
    return ""


# ---------------------------------------------------------------- --where text

WHERE_SYNTAX = (
    "write COLUMN = VALUE, != VALUE, in A, B, not in A, B, is blank, is not blank,"
    " is true, is false, >= DATE, > DATE, <= DATE, < DATE, within 7d, ~ PATTERN or !~ PATTERN"
)
_SIGN_OPS = {
    "!=": "not_equals",
    ">=": "since",
    "<=": "until",
    "!~": "not_matches",
    "=": "equals",
    ">": "after",
    "<": "before",
    "~": "matches",
}
_OPERATOR = re.compile(
    r"\s*(?:(!=|>=|<=|!~|=|>|<|~)|(?<=\s)(not\s+in|in|is\s+not|is|within)(?=\s|$))\s*",
    re.IGNORECASE,
)
_DAYS = re.compile(r"(\d{1,5})\s*(?:d|days?)", re.IGNORECASE)


def where_keys(text: str) -> tuple[list[dict[str, Any]], str]:
    """Every reading of ``--where`` text as a condition's keys, the earliest operator
    first (``Currently in Stage Hired is true``: column ``Currently`` with ``in``, then
    ``Currently in Stage Hired`` with ``is``), and the first reason a reading failed
    (the message when there is none). A column in double quotes has one reading."""
    raw = " ".join(text.split())
    if not raw:
        return [], "an empty condition; " + WHERE_SYNTAX
    if raw[0] == '"':
        end = raw.find('"', 1)
        if end < 1:
            return [], f"'{raw}': the column's closing quote is missing"
        column, rest = raw[1:end], raw[end + 1 :]
        m = _OPERATOR.match(" " + rest)
        if not m or not column.strip():
            return [], f"'{raw}': no operator after the column; {WHERE_SYNTAX}"
        try:
            return [_keys_of(column, m, (" " + rest)[m.end() :])], ""
        except ValueError as exc:
            return [], f"'{raw}': {exc}"
    found: list[dict[str, Any]] = []
    error = ""
    for m in _OPERATOR.finditer(raw):
        column = raw[: m.start()].strip()
        if not column:
            continue
        try:
            found.append(_keys_of(column, m, raw[m.end() :]))
        except ValueError as exc:
            error = error or f"'{raw}': {exc}"
    if not found and not error:
        error = f"'{raw}': no operator; {WHERE_SYNTAX}"
    return found, error


def _keys_of(column: str, m: re.Match[str], rest: str) -> dict[str, Any]:
    sign, word = m.group(1), (m.group(2) or "").lower()
    value = rest.strip()
    keys: dict[str, Any] = {"column": [column]}
    if sign:
        op = _SIGN_OPS[sign]
        if op in DATE_OPERATORS:
            days = _DAYS.fullmatch(value)
            if days and op == "since":
                keys["within_days"] = int(days[1])
                return keys
            if days:
                raise ValueError(f"'{sign} {value}': give a date (N days: 'within {value}')")
            keys[op] = given_date(value)  # ValueError says what to write
            return keys
        if not value:
            hint = " (or 'is blank')" if op in ("equals", "not_equals") else ""
            raise ValueError(f"give a value after '{sign}'{hint}")
        if op in ("matches", "not_matches"):
            problem = pattern_problem(value)
            if problem:
                raise ValueError(problem)
        keys[op] = _unquoted(value)
        return keys
    word = " ".join(word.split())
    if word in ("in", "not in"):
        values = _split_values(value)
        if not values:
            raise ValueError(f"give the values after '{word}', separated by commas")
        keys["in" if word == "in" else "not_in"] = values
    elif word in ("is", "is not"):
        what = is_value(value)
        if word == "is not":
            what = {"blank": "not blank", "true": "false", "false": "true"}.get(what, "")
        if what not in IS_VALUES:
            raise ValueError(f"'{word} {value}': write is blank, is not blank, is true or is false")
        keys["is"] = what
    else:  # within
        days = _DAYS.fullmatch(value)
        if not days or int(days[1]) < 1:
            raise ValueError(f"'within {value}': write within 7d (a number of days)")
        keys["within_days"] = int(days[1])
    return keys


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_values(text: str) -> list[str]:
    """``a, "b, c", d`` -> ``[a, "b, c", d]``; surrounding brackets are dropped."""
    text = text.strip()
    if len(text) >= 2 and (text[0], text[-1]) in (("(", ")"), ("[", "]")):
        text = text[1:-1]
    out: list[str] = []
    for m in re.finditer(r'\s*("[^"]*"|\'[^\']*\'|[^,]*)\s*(?:,|$)', text):
        item = _unquoted(m.group(1).strip())
        if item:
            out.append(item)
    return out


# ---------------------------------------------------------------- --since

SINCE_FORMS = "a date (2026-11-01 or 01.11.2026), a number of days (7d) or last-run"


def parse_since(text: str) -> str:
    """``--since`` text, checked and normalised: ``2026-11-01``, ``7d`` or ``last-run``.
    ValueError with what to write."""
    value = " ".join(text.split()).lower()
    if value in ("last-run", "last run", "lastrun", "last_run"):
        return "last-run"
    days = _DAYS.fullmatch(value)
    if days:
        if int(days[1]) < 1:
            raise ValueError(f"'{text}': give at least 1 day")
        return f"{int(days[1])}d"
    try:
        return given_date(text).isoformat()
    except ValueError as exc:
        if is_slashed(text):
            raise  # "reads two ways": the message says what to write
        raise ValueError(f"'{text}' is not {SINCE_FORMS}") from exc


__all__ = [
    "DATE_OPERATORS",
    "IS_VALUES",
    "SINCE_FORMS",
    "WHERE_SYNTAX",
    "is_value",
    "parse_since",
    "pattern_problem",
    "where_keys",
]
