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
``sync.resumes.ResumeStore``.
"""

from __future__ import annotations

import functools
import gettext
import html
import json
import re
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Protocol, get_args

import pycountry

from sync.schema import LANGUAGE_CODES, SeniorityLevel

Scalar = str | int | float | bool
Transform = Callable[[str], Scalar]


class FieldProblem(Exception):
    """A value of one row cannot be transformed; becomes the row problem ``<field>: <msg>``.

    Deliberately not a ``SyncError``: it never leaves the mapping step.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class TextSource(Protocol):
    """Where the ``file`` transform reads a named file's text (``ResumeStore``)."""

    def read_text(self, ref: str, *, email: str | None = None) -> str: ...


# The interview languages of the platform (mojito_language_code).
PLATFORM_LANGUAGES: frozenset[str] = frozenset(LANGUAGE_CODES)
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


# ---------------------------------------------------------------- country

_COUNTRY_ALIASES = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "u s": "US",
    "america": "US",
    "united states of america": "US",
    "deutschland": "DE",
    "allemagne": "DE",
    "alemania": "DE",
    "germania": "DE",
    "osterreich": "AT",
    "oesterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "swiss": "CH",
    "espana": "ES",
    "espagne": "ES",
    "brasil": "BR",
    "holland": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "czech republic": "CZ",
    "cesko": "CZ",
    "ceska republika": "CZ",
    "tschechien": "CZ",
    "slovensko": "SK",
    "slowakei": "SK",
    "turkey": "TR",
    "turkiye": "TR",
    "polska": "PL",
    "polen": "PL",
    "italia": "IT",
    "italien": "IT",
    "frankreich": "FR",
    "sverige": "SE",
    "schweden": "SE",
    "norge": "NO",
    "norwegen": "NO",
    "danmark": "DK",
    "danemark": "DK",
    "suomi": "FI",
    "finnland": "FI",
    "eire": "IE",
    "hrvatska": "HR",
    "kroatien": "HR",
    "magyarorszag": "HU",
    "ungarn": "HU",
    "romania": "RO",
    "rumanien": "RO",
    "slovenija": "SI",
    "srbija": "RS",
    "ellada": "GR",
    "griechenland": "GR",
    "russia": "RU",
    "rossiya": "RU",
    "ukraina": "UA",
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "vietnam": "VN",
    "mexico": "MX",
    "peru": "PE",
    "uae": "AE",
    "emirates": "AE",
    "taiwan": "TW",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "palestine": "PS",
    "vatican": "VA",
    "hong kong sar": "HK",
    "nihon": "JP",
    "zhongguo": "CN",
}


def _key(text: str) -> str:
    """Case-, accent-, dot- and space-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[.\u2019'`]", "", plain).replace("-", " ").replace("_", " ")
    plain = " ".join(plain.split())
    return plain.removeprefix("the ") if plain != "the" else plain


@functools.cache
def _country_names() -> dict[str, str]:
    """Names, aliases and alpha-3 codes → alpha-2 (no alpha-2 codes: see ``country``)."""
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                index.setdefault(_key(value), c.alpha_2)
        index[c.alpha_3.casefold()] = c.alpha_2
    # Localised exports (Personio in German, Recruitee in Dutch …) write country
    # names in the account's language: pycountry ships the ISO 3166 translations.
    for lang in _TRANSLATED:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in pycountry.countries:
            for attr in ("name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    index.setdefault(_key(tr.gettext(value)), c.alpha_2)
    for alias, code in _COUNTRY_ALIASES.items():
        index[_key(alias)] = code
    return index


# Languages whose country names are recognised besides English (the ATS markets).
_TRANSLATED = ("de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl")


@functools.cache
def _country_index() -> dict[str, str]:
    index = {c.alpha_2.casefold(): c.alpha_2 for c in pycountry.countries}
    index.update(_country_names())
    return index


@functools.lru_cache(maxsize=4096)
def country(text: str) -> str:
    """A country as ISO 3166 alpha-2: from alpha-2/alpha-3 codes, English names, common
    local names and aliases (Deutschland, UK, Holland, Schweiz, España, Türkiye …), or
    "City, Country" free text (the last comma-separated part that names a country;
    there a two-letter code does not count, as "Atlanta, GA" is a US state, not Gabon).

    Unknown text is returned trimmed but otherwise unchanged, so validation reports it.
    """
    text = text.strip()
    code = _country_index().get(_key(text))
    if code:
        return code
    names = _country_names()
    parts = [p for p in (p.strip() for p in text.split(",")) if p]
    for i in range(1, len(parts)):
        code = names.get(_key(", ".join(parts[i:])))
        if code:
            return code
    return text


# ---------------------------------------------------------------- language

_LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    # platform code: English names, then local names
    "ar": ("arabic", "العربية", "arabi"),
    "bg": ("bulgarian", "български", "balgarski"),
    "zh": ("chinese", "mandarin", "cantonese", "中文", "汉语", "漢語", "普通话", "zhongwen"),
    "hr": ("croatian", "hrvatski"),
    "cs": ("czech", "čeština", "cesky", "český"),
    "da": ("danish", "dansk"),
    "nl": ("dutch", "flemish", "nederlands", "vlaams"),
    "en": ("english", "englisch", "anglais", "inglés", "inglese"),
    "fil": ("filipino", "tagalog", "pilipino", "wikang filipino"),
    "fi": ("finnish", "suomi"),
    "fr": ("french", "français", "francais", "französisch"),
    "de": ("german", "deutsch", "allemand", "alemán", "tedesco"),
    "el": ("greek", "modern greek", "ελληνικά", "ellinika"),
    "hi": ("hindi", "हिन्दी", "हिंदी"),
    "hu": ("hungarian", "magyar"),
    "id": ("indonesian", "bahasa indonesia"),
    "it": ("italian", "italiano"),
    "ja": ("japanese", "日本語", "nihongo"),
    "ko": ("korean", "한국어", "조선말"),
    "ms": ("malay", "bahasa melayu", "bahasa malaysia"),
    "no": ("norwegian", "norsk", "bokmål", "norwegian bokmål", "nynorsk", "norwegian nynorsk"),
    "pl": ("polish", "polski"),
    "pt": ("portuguese", "português", "portugues", "european portuguese", "portuguese (portugal)"),
    "br": (
        "brazilian portuguese",
        "portuguese (brazil)",
        "portuguese (brazilian)",
        "português (brasil)",
        "português brasileiro",
        "brazilian",
    ),
    "ro": ("romanian", "română", "romana", "moldovan"),
    "ru": ("russian", "русский", "russkiy"),
    "sk": ("slovak", "slovenčina", "slovencina"),
    "es": ("spanish", "español", "espanol", "castellano", "castilian"),
    "sv": ("swedish", "svenska"),
    "ta": ("tamil", "தமிழ்"),
    "th": ("thai", "ไทย", "ภาษาไทย"),
    "tr": ("turkish", "türkçe", "turkce"),
    "uk": ("ukrainian", "українська", "ukrainska"),
    "vi": ("vietnamese", "tiếng việt", "tieng viet"),
}
_LANGUAGE_SPECIAL = {"nb": "no", "nn": "no", "nob": "no", "nno": "no", "tl": "fil", "tgl": "fil"}


@functools.cache
def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in _LANGUAGE_NAMES.items():
        for name in names:
            index[_key(name)] = code
            index[name.casefold()] = code
    return index


def _language_code(code: str) -> str | None:
    """A bare ISO 639-1/2/3 code (lower case) → platform code, or None."""
    if code in _LANGUAGE_SPECIAL:
        return _LANGUAGE_SPECIAL[code]
    if code in PLATFORM_LANGUAGES:
        return code
    if len(code) == 3:
        lang = pycountry.languages.get(alpha_3=code)
        if lang is None:
            lang = next(
                (x for x in pycountry.languages if getattr(x, "bibliographic", None) == code), None
            )
        alpha_2 = getattr(lang, "alpha_2", None) if lang is not None else None
        if alpha_2:
            return _language_code(alpha_2)
    return None


_LOCALE = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z0-9]{2,8}))+$")


@functools.lru_cache(maxsize=1024)
def language(text: str) -> str:
    """An interview language as the platform's code (``mojito_language_code``).

    Accepts English or local language names (German, Deutsch, Português …), ISO
    639-1/2/3 codes (de, deu, ger) and locales (en-US, pt_BR, zh-Hans-CN), with the
    platform's specials: pt-BR → br, pt/pt-PT → pt, nb/nn/no → no, tl/fil → fil,
    zh-* → zh. Anything else is returned trimmed but unchanged, so validation
    reports it.
    """
    raw = text.strip()
    key = raw.casefold()
    found = _language_index().get(key) or _language_index().get(_key(raw))
    if found:
        return found
    if re.fullmatch(r"[a-z]{2,3}", key):
        return _language_code(key) or raw
    match = _LOCALE.match(key.replace("_", "-"))
    if match:
        parts = key.replace("_", "-").split("-")
        base = parts[0]
        if base == "pt":
            return "br" if "br" in parts[1:] else "pt"
        if base == "zh":
            return "zh"
        return _language_code(base) or raw
    return raw


# The main interview language of a country, where one language clearly is (the
# platform's codes). Multilingual countries (BE, CH, LU …) are left out on purpose:
# the mapping's default decides for them.
_LANGUAGE_COUNTRIES: dict[str, str] = {
    "en": "GB US IE CA AU NZ ZA NG GH KE UG IN SG JM TT",
    "de": "DE AT LI",
    "fr": "FR MC",
    "es": "ES MX AR CO CL PE VE EC UY PY BO CR PA DO GT HN SV NI CU",
    "pt": "PT AO MZ",
    "br": "BR",
    "it": "IT SM",
    "nl": "NL",
    "sv": "SE",
    "da": "DK",
    "no": "NO",
    "fi": "FI",
    "pl": "PL",
    "cs": "CZ",
    "sk": "SK",
    "hu": "HU",
    "ro": "RO MD",
    "bg": "BG",
    "hr": "HR",
    "el": "GR CY",
    "tr": "TR",
    "ru": "RU",
    "uk": "UA",
    "ja": "JP",
    "ko": "KR",
    "zh": "CN TW HK",
    "vi": "VN",
    "th": "TH",
    "id": "ID",
    "ms": "MY",
    "fil": "PH",
    "ar": "SA AE EG MA DZ TN JO QA KW BH OM LB IQ",
}
_COUNTRY_LANGUAGE = {c: lang for lang, cs in _LANGUAGE_COUNTRIES.items() for c in cs.split()}


def country_language(text: str) -> str:
    """A country (name, code or "City, Country") → its main interview language.

    For jobs exported without a language or locale. Empty when the country is
    unknown or has no single main language among the platform's, so the field's
    ``default`` applies.
    """
    return _COUNTRY_LANGUAGE.get(country(text), "") if text.strip() else ""


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


# ---------------------------------------------------------------- html

_BLOCK = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
        *("tbody", "thead", "tfoot", "tr", "ul", "br"),
    }
)
# Blocks set off by a blank line; other blocks (div, li, br, tr …) by a line break.
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "dl"}
)
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z][a-zA-Z0-9]*(\s.*?)?/?&gt;", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(" + "|".join(sorted(_BLOCK)) + r")\b", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collects text; block tags ask for line breaks, the widest request wins."""

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.out: list[str] = []
        self.dropping = 0
        self.breaks = 0  # line breaks owed before the next text
        self.bullet = False

    def _break(self, n: int) -> None:
        self.breaks = max(self.breaks, n)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += 1
        elif tag == "li":
            self._break(1)
            self.bullet = True
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        data = re.sub(r"[ \t\r\f\v]+" if self.keep_newlines else r"\s+", " ", data)
        if not data.strip():
            if not self.breaks:
                self.out.append(data)
            return
        if self.out:
            self.out.append("\n" * self.breaks)
        if self.bullet:
            self.out.append("- ")
        self.breaks = 0
        self.bullet = False
        self.out.append(data)


def html_to_text(text: str) -> str:
    """HTML (or entity-escaped HTML such as Greenhouse's ``&lt;p&gt;``) → readable text.

    Block elements become line breaks, ``<li>`` becomes ``- `` items, entities are
    unescaped, scripts and styles are dropped, and blank lines are squeezed to
    one. Text without tags keeps its own line breaks.
    """
    for _ in range(3):  # escaped, or double-escaped (&amp;lt;p&amp;gt;)
        if _TAG.search(text) or not (_ESCAPED_TAG.search(text) or "&amp;lt;" in text):
            break
        text = html.unescape(text)
    if not _TAG.search(text):
        return _tidy_lines(html.unescape(text))
    parser = _TextExtractor(keep_newlines=not _BLOCK_TAG.search(text))
    parser.feed(text)
    parser.close()
    return _tidy_lines("".join(parser.out))


def _tidy_lines(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip()


# ---------------------------------------------------------------- file


def file_transform(source: TextSource | None) -> Transform:
    """The ``file`` transform for one run: the cell names a file; its text is the value.

    ``source`` resolves the name (``ResumeStore``: the --resumes folder, then the
    applicants file's folder). Without one, every use is a row problem.
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
    "PLATFORM_LANGUAGES",
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
