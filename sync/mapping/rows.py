"""Mapping rows: each applicant row of a bound mapping becomes a payload and its problems.

A field's value is its reader's text run through its transforms, then its
``default`` when empty, cut at ``max_length`` with :data:`TRUNCATION_NOTE`.
A row's problems (the reader's, a transform's FieldProblem, a job key missing
from the jobs file) are collected in its ``MappedRow``, never raised. With
``sources`` (``sync.mapping.sources``), the derived fields (resume, countries,
position location, language) are then found by their rules, and the row says
where each came from.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sync.errors import FieldProblem
from sync.mapping.bind import BoundField, BoundMapping, Values
from sync.mapping.derived import DERIVED_FIELDS
from sync.mapping.transforms import TRANSFORMS, Scalar, TextSource, file_transform
from sync.records import MappedRow, Row

if TYPE_CHECKING:
    from sync.mapping.sources import Sources

TRUNCATION_NOTE = "… [truncated by jobmojito-sync at {n} characters]"
_NO_VALUES: Values = {}


def _truncate(text: str, n: int) -> str:
    return text[:n] + TRUNCATION_NOTE.format(n=n)


def compile_field(
    field: BoundField, file: Callable[[str], Scalar]
) -> Callable[[Values, Values], Any]:
    """The per-row function of a field, specialised so that the common cases are one call."""
    if field.read is None:
        value = field.const
        return lambda a, j: copy.deepcopy(value)
    read, default, limit = field.read, field.default, field.max_length
    chain = tuple(file if s == "file" else TRANSFORMS[s] for s in field.steps)
    if default is None and limit is None:
        if not chain:
            return read
        if len(chain) == 1:
            step = chain[0]
            if field.column is not None:  # the benchmark's hot path: one call per field
                in_jobs, header = field.column
                if in_jobs:
                    return lambda a, j: (v := j.get(header, "").strip()) and step(v)
                return lambda a, j: (v := a.get(header, "").strip()) and step(v)
            return lambda a, j: (v := read(a, j)) and step(v)

    def run(a: Values, j: Values) -> Any:
        value: Scalar = read(a, j)
        for step in chain:
            if value == "":
                break
            value = step(value)  # type: ignore[arg-type]  # typed transforms come last
        if value == "":
            return default
        if limit is not None and isinstance(value, str) and len(value) > limit:
            return _truncate(value, limit)
        return value

    return run


def applicant_columns(bound: BoundMapping) -> dict[str, tuple[str, ...]]:
    """Field -> the applicants-file headers it reads (a column, its alternatives, or a
    template's columns), for messages that name an empty cell's column."""
    prefix = bound.applicants.name + ":"
    columns: dict[str, tuple[str, ...]] = {}
    for f in bound.fields:
        headers: tuple[str, ...]
        if f.column is not None:
            headers = () if f.column[0] else (f.column[1],)
        else:
            headers = tuple(s.removeprefix(prefix) for s in f.sources if s.startswith(prefix))
            if len(headers) != len(f.sources):  # a jobs column too: not the row's alone
                headers = ()
        if headers:
            columns[f.name] = headers
    return columns


def map_rows(
    bound: BoundMapping,
    *,
    resumes: TextSource | None = None,
    sources: Sources | None = None,
    rows: Iterable[Row] | None = None,
) -> Iterator[MappedRow]:
    """One ``MappedRow`` per applicant row, in order. Never raises for a row's problem.

    ``rows``: only these (the rows the selection kept); every row of the file still
    counts as a candidate whose name a resume file may match.

    Empty results are left out of the payload (validation then names a missing
    required field); a transform's FieldProblem becomes ``<field>: <message>``;
    a job key missing from the jobs file becomes a ``position: …`` problem.
    ``resumes`` serves the ``file`` transform (a ``ResumeStore``); ``sources``
    finds the derived fields (a derived field's own FieldProblem is then one
    reason among the others it tries).
    """
    file = file_transform(resumes)
    constants = {
        f.name: f.const
        for f in bound.fields
        if f.read is None and isinstance(f.const, str | int | float | bool)
    }
    # Fields reading files run last, once the row's e-mail is known (resume look-up by e-mail).
    ordered = sorted(bound.fields, key=lambda f: "file" in f.steps)
    fields = [(f.name, compile_field(f, file)) for f in ordered if f.name not in constants]
    row_email: dict[str, str] = getattr(file, "row_email", {})
    constants = {k: v for k, v in constants.items() if v != ""}
    join = bound.join
    jobs_name = bound.jobs.name if bound.jobs is not None else ""
    soft = DERIVED_FIELDS if sources is not None else frozenset()
    if sources is not None and sources.needs_names:
        _count_names(bound, sources, dict(fields))
    for row in bound.applicants.rows if rows is None else rows:
        a = row.values
        j = _NO_VALUES
        problems: list[str] = list(row.problems)
        failed: dict[str, str] = {}
        if join is not None:
            key = a.get(join.applicants_header, "").strip()
            if key:
                job = join.rows.get(key)
                if job is None:
                    problems.append(
                        f"position: job key '{key}' (column '{join.applicants_header}')"
                        f" not found in {jobs_name}"
                    )
                else:
                    j = job.values
        payload: dict[str, Any] = {}
        row_email.clear()
        for name, run in fields:
            try:
                value = run(a, j)
            except FieldProblem as exc:
                if name in soft:
                    failed[name] = exc.message
                else:
                    problems.append(f"{name}: {exc.message}")
                continue
            if value is not None and value != "":
                payload[name] = value
                if name == "candidate_email":
                    row_email[""] = str(value)
        if constants:
            payload.update(constants)
        if sources is None:
            yield MappedRow(row, payload, tuple(problems))
            continue
        found = sources.resolve(
            row, a, j, payload, failed, job_missing=j is _NO_VALUES and join is not None
        )
        problems.extend(found.problems)
        yield MappedRow(row, payload, tuple(problems), tuple(found.notes), tuple(found.sources))


#: What the results sheet shows of a row that is not sent (nor fully mapped): who, for what.
SHOWN_FIELDS = frozenset(
    {
        "candidate_name",
        "candidate_email",
        "position_name",
        "position_external_id",
        "position_def_set_id",
    }
)


def shown_fields(bound: BoundMapping, rows: Iterable[Row]) -> Iterator[dict[str, Any]]:
    """The name, e-mail and position of each of ``rows``, mapped as for sending but
    nothing else (no resume is looked for): for the lines of excluded rows."""
    fields = tuple(f for f in bound.fields if f.name in SHOWN_FIELDS and "file" not in f.steps)
    for mapped in map_rows(replace(bound, fields=fields), rows=rows):
        yield mapped.payload


def _count_names(
    bound: BoundMapping, sources: Sources, fields: dict[str, Callable[[Values, Values], Any]]
) -> None:
    """Tell ``sources`` every candidate's name and e-mail before the first row is
    resolved (a resume is matched by name only when no other candidate has it)."""
    name, email = fields.get("candidate_name"), fields.get("candidate_email")
    if name is None:
        return
    for row in bound.applicants.rows:
        try:
            text = str(name(row.values, _NO_VALUES) or "")
            address = str(email(row.values, _NO_VALUES) or "") if email else ""
        except FieldProblem:
            continue
        sources.add_owner(text, address)


__all__ = [
    "SHOWN_FIELDS",
    "TRUNCATION_NOTE",
    "applicant_columns",
    "compile_field",
    "map_rows",
    "shown_fields",
]
