"""Validate: a mapped payload -> the body to send, or every reason it cannot be sent.

``validate_candidate`` checks a for-candidate-with-token payload against
``sync.jobmojito.models.CandidateRequest`` and never raises for bad data: each problem is one
line for the results sheet, naming the field and why::

    candidate_email: 'bob@' is not a valid e-mail address (there must be something …)
    position_name: required when position_def_set_id is not given
    interview_attempts: must be between 1 and 20 (got 25)
    colour: unknown field (did you mean color?)

``format_validation_error`` and ``first_error_field_and_message`` turn any
``ValidationError`` of the schema's models into such lines; the sandbox uses the latter
for the vendor-style 422 body ``{"error": message, "name": field}``.

Lines never show pydantic's own text, never show the resume, and never show more than
60 characters of any value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sync import places
from sync.jobmojito.fields import clipped, shown
from sync.jobmojito.models import LANGUAGE_CODES, MODELS, CandidateRequest
from sync.text import did_you_mean

#: Fields whose values no message may show.
SECRET_FIELDS = frozenset({"candidate_resume"})


@dataclass(frozen=True, slots=True)
class Validated:
    """The outcome of validating one payload.

    Valid: ``request`` is the model, ``body`` its JSON body (``request.to_json()``) and
    ``problems`` is empty. Invalid: ``request`` is ``None``, ``body`` is ``{}`` and
    ``problems`` holds one line per problem.
    """

    request: CandidateRequest | None
    body: dict[str, Any]
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the payload can be sent."""
        return not self.problems


def validate_candidate(payload: Mapping[str, Any]) -> Validated:
    """Check a for-candidate-with-token payload; pure, never raises for bad data."""
    try:
        request = CandidateRequest.model_validate(payload)
    except ValidationError as exc:
        return Validated(None, {}, format_validation_error(exc))
    return Validated(request, request.to_json())


def format_validation_error(exc: ValidationError) -> tuple[str, ...]:
    """One ``field: why`` line per problem of a schema model's ``ValidationError``."""
    return tuple(f"{field}: {message}" if field else message for field, message in _problems(exc))


def first_error_field_and_message(exc: ValidationError) -> tuple[str, str]:
    """The first problem as ``(field path, message)``: the vendor's ``name`` and ``error``."""
    for problem in _problems(exc):
        return problem
    return "", "invalid request"  # pragma: no cover - a ValidationError has errors


# ----------------------------------------------------------------------- helpers


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    root = MODELS.get(exc.title)
    return [(_path(err["loc"]), _message(err, root)) for err in exc.errors(include_url=False)]


def _path(loc: tuple[int | str, ...]) -> str:
    """``("questions", 0, "question")`` -> ``questions[0].question``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            name = clipped(part if part.isprintable() else repr(part))
            path += f".{name}" if path else name
    return path


def _message(err: ErrorDetails, root: type[BaseModel] | None) -> str:
    kind, loc = err["type"], err["loc"]
    secret = not SECRET_FIELDS.isdisjoint(str(part) for part in loc)
    value = "the value" if secret else shown(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return _unknown_field(root, loc)
    if kind == "literal_error":
        choices = _choices(root, loc)
        if set(choices) == set(LANGUAGE_CODES):
            return (
                f"{value} is not a platform language code"
                f" (one of {', '.join(LANGUAGE_CODES)}){_language_hint(err.get('input'))}"
            )
        if choices:
            return f"{value} is not one of {', '.join(choices)}"
        return f"{value} is not one of the allowed values"
    if kind in _CUSTOM:
        return "is not valid" if secret else err["msg"]
    if kind in ("string_type", "string_sub_type", "string_unicode"):
        return "must be text"
    if kind == "string_too_short":
        return "must not be blank"
    if kind in ("bool_type", "bool_parsing"):
        return f"{value} is not true or false"
    if kind in ("model_type", "model_attributes_type", "dict_type", "mapping_type"):
        return "must be an object"
    if kind in ("list_type", "iterable_type"):
        return "must be a list"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"must have at least {least} item{'' if least == 1 else 's'}"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return f"{value} is not a number"
    return "is not valid"


#: Error types raised by ``sync.jobmojito.fields`` and ``.models``, whose message is
#: written for users already.
_CUSTOM = frozenset(
    {
        "not_a_number",
        "whole_number",
        "positive_number",
        "number_range",
        "country_code",
        "email",
        "iso_datetime",
        "uuid",
        "required_without_position",
    }
)


def _annotation_at(root: type[BaseModel] | None, loc: tuple[int | str, ...]) -> Any:
    """The annotation of the field at ``loc`` (list indexes skipped), or ``None``."""
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        model = _model_in(current)
        if model is None or part not in model.model_fields:
            return None
        current = model.model_fields[part].annotation
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds (``X | None``, ``list[X]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _choices(root: type[BaseModel] | None, loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """The values of the ``Literal`` the field at ``loc`` allows."""

    def literals(annotation: Any) -> tuple[str, ...]:
        if get_origin(annotation) is Literal:
            return tuple(str(arg) for arg in get_args(annotation))
        for arg in get_args(annotation):
            found = literals(arg)
            if found:
                return found
        return ()

    return literals(_annotation_at(root, loc))


def _unknown_field(root: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    model = _model_in(_annotation_at(root, loc[:-1]))
    key = str(loc[-1]) if loc else ""
    if model is not None and len(key) <= 100:
        wanted = key.strip().lower().replace(" ", "_").replace("-", "_")
        hint = did_you_mean(wanted, model.model_fields)
        if hint:
            return f"unknown field{hint}"
    return "unknown field"


#: Country codes people write where a language code belongs.
_COUNTRY_AS_LANGUAGE: Mapping[str, str] = {
    "cz": "cs", "dk": "da", "gr": "el", "jp": "ja", "kr": "ko", "se": "sv", "ua": "uk", "cn": "zh",
}  # fmt: skip


def _language_hint(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = value.strip().casefold()
    code = _COUNTRY_AS_LANGUAGE.get(text) or places.language_code(text)
    return f" (did you mean {code}?)" if code and code != text else ""


__all__ = [
    "SECRET_FIELDS",
    "Validated",
    "first_error_field_and_message",
    "format_validation_error",
    "validate_candidate",
]
