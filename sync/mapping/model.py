"""The mapping-file format: its pydantic model and the rules across its fields.

A mapping is a small YAML file that says how the columns of an ATS export
become the API's payload. It is validated by pydantic and :func:`check_mapping`,
so every mistake in it is reported with the file, the key path, the allowed
values and the nearest valid name. It has a small, fixed set of named
transforms (``sync.mapping.transforms``) and no expression language. The
format (``mappings/generic.yaml`` documents it too)::

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
      position_name: {column: jobs.Job Name}
      position_description_long: {column: jobs.Description, transforms: [html],
                                  max_length: 20000}
      interview_attempts: {const: 3}
    resume:                       # candidate_resume from the first source that works
      text: [Resume text]         # a column holding the text (a file name or link in it
                                  # is followed as such)
      files: [Files, Resume Filename]   # a file name, looked up in --resumes
      ids: [Candidate ID, Application ID]  # an id naming a file or folder in --resumes
      email: true                 # a file named after the candidate's e-mail
      name: true                  # a file named after the candidate (a name no one else has)
      urls: [Resume URL]          # a link (or a cell's hyperlink): --fetch-resume-urls
      profile: [Headline, Summary, Experiences]  # composed: --resume-fallback profile
    candidate_country:            # candidate_country_code from the first source that works
      columns: [Country]          # a country: name in any language, alpha-2/3, alias
      location: [Address, City, State, Zip]   # location text, read together
      phone: [Phone]              # a number written with its international prefix

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

``resume:`` and ``candidate_country:`` replace ``fields.candidate_resume`` and
``fields.candidate_country_code`` (a mapping gives each one way, not both);
``sync.mapping.sources`` tries their sources in order for each row, then the
run's options (``--candidate-country-from job``, ``--default-country``), and
notes where each value came from. The position's country, location and the
interview language follow one rule for every mapping: the field's column, then
(for the country and language) the position's location text and its country's
main language, then the run's defaults, then the field's ``default``.

Reading a file into this model is ``sync.mapping.load``; resolving it against
a file's headers, ``sync.mapping.bind``; making payloads, ``sync.mapping.rows``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
)

from sync.jobmojito.models import CANDIDATE_FIELDS, REQUIRED_CANDIDATE_FIELDS
from sync.mapping.transforms import TRANSFORMS, TYPED_TRANSFORMS
from sync.text import closest

# The request fields of POST /job-interview-create-for-candidate-with-token.
PAYLOAD_FIELDS: tuple[str, ...] = tuple(sorted(CANDIDATE_FIELDS))
# Always required by the API; bind() refuses a file that has no column for them.
REQUIRED_FIELDS: tuple[str, ...] = tuple(sorted(REQUIRED_CANDIDATE_FIELDS))

JOBS_PREFIX = "jobs."


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
        return _as_list(value)

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


class ResumeSources(_Strict):
    """``resume:``: where each row's resume comes from, tried in this order."""

    text: Names = []  # columns holding resume text (checked by content)
    files: Names = []  # columns naming a file in --resumes
    ids: Names = []  # columns whose id names a file or folder in --resumes
    email: bool = True  # a file in --resumes named after the candidate's e-mail
    name: bool = True  # a file in --resumes named after the candidate (if unique)
    urls: Names = []  # columns holding a link (--fetch-resume-urls)
    profile: Names = []  # columns composed into a text (--resume-fallback profile)

    def columns(self) -> list[str]:
        return [*self.text, *self.files, *self.ids, *self.urls, *self.profile]


class CountrySources(_Strict):
    """``candidate_country:``: where each row's country comes from, tried in this order."""

    columns: Names = []  # a country column: names in any language, alpha-2/3, aliases
    location: Names = []  # location or address columns, read together
    phone: Names = []  # phone columns: a number with its international prefix

    def all_columns(self) -> list[str]:
        return [*self.columns, *self.location, *self.phone]


class MappingFile(_Strict):
    """A validated mapping file (see the module docstring for the format)."""

    version: Literal[1]
    name: str
    title: str = ""
    source: str = ""
    detect: Detect | None = None
    jobs: JobsJoin | None = None
    fields: dict[str, FieldSpec]
    resume: ResumeSources | None = None
    candidate_country: CountrySources | None = None
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
                refs.extend(ref for _, ref in parse_template(spec.template) if ref)
            for ref in refs:
                out[ref.removeprefix(JOBS_PREFIX)] = None
        for name in (
            *(self.resume.columns() if self.resume else ()),
            *(self.candidate_country.all_columns() if self.candidate_country else ()),
        ):
            out[name] = None
        return list(out)


# ---------------------------------------------------------------- templates


class TemplateError(ValueError):
    """A template's braces do not pair up, or a placeholder is empty."""


def parse_template(text: str) -> list[tuple[str, str | None]]:
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
                raise TemplateError(f"unmatched '{{' at character {i + 1} (write {{{{ for a brace)")
            ref = text[i + 1 : end].strip()
            if not ref:
                raise TemplateError(f"empty placeholder {{}} at character {i + 1}")
            parts.append(("".join(literal), ref))
            literal = []
            i = end + 1
        elif c == "}":
            raise TemplateError(f"unmatched '}}' at character {i + 1} (write }}}} for a brace)")
        else:
            literal.append(c)
            i += 1
    parts.append(("".join(literal), None))
    return parts


# ---------------------------------------------------------------- rules across fields


def check_mapping(mapping: MappingFile, stem: str | None) -> list[str]:
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
                parts = parse_template(spec.template)
            except TemplateError as exc:
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
    for key, field in (
        ("resume", "candidate_resume"),
        ("candidate_country", "candidate_country_code"),
    ):
        if getattr(mapping, key) is not None and field in mapping.fields:
            problems.append(
                f"fields.{field}: give it in fields or as {key}:, not both"
                f" ({key}: lists every source, the column included)"
            )
        section = getattr(mapping, key)
        for sub, names in section.model_dump().items() if section is not None else ():
            for i, ref in enumerate(names if isinstance(names, list) else ()):
                if ref.startswith(JOBS_PREFIX) or not ref.strip():
                    problems.append(
                        f"{key}.{sub}[{i}]: give a column of the applicants file"
                        f" ({'not the jobs file' if ref.strip() else 'not an empty name'})"
                    )
    sections = {
        "candidate_resume": mapping.resume,
        "candidate_country_code": mapping.candidate_country,
    }
    missing = [f for f in REQUIRED_FIELDS if f not in mapping.fields and sections.get(f) is None]
    if missing:
        problems.append(
            f"fields: missing {', '.join(missing)}, required by the API"
            " (give each a column, template or const)"
        )
    return problems


__all__ = [
    "JOBS_PREFIX",
    "PAYLOAD_FIELDS",
    "REQUIRED_FIELDS",
    "CountrySources",
    "Detect",
    "FieldSpec",
    "JobsJoin",
    "MappingFile",
    "ResumeSources",
    "TemplateError",
    "check_mapping",
    "parse_template",
]
