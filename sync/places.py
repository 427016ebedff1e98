"""What the tool knows of countries and languages, in one place.

- ``country_code``: a country name in English or a local language (from
  pycountry's ISO 3166 translations), an alias (UK, Deutschland, Holland), an
  alpha-3 code or "City, Country" free text → ISO 3166-1 alpha-2.
- ``language_code``: a language name, an ISO 639 code or a locale → the
  platform's interview language code (``br`` is Brazilian Portuguese there).
- ``main_language``: a country's main interview language, where one clearly is.
- ``country_names`` and ``alpha2``: the lookups ``sync.locations`` builds on to find
  a country in free-text locations (with a gazetteer of cities) and phone numbers.
- ``LANGUAGE_CODES``: the platform's interview languages, in the vendor's order.

The mapping's transforms and the API models' hints both read these tables, so a
country or language alias is added once, here.
"""

from __future__ import annotations

import functools
import gettext
import re
import unicodedata
from typing import Literal, get_args

import pycountry

#: Platform (mojito) language codes, in the OpenAPI document's order (``br`` is
#: Brazilian Portuguese here, not Breton).
LanguageCode = Literal[
    "ar", "bg", "zh", "hr", "cs", "da", "nl", "en", "fil", "fi", "fr", "de",
    "el", "hi", "hu", "id", "it", "ja", "ko", "ms", "no", "pl", "pt", "br",
    "ro", "ru", "sk", "es", "sv", "ta", "th", "tr", "uk", "vi",
]  # fmt: skip
LANGUAGE_CODES: tuple[str, ...] = get_args(LanguageCode)
PLATFORM_LANGUAGES: frozenset[str] = frozenset(LANGUAGE_CODES)


# ---------------------------------------------------------------- countries

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
    "el": "GR",  # the EU's code for Greece, not ISO's
    "nihon": "JP",
    "zhongguo": "CN",
    # Vendor spellings: ISO's own long forms, and what HR systems write.
    "republic of korea": "KR",
    "s korea": "KR",
    "korea south": "KR",
    "korea republic of": "KR",
    "u s a": "US",
    "united kingdom of great britain and northern ireland": "GB",
    "republic of ireland": "IE",
    "cote divoire": "CI",
    "dprk": "KP",
    "prc": "CN",
    "mainland china": "CN",
    "hongkong": "HK",
    "ksa": "SA",
    "kingdom of saudi arabia": "SA",
}


def name_key(text: str) -> str:
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
                index.setdefault(name_key(value), c.alpha_2)
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
                    index.setdefault(name_key(tr.gettext(value)), c.alpha_2)
    for alias, code in _COUNTRY_ALIASES.items():
        index[name_key(alias)] = code
    return index


# Languages whose country names are recognised besides English (the ATS markets).
_TRANSLATED = ("de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl")


def country_names() -> dict[str, str]:
    """``name_key`` of a country name, alias or alpha-3 code -> ISO alpha-2 (no alpha-2
    codes: in location text "CA" may be California and "DE" Delaware)."""
    return _country_names()


def alpha2(code: str) -> str | None:
    """``code`` upper-cased when it is an ISO 3166-1 alpha-2 code, else None."""
    upper = code.strip().upper()
    return upper if upper.casefold() in _country_index() and len(upper) == 2 else None


@functools.cache
def _country_index() -> dict[str, str]:
    index = {c.alpha_2.casefold(): c.alpha_2 for c in pycountry.countries}
    index.update(_country_names())
    return index


@functools.lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """A country as ISO 3166 alpha-2: from alpha-2/alpha-3 codes, English names, common
    local names and aliases (Deutschland, UK, Holland, Schweiz, España, Türkiye …), or
    "City, Country" free text (the last comma-separated part that names a country;
    there a two-letter code does not count, as "Atlanta, GA" is a US state, not Gabon).

    ``None`` when no part of the text names a country.
    """
    text = text.strip()
    code = _country_index().get(name_key(text))
    if code:
        return code
    names = _country_names()
    parts = [p for p in (p.strip() for p in text.split(",")) if p]
    for i in range(1, len(parts)):
        code = names.get(name_key(", ".join(parts[i:])))
        if code:
            return code
    return None


# ---------------------------------------------------------------- languages

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
            index[name_key(name)] = code
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
def language_code(text: str) -> str | None:
    """An interview language as the platform's code (``mojito_language_code``).

    Accepts English or local language names (German, Deutsch, Português …), ISO
    639-1/2/3 codes (de, deu, ger) and locales (en-US, pt_BR, zh-Hans-CN), with the
    platform's specials: pt-BR → br, pt/pt-PT → pt, nb/nn/no → no, tl/fil → fil,
    zh-* → zh. ``None`` for anything else.
    """
    raw = text.strip()
    key = raw.casefold()
    found = _language_index().get(key) or _language_index().get(name_key(raw))
    if found:
        return found
    if re.fullmatch(r"[a-z]{2,3}", key):
        return _language_code(key)
    match = _LOCALE.match(key.replace("_", "-"))
    if match:
        parts = key.replace("_", "-").split("-")
        base = parts[0]
        if base == "pt":
            return "br" if "br" in parts[1:] else "pt"
        if base == "zh":
            return "zh"
        return _language_code(base)
    return None


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


def main_language(country: str) -> str | None:
    """The main interview language of an ISO alpha-2 country, or ``None`` when it has
    no single main language among the platform's (BE, CH, LU …) or is unknown."""
    return _COUNTRY_LANGUAGE.get(country)


__all__ = [
    "LANGUAGE_CODES",
    "PLATFORM_LANGUAGES",
    "LanguageCode",
    "alpha2",
    "country_code",
    "country_names",
    "language_code",
    "main_language",
    "name_key",
]
