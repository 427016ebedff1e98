"""Mapping files: how the columns of an ATS export become the API's payload.

A mapping is a small YAML file validated by pydantic, so every mistake in it is
reported with the file, the key path, the allowed values and the nearest valid
name. It has a small, fixed set of named transforms (``sync.mapping.transforms``) and
no expression language. The format (``mappings/generic.yaml`` documents it
too)::

    version: 1
    name: greenhouse              # must equal the file name without .yaml
    title: Greenhouse — candidate export
    source: >                     # where the column names come from, how sure they are
      ...
    detect:                       # header signature, for --mapping auto
      columns: [Candidate ID, First Name, Last Name, Email, Job, Office]
      # an entry may be a list of alternatives (localised headers):
      # columns: [[First name, Vorname], [Email, E-Mail]]
    jobs:                         # optional: join a jobs export to the applicants
      applicants_key: Job ID      # column (or list of alternatives) in the applicants file
      jobs_key: Job ID            # column (or list) in the jobs file
    fields:                       # payload field -> how to make it
      candidate_name:  {template: "{First Name} {Last Name}"}
      candidate_email: {column: [Email, Email Address], transforms: [email]}
      candidate_country_code: {column: Country, transforms: [country], default: US}
      candidate_resume: {column: Resume, transforms: [file]}
      position_name: {column: jobs.Job Name}
      position_description_long: {column: jobs.Description, transforms: [html],
                                  max_length: 20000}
      interview_attempts: {const: 3}

A field has exactly one of

- ``column``: a column name, or a list of alternatives (localised or renamed
  headers, or a fallback column): in each row the first of them that the file
  has and whose cell is not blank gives the value;
- ``template``: text with ``{Column}`` / ``{jobs.Column}`` placeholders, white
  space collapsed after substitution, empty when every placeholder is empty
  (``{{`` and ``}}`` for literal braces);
- ``const``: any YAML value, sent as written.

and optionally ``transforms`` (names applied in order to the text),
``max_length`` (longer text is cut with a note appended) and ``default`` (the
value when the result is empty or the columns are missing from the file).
When a field's columns are missing from the file, a required field (candidate
name, e-mail, country, resume) stops the run; another field is left out with
a warning, or silently with ``default: null``.
``jobs.X`` names a column of the joined jobs file. Column names match
case-, space- and BOM-insensitively; cell text is trimmed, and a blank cell is
empty. In these files only ``true``/``false`` are booleans: ``no`` (Norwegian)
and ``NO`` (Norway) stay text.

The flow: :func:`load_mapping` → :func:`bind` (resolves every column against
the actual headers once, and raises InputError when a required field has no
column) → :func:`map_rows` (one ``MappedRow`` per applicant row; a row's
problems are collected, never raised).
"""

from __future__ import annotations

import copy
import importlib.resources
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from sync.errors import InputError, MappingError
from sync.jobmojito.models import CANDIDATE_FIELDS, REQUIRED_CANDIDATE_FIELDS
from sync.mapping.transforms import (
    TRANSFORMS,
    TYPED_TRANSFORMS,
    FieldProblem,
    Scalar,
    TextSource,
    file_transform,
)
from sync.readers import normalise_header
from sync.records import MappedRow, Row, Table
from sync.text import closest, did_you_mean

# The request fields of POST /job-interview-create-for-candidate-with-token.
PAYLOAD_FIELDS: tuple[str, ...] = tuple(sorted(CANDIDATE_FIELDS))
# Always required by the API; bind() refuses a file that has no column for them.
REQUIRED_FIELDS: tuple[str, ...] = tuple(sorted(REQUIRED_CANDIDATE_FIELDS))

JOBS_PREFIX = "jobs."
TRUNCATION_NOTE = "… [truncated by jobmojito-sync at {n} characters]"


# ---------------------------------------------------------------- the model


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# A name, or a list of names.
Names = Annotated[list[str], BeforeValidator(_as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Detect(_Strict):
    """``detect:``: the header signature of the export (used by ``sync.mapping.detect``).

    Each entry is a column name or a list of alternatives (a localised export's
    spellings of the same column); an entry is found when any alternative is.
    """

    columns: list[Names] = []

    @field_validator("columns", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def names(self) -> list[str]:
        """Every alternative of every entry, flattened."""
        return [name for entry in self.columns for name in entry]


class JobsJoin(_Strict):
    """``jobs:``: how applicant rows find their row in a jobs export."""

    applicants_key: Names
    jobs_key: Names


class FieldSpec(_Strict):
    """How one payload field is made: one of column/template/const, plus options."""

    column: Names | None = None
    template: str | None = None
    const: Any = None
    default: Any = None
    transforms: Names = []
    max_length: int | None = Field(default=None, gt=0)

    @property
    def has_const(self) -> bool:
        return "const" in self.model_fields_set


class MappingFile(_Strict):
    """A validated mapping file (see the module docstring for the format)."""

    version: Literal[1]
    name: str
    title: str = ""
    source: str = ""
    detect: Detect | None = None
    jobs: JobsJoin | None = None
    fields: dict[str, FieldSpec]
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """The file it was loaded from (None when built in code)."""
        return self._path

    def referenced_columns(self) -> list[str]:
        """Every column name the mapping uses (applicants and jobs, without ``jobs.``).

        For the reader's header-row search and the detector.
        """
        out: dict[str, None] = {}
        for name in self.detect.names() if self.detect else ():
            out[name] = None
        if self.jobs:
            for name in (*self.jobs.applicants_key, *self.jobs.jobs_key):
                out[name] = None
        for spec in self.fields.values():
            refs = list(spec.column or ())
            if spec.template is not None:
                refs.extend(ref for _, ref in _parse_template(spec.template) if ref)
            for ref in refs:
                out[ref.removeprefix(JOBS_PREFIX)] = None
        return list(out)


# ---------------------------------------------------------------- templates


class _TemplateError(ValueError):
    pass


def _parse_template(text: str) -> list[tuple[str, str | None]]:
    """``"a {X} b"`` → ``[("a ", "X"), (" b", None)]``: (literal, placeholder) pairs."""
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{}" and text[i + 1 : i + 2] == c:
            literal.append(c)
            i += 2
        elif c == "{":
            end = text.find("}", i + 1)
            if end < 0 or "{" in text[i + 1 : end]:
                raise _TemplateError(
                    f"unmatched '{{' at character {i + 1} (write {{{{ for a brace)"
                )
            ref = text[i + 1 : end].strip()
            if not ref:
                raise _TemplateError(f"empty placeholder {{}} at character {i + 1}")
            parts.append(("".join(literal), ref))
            literal = []
            i = end + 1
        elif c == "}":
            raise _TemplateError(f"unmatched '}}' at character {i + 1} (write }}}} for a brace)")
        else:
            literal.append(c)
            i += 1
    parts.append(("".join(literal), None))
    return parts


# ---------------------------------------------------------------- loading


def shipped_mappings_dir() -> Path:
    """The folder of the mappings that ship with jobmojito-sync.

    The top-level ``mappings/`` of a source checkout (an editable install, the
    tests); in an installed wheel, the data package ``sync/mappings/`` it was
    packaged into (``pyproject.toml``'s package-dir).
    """
    source = Path(__file__).resolve().parents[2] / "mappings"
    if (source / "generic.yaml").is_file():
        return source
    return Path(str(importlib.resources.files("sync"))) / "mappings"


def _shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_mappings_dir().glob("*.yaml"))


def _is_path(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return True
    return (
        "/" in name_or_path
        or "\\" in name_or_path
        or name_or_path.lower().endswith((".yaml", ".yml"))
    )


def mapping_path(name_or_path: str | Path) -> Path:
    """The file of a shipped mapping name, or the path given; MappingError if unknown."""
    if _is_path(name_or_path):
        return Path(name_or_path)
    name = str(name_or_path)
    path = shipped_mappings_dir() / f"{name}.yaml"
    if path.is_file():
        return path
    shipped = _shipped_names()
    found = closest(name, shipped)
    hint = f"did you mean {found}? " if found else ""
    raise MappingError(
        f"unknown mapping '{name}' ({hint}shipped: {', '.join(shipped) or 'none'};"
        " or give the path of a .yaml file)"
    )


def load_mapping(name_or_path: str | Path) -> MappingFile:
    """Load and validate a mapping: a shipped name (``greenhouse``) or a YAML file's path.

    Raises MappingError naming the file, the key path and what is allowed.
    """
    path = mapping_path(name_or_path)
    shown = str(path) if _is_path(name_or_path) else f"mappings/{path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"mapping file {shown} not found") from None
    except UnicodeDecodeError:
        raise MappingError(f"{shown}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise MappingError(f"{shown}: cannot read it: {exc.strerror}") from None
    return parse_mapping(text, shown=shown, stem=path.stem, path=path)


def list_mappings() -> list[MappingFile]:
    """Every shipped mapping, by name."""
    return [load_mapping(name) for name in _shipped_names()]


def parse_mapping(
    text: str, *, shown: str = "<mapping>", stem: str | None = None, path: Path | None = None
) -> MappingFile:
    """Validate a mapping's YAML text; ``shown`` names it in errors, ``stem`` is its
    file name without suffix (``name`` must equal it)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            what = f"YAML syntax error: {what}"
        raise MappingError(f"{shown}: {where}{what}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{shown}: YAML syntax error: {exc}") from None
    if data is None:
        raise MappingError(f"{shown}: the file is empty (see mappings/generic.yaml)")
    if not isinstance(data, dict):
        raise MappingError(
            f"{shown}: expected keys such as version, name, fields; got {_kind(data)}"
        )
    try:
        mapping = MappingFile.model_validate(data)
    except ValidationError as exc:
        lines = dict.fromkeys(_describe(err) for err in exc.errors())
        raise MappingError("\n".join(f"{shown}: {line}" for line in lines)) from None
    problems = _check(mapping, stem)
    if problems:
        raise MappingError("\n".join(f"{shown}: {p}" for p in problems))
    mapping._path = path
    return mapping


class _Loader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans and duplicate keys are errors."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if isinstance(key, str) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        if isinstance(key, str):
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ---------------------------------------------------------------- error messages

_ALLOWED_KEYS = {
    "": list(MappingFile.model_fields),
    "detect": list(Detect.model_fields),
    "jobs": list(JobsJoin.model_fields),
    "field": list(FieldSpec.model_fields),
}


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "keys and values"
    return type(value).__name__


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    found = closest(word, choices)
    return f"did you mean {found}? " if found else ""


def _describe(err: Any) -> str:
    """One pydantic error → ``key.path: message`` in the user's terms."""
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    path = _path(loc)
    if kind == "extra_forbidden":
        parent = (
            "field" if len(loc) == 3 and loc[0] == "fields" else str(loc[0]) if len(loc) > 1 else ""
        )
        allowed = _ALLOWED_KEYS.get(parent, [])
        hint = _did_you_mean(str(loc[-1]), allowed)
        return f"{path}: unknown key ({hint}allowed: {', '.join(allowed)})"
    if kind == "missing":
        return f"{path}: required key missing"
    if kind == "literal_error" and loc == ("version",):
        return f"version: must be 1 (the only format version), got {_kind(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if len(loc) == 2 and loc[0] == "fields":
            return (
                f"{path}: expected keys such as column, template or const, got {_kind(value)}"
                " (for example {column: Email})"
            )
        return f"{path}: expected keys and values, got {_kind(value)}"
    if kind == "list_type":
        what = (
            "a column name or a list of them"
            if loc[-1] in ("column", "applicants_key", "jobs_key")
            else "a list"
        )
        return f"{path}: expected {what}, got {_kind(value)}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float) else ""
        return f"{path}: expected text, got {_kind(value)}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{path}: expected a whole number, got {_kind(value)}"
    if kind == "greater_than":
        return f"{path}: must be greater than 0, got {_kind(value)}"
    return f"{path}: {err['msg']}"


def _check(mapping: MappingFile, stem: str | None) -> list[str]:
    """The rules pydantic's types cannot say: names, exclusivity, references."""
    problems: list[str] = []
    if stem is not None and mapping.name != stem:
        problems.append(f"name: '{mapping.name}' must equal the file name '{stem}'")
    if mapping.detect is not None and not mapping.detect.columns:
        problems.append("detect.columns: give at least one column name")
    if mapping.jobs is not None:
        for key in ("applicants_key", "jobs_key"):
            names: list[str] = getattr(mapping.jobs, key)
            if not names or not all(n.strip() for n in names):
                problems.append(f"jobs.{key}: give a column name (or a list of them)")
        for i, name in enumerate(mapping.jobs.jobs_key):
            if name.startswith(JOBS_PREFIX):
                sub = "jobs.jobs_key" + (f"[{i}]" if len(mapping.jobs.jobs_key) > 1 else "")
                bare = name.removeprefix(JOBS_PREFIX)
                problems.append(f"{sub}: name the jobs file's column without 'jobs.' ('{bare}')")
    allowed = ", ".join(TRANSFORMS)
    for field, spec in mapping.fields.items():
        at = f"fields.{field}"
        if field not in PAYLOAD_FIELDS:
            found = closest(field, PAYLOAD_FIELDS)
            hint = f"did you mean {found}?" if found else "see the API's request fields"
            problems.append(f"{at}: unknown payload field ({hint})")
            continue
        given = [
            k for k, v in (("column", spec.column), ("template", spec.template)) if v is not None
        ]
        given += ["const"] if spec.has_const else []
        if len(given) != 1:
            problems.append(f"{at}: give exactly one of column, template, const")
            continue
        refs: list[tuple[str, str]] = []  # (key path, column reference)
        if spec.column is not None:
            if not spec.column:
                problems.append(f"{at}.column: give a column name (or a list of them)")
            for i, ref in enumerate(spec.column):
                sub = f"{at}.column" + (f"[{i}]" if len(spec.column) > 1 else "")
                if not ref.removeprefix(JOBS_PREFIX).strip():
                    problems.append(f"{sub}: empty column name")
                refs.append((sub, ref))
        if spec.template is not None:
            try:
                parts = _parse_template(spec.template)
            except _TemplateError as exc:
                problems.append(f"{at}.template: {exc}")
                parts = []
            else:
                if all(ref is None for _, ref in parts):
                    problems.append(
                        f"{at}.template: no {{Column}} placeholder; use const for fixed text"
                    )
            refs.extend((f"{at}.template", ref) for _, ref in parts if ref)
        if mapping.jobs is None:
            for sub, ref in refs:
                if ref.startswith(JOBS_PREFIX):
                    problems.append(
                        f"{sub}: '{ref}' refers to the jobs file, but the mapping has no jobs:"
                        " section (applicants_key, jobs_key)"
                    )
        if spec.has_const:
            for key in ("transforms", "default", "max_length"):
                if key in spec.model_fields_set:
                    problems.append(
                        f"{at}.{key}: not allowed with const (a const is sent as written)"
                    )
        for i, name in enumerate(spec.transforms):
            if name not in TRANSFORMS:
                problems.append(
                    f"{at}.transforms[{i}]: unknown transform '{name}' (allowed: {allowed})"
                )
            elif name in TYPED_TRANSFORMS and i != len(spec.transforms) - 1:
                problems.append(
                    f"{at}.transforms[{i}]: '{name}' does not give text,"
                    " so it must be the last transform"
                )
    missing = [f for f in REQUIRED_FIELDS if f not in mapping.fields]
    if missing:
        problems.append(
            f"fields: missing {', '.join(missing)}, required by the API"
            " (give each a column, template or const)"
        )
    return problems


# ---------------------------------------------------------------- binding

Values = dict[str, str]
Reader = Callable[[Values, Values], str]
_NO_VALUES: Values = {}


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
    column: tuple[bool, str] | None = None  # (from the jobs file?, header) of a column field


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


class _Headers:
    """Normalised header → header as in the file (the first one wins)."""

    def __init__(self, table: Table | None) -> None:
        self.table = table
        self.by_key: dict[str, str] = {}
        for header in table.headers if table else ():
            self.by_key.setdefault(normalise_header(header), header)

    def find(self, name: str) -> str | None:
        return self.by_key.get(normalise_header(name))


def _alternatives(names: Sequence[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)


def _nearest_header(names: Sequence[str], table: Table) -> str:
    for name in names:
        hint = did_you_mean(name, table.headers, cutoff=0.75, key=normalise_header, quote="'")
        if hint:
            return hint
    return ""


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


def _resolve_all(refs: Sequence[str], app: _Headers, jobs: _Headers) -> list[tuple[bool, str]]:
    """Those of ``refs`` present, in order: (from the jobs file?, header as in the file)."""
    found: list[tuple[bool, str]] = []
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


def _resolve(refs: Sequence[str], app: _Headers, jobs: _Headers) -> tuple[bool, str] | None:
    """The first of ``refs`` present: (from the jobs file?, header as in the file)."""
    found = _resolve_all(refs, app, jobs)
    return found[0] if found else None


def _column_reader(in_jobs: bool, header: str) -> Reader:
    if in_jobs:
        return lambda a, j: j.get(header, "").strip()
    return lambda a, j: a.get(header, "").strip()


def _fallback_reader(sources: Sequence[tuple[bool, str]]) -> Reader:
    """The first non-blank cell among several present columns."""
    readers = [_column_reader(*src) for src in sources]

    def read(a: Values, j: Values) -> str:
        for reader in readers:
            value = reader(a, j)
            if value:
                return value
        return ""

    return read


def _template_reader(parts: Sequence[tuple[str, tuple[bool, str] | None]]) -> Reader:
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


def _source_name(src: tuple[bool, str], applicants: Table, jobs: Table | None) -> str:
    in_jobs, header = src
    table = jobs if in_jobs and jobs is not None else applicants
    return f"{table.name}:{header}"


def bind(mapping: MappingFile, applicants: Table, jobs: Table | None = None) -> BoundMapping:
    """Resolve every column of ``mapping`` against the files' headers, once.

    A field whose columns are all missing takes its ``default``; without one, a
    required field (candidate name, e-mail, country, resume) is an InputError
    listing the file's headers, and any other field is left out with a warning.
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
    for name, spec in mapping.fields.items():
        steps = tuple(spec.transforms)
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
            parts = _parse_template(spec.template)
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
        if read is None:
            looked = _looked_for(refs, applicants, jobs, " nor ")
            if spec.default is not None:
                warnings.append(f"{name}: no column {looked}; using the default {spec.default!r}")
                bound.append(BoundField(name, None, spec.default, None, (), None, ()))
            elif name in REQUIRED_FIELDS:
                _missing_required(name, refs, applicants, jobs)
            elif "default" not in spec.model_fields_set:  # `default: null`: quietly optional
                warnings.append(f"{name} left out: no column {looked}")
            continue
        bound.append(
            BoundField(name, read, None, spec.default, steps, spec.max_length, sources, found)
        )
    return BoundMapping(mapping, applicants, jobs, tuple(bound), join, tuple(warnings))


def _missing_required(
    name: str, refs: Sequence[str], applicants: Table, jobs: Table | None
) -> None:
    only_jobs = all(r.startswith(JOBS_PREFIX) for r in refs) and jobs is not None
    table = jobs if only_jobs and jobs is not None else applicants
    names = [r.removeprefix(JOBS_PREFIX) for r in refs] if only_jobs else refs
    raise InputError(
        f"{table.name}: no column for {name}, which the API requires: looked for"
        f" {_looked_for(refs, applicants, jobs)}{_nearest_header(names, table)}."
        f" The file's headers: {', '.join(table.headers) or '(none)'}"
    )


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
    app_key = _resolve(spec.applicants_key, app_headers, _Headers(None))
    if app_key is None:
        raise InputError(
            f"{applicants.name}: no column {_alternatives(spec.applicants_key)} to join"
            f" {jobs.name} on{_nearest_header(spec.applicants_key, applicants)}."
            f" The file's headers: {', '.join(applicants.headers) or '(none)'}"
        )
    jobs_key = _resolve(spec.jobs_key, jobs_headers, _Headers(None))
    if jobs_key is None:
        raise InputError(
            f"{jobs.name}: no column {_alternatives(spec.jobs_key)} to join"
            f" {applicants.name} on{_nearest_header(spec.jobs_key, jobs)}."
            f" The file's headers: {', '.join(jobs.headers) or '(none)'}"
        )
    header = jobs_key[1]
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
    return JobsIndex(app_key[1], rows)


# ---------------------------------------------------------------- mapping rows


def _truncate(text: str, n: int) -> str:
    return text[:n] + TRUNCATION_NOTE.format(n=n)


def _compile(field: BoundField, file: Callable[[str], Scalar]) -> Callable[[Values, Values], Any]:
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


def map_rows(bound: BoundMapping, *, resumes: TextSource | None = None) -> Iterator[MappedRow]:
    """One ``MappedRow`` per applicant row, in order. Never raises for a row's problem.

    Empty results are left out of the payload (validation then names a missing
    required field); a transform's FieldProblem becomes ``<field>: <message>``;
    a job key missing from the jobs file becomes a ``position: …`` problem.
    ``resumes`` serves the ``file`` transform (a ``ResumeStore``).
    """
    file = file_transform(resumes)
    constants = {
        f.name: f.const
        for f in bound.fields
        if f.read is None and isinstance(f.const, str | int | float | bool)
    }
    # Fields reading files run last, once the row's e-mail is known (resume look-up by e-mail).
    ordered = sorted(bound.fields, key=lambda f: "file" in f.steps)
    fields = [(f.name, _compile(f, file)) for f in ordered if f.name not in constants]
    row_email: dict[str, str] = getattr(file, "row_email", {})
    constants = {k: v for k, v in constants.items() if v != ""}
    join = bound.join
    jobs_name = bound.jobs.name if bound.jobs is not None else ""
    for row in bound.applicants.rows:
        a = row.values
        j = _NO_VALUES
        problems: list[str] = []
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
                problems.append(f"{name}: {exc.message}")
                continue
            if value is not None and value != "":
                payload[name] = value
                if name == "candidate_email":
                    row_email[""] = str(value)
        if constants:
            payload.update(constants)
        yield MappedRow(row, payload, tuple(problems))


__all__ = [
    "PAYLOAD_FIELDS",
    "REQUIRED_FIELDS",
    "BoundField",
    "BoundMapping",
    "Detect",
    "FieldSpec",
    "JobsIndex",
    "JobsJoin",
    "MappingFile",
    "bind",
    "list_mappings",
    "load_mapping",
    "map_rows",
    "mapping_path",
    "parse_mapping",
    "shipped_mappings_dir",
]
