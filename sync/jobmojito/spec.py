"""The vendor's OpenAPI document as JSON Schema: what the live API accepts, and why not.

The document (``sync.jobmojito.document``: read once, ``nullable`` translated,
``$ref``s resolved) is the only source of the rules here.

- ``format: uuid`` is checked (the API refuses an id that is not one); other formats
  (``uri``, ``binary``) stay annotations.

``validate_request(path, method, body)`` checks a JSON request body against the
operation's schema; ``validate_query`` checks the query parameters of a GET (read
as the document types them, see ``coerce_query``). Both answer ``None`` or the first
problem as ``(field, message)``, the ``name`` and ``error`` of the API's 422 body
``{"error": "candidate_email is required", "name": "candidate_email"}``. The first
problem is the one at the field that comes first in the schema, as the API reports
it. Messages never show the value (a resume must not come back in an error). Nothing
here names an endpoint: every operation of the document is checked the same way.
``validate_response`` holds an answer to the document the same way (for tests of
whatever stands in for the API).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from sync.jobmojito.document import (
    BASE_URI,
    DOCUMENT_FILE,
    UnknownOperationError,
    document,
    inlined_schema,
    json_pointer,
    operation,
    operation_key,
    operations,
    parameters_schema,
    query_schema,
    registry,
    request_schema,
    response_schema,
)

#: Formats asserted; the others are annotations, as JSON Schema 2020-12 has them.
CHECKED_FORMATS = ("uuid",)

#: ``(field, message)``: the ``name`` and ``error`` of the API's 422 body.
Problem = tuple[str, str]


# ------------------------------------------------------------------ validation


@functools.cache
def _format_checker() -> FormatChecker:
    return FormatChecker(formats=CHECKED_FORMATS)


@functools.cache
def _body_validator(path: str, method: str, status: str | None) -> Draft202012Validator | None:
    pointer = json_pointer(path, method, status)
    if pointer is None:
        return None
    return Draft202012Validator(
        {"$ref": BASE_URI + pointer}, registry=registry(), format_checker=_format_checker()
    )


@functools.cache
def _query_validator(path: str, method: str) -> Draft202012Validator | None:
    schema = parameters_schema(path, method)
    if schema is None:
        return None
    return Draft202012Validator(schema, registry=registry(), format_checker=_format_checker())


def validate_request(path: str, method: str, body: Any) -> Problem | None:
    """The first problem of a JSON request ``body`` (parsed) for ``method path``, as
    ``(field, message)``; ``None`` when the document accepts it, or when the operation
    takes no JSON body. Raises ``UnknownOperationError``."""
    path, method = operation_key(path, method)
    validator = _body_validator(path, method, None)
    if validator is None:
        return None
    return _first_problem(
        validator.iter_errors(body), inlined_schema(path, method, None), "Request body"
    )


def validate_response(path: str, method: str, status: int | str, body: Any) -> Problem | None:
    """Like ``validate_request``, for the JSON body of a ``status`` answer of
    ``method path`` (``None`` when the document gives that answer no JSON body).
    Raises ``UnknownOperationError``."""
    path, method = operation_key(path, method)
    status = str(status)
    validator = _body_validator(path, method, status)
    if validator is None:
        return None
    return _first_problem(
        validator.iter_errors(body), inlined_schema(path, method, status), "Response body"
    )


def coerce_query(path: str, method: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The query as the document types it: ``"50"`` is 50 for an integer parameter,
    ``"true"`` is True for a boolean one. A value that does not read as its type, and
    a parameter the document does not list, stay as given."""
    path, method = operation_key(path, method)
    schema = parameters_schema(path, method)
    properties: Mapping[str, Any] = schema["properties"] if schema else {}
    return {name: _coerce(value, properties.get(name, {})) for name, value in query.items()}


def validate_query(path: str, method: str, query: Mapping[str, str]) -> Problem | None:
    """The first problem of the query parameters of ``method path`` (read by
    ``coerce_query``), as ``(field, message)``; ``None`` when the document accepts
    them. Parameters it does not list are ignored. Raises ``UnknownOperationError``."""
    path, method = operation_key(path, method)
    validator = _query_validator(path, method)
    if validator is None:
        return None
    values = coerce_query(path, method, query)
    return _first_problem(validator.iter_errors(values), parameters_schema(path, method), "Query")


_INTEGER = re.compile(r"[+-]?\d+")


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A query value read as its schema's type (a query carries only text)."""
    declared = schema.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    text = value.strip()
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types:
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return int(text) if _INTEGER.fullmatch(text) else number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return value


# -------------------------------------------------------------------- problems


def _first_problem(
    errors: Iterable[ValidationError], schema: Mapping[str, Any] | None, whole: str
) -> Problem | None:
    """The problem at the field that comes first; ``whole`` names the value checked
    ("Request body", ...), and its last word names a problem with it as a whole."""
    problems: list[tuple[tuple[int, ...], int, Problem]] = []
    for number, error in enumerate(errors):
        for parts, message in _describe(error):
            name = _name(parts, whole.split()[-1].lower())
            if not parts:  # the value as a whole: "Request body must be a JSON object"
                message = message.replace("an object", "a JSON object")
            text = f"{name if parts else whole} {message}"
            problems.append((_order(schema, parts), number, (name, text)))
    if not problems:
        return None
    return min(problems)[2]


def _describe(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """``(field path, message without the name)`` for each problem ``error`` stands for."""
    at = tuple(error.absolute_path)
    # validator_value, instance and schema are typed "or Unset": set on every error here.
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    keyword = error.validator
    if keyword == "required" and isinstance(instance, Mapping):
        return [((*at, name), "is required") for name in expected if name not in instance]
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        known = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        declared = schema.get("patternProperties", {}) if isinstance(schema, Mapping) else {}
        patterns = [re.compile(pattern) for pattern in declared]
        return [
            ((*at, name), "is not a known field")
            for name in instance
            if name not in known and not any(p.search(name) for p in patterns)
        ]
    return [(at, _message(error))]


_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _either(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _types(declared: Any) -> str:
    types = [declared] if isinstance(declared, str) else list(declared)
    return _either([_TYPE_NAMES.get(t, t) for t in types])


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _enum(expected: Any) -> str:
    values = [v if isinstance(v, str) else json.dumps(v) for v in expected if v is not None]
    nullable = " (or null)" if None in expected else ""
    return f"must be one of: {', '.join(values)}{nullable}"


def _min_length(expected: Any) -> str:
    return "must not be empty" if expected == 1 else f"must be at least {expected} characters"


#: How each JSON-Schema keyword's failure reads, given the keyword's value.
_PHRASES: dict[str, Callable[[Any], str]] = {
    "type": lambda e: f"must be {_types(e)}",
    "enum": _enum,
    "const": lambda e: f"must be {json.dumps(e)}",
    "minLength": _min_length,
    "maxLength": lambda e: f"must be at most {_count(e, 'character')}",
    "minimum": lambda e: f"must be at least {e:g}",
    "maximum": lambda e: f"must be at most {e:g}",
    "exclusiveMinimum": lambda e: f"must be greater than {e:g}",
    "exclusiveMaximum": lambda e: f"must be less than {e:g}",
    "multipleOf": lambda e: f"must be a multiple of {e:g}",
    "minItems": lambda e: f"must have at least {_count(e, 'item')}",
    "maxItems": lambda e: f"must have at most {_count(e, 'item')}",
    "uniqueItems": lambda e: "must not repeat an item",
    "minProperties": lambda e: f"must have at least {_count(e, 'field')}",
    "maxProperties": lambda e: f"must have at most {_count(e, 'field')}",
    "format": lambda e: f"must be a valid {'UUID' if e == 'uuid' else e}",
    "pattern": lambda e: f"must match the pattern {e}",
    "anyOf": lambda e: _alternatives(e),
    "oneOf": lambda e: _alternatives(e),
}


def _message(error: ValidationError) -> str:
    phrase = _PHRASES.get(str(error.validator))
    return phrase(error.validator_value) if phrase is not None else "is not valid"


def _alternatives(schemas: Any) -> str:
    """``must be a number, a string or null`` when every alternative is a bare type."""
    described: list[str] = []
    for schema in schemas if isinstance(schemas, list) else []:
        if not isinstance(schema, Mapping) or "type" not in schema:
            return "does not match any of the allowed forms"
        constraints = set(schema) - {"type", "description", "title", "example", "examples"}
        if constraints:
            return "does not match any of the allowed forms"
        described.append(_types(schema["type"]))
    return f"must be {_either(described)}" if described else "is not valid"


def _name(parts: tuple[str | int, ...], root: str) -> str:
    """``("questions", 0, "question")`` -> ``questions[0].question``; ``()`` -> root."""
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or root


def _order(schema: Mapping[str, Any] | None, parts: tuple[str | int, ...]) -> tuple[int, ...]:
    """Where a field comes in the schema: its properties' order, then list indexes."""
    key: list[int] = []
    current: Any = schema or {}
    for part in parts:
        current = _object_or_list(current)
        if isinstance(part, int):
            key.append(part)
            current = current.get("items", {})
            continue
        properties = current.get("properties", {})
        names = list(properties)
        key.append(names.index(part) if part in properties else len(names))
        current = properties.get(part, {})
    return tuple(key)


def _object_or_list(schema: Any) -> Mapping[str, Any]:
    """The alternative of a (nullable) union that has properties or items, if any."""
    if not isinstance(schema, Mapping):
        return {}
    if "properties" in schema or "items" in schema:
        return schema
    for keyword in ("anyOf", "oneOf", "allOf"):
        for alternative in schema.get(keyword, []):
            if isinstance(alternative, Mapping) and (
                "properties" in alternative or "items" in alternative
            ):
                return alternative
    return schema


__all__ = [
    "BASE_URI",
    "CHECKED_FORMATS",
    "DOCUMENT_FILE",
    "Problem",
    "UnknownOperationError",
    "coerce_query",
    "document",
    "operation",
    "operations",
    "query_schema",
    "request_schema",
    "response_schema",
    "validate_query",
    "validate_request",
    "validate_response",
]
