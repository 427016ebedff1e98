"""What one condition says of one row: the checks ``sync.mapping.select`` binds.

A check takes a row's cells (and its job's) and returns ``None`` when the
condition holds, else the reason the row is excluded, in the user's words
(``Status is 'Rejected'``, ``Applied On 2026-10-02, before 2026-11-01``). A cell
it cannot read (a date that is no date, ``maybe`` for yes/no) raises
``FieldProblem``: the row then goes on, and ends invalid. Text compares with
case and runs of spaces ignored (:func:`norm`); yes/no reads the spellings
exports use (:func:`truth`); dates are read by ``sync.dates``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sync.dates import read_date
from sync.errors import FieldProblem
from sync.jobmojito.fields import shown
from sync.mapping.bind import Values

#: What a condition says of a row: ``None`` it holds, else why not (FieldProblem: unreadable).
Check = Callable[[Values, Values], str | None]
Read = Callable[[Values, Values], str]
#: The header a row's value came from (one of a condition's column alternatives), for reasons.
Named = Callable[[Values, Values], str]

#: How exports say yes and no (Excel's TRUE/FALSE, checkboxes, German and French words).
TRUE_WORDS = frozenset(
    ("true", "yes", "y", "1", "x", "ja", "oui", "si", "sí", "wahr", "vrai", "✓", "✔", "checked")
)
FALSE_WORDS = frozenset(
    ("false", "no", "n", "0", "nein", "non", "falsch", "faux", "unchecked", "-")
)
DATE_FORMS = "a date such as 2026-11-01, 01.11.2026, 11/01/2026 or Nov 1, 2026"


def norm(text: str) -> str:
    """Text as conditions compare it: case and runs of white space ignored."""
    return " ".join(text.split()).casefold()


def truth(text: str) -> bool | None:
    """A cell as yes/no: True, False (a blank cell too), or ``None`` when it says neither."""
    if not text:
        return False
    word = norm(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def text_check(op: str, value: Any, read: Read, named: Named) -> Check:
    """The check of a text operator: equals, not_equals, in, not_in, is, (not_)matches."""

    def said(text: str, a: Values, j: Values) -> str:
        name = named(a, j)
        return f"{name} is {shown(text)}" if text else f"{name} is blank"

    if op in ("equals", "in", "not_equals", "not_in"):
        wanted = frozenset(norm(v) for v in ([value] if isinstance(value, str) else value))
        keep = op in ("equals", "in")

        def member(a: Values, j: Values) -> str | None:
            text = read(a, j)
            if (norm(text) in wanted) is keep:
                return None
            return said(text, a, j)

        return member
    if op == "is":
        return _is_check(value, read, named, said)
    pattern = re.compile(value, re.IGNORECASE)
    keep = op == "matches"

    def match(a: Values, j: Values) -> str | None:
        text = read(a, j)
        if (pattern.search(text) is not None) is keep:
            return None
        if not text:
            return f"{named(a, j)} is blank"
        verb = "does not match" if keep else "matches"
        return f"{named(a, j)} {shown(text)} {verb} {shown(value)}"

    return match


def _is_check(
    value: str, read: Read, named: Named, said: Callable[[str, Values, Values], str]
) -> Check:
    if value in ("blank", "not blank"):
        blank = value == "blank"

        def emptiness(a: Values, j: Values) -> str | None:
            text = read(a, j)
            return None if (not text) is blank else said(text, a, j)

        return emptiness
    wanted = value == "true"

    def yes_no(a: Values, j: Values) -> str | None:
        text = read(a, j)
        said_yes = truth(text)
        if said_yes is None:
            raise FieldProblem(
                f"{named(a, j)}: {shown(text)} is neither true nor false"
                " (yes: TRUE, yes, 1, x …; no: FALSE, no, 0, blank …)"
            )
        return None if said_yes is wanted else said(text, a, j)

    return yes_no


def any_of(branches: Sequence[Check]) -> Check:
    """Holds when one of ``branches`` holds; else every reason, or the unreadable cell."""

    def one_of(a: Values, j: Values) -> str | None:
        whys: list[str] = []
        problem: FieldProblem | None = None
        for check in branches:
            try:
                why = check(a, j)
            except FieldProblem as exc:
                problem = problem or exc
                continue
            if why is None:
                return None
            whys.append(why)
        if problem is not None:
            raise problem
        return "none of: " + "; ".join(whys)

    return one_of


_DATE_FAILS: dict[str, tuple[Callable[[date, date], bool], str]] = {
    "since": (lambda day, limit: day < limit, "before"),
    "after": (lambda day, limit: day <= limit, "not after"),
    "until": (lambda day, limit: day > limit, "after"),
    "before": (lambda day, limit: day >= limit, "not before"),
}


def date_check(
    op: str,
    limit: date,
    read: Read,
    named: Named,
    day_first: bool,
    since: str = "",
    *,
    days: int | None = None,
) -> Check:
    """The check of ``since``/``after``/``until``/``before`` ``limit``: a blank cell fails,
    a cell that is no date is unreadable. ``since``: the ``--since`` text, whose reason
    reads ``applied 2026-10-02, before --since 2026-11-01``; ``days``: ``within_days``."""
    fails, word = _DATE_FAILS[op]
    tail = f"more than {days} days ago" if days is not None else f"{word} {limit.isoformat()}"

    def check(a: Values, j: Values) -> str | None:
        text = read(a, j)
        if not text:
            return f"{named(a, j)} is blank"
        day = read_date(text, day_first=day_first)
        if day is None:
            raise FieldProblem(f"{named(a, j)}: {shown(text)} is not {DATE_FORMS}")
        if not fails(day, limit):
            return None
        if since:
            return f"applied {day.isoformat()}, before --since {since}"
        return f"{named(a, j)} {day.isoformat()}, {tail}"

    return check


__all__ = [
    "DATE_FORMS",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "Check",
    "any_of",
    "date_check",
    "norm",
    "text_check",
    "truth",
]
