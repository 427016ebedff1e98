"""A starter mapping for an export no shipped mapping fits (``mappings init``).

Each payload field is matched to the header most like one of its usual names
(``_SYNONYMS``, compared with ``normalise_header`` and difflib); the resume and
the candidate's country get ``resume:`` and ``candidate_country:`` sections
listing every column that may serve (a text or file column by its content, ids,
links, profile sections; a country, the location or address columns, phones).
A ``select:`` section proposes who may be sent: a status or stage column
excludes the terminal values the file holds (rejected, hired, withdrawn,
archived, disqualified …), a yes/no or date column named after such a state
must be false or blank, and an application date column serves ``--since``.
The result is commented YAML in which every column is marked as a guess for the
user to check, named after the file it is written to.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import yaml

from sync.readers import normalise_header
from sync.records import Table

# Header words an export uses for each payload field (lower case, normalised).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "candidate_name": ("name", "full name", "candidate name", "candidate", "applicant name"),
    "candidate_email": ("email", "e-mail", "email address", "e-mail address", "mail", "emails"),
    "candidate_external_id": ("id", "candidate id", "applicant id", "application id", "profile id"),
    "candidate_linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "social media"),
    "position_external_id": ("job id", "requisition id", "posting id", "position id", "job code"),
    "position_name": (
        "job",
        "job title",
        "position",
        "job name",
        "posting title",
        "title",
        "applied for",
        "applied job",
        "applied position",
        "vacancy",
        "role",
        "requisition title",
        "opening",
    ),
    "position_location": (
        "office",
        "job location",
        "posting location",
        "job city",
        "work location",
    ),
    "position_country_code": ("job country", "office country"),
    "position_description": ("job description", "description"),
    "mojito_language_code": ("language", "locale", "language code"),
}
_TRANSFORMS = {
    "candidate_email": ["email"],
    "position_country_code": ["country"],
    "mojito_language_code": ["language"],
    "position_description": ["html"],
    "candidate_linkedin_url": ["linkedin"],
}
_FILE_SUFFIXES = (".pdf", ".docx", ".doc", ".txt", ".md", ".html", ".htm", ".rtf")
# Words in a header that mark a column as a source of the resume or the country.
_SOURCES: dict[tuple[str, str], tuple[str, ...]] = {
    ("resume", "files"): ("resume", "cv", "files", "file name", "attachment", "lebenslauf"),
    ("resume", "ids"): (
        "candidate id",
        "application id",
        "applicant id",
        "contact id",
        "id",
        "profile id",
        "app id",
    ),
    ("resume", "urls"): ("resume url", "resume link", "cv url", "cv link"),
    ("resume", "profile"): (
        "headline",
        "summary",
        "experience",
        "experiences",
        "education",
        "educations",
        "skills",
        "current title",
        "current company",
        "cover letter",
    ),
    ("candidate_country", "columns"): ("country", "candidate country", "land", "nationality"),
    ("candidate_country", "location"): (
        "address",
        "city",
        "state",
        "zip",
        "location",
        "candidate location",
        "postal code",
        "region",
    ),
    ("candidate_country", "phone"): ("phone", "phones", "phone number", "mobile", "telephone"),
}


def _guess(field: str, headers: Sequence[str]) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    for header in headers:
        h = normalise_header(header)
        for word in (*_SYNONYMS[field], field.replace("_", " ")):
            ratio = 1.0 if h == word else difflib.SequenceMatcher(None, h, word).ratio()
            if ratio > best[1]:
                best = (header, ratio)
    return best if best[1] >= 0.75 else (None, best[1])


def _find(headers: Sequence[str], words: Sequence[str]) -> str | None:
    for h in headers:
        if normalise_header(h) in words:
            return h
    return None


def _names_files(table: Table, header: str) -> bool:
    """Whether a column's first filled cells look like file names (a resume column)."""
    values = [v for r in table.rows[:20] if (v := r.values.get(header, "").strip())]
    return bool(values) and all(v.lower().endswith(_FILE_SUFFIXES) for v in values)


def _yaml_str(text: str) -> str:
    """``text`` as one double-quoted YAML scalar that reads back as exactly ``text``.

    Written by the YAML emitter, never by hand: a header holding a line break, a
    quote or a control character stays inside its string (escaped), so the cell
    text of an export can never add keys of its own to the mapping.
    """
    emitted = yaml.safe_dump(text, default_style='"', width=float("inf"), allow_unicode=True)
    return emitted.rstrip("\n")


def _sources(table: Table, used: set[str]) -> list[str]:
    """The ``resume:`` and ``candidate_country:`` sections: every column that may serve."""
    found: dict[tuple[str, str], list[str]] = {}
    for header in table.headers:
        key = normalise_header(header)
        for (section, kind), words in _SOURCES.items():
            if header in used and kind != "ids":
                continue
            hit = key in words or (
                kind in ("files", "urls", "profile", "location", "phone")
                and any(w in key.split() for w in words if " " not in w)
            )
            if kind == "ids" and not (key in words or key.endswith(" id")):
                hit = False
            if hit:
                if kind == "files" and not _names_files(table, header):
                    kind = "urls" if _names_links(table, header) else "text"
                found.setdefault((section, kind), []).append(header)
                break
    lines = []
    for section, comment in (
        ("resume", "candidate_resume: the first of these that gives a text, per row"),
        ("candidate_country", "candidate_country_code: the first that gives a country"),
    ):
        kinds = [(kind, cols) for (sec, kind), cols in found.items() if sec == section]
        if not kinds:
            lines.append(f"{section}: {{}}  # guess: no column looks like one: add columns,"
                         " or pass --resumes / --default-country at run time")  # fmt: skip
            continue
        lines.append(f"{section}:  # guess: {comment}")
        for kind, cols in kinds:
            lines.append(f"  {kind}: [" + ", ".join(_yaml_str(c) for c in cols) + "]")
    return lines


# Headers of a row's state, and the values (lower case) that mean it must not be sent.
_STATE_COLUMNS = (
    "status",
    "stage",
    "current stage",
    "application status",
    "application stage",
    "final status",
    "final phase",
    "disposition",
    "candidate status",
)
_TERMINAL = re.compile(
    r"reject|hired|withdr|archiv|disqualif|declin|not a fit|abgelehnt|eingestellt|zurückgezogen"
)
_STATE_WORDS = ("archiv", "reject", "hired", "hire date", "withdr", "disqualif")
_APPLIED = ("applied", "application date", "apply date", "created", "creation")


def _select(table: Table) -> list[str]:
    """The ``select:`` section: who may be sent, as far as the headers and cells tell."""
    where: list[str] = []
    applied: list[str] = []
    for header in table.headers:
        key = normalise_header(header)
        values = {v for r in table.rows if (v := r.values.get(header, "").strip())}
        if key in _STATE_COLUMNS:
            seen = sorted(v for v in values if _TERMINAL.search(v.lower()))
            shown = seen or ["Rejected", "Hired", "Withdrawn", "Archived", "Disqualified"]
            how = "the terminal values found in the file" if seen else "none found: usual names"
            where.append(
                f"    - {{column: {_yaml_str(header)}, not_in: ["
                + ", ".join(_yaml_str(v) for v in shown)
                + f"]}}  # guess: {how}"
            )
        elif any(word in key for word in _STATE_WORDS):
            # A yes/no column (Hired, Disqualified) must say no; a date or a reason, be blank.
            yes_no = all(v.lower() in _YES_NO for v in values)
            dated = any(w in key.split() for w in ("at", "on", "date", "reason", "time"))
            op = "is: false" if yes_no and not dated else "is: blank"
            where.append(f"    - {{column: {_yaml_str(header)}, {op}}}  # guess")
        elif not applied and any(w in f" {key} " for w in (f" {a} " for a in _APPLIED)):
            applied.append(header)
    if not where and not applied:
        return ["# select: no column tells a row's state; add select: where: conditions or"
                " use --where (see README, Choosing who gets an interview)"]  # fmt: skip
    lines = ["select:  # guess: who may be sent; rows failing a condition are excluded"]
    if applied:
        lines.append(
            f"  application_date: [{_yaml_str(applied[0])}]  # guess: what --since compares"
        )
    if where:
        lines.append("  where:")
        lines.extend(where)
    return lines


_YES_NO = frozenset({"true", "false", "yes", "no", "1", "0", "x", "y", "n"})


def _names_links(table: Table, header: str) -> bool:
    values = [v for r in table.rows[:20] if (v := r.values.get(header, "").strip())]
    return bool(values) and all(v.lower().startswith(("http://", "https://")) for v in values)


def starter_mapping(table: Table, name: str | None = None) -> str:
    """A commented starter mapping for an unknown export, every guess marked.

    ``name`` is the mapping's name: the stem of the file it will be written to
    (by default, made from the export's file name)."""
    if name is None:
        name = table.name.rsplit(".", 1)[0]
    name = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "custom"
    used: set[str] = set()
    chosen: dict[str, str] = {}
    lines = [
        f"# Starter mapping written by `jobmojito-sync mappings init {table.name}`.",
        "# Every column below is a GUESS from the header names: check each one,",
        "# fix what is wrong, then try it with --dry-run.",
        f"# Headers found: {', '.join(_yaml_str(h) for h in table.headers)}",
        "version: 1",
        f"name: {name}    # must equal the file name ({name}.yaml)",
        f"title: {_yaml_str(f'Export like {table.name}')}",
        "source: written by mappings init; not checked against the ATS's documentation",
        "detect:",
        "  columns: [" + ", ".join(_yaml_str(h) for h in table.headers[:8]) + "]",
        *_select(table),
        "fields:",
    ]
    first = _find(table.headers, ("first name", "firstname", "given name", "vorname"))
    last = _find(table.headers, ("last name", "lastname", "surname", "family name", "nachname"))
    for field in _SYNONYMS:
        if field == "candidate_name" and first and last:
            template = _yaml_str(f"{{{first}}} {{{last}}}")
            lines.append(f"  candidate_name: {{template: {template}}}  # guess")
            used.update({first, last})
            continue
        header, ratio = _guess(field, [h for h in table.headers if h not in used])
        if field == "position_country_code" and ratio < 1.0:  # never the candidate's country
            header = None
        if header is None:
            if field == "mojito_language_code":
                lines.append(
                    "  mojito_language_code: {column: [Language], transforms: [language],"
                    " default: en}  # guess: no language column: the job's country decides,"
                    " else English"
                )
                continue
            if field == "position_country_code":
                lines.append("  # position_country_code: from the position's location text")
                continue
            lines.append(f"  # {field}: no column looks like it; give a column, template or const")
            continue
        used.add(header)
        chosen[field] = header
        transforms = list(_TRANSFORMS.get(field, ()))
        extra = f", transforms: [{', '.join(transforms)}]" if transforms else ""
        lines.append(
            f"  {field}: {{column: {_yaml_str(header)}{extra}}}  # guess ({ratio:.0%} match)"
        )
    lines.extend(_sources(table, used))
    lines.append("# Resume files come with --resumes DIR|ZIP; links are downloaded with")
    lines.append(
        "# --fetch-resume-urls; profile columns compose a resume with --resume-fallback profile."
    )
    return "\n".join(lines) + "\n"


__all__ = ["starter_mapping"]
