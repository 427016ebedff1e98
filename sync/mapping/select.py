"""Selection: which rows of the export may be sent, decided on the rows as read.

``Selector(bound, settings)`` binds, once a run, the mapping's ``select.where``
conditions, then ``--where``, then ``--since`` against the files' headers
(``sync.mapping.conditions`` says what a condition is). A condition on a column
the files lack stops the run before anything is sent, naming the headers,
unless it is ``optional`` (then it is left out, and noted).
:meth:`Selector.split` then decides each row, before any mapping (resume files
are never opened for a row not selected):

- every condition holds: the row is mapped and planned as usual;
- a condition fails: the row is ``excluded``, the first failing condition its
  reason (``Status is 'Rejected'``, ``applied 2026-10-02, before --since
  2026-11-01``), and counted against that condition;
- a cell a condition cannot read (a date that is no date, ``maybe`` for true or
  false) and no condition fails: the row goes on with that problem, so it ends
  ``invalid`` with every reason — a row is never quietly excluded.

Pure: ``today`` and the day ``--since last-run`` means come in the settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sync.dates import is_slashed, slash_order
from sync.errors import FieldProblem, MappingError
from sync.mapping.bind import BoundMapping, Source, Values, column_reader, no_column
from sync.mapping.conditions import Condition, where_readings
from sync.mapping.predicates import Check, Named, any_of, date_check, text_check
from sync.records import Row

_NO_JOB: Values = {}  # the mapping joins no jobs file
_MISSING_JOB: Values = {}  # the row's job key is blank or not in the jobs file


@dataclass(frozen=True, slots=True)
class SelectSettings:
    """What the run adds to the mapping's conditions.

    ``since`` is ``--since`` as ``parse_since`` left it (``2026-11-01``, ``7d``,
    ``last-run``); ``last_run`` the first day ``last-run`` selects (``None``: the
    ledger has no run to go by, so it selects every date).
    """

    today: date
    where: tuple[str, ...] = ()
    since: str | None = None
    last_run: date | None = None


@dataclass(slots=True)
class Selection:
    """What the selection did to a file: the preview, the Summary and scripts read it."""

    total: int = 0
    conditions: list[tuple[str, int]] = field(default_factory=list)  # (condition, rows excluded)
    unreadable: int = 0  # rows a condition could not read: they go on, and end invalid
    notes: list[str] = field(default_factory=list)  # conditions left out, how dates read

    @property
    def excluded(self) -> int:
        return sum(n for _, n in self.conditions)

    @property
    def selected(self) -> int:
        return self.total - self.excluded

    def counts(self) -> dict[str, int]:
        """Condition -> rows it excluded (a row counts against the first it failed)."""
        return dict(self.conditions)


@dataclass(frozen=True, slots=True)
class Split:
    """Every row's fate: ``reasons[i]`` is why row ``i`` is excluded, ``None`` when it goes
    on; ``rows`` are the rows that go on, in order (with any unreadable cell as a problem)."""

    rows: list[Row]
    reasons: list[str | None]
    selection: Selection


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    check: Check


class Selector:
    """The run's conditions, bound against its files once; :meth:`split` decides the rows."""

    def __init__(self, bound: BoundMapping, settings: SelectSettings) -> None:
        self.bound = bound
        self.settings = settings
        self.notes: list[str] = []
        self.left_out: list[tuple[Condition, list[str]]] = []  # optional, columns absent
        select = bound.mapping.select
        self.day_first = select.day_first if select is not None else None
        rules: list[_Rule] = []
        for condition in select.where if select is not None else ():
            check = self._compile(condition)
            if check is not None:
                rules.append(_Rule(condition.describe(), check))
        for text in settings.where:
            rules.append(self._where(text))
        since = self._since()
        if since is not None:
            rules.append(since)
        self.rules = rules
        self.notes[:0] = self._left_out_note()

    def _left_out_note(self) -> list[str]:
        """One note for the optional conditions whose columns the file lacks."""
        if len(self.left_out) == 1:
            ((condition, refs),) = self.left_out
            where = " or ".join(repr(r) for r in refs)
            return [f"select: '{condition.describe()}' left out: the file has no column {where}"]
        if self.left_out:
            listed = ", ".join(f"'{c.describe()}'" for c, _ in self.left_out)
            return [
                f"select: {len(self.left_out)} conditions left out, the file has none of their"
                f" columns: {listed}"
            ]
        return []

    # ------------------------------------------------------------ deciding rows

    def split(self) -> Split:
        rows = self.bound.applicants.rows
        selection = Selection(total=len(rows), notes=list(self.notes))
        counts = [0] * len(self.rules)
        if not self.rules:
            return Split(list(rows), [None] * len(rows), selection)
        checks = [(i, rule.check) for i, rule in enumerate(self.rules)]
        kept: list[Row] = []
        reasons: list[str | None] = []
        for row, a, j in self._rows():
            problems: list[str] = []
            why: str | None = None
            for i, check in checks:
                try:
                    why = check(a, j)
                except FieldProblem as exc:
                    problems.append(exc.message)
                    continue
                if why is not None:
                    counts[i] += 1
                    break
            reasons.append(why)
            if why is None:
                if problems:
                    selection.unreadable += 1
                    row = replace(row, problems=(*row.problems, *problems))
                kept.append(row)
        selection.conditions = [(r.label, n) for r, n in zip(self.rules, counts, strict=True)]
        return Split(kept, reasons, selection)

    def _rows(self) -> Iterator[tuple[Row, Values, Values]]:
        """Every applicant row with its job's cells (``_MISSING_JOB`` when it has none)."""
        join = self.bound.join
        if join is None:
            for row in self.bound.applicants.rows:
                yield row, row.values, _NO_JOB
            return
        header, jobs = join.applicants_header, join.rows
        for row in self.bound.applicants.rows:
            job = jobs.get(row.values.get(header, "").strip())
            yield row, row.values, job.values if job is not None else _MISSING_JOB

    # ------------------------------------------------------------ binding conditions

    def _compile(self, condition: Condition, *, since_label: str = "") -> Check | None:
        """A condition's check, or ``None`` when it is optional and its columns are absent."""
        op = condition.operator()
        if op == "any":
            branches = [c for c in (self._compile(sub) for sub in condition.any or ()) if c]
            return any_of(branches) if branches else None
        refs = list(condition.column or ())
        sources = self.bound.find(refs)
        if not sources:
            if condition.optional:
                self.left_out.append((condition, refs))
                return None
            raise no_column(
                f"the select condition '{condition.describe()}' of mapping"
                f" '{self.bound.mapping.name}'",
                refs,
                self.bound.applicants,
                self.bound.jobs,
            )
        read = column_reader(sources)
        named = _namer(sources)
        value = condition.value()
        if op in ("since", "after", "until", "before", "within_days"):
            check = self._date_check(op, value, read, named, since_label)
        else:
            check = text_check(op, value, read, named)
        if all(in_jobs for in_jobs, _ in sources) and self.bound.join is not None:
            return _unless_job_missing(check)
        return check

    def _date_check(
        self, op: str, value: Any, read: Callable[[Values, Values], str], named: Named, since: str
    ) -> Check:
        day_first = self._day_first(read, named(_NO_JOB, _NO_JOB))  # the first header
        if op == "within_days":
            limit = self.settings.today - timedelta(days=int(value))
            return date_check("since", limit, read, named, day_first, since, days=int(value))
        return date_check(op, value, read, named, day_first, since)

    def _day_first(self, read: Callable[[Values, Values], str], name: str) -> bool:
        """How ``a/b/yyyy`` dates in this column read: as its values show, else as the
        mapping's ``day_first`` says, else month first (noted)."""
        texts = [t for _, a, j in self._rows() if is_slashed(t := read(a, j))]
        if not texts:
            return bool(self.day_first)
        order = slash_order(texts)
        if order is not None:
            return order
        if self.day_first is None:
            self.notes.append(
                f"select: dates in '{name}' such as {texts[0]} read month first (no value"
                " shows the order); set day_first: true under the mapping's select: if the day"
                " comes first"
            )
        return bool(self.day_first)

    def _where(self, text: str) -> _Rule:
        """A ``--where`` condition: the first reading whose columns the files have."""
        readings = where_readings(text)
        for condition in readings:
            if self.bound.find(list(condition.column or ())):
                check = self._compile(condition)
                assert check is not None
                return _Rule(f"--where {' '.join(text.split())}", check)
        first = readings[0]
        raise no_column(
            f"--where '{' '.join(text.split())}'",
            list(first.column or ()),
            self.bound.applicants,
            self.bound.jobs,
            " (a column whose name holds an operator word or sign may be written in"
            " double quotes: --where '\"Name = x\" = y')",
        )

    def _since(self) -> _Rule | None:
        since = self.settings.since
        if since is None:
            return None
        select = self.bound.mapping.select
        refs = list(select.application_date) if select is not None else []
        if not refs:
            raise MappingError(
                f"--since {since}: mapping '{self.bound.mapping.name}' names no application"
                " date column (select: application_date: [Column]); add it, or use"
                " --where 'Column >= DATE'"
            )
        today = self.settings.today
        if since == "last-run":
            if self.settings.last_run is None:
                self.notes.append(
                    "--since last-run: the ledger has no run that finished with every row"
                    " settled yet, so every application date is selected"
                )
                return None
            day, shown_as = self.settings.last_run, f"last-run ({self.settings.last_run})"
        elif since.endswith("d"):
            day = today - timedelta(days=int(since[:-1]))
            shown_as = f"{since} ({day})"
        else:
            day, shown_as = date.fromisoformat(since), since
        condition = Condition.model_validate({"column": refs, "since": day})
        check = self._compile(condition, since_label=shown_as)
        assert check is not None
        column = self.bound.find(refs)[0][1]
        return _Rule(f"--since {shown_as} ({column})", check)


def _namer(sources: Sequence[Source]) -> Named:
    """The header a row's value came from: the first of ``sources`` with a non-blank cell."""
    first = sources[0][1]
    if len(sources) == 1:
        return lambda a, j: first

    def named(a: Values, j: Values) -> str:
        for in_jobs, header in sources:
            if (j if in_jobs else a).get(header, "").strip():
                return header
        return first

    return named


def _unless_job_missing(check: Check) -> Check:
    """A condition on the jobs file holds for a row whose job is missing: the mapping
    reports that row's unknown job (it is invalid, not quietly excluded)."""

    def guarded(a: Values, j: Values) -> str | None:
        return None if j is _MISSING_JOB else check(a, j)

    return guarded


__all__ = ["SelectSettings", "Selection", "Selector", "Split"]
