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
    select:                       # which rows may be sent (sync.mapping.conditions)
      application_date: [Applied On]                    # what --since compares
      where: [{column: Status, not_in: [Rejected, Hired], optional: true}]
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
    positions:                    # optional: one interview per row of the jobs export
      fields:                     # interview field -> how to make it, from the jobs file
        name: {column: Job Name}  # code: the job key (jobs.jobs_key) unless given
        location: {column: Office}
        mojito_language_code: {column: Language, transforms: [language], default: en}

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
``jobs.X`` names a column of the joined jobs file (in ``positions.fields``, whose
fields are those of ``job-interview-create``, every column is one of the jobs
file). Column names match case-, space- and BOM-insensitively; cell text is
trimmed, and a blank cell is empty. In these files only ``true``/``false`` are
booleans: ``no`` (Norwegian) and ``NO`` (Norway) stay text.

``resume:`` and ``candidate_country:`` replace ``fields.candidate_resume`` and
``fields.candidate_country_code`` (a mapping gives each one way, not both);
``sync.mapping.sources`` tries their sources in order for each row, then the
run's options (``--candidate-country-from job``, ``--default-country``), and
notes where each value came from. The position's country, location and the
interview language follow one rule for every mapping: the field's column, then
(for the country and language) the position's location text and its country's
main language, then the run's defaults, then the field's ``default``.

The rules across keys that pydantic's types cannot say are ``sync.mapping.rules``.
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

from sync.jobmojito.models import (
    CANDIDATE_FIELDS,
    REQUIRED_CANDIDATE_FIELDS,
    InterviewCreateFromArrayRequest,
    InterviewCreateRequest,
)
from sync.mapping.conditions import Select

# The request fields of POST /job-interview-create-for-candidate-with-token.
PAYLOAD_FIELDS: tuple[str, ...] = tuple(sorted(CANDIDATE_FIELDS))
# Always required by the API; bind() refuses a file that has no column for them.
REQUIRED_FIELDS: tuple[str, ...] = tuple(sorted(REQUIRED_CANDIDATE_FIELDS))

JOBS_PREFIX = "jobs."

#: The fields of job-interview-create and -from-array a ``positions:`` section may make
#: (the questions come from the questions sheet).
INTERVIEW_FIELDS: tuple[str, ...] = tuple(
    sorted(
        (
            set(InterviewCreateRequest.model_fields)
            | set(InterviewCreateFromArrayRequest.model_fields)
        )
        - {"questions"}
    )
)
#: Required, and only the jobs file can say (status, type, visibility, template: options).
REQUIRED_INTERVIEW_FIELDS: tuple[str, ...] = ("location", "mojito_language_code", "name")


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

    def references(self) -> list[str]:
        """The column names it reads (its columns, or its template's placeholders)."""
        refs = list(self.column or ())
        if self.template is not None:
            refs.extend(ref for _, ref in parse_template(self.template) if ref)
        return refs


class PositionsSpec(_Strict):
    """``positions:``: how a row of the jobs export becomes an interview (a position)."""

    fields: dict[str, FieldSpec]


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
    select: Select | None = None
    jobs: JobsJoin | None = None
    fields: dict[str, FieldSpec]
    resume: ResumeSources | None = None
    candidate_country: CountrySources | None = None
    positions: PositionsSpec | None = None
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
        specs = [*self.fields.values(), *(self.positions.fields.values() if self.positions else ())]
        for spec in specs:
            for ref in spec.references():
                out[ref.removeprefix(JOBS_PREFIX)] = None
        for name in (
            *(c.removeprefix(JOBS_PREFIX) for c in (self.select.columns() if self.select else ())),
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


__all__ = [
    "INTERVIEW_FIELDS",
    "JOBS_PREFIX",
    "PAYLOAD_FIELDS",
    "REQUIRED_FIELDS",
    "REQUIRED_INTERVIEW_FIELDS",
    "CountrySources",
    "Detect",
    "FieldSpec",
    "JobsJoin",
    "MappingFile",
    "PositionsSpec",
    "ResumeSources",
    "TemplateError",
    "parse_template",
]
