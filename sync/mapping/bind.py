"""Binding: a mapping resolved against the headers of the files at hand, once.

:func:`bind` finds every column a field names (case-, space- and
BOM-insensitively), makes each field's reader (one column, the first filled of
several, or a template), indexes the jobs file by its join key, and says what
the files lack: an InputError for a required field or a join key, a warning
for anything else. The result, a :class:`BoundMapping`, is what
``sync.mapping.rows`` applies to every row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.errors import InputError, MappingError
from sync.mapping.missing import (
    alternatives,
    file_headers,
    looked_for,
    missing_required,
    nearest_header,
    no_column,
)
from sync.mapping.model import (
    JOBS_PREFIX,
    REQUIRED_FIELDS,
    FieldSpec,
    MappingFile,
    parse_template,
)
from sync.readers import normalise_header
from sync.readers.documents import MAX_RESUME_CHARS
from sync.records import Row, Table

Values = dict[str, str]  # a row's cells by header, as in the file
Reader = Callable[[Values, Values], str]  # (applicant's cells, job's cells) -> a field's text
Source = tuple[bool, str]  # where a column is: (in the jobs file?, header as in the file)


#: Fields cut at this length unless the mapping gives ``max_length``: resume text from a
#: cell is cut like a resume file's (a 50 MB cell is never sent whole).
DEFAULT_MAX_LENGTH: dict[str, int] = {"candidate_resume": MAX_RESUME_CHARS}


@dataclass(frozen=True, slots=True)
class BoundField:
    """One payload field resolved against the actual files.

    ``read`` gives the row's text (None: the value is ``const``); ``steps`` are
    the transform names; ``sources`` the columns actually used, as
    ``applicants.csv:Email`` for messages and the results summary.
    """

    name: str
    read: Reader | None
    const: Any
    default: Any
    steps: tuple[str, ...]
    max_length: int | None
    sources: tuple[str, ...]
    column: Source | None = None  # a column field's one column (None: several, or no column)


@dataclass(frozen=True, slots=True)
class JobsIndex:
    """The join: the applicants' key column and the jobs rows by key."""

    applicants_header: str
    rows: dict[str, Row]


@dataclass(frozen=True, slots=True)
class BoundMapping:
    """A mapping resolved against one applicants table (and maybe a jobs table).

    ``warnings`` lists what the files lack that the mapping could use (optional
    fields left out, template parts rendering empty, defaults standing in).
    """

    mapping: MappingFile
    applicants: Table
    jobs: Table | None
    fields: tuple[BoundField, ...]
    join: JobsIndex | None
    warnings: tuple[str, ...]
    # the ``default`` of each field bound with ``derived`` (applied by sync.mapping.sources)
    defaults: dict[str, Any] = field(default_factory=dict)

    def find(self, refs: Sequence[str]) -> list[Source]:
        """Where those of ``refs`` the files have are, in order (``jobs.X``: the jobs file)."""
        return _resolve_all(refs, _Headers(self.applicants), _Headers(self.jobs))

    def source_name(self, src: Source) -> str:
        """``applicants.csv:Email``: a column as messages name it."""
        return _source_name(src, self.applicants, self.jobs)


# ---------------------------------------------------------------- finding columns


class _Headers:
    """Normalised header → header as in the file (the first one wins)."""

    def __init__(self, table: Table | None) -> None:
        self.by_key: dict[str, str] = {}
        for header in table.headers if table else ():
            self.by_key.setdefault(normalise_header(header), header)

    def find(self, name: str) -> str | None:
        return self.by_key.get(normalise_header(name))


def _resolve_all(refs: Sequence[str], app: _Headers, jobs: _Headers) -> list[Source]:
    """The sources of those of ``refs`` the files have, in order, each once."""
    found: list[Source] = []
    for ref in refs:
        if ref.startswith(JOBS_PREFIX):
            header = jobs.find(ref.removeprefix(JOBS_PREFIX))
            src = (True, header) if header is not None else None
        else:
            header = app.find(ref)
            src = (False, header) if header is not None else None
        if src is not None and src not in found:
            found.append(src)
    return found


def _resolve(refs: Sequence[str], app: _Headers, jobs: _Headers) -> Source | None:
    """The source of the first of ``refs`` the files have."""
    found = _resolve_all(refs, app, jobs)
    return found[0] if found else None


def _source_name(src: Source, applicants: Table, jobs: Table | None) -> str:
    in_jobs, header = src
    table = jobs if in_jobs and jobs is not None else applicants
    return f"{table.name}:{header}"


# ---------------------------------------------------------------- readers


def _column_reader(in_jobs: bool, header: str) -> Reader:
    if in_jobs:
        return lambda a, j: j.get(header, "").strip()
    return lambda a, j: a.get(header, "").strip()


def _fallback_reader(sources: Sequence[Source]) -> Reader:
    """The first non-blank cell among several present columns."""
    readers = [_column_reader(*src) for src in sources]

    def read(a: Values, j: Values) -> str:
        for reader in readers:
            value = reader(a, j)
            if value:
                return value
        return ""

    return read


def _template_reader(parts: Sequence[tuple[str, Source | None]]) -> Reader:
    literals = [lit for lit, _ in parts]
    slots = [src for _, src in parts[:-1]]

    def render(a: Values, j: Values) -> str:
        values = [
            "" if src is None else (j if src[0] else a).get(src[1], "").strip() for src in slots
        ]
        if not any(values):
            return ""
        out = [literals[0]]
        for value, literal in zip(values, literals[1:], strict=True):
            out.append(value)
            out.append(literal)
        return " ".join("".join(out).split())

    return render


# ---------------------------------------------------------------- binding


def bind(
    mapping: MappingFile,
    applicants: Table,
    jobs: Table | None = None,
    *,
    derived: frozenset[str] = frozenset(),
) -> BoundMapping:
    """Resolve every column of ``mapping`` against the files' headers, once.

    A field whose columns are all missing takes its ``default``; without one, a
    required field (candidate name, e-mail, country, resume) is an InputError
    listing the file's headers, and any other field is left out with a warning.
    The ``derived`` fields are left to ``sync.mapping.sources``, which has more
    ways to find them: their columns may be missing quietly, and their
    ``default`` is kept in ``BoundMapping.defaults`` for the end of that chain.
    Raises MappingError when a jobs file is given to a mapping without ``jobs:``,
    and InputError for duplicate job keys or a missing key column.
    """
    if jobs is not None and mapping.jobs is None:
        raise MappingError(
            f"mapping '{mapping.name}' has no jobs: section, so it cannot join {jobs.name};"
            " leave out the jobs file or add a jobs: section (applicants_key, jobs_key)"
        )
    app_headers, jobs_headers = _Headers(applicants), _Headers(jobs)
    warnings: list[str] = []
    join = _bind_join(mapping, applicants, jobs, app_headers, jobs_headers)
    defaults: dict[str, Any] = {}
    bound = bind_fields(
        mapping.fields, applicants, jobs, REQUIRED_FIELDS, warnings, derived, defaults
    )
    return BoundMapping(mapping, applicants, jobs, tuple(bound), join, tuple(warnings), defaults)


def bind_fields(
    specs: Mapping[str, FieldSpec],
    applicants: Table,
    jobs: Table | None,
    required: Collection[str],
    warnings: list[str],
    derived: Collection[str] = (),
    defaults: dict[str, Any] | None = None,
) -> list[BoundField]:
    """Bind each field of ``specs``: plain names are ``applicants``' columns, ``jobs.X``
    columns of ``jobs``. A ``required`` field without a column raises InputError; the
    lesser problems are appended to ``warnings``. A ``derived`` field's columns may be
    missing quietly, and its ``default`` goes to ``defaults`` (see ``bind``)."""
    app_headers, jobs_headers = _Headers(applicants), _Headers(jobs)
    bound: list[BoundField] = []
    for name, spec in specs.items():
        steps = tuple(spec.transforms)
        soft = name in derived and not spec.has_const
        if soft and spec.default is not None:
            if defaults is not None:
                defaults[name] = spec.default
            spec = spec.model_copy(update={"default": None})
        if spec.has_const:
            bound.append(BoundField(name, None, spec.const, None, (), None, ()))
            continue
        read: Reader | None = None
        sources: tuple[str, ...] = ()
        refs: list[str]
        found = None
        if spec.column is not None:
            refs = list(spec.column)
            present = _resolve_all(refs, app_headers, jobs_headers)
            if len(present) == 1:
                found = present[0]
                read = _column_reader(*found)
            elif present:
                read = _fallback_reader(present)
            sources = tuple(_source_name(src, applicants, jobs) for src in present)
        else:
            assert spec.template is not None
            parts = parse_template(spec.template)
            refs = [ref for _, ref in parts if ref]
            resolved = [
                (lit, _resolve([ref], app_headers, jobs_headers) if ref else None)
                for lit, ref in parts
            ]
            present = [
                src for (_, ref), (_, src) in zip(parts, resolved, strict=True) if ref and src
            ]
            absent = [
                ref for (_, ref), (_, src) in zip(parts, resolved, strict=True) if ref and not src
            ]
            if present:
                read = _template_reader(resolved)
                sources = tuple(_source_name(s, applicants, jobs) for s in present)
                if absent:
                    warnings.append(
                        f"{name}: template column {looked_for(absent, applicants, jobs)}"
                        " not found; it renders empty"
                    )
        if read is None and soft:
            continue
        if read is None:
            looked = looked_for(refs, applicants, jobs, " nor ")
            if spec.default is not None:
                warnings.append(f"{name}: no column {looked}; using the default {spec.default!r}")
                bound.append(BoundField(name, None, spec.default, None, (), None, ()))
            elif name in required:
                missing_required(name, refs, applicants, jobs)
            elif "default" not in spec.model_fields_set:  # `default: null`: quietly optional
                warnings.append(f"{name} left out: no column {looked}")
            continue
        limit = spec.max_length or DEFAULT_MAX_LENGTH.get(name)
        bound.append(BoundField(name, read, None, spec.default, steps, limit, sources, found))
    return bound


def _bind_join(
    mapping: MappingFile,
    applicants: Table,
    jobs: Table | None,
    app_headers: _Headers,
    jobs_headers: _Headers,
) -> JobsIndex | None:
    if mapping.jobs is None or jobs is None:
        return None
    spec = mapping.jobs
    app_header = _join_key(spec.applicants_key, app_headers, applicants, jobs)
    header = _join_key(spec.jobs_key, jobs_headers, jobs, applicants)
    rows: dict[str, Row] = {}
    for row in jobs.rows:
        key = row.values.get(header, "").strip()
        if not key:
            continue
        if key in rows:
            raise InputError(
                f"{jobs.name}: job key '{key}' (column '{header}') appears twice, in rows"
                f" {rows[key].line} and {row.line}; each job must be listed once"
            )
        rows[key] = row
    return JobsIndex(app_header, rows)


def applicants_key_header(mapping: MappingFile, applicants: Table) -> str | None:
    """The applicants' job-key column (``jobs.applicants_key``) the file has, or None."""
    if mapping.jobs is None:
        return None
    found = _resolve(mapping.jobs.applicants_key, _Headers(applicants), _Headers(None))
    return found[1] if found else None


def jobs_key_header(mapping: MappingFile, jobs: Table) -> str:
    """The jobs file's key column (``jobs.jobs_key``); InputError naming its headers if none."""
    assert mapping.jobs is not None
    return _join_key(mapping.jobs.jobs_key, _Headers(jobs), jobs, jobs, what="key each job by")


def _join_key(
    keys: Sequence[str], headers: _Headers, table: Table, other: Table, what: str = ""
) -> str:
    """The header of ``table``'s join column (the first of ``keys`` it has); else InputError."""
    found = _resolve(keys, headers, _Headers(None))
    if found is None:
        what = what or f"join {other.name} on"
        raise InputError(
            f"{table.name}: no column {alternatives(keys)} to {what}"
            f"{nearest_header(keys, table)}.{file_headers(table)}"
        )
    return found[1]


def column_reader(sources: Sequence[Source]) -> Reader:
    """A row's text from ``sources``: the first whose cell is not blank, trimmed."""
    return _column_reader(*sources[0]) if len(sources) == 1 else _fallback_reader(sources)


__all__ = [
    "BoundField",
    "BoundMapping",
    "JobsIndex",
    "Reader",
    "Source",
    "Values",
    "applicants_key_header",
    "bind",
    "bind_fields",
    "column_reader",
    "jobs_key_header",
    "missing_required",
    "no_column",
]
