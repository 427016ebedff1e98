"""Binding: a mapping resolved against the headers of the files at hand, once.

:func:`bind` finds every column a field names (case-, space- and
BOM-insensitively), makes each field's reader (one column, the first filled of
several, or a template), indexes the jobs file by its join key, and says what
the files lack: an InputError for a required field or a join key, a warning
for anything else. The result, a :class:`BoundMapping`, is what
``sync.mapping.rows`` applies to every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.errors import InputError, MappingError
from sync.mapping.model import JOBS_PREFIX, REQUIRED_FIELDS, MappingFile, parse_template
from sync.readers import normalise_header
from sync.readers.documents import MAX_RESUME_CHARS
from sync.records import Row, Table
from sync.text import did_you_mean

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
    bound: list[BoundField] = []
    defaults: dict[str, Any] = {}
    for name, spec in mapping.fields.items():
        steps = tuple(spec.transforms)
        soft = name in derived and not spec.has_const
        if soft and spec.default is not None:
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
                        f"{name}: template column {_looked_for(absent, applicants, jobs)}"
                        " not found; it renders empty"
                    )
        if read is None and soft:
            continue
        if read is None:
            looked = _looked_for(refs, applicants, jobs, " nor ")
            if spec.default is not None:
                warnings.append(f"{name}: no column {looked}; using the default {spec.default!r}")
                bound.append(BoundField(name, None, spec.default, None, (), None, ()))
            elif name in REQUIRED_FIELDS:
                missing_required(name, refs, applicants, jobs)
            elif "default" not in spec.model_fields_set:  # `default: null`: quietly optional
                warnings.append(f"{name} left out: no column {looked}")
            continue
        limit = spec.max_length or DEFAULT_MAX_LENGTH.get(name)
        bound.append(BoundField(name, read, None, spec.default, steps, limit, sources, found))
    return BoundMapping(mapping, applicants, jobs, tuple(bound), join, tuple(warnings), defaults)


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


def _join_key(keys: Sequence[str], headers: _Headers, table: Table, other: Table) -> str:
    """The header of ``table``'s join column (the first of ``keys`` it has); else InputError."""
    found = _resolve(keys, headers, _Headers(None))
    if found is None:
        raise InputError(
            f"{table.name}: no column {_alternatives(keys)} to join {other.name}"
            f" on{_nearest_header(keys, table)}.{_file_headers(table)}"
        )
    return found[1]


# ---------------------------------------------------------------- messages for missing columns


def missing_required(
    name: str, refs: Sequence[str], applicants: Table, jobs: Table | None, remedy: str = ""
) -> None:
    """Raise the InputError of a required field no column serves (``remedy``: the options
    that would serve it, as a sentence)."""
    only_jobs = all(r.startswith(JOBS_PREFIX) for r in refs) and jobs is not None
    table = jobs if only_jobs and jobs is not None else applicants
    names = [r.removeprefix(JOBS_PREFIX) for r in refs] if only_jobs else refs
    raise InputError(
        f"{table.name}: no column for {name}, which the API requires: looked for"
        f" {_looked_for(refs, applicants, jobs)}{_nearest_header(names, table)}."
        f"{remedy}{_file_headers(table)}"
    )


def _looked_for(
    refs: Sequence[str], applicants: Table, jobs: Table | None, joiner: str = " and "
) -> str:
    app = [r for r in refs if not r.startswith(JOBS_PREFIX)]
    job = [r.removeprefix(JOBS_PREFIX) for r in refs if r.startswith(JOBS_PREFIX)]
    parts = []
    if app:
        parts.append(f"{_alternatives(app)} in {applicants.name}")
    if job and jobs is not None:
        parts.append(f"{_alternatives(job)} in {jobs.name}")
    elif job:
        parts.append(f"{_alternatives([JOBS_PREFIX + j for j in job])} (no jobs file given)")
    return joiner.join(parts)


def _alternatives(names: Sequence[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)


def _nearest_header(names: Sequence[str], table: Table) -> str:
    for name in names:
        hint = did_you_mean(name, table.headers, cutoff=0.75, key=normalise_header, quote="'")
        if hint:
            return hint
    return ""


def _file_headers(table: Table) -> str:
    return f" The file's headers: {', '.join(table.headers) or '(none)'}"


__all__ = [
    "BoundField",
    "BoundMapping",
    "JobsIndex",
    "Reader",
    "Source",
    "Values",
    "bind",
    "missing_required",
]
