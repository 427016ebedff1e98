"""The value checks the API models share, and the field types built from them.

Numbers (or numeric text) within a range, ISO 3166-1 alpha-2 country codes,
e-mail syntax (no DNS), ISO 8601 dates, UUIDs and platform language codes:
the checks the vendor's OpenAPI document states in words, made into
``Annotated`` field types that ``sync.jobmojito.models`` uses field by field.

Every check raises a ``PydanticCustomError`` whose message is written for
users (``sync.jobmojito.validate`` shows it as is) and never holds more than
``MAX_SHOWN`` characters of a value: ``shown`` is the one way a message shows
a value.
"""

from __future__ import annotations

import math
import re
import reprlib
from datetime import datetime
from typing import Annotated, Any

import email_validator
import pycountry
from pydantic import AfterValidator, BeforeValidator, PlainValidator, StringConstraints
from pydantic_core import PydanticCustomError

from sync import places
from sync.places import LanguageCode

__all__ = [
    "MAX_SHOWN",
    "Attempts",
    "CountryCode",
    "Email",
    "Followups",
    "Fraction",
    "IsoDateTime",
    "Language",
    "NonBlank",
    "Number",
    "QuestionCount",
    "Seconds",
    "Uuid",
    "clipped",
    "shown",
]

# ---------------------------------------------------------------- showing a value

#: The longest stretch of a value a message may show.
MAX_SHOWN = 60


def clipped(text: str) -> str:
    """``text`` cut to ``MAX_SHOWN`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


#: ``repr`` that stops early: a nested value (a YAML alias bomb) is never written out whole.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel = 3
_SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxdict = _SHORT_REPR.maxset = 6
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = MAX_SHOWN


def shown(value: object) -> str:
    """A value as a message may show it: quoted, on one line, at most ``MAX_SHOWN`` chars."""
    text = clipped(value if isinstance(value, str) else _SHORT_REPR.repr(value))
    return repr(text) if isinstance(value, str) else text


# ---------------------------------------------------------------- value checks


def _number_text(number: float) -> str:
    return f"{number:g}"


def _as_number(value: Any) -> int | float:
    """An int or float from a number or numeric text; bools, NaN and infinities refused."""
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return value
    elif isinstance(value, float):
        if math.isfinite(value):
            return value
    elif isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                pass
            else:
                if math.isfinite(number):
                    return number
    raise PydanticCustomError("not_a_number", "{shown} is not a number", {"shown": shown(value)})


def _number(
    lo: float | None = None,
    hi: float | None = None,
    *,
    integer: bool = False,
    positive: bool = False,
) -> PlainValidator:
    """A number (or numeric text) checked against ``lo``..``hi``; whole when ``integer``."""

    def check(value: Any) -> int | float:
        number = _as_number(value)
        got = {"got": _number_text(number)}
        if integer:
            if number != int(number):
                raise PydanticCustomError("whole_number", "must be a whole number (got {got})", got)
            number = int(number)
        if positive and number <= 0:
            raise PydanticCustomError("positive_number", "must be greater than 0 (got {got})", got)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise PydanticCustomError(
                "number_range",
                "must be between {lo} and {hi} (got {got})",
                {"lo": _number_text(lo or 0), "hi": _number_text(hi or 0), **got},
            )
        return number

    return PlainValidator(check)


_ALPHA_2: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)


def _country_hint(value: str) -> str:
    code = places.country_code(value)
    return f" (did you mean {code}?)" if code else ""


def _country_code(value: str) -> str:
    code = value.upper()
    if code in _ALPHA_2:
        return code
    raise PydanticCustomError(
        "country_code",
        "{shown} is not an ISO 3166-1 alpha-2 country code{hint}",
        {"shown": shown(value), "hint": _country_hint(value)},
    )


# The common shape of an address, which email-validator always accepts: checked in ~1 µs
# instead of ~45 µs. Anything else (quotes, Unicode, "--" in the domain, special-use
# domains such as .test, overlong parts) goes to email-validator itself.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE_TLDS = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)


def _is_plain_email(value: str) -> bool:
    if len(value) > 254 or _PLAIN_EMAIL.fullmatch(value) is None:
        return False
    local, _, domain = value.partition("@")
    return (
        len(local) <= 64
        and "--" not in domain
        and domain.rsplit(".", 1)[1].lower() not in _SPECIAL_USE_TLDS
    )


def _email(value: str) -> str:
    """Checks the syntax (no DNS); the address is kept as given (trimmed), not normalised."""
    if _is_plain_email(value):
        return value
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        raise PydanticCustomError(
            "email",
            "{shown} is not a valid e-mail address ({reason})",
            {"shown": shown(value), "reason": reason[:1].lower() + reason[1:]},
        ) from None
    return value


def _iso_datetime(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "iso_datetime",
            "{shown} is not an ISO 8601 date or date-time (e.g. 2026-12-31)",
            {"shown": shown(value)},
        ) from None
    return value


_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _uuid(value: str) -> str:
    if _UUID.fullmatch(value) is None:
        raise PydanticCustomError("uuid", "{shown} is not a UUID", {"shown": shown(value)})
    return value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


# ------------------------------------------------------------------ field types

#: A string with OpenAPI ``minLength: 1`` (blank counts as absent in a request model).
NonBlank = Annotated[str, StringConstraints(min_length=1)]
Email = Annotated[str, StringConstraints(min_length=1), AfterValidator(_email)]
CountryCode = Annotated[str, StringConstraints(min_length=1), AfterValidator(_country_code)]
Uuid = Annotated[str, StringConstraints(min_length=1), AfterValidator(_uuid)]
IsoDateTime = Annotated[str, AfterValidator(_iso_datetime)]
#: A platform language code; ``EN`` is read as ``en``.
Language = Annotated[LanguageCode, BeforeValidator(_lower)]
Number = int | float
Attempts = Annotated[Number, _number(1, 20)]
Fraction = Annotated[Number, _number(0.01, 0.9)]
Followups = Annotated[int, _number(0, 999, integer=True)]
Seconds = Annotated[Number, _number(positive=True)]
#: ``interview_length``: number or string in the document; a whole number 1–40 here.
QuestionCount = Annotated[int, _number(1, 40, integer=True)]
