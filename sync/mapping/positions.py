"""Mapping jobs: each row of the jobs export becomes an interview payload and its problems.

The ``positions:`` section of a mapping (``sync.mapping.model.PositionsSpec``)
makes the fields of ``job-interview-create`` / ``-from-array`` from the jobs
file's columns, with the same column / template / const, transforms,
defaults and ``max_length`` as the candidate fields. A job is known by its key,
the ``jobs.jobs_key`` column: the ATS's job id, which is also the interview's
``code`` unless the section maps ``code`` itself. Problems are collected per
job, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sync.errors import FieldProblem, MappingError
from sync.mapping.bind import BoundField, bind_fields, jobs_key_header
from sync.mapping.model import REQUIRED_INTERVIEW_FIELDS, MappingFile
from sync.mapping.rows import compile_field
from sync.mapping.transforms import file_transform
from sync.records import Row, Table


@dataclass(frozen=True, slots=True)
class BoundPositions:
    """A mapping's ``positions:`` section resolved against one jobs table."""

    mapping: MappingFile
    jobs: Table
    key_header: str  # the jobs file's key column, as in the file
    fields: tuple[BoundField, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MappedJob:
    """A jobs row after the mapping: its key, the interview payload, what went wrong."""

    row: Row
    key: str
    payload: dict[str, Any]
    problems: tuple[str, ...] = ()


def bind_positions(mapping: MappingFile, jobs: Table) -> BoundPositions:
    """Resolve the ``positions:`` fields against the jobs file's headers, once.

    MappingError when the mapping has no ``positions:`` section; InputError when the
    file lacks the key column or a column for a required field.
    """
    if mapping.positions is None or mapping.jobs is None:
        where = mapping.path or f"mapping '{mapping.name}'"
        raise MappingError(
            f"{where} has no positions: section, so it cannot make interviews from"
            f" {jobs.name}; add one (job columns -> interview fields, see README"
            ' "Positions and interview questions")'
        )
    header = jobs_key_header(mapping, jobs)
    warnings: list[str] = []
    fields = bind_fields(mapping.positions.fields, jobs, None, REQUIRED_INTERVIEW_FIELDS, warnings)
    return BoundPositions(mapping, jobs, header, tuple(fields), tuple(warnings))


def map_jobs(bound: BoundPositions) -> Iterator[MappedJob]:
    """One ``MappedJob`` per jobs row, in order. Never raises for a row's problem.

    Empty results are left out of the payload (validation then names a missing
    required field); a blank key is the row's problem; ``code`` defaults to the key.
    """
    no_files = file_transform(None)
    fields: list[tuple[str, Callable[[Any, Any], Any]]] = [
        (f.name, compile_field(f, no_files)) for f in bound.fields
    ]
    empty: dict[str, str] = {}
    for row in bound.jobs.rows:
        key = row.values.get(bound.key_header, "").strip()
        problems: list[str] = []
        if not key:
            problems.append(f"job key: the cell of column '{bound.key_header}' is blank")
        payload: dict[str, Any] = {}
        for name, run in fields:
            try:
                value = run(row.values, empty)
            except FieldProblem as exc:
                problems.append(f"{name}: {exc.message}")
                continue
            if value is not None and value != "":
                payload[name] = value
        if key:
            payload.setdefault("code", key)
        yield MappedJob(row, key, payload, tuple(problems))


__all__ = ["BoundPositions", "MappedJob", "bind_positions", "map_jobs"]
