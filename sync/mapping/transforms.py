"""The fixed set of named transforms a mapping file may apply to a cell's text.

Each transform is a small pure function ``str -> str`` (``int``, ``number``
and ``bool`` return the typed value and so must come last in a chain). They
never see an empty cell: the mapping skips the chain for empty text. A
transform that cannot make sense of a value either leaves the text as it is
(``country``, ``language``, ``email``: validation then names the bad value) or
raises :class:`FieldProblem`, which the mapping turns into a row problem
``"<field>: <message>"``. There is deliberately no expression language: a new
need is a new named function here, with its docstring and tests.

``file`` is the one transform that needs context (where the resumes are): it is
made per run by :func:`file_transform` from a :class:`TextSource` such as
``sync.readers.resumes.ResumeStore``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Protocol, get_args

from sync import places
from sync.errors import FieldProblem
from sync.jobmojito.models import SeniorityLevel
from sync.readers.html import html_to_text

Scalar = str | int | float | bool
Transform = Callable[[str], Scalar]


class TextSource(Protocol):
    """Where the ``file`` transform reads a named file's text (``ResumeStore``)."""

    def read_text(self, ref: str, *, email: str | None = None) -> str: ...


SENIORITY_LEVELS: tuple[str, ...] = get_args(SeniorityLevel)


# ---------------------------------------------------------------- plain text


def strip(text: str) -> str:
    """Remove white space around the text."""
    return text.strip()


def lower(text: str) -> str:
    """Lower-case the text."""
    return text.lower()


def upper(text: str) -> str:
    """Upper-case the text."""
    return text.upper()


def collapse_spaces(text: str) -> str:
    """Turn every run of white space (newlines included) into one space; trim."""
    return " ".join(text.split())


_LIST_SPLIT = re.compile(r"[,;|\n]")


def _items(text: str) -> list[str]:
    """The items of a multi-value cell: a JSON list, else split on , ; | or newline."""
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list):
            return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def first(text: str) -> str:
    """The first item of a list held in one cell (JSON ``["a","b"]`` or ``a, b`` / ``a; b`` /
    ``a | b`` / one per line)."""
    items = _items(text)
    return items[0] if items else ""


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def first_last(text: str) -> str:
    """A full name exported as "First, Last" (iCIMS's name format) → "First Last".

    Only one comma is joined; text without a comma is returned as it is.
    """
    head, sep, tail = text.partition(",")
    if not sep or "," in tail:
        return text.strip()
    return " ".join(f"{head.strip()} {tail.strip()}".split())


def email(text: str) -> str:
    """The first token that looks like an e-mail address, lower-cased.

    Handles several addresses in one cell (``a@x.com, b@y.com``, a JSON list,
    ``Name <a@x.com>``). When nothing looks like an address the trimmed text is
    returned unchanged, so that validation reports it.
    """
    match = _EMAIL.search(text)
    return match.group(0).lower() if match else text.strip()


def linkedin(text: str) -> str:
    """The LinkedIn URL among several links in one cell; empty when there is none.

    ``https://`` is added when the link has no scheme (``linkedin.com/in/x``).
    """
    for token in re.split(r"[\s,;|\"'\[\]<>]+", text):
        if re.search(r"(^|[/.])linkedin\.com(/|$)", token, re.IGNORECASE):
            token = token.strip("()")
            return token if re.match(r"https?://", token, re.IGNORECASE) else "https://" + token
    return ""


# ---------------------------------------------------------------- numbers, flags


def to_int(text: str) -> int:
    """A whole number (``3``, ``3.0`` as Excel writes it, ``+3``, ``1,200``)."""
    try:
        value = to_number(text)
    except FieldProblem:
        value = 0.5
    if isinstance(value, float):
        raise FieldProblem(f"'{text.strip()}' is not a whole number")
    return value


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def to_number(text: str) -> int | float:
    """A number (``1200``, ``0.5``, decimal comma ``0,5``, thousands ``1,200``); whole
    values become ints."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    elif "," in raw and "." not in raw and raw.count(",") == 1:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise FieldProblem(f"'{text.strip()}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FieldProblem(f"'{text.strip()}' is not a number")
    return int(value) if value.is_integer() else value


_TRUE = frozenset({"true", "yes", "y", "1", "x", "t", "on", "ja", "oui", "si", "sí", "✓"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off", "nein", "non"})


def to_bool(text: str) -> bool:
    """A yes/no flag: true/yes/y/1/x/on → true; false/no/n/0/off → false."""
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise FieldProblem(f"'{text.strip()}' is not yes or no (use true/false, yes/no, 1/0)")


# ---------------------------------------------------------------- places


def country(text: str) -> str:
    """A country as ISO 3166 alpha-2: from alpha-2/alpha-3 codes, English names, common
    local names and aliases (Deutschland, UK, Holland, Schweiz, España, Türkiye …), or
    "City, Country" free text (the last comma-separated part that names a country;
    there a two-letter code does not count, as "Atlanta, GA" is a US state, not Gabon).

    Unknown text is returned trimmed but otherwise unchanged, so validation reports it.
    """
    return places.country_code(text) or text.strip()


def language(text: str) -> str:
    """An interview language as the platform's code (``mojito_language_code``).

    Accepts English or local language names (German, Deutsch, Português …), ISO
    639-1/2/3 codes (de, deu, ger) and locales (en-US, pt_BR, zh-Hans-CN), with the
    platform's specials: pt-BR → br, pt/pt-PT → pt, nb/nn/no → no, tl/fil → fil,
    zh-* → zh. Anything else is returned trimmed but unchanged, so validation
    reports it.
    """
    return places.language_code(text) or text.strip()


def country_language(text: str) -> str:
    """A country (name, code or "City, Country") → its main interview language.

    For jobs exported without a language or locale. Empty when the country is
    unknown or has no single main language among the platform's, so the field's
    ``default`` applies.
    """
    code = places.country_code(text) if text.strip() else None
    return (places.main_language(code) or "") if code else ""


# ---------------------------------------------------------------- seniority

_SENIORITY_WORDS = {
    "entry level": "entry-level",
    "entry-level": "entry-level",
    "entry_level": "entry-level",
    "internship": "entry-level",
    "student": "entry-level",
    "intermediate": "intermediate",
    "mid level": "intermediate",
    "mid-level": "intermediate",
    "mid_level": "intermediate",
    "associate": "intermediate",
    "mid-senior level": "senior",
    "senior": "senior",
    "managerial": "managerial",
    "director": "director",
    "executive": "executive",
}
_SENIORITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "executive",
        re.compile(
            r"\b(chief|ceo|cto|cfo|coo|cio|cmo|cpo|cro|ciso|c-level|c-suite|president"
            r"|founder|co-founder|geschäftsführer|geschaftsfuhrer)\b"
        ),
    ),
    ("director", re.compile(r"\b(director|directeur|direktor|vp|svp|evp|avp)\b")),
    ("managerial", re.compile(r"\b(manager|head of|head|leiter|leiterin|teamleiter)\b")),
    ("senior", re.compile(r"\b(senior|sr|snr|lead|principal|staff)\b")),
    (
        "entry-level",
        re.compile(
            r"\b(intern|internship|junior|jr|graduate|grad|trainee|apprentice|entry level"
            r"|entry-level|praktikant|praktikantin|werkstudent|werkstudentin|stagiaire|azubi)\b"
        ),
    ),
)


@functools.lru_cache(maxsize=4096)
def seniority(text: str) -> str:
    """A job title (or a seniority word) → entry-level | intermediate | senior | managerial
    | director | executive.

    Keywords, highest level first: chief/CEO/CTO/C-level/president → executive;
    director/VP → director; manager/head of → managerial; senior/sr/lead/
    principal/staff → senior; intern/junior/graduate/trainee → entry-level; any
    other title → intermediate.
    """
    key = " ".join(text.strip().casefold().split())
    if key in _SENIORITY_WORDS:
        return _SENIORITY_WORDS[key]
    key = re.sub(r"\bvice[- ]president\b", "vp", key).replace(".", " ")
    for level, pattern in _SENIORITY_RULES:
        if pattern.search(key):
            return level
    return "intermediate"


# ---------------------------------------------------------------- file


def file_transform(source: TextSource | None) -> Transform:
    """The ``file`` transform for one run: the cell names a file; its text is the value.

    ``source`` resolves the name (``ResumeStore``: the --resumes folder or zip, and
    nowhere else). Without one, every use is a row problem.
    """

    def file(text: str) -> str:
        """Text of the file named in the cell, read through the resume store."""
        ref = text.strip()
        if source is None:
            raise FieldProblem(f"cannot read file '{ref}': no resume folder given (--resumes)")
        return source.read_text(ref, email=row_email.get(""))

    # The row's candidate e-mail, set by map_rows before file fields run: a store
    # may find a resume by it when the named file is missing (Greenhouse's zip).
    row_email: dict[str, str] = {}
    file.row_email = row_email  # type: ignore[attr-defined]
    return file


def _file_placeholder(text: str) -> str:
    """Text of the file named in the cell (bound to a resume store by the mapping)."""
    raise FieldProblem("the file transform needs a resume store")


# The allowed names, in the order error messages list them.
TRANSFORMS: dict[str, Transform] = {
    "strip": strip,
    "lower": lower,
    "upper": upper,
    "collapse_spaces": collapse_spaces,
    "first": first,
    "first_last": first_last,
    "email": email,
    "country": country,
    "language": language,
    "country_language": country_language,
    "html": html_to_text,
    "file": _file_placeholder,
    "int": to_int,
    "number": to_number,
    "bool": to_bool,
    "seniority": seniority,
    "linkedin": linkedin,
}

# Transforms whose result is not text: nothing may follow them in a chain.
TYPED_TRANSFORMS: frozenset[str] = frozenset({"int", "number", "bool"})

__all__ = [
    "SENIORITY_LEVELS",
    "TRANSFORMS",
    "TYPED_TRANSFORMS",
    "FieldProblem",
    "Scalar",
    "TextSource",
    "Transform",
    "collapse_spaces",
    "country",
    "email",
    "file_transform",
    "first",
    "html_to_text",
    "language",
    "linkedin",
    "lower",
    "seniority",
    "strip",
    "to_bool",
    "to_int",
    "to_number",
    "upper",
]
