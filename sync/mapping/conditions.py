"""Who gets an interview: the ``select:`` section of a mapping, and ``--where`` / ``--since``.

A mapping's ``select:`` section says which rows may be sent::

    select:
      application_date: [Applied On, Application date]   # what --since compares
      day_first: false          # 05/11/2026 when no value shows the order (default: month first)
      where:                    # every condition must hold (any: one of several)
        - {column: Status, not_in: [Rejected, Hired], optional: true}
        - {column: [Archived At (GMT), Archive Date], is: blank, optional: true}
        - {column: Hired, is: false}
        - any:
            - {column: Stage, in: [Applied, Phone screen]}
            - {column: jobs.Status, equals: Open}
        - "Applied On >= 2026-01-01"       # a condition may be written as --where text

A condition names a ``column`` (a list: the first of them the file has whose cell
is not blank, as for fields) and exactly one operator:

====================  ===============================================  ========================
key                   holds when the cell …                            ``--where`` text
====================  ===============================================  ========================
``equals: X``         is X (case and spaces ignored)                   ``Stage = Applied``
``not_equals: X``     is not X (a blank cell is not X)                 ``Stage != Hired``
``in: [X, Y]``        is one of them                                   ``Stage in Applied, New``
``not_in: [X, Y]``    is none of them                                  ``Status not in A, B``
``is: blank``         is empty (``not blank``: is not)                 ``Hired At is blank``
``is: true``          says yes: TRUE, yes, y, 1, x, ✓ … (``false``:    ``Hired is false``
                      no, 0, blank …; other text: the row is invalid)
``since: DATE``       is that day or later (``after``: later)          ``Applied >= 2026-11-01``
``until: DATE``       is that day or earlier (``before``: earlier)     ``Applied < 2026-11-01``
``within_days: N``    is within the last N days                        ``Applied within 30d``
``matches: RE``       matches the regular expression, case ignored     ``Tags ~ ^remote``
                      (``not_matches``: does not)
``any: [...]``        at least one of the conditions holds
====================  ===============================================  ========================

``optional: true`` lets a condition whose columns the file lacks be left out (and
noted); otherwise such a condition stops the run before anything is sent, with
the file's headers. ``jobs.X`` names a column of the joined jobs file; a row whose
job is not in the jobs file meets such a condition (the mapping then reports the
missing job). Dates are read by ``sync.dates``; a date cell that is not a date
makes the row invalid (never quietly excluded). What the conditions do to the
rows of a file is ``sync.mapping.select``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sync.dates import given_date
from sync.mapping.where import (
    DATE_OPERATORS,
    IS_VALUES,
    is_value,
    parse_since,
    pattern_problem,
    where_keys,
)

#: The operators a condition may have, in the order messages list them.
OPERATORS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "is",
    "since",
    "after",
    "until",
    "before",
    "within_days",
    "matches",
    "not_matches",
    "any",
)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _scalar_text(value: Any) -> Any:
    """A YAML scalar as the text a cell would hold: ``1`` -> ``"1"``, ``true`` -> ``"true"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date):
        return str(value)
    return value


def _scalar_list(value: Any) -> Any:
    value = _as_list(value)
    return [_scalar_text(v) for v in value] if isinstance(value, list) else value


def _a_date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return given_date(value)  # ValueError: the message says what to write
    return value


Names = Annotated[list[str], BeforeValidator(_as_list)]
Text = Annotated[str, BeforeValidator(_scalar_text)]
Texts = Annotated[list[str], BeforeValidator(_scalar_list)]
Day = Annotated[date, BeforeValidator(_a_date)]


def _condition(value: Any) -> Any:
    """A condition written as ``--where`` text becomes its keys (ValueError: why not)."""
    if isinstance(value, str):
        keys, error = where_keys(value)
        if not keys:
            raise ValueError(error)
        return keys[0]
    return value


class Condition(BaseModel):
    """One condition of ``select.where`` (or of ``--where``): a column and one operator."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    column: Names | None = None
    equals: Text | None = None
    not_equals: Text | None = None
    in_: Texts | None = Field(default=None, alias="in")
    not_in: Texts | None = None
    is_: Annotated[
        Literal["blank", "not blank", "true", "false"] | None, BeforeValidator(is_value)
    ] = Field(default=None, alias="is")
    since: Day | None = None
    after: Day | None = None
    until: Day | None = None
    before: Day | None = None
    within_days: int | None = Field(default=None, gt=0)
    matches: str | None = None
    not_matches: str | None = None
    any: list[Annotated[Condition, BeforeValidator(_condition)]] | None = None
    optional: bool = False

    def operators(self) -> list[str]:
        """The operators given (exactly one in a valid condition), by their file names."""
        given = {_ALIASES.get(name, name) for name in self.model_fields_set}
        return [op for op in OPERATORS if op in given]

    def operator(self) -> str:
        return self.operators()[0]

    def value(self) -> Any:
        op = self.operator()
        return getattr(self, _FIELD_OF.get(op, op))

    def describe(self) -> str:
        """The condition as ``--where`` text: ``Status not in Rejected, Hired``."""
        op, value = self.operator(), self.value()
        if op == "any":
            return "any of (" + "; ".join(c.describe() for c in value) + ")"
        column = (self.column or ["?"])[0]
        if op in ("in", "not_in"):
            return f"{column} {op.replace('_', ' ')} {', '.join(_quoted(v) for v in value)}"
        if op == "is":
            return f"{column} is {value}"
        if op == "within_days":
            return f"{column} within {value}d"
        return f"{column} {_SIGNS[op]} {value}"


_ALIASES = {"in_": "in", "is_": "is"}
_FIELD_OF = {"in": "in_", "is": "is_"}
_SIGNS = {
    "equals": "=",
    "not_equals": "!=",
    "since": ">=",
    "after": ">",
    "until": "<=",
    "before": "<",
    "matches": "~",
    "not_matches": "!~",
}


def _quoted(value: str) -> str:
    return f'"{value}"' if "," in value or value != value.strip() else value


Condition.model_rebuild()  # ``any:`` holds conditions


class Select(BaseModel):
    """``select:``: which rows of the export may be sent (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    application_date: Names = []  # the application date column(s): what --since compares
    day_first: bool | None = None  # 05/11/2026 in a column no value decides: day first?
    where: list[Annotated[Condition, BeforeValidator(_condition)]] = []

    def columns(self) -> list[str]:
        """Every column the section names (``jobs.`` ones included, as written)."""
        out = list(self.application_date)
        stack = list(self.where)
        while stack:
            condition = stack.pop()
            out.extend(condition.column or ())
            stack.extend(condition.any or ())
        return out


def check_select(select: Select, *, has_jobs: bool) -> list[str]:
    """The rules of a ``select:`` section its types cannot say, as ``key.path: problem``."""
    problems: list[str] = []
    for i, ref in enumerate(select.application_date):
        if ref.startswith("jobs.") or not ref.strip():
            problems.append(
                f"select.application_date[{i}]: give a column of the applicants file"
                f" ({'not the jobs file' if ref.strip() else 'not an empty name'})"
            )
    for i, condition in enumerate(select.where):
        problems.extend(check_condition(condition, f"select.where[{i}]", has_jobs=has_jobs))
    return problems


def check_condition(condition: Condition, at: str, *, has_jobs: bool) -> list[str]:
    """The rules of one condition that its types cannot say, as ``key.path: problem`` lines."""
    problems: list[str] = []
    ops = condition.operators()
    if len(ops) != 1:
        given = f" (it has {' and '.join(ops)}: write one condition each)" if ops else ""
        return [f"{at}: give exactly one operator{given}; allowed: {', '.join(OPERATORS)}"]
    op = ops[0]
    if op == "any":
        if condition.column is not None:
            problems.append(f"{at}.column: any: takes conditions, each with its own column")
        if not condition.any:
            problems.append(f"{at}.any: give at least one condition")
        for i, branch in enumerate(condition.any or ()):
            problems.extend(check_condition(branch, f"{at}.any[{i}]", has_jobs=has_jobs))
        return problems
    if not condition.column:
        return [f"{at}: give the column the condition is on (column: Name)"]
    for i, ref in enumerate(condition.column):
        sub = f"{at}.column" + (f"[{i}]" if len(condition.column) > 1 else "")
        if not ref.removeprefix("jobs.").strip():
            problems.append(f"{sub}: empty column name")
        elif ref.startswith("jobs.") and not has_jobs:
            problems.append(
                f"{sub}: '{ref}' refers to the jobs file, but the mapping has no jobs: section"
            )
    if op in ("in", "not_in") and not condition.value():
        problems.append(f"{at}.{op}: give at least one value")
    if op in ("matches", "not_matches"):
        problem = pattern_problem(condition.value())
        if problem:
            problems.append(f"{at}.{op}: {problem}")
    return problems


def parse_where(text: str) -> Condition:
    """``--where`` text as a Condition (``sync.mapping.where``); ValueError with a
    one-line message when it is none."""
    readings = where_readings(text)
    if not readings:
        raise ValueError(where_keys(text)[1])
    return readings[0]


def where_readings(text: str) -> list[Condition]:
    """Every way ``--where`` text reads as a condition, the earliest operator first;
    the binding (``sync.mapping.select``) takes the first whose column the file has."""
    return [Condition.model_validate(keys) for keys in where_keys(text)[0]]


__all__ = [
    "DATE_OPERATORS",
    "IS_VALUES",
    "OPERATORS",
    "Condition",
    "Select",
    "check_condition",
    "check_select",
    "parse_since",
    "parse_where",
    "where_readings",
]
