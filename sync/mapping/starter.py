"""A starter mapping for an export no shipped mapping fits (``mappings init``).

Each payload field is matched to the header most like one of its usual names
(``_SYNONYMS``, compared with ``normalise_header`` and difflib); the result is
commented YAML in which every column is marked as a guess for the user to check.
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
    "candidate_country_code": ("country", "candidate country", "location", "country code"),
    "candidate_resume": (
        "resume",
        "cv",
        "resume text",
        "resume file",
        "resume filename",
        "cv name",
    ),
    "candidate_external_id": ("id", "candidate id", "applicant id", "application id", "profile id"),
    "candidate_linkedin_url": ("linkedin", "linkedin url", "linkedin profile", "social media"),
    "position_external_id": ("job id", "requisition id", "posting id", "position id", "job code"),
    "position_name": ("job", "job title", "position", "job name", "posting title", "title"),
    "position_location": ("office", "job location", "location", "posting location", "city"),
    "position_country_code": ("job country", "office country", "country"),
    "position_description": ("job description", "description", "summary"),
    "mojito_language_code": ("language", "locale", "language code"),
}
_TRANSFORMS = {
    "candidate_email": ["email"],
    "candidate_country_code": ["country"],
    "position_country_code": ["country"],
    "mojito_language_code": ["language"],
    "position_description": ["html"],
    "candidate_linkedin_url": ["linkedin"],
}
# A field with no column of its own may read the column chosen for another.
_REUSE = {"position_country_code": "position_location"}
_FILE_SUFFIXES = (".pdf", ".docx", ".doc", ".txt", ".md", ".html", ".htm", ".rtf")


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


def starter_mapping(table: Table) -> str:
    """A commented starter mapping for an unknown export, every guess marked."""
    name = re.sub(r"[^a-z0-9]+", "_", table.name.rsplit(".", 1)[0].lower()).strip("_") or "custom"
    used: set[str] = set()
    chosen: dict[str, str] = {}
    lines = [
        f"# Starter mapping written by `jobmojito-sync mappings init {table.name}`.",
        "# Every column below is a GUESS from the header names: check each one,",
        "# fix what is wrong, then try it with --dry-run.",
        f"# Headers found: {', '.join(_yaml_str(h) for h in table.headers)}",
        "version: 1",
        f"name: {name}    # must equal the file name (save as mappings/{name}.yaml)",
        f"title: {_yaml_str(f'Export like {table.name}')}",
        "source: written by mappings init; not checked against the ATS's documentation",
        "detect:",
        "  columns: [" + ", ".join(_yaml_str(h) for h in table.headers[:8]) + "]",
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
        if header is None and field in _REUSE and chosen.get(_REUSE[field]):
            # The job's location usually names its country too ("Lisbon, Portugal").
            header, ratio = chosen[_REUSE[field]], 0.0
        if header is None:
            if field == "mojito_language_code":
                lines.append("  mojito_language_code: {const: en}  # guess: no language column")
                continue
            lines.append(f"  # {field}: no column looks like it; give a column, template or const")
            continue
        used.add(header)
        chosen[field] = header
        transforms = list(_TRANSFORMS.get(field, ()))
        if field == "candidate_resume" and _names_files(table, header):
            transforms = ["file"]
        extra = f", transforms: [{', '.join(transforms)}]" if transforms else ""
        if ratio == 0.0:
            lines.append(
                f"  {field}: {{column: {_yaml_str(header)}{extra}}}"
                f"  # guess: the same column as {_REUSE[field]}"
            )
            continue
        lines.append(
            f"  {field}: {{column: {_yaml_str(header)}{extra}}}  # guess ({ratio:.0%} match)"
        )
    lines.append("  # candidate_resume must be text: use transforms: [file] when the column")
    lines.append("  # holds a file name, and pass --resumes DIR|ZIP")
    return "\n".join(lines) + "\n"


__all__ = ["starter_mapping"]
