"""The vendor's OpenAPI document as JSON Schema: what the live API accepts, and why not.

``openapi.json`` beside this module is the document exactly as the vendor publishes
it. It declares ``openapi: 3.1.0``, whose schemas are JSON Schema 2020-12, but still
uses the 3.0 keyword ``nullable``. It is read once and translated:

- ``nullable: true`` also accepts null: ``"null"`` joins the ``type`` (and ``None``
  the ``enum``); a schema without a ``type`` (a ``$ref``, an ``allOf`` ...) becomes
  ``anyOf: [{"type": "null"}, <schema>]``. A bare ``{"nullable": true}`` is how the
  document's generator spells *null* among the alternatives of an ``anyOf`` /
  ``oneOf`` (``interview_length``: a number, a string or null); anywhere else it is
  "any value, null included" (``additionalProperties`` of ``custom_scoring``).
- ``$ref`` resolves through a ``referencing`` registry that holds the translated
  document; ``request_schema`` also hands out schemas with every ``$ref`` inlined.
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

import copy
import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

#: The document's file name inside this package.
DOCUMENT_FILE = "openapi.json"
#: The URI the translated document is registered under (it has no ``$id`` of its own).
BASE_URI = "urn:jobmojito:openapi"
#: Formats asserted; the others are annotations, as JSON Schema 2020-12 has them.
CHECKED_FORMATS = ("uuid",)

#: ``(field, message)``: the ``name`` and ``error`` of the API's 422 body.
Problem = tuple[str, str]

_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
#: Keywords whose values are data, not schemas: never translated.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples"})
#: Keywords that constrain a value without a ``type``.
_UNTYPED_CONSTRAINTS = frozenset({"$ref", "allOf", "anyOf", "oneOf", "not", "const"})


class UnknownOperationError(LookupError):
    """The document has no such path, or no such method on it."""


# --------------------------------------------------------------------- loading


@functools.cache
def document() -> Mapping[str, Any]:
    """The document as published (parsed once; do not change it)."""
    text = resources.files(__package__).joinpath(DOCUMENT_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _translated() -> dict[str, Any]:
    """The whole document with ``nullable`` turned into JSON Schema 2020-12."""
    translated: dict[str, Any] = _translate(document())
    return translated


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(_translated(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(BASE_URI, resource)
    return registry


def _translate(node: Any, *, alternative: bool = False) -> Any:
    """``node`` with ``nullable`` translated, recursively (a new object; data untouched)."""
    if isinstance(node, list):
        return [_translate(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "nullable" and isinstance(value, bool):
            continue
        if key in _DATA_KEYWORDS:
            out[key] = copy.deepcopy(value)
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_translate(item, alternative=True) for item in value]
        else:
            out[key] = _translate(value)
    if node.get("nullable") is not True:
        return out
    if "type" in out:
        types = [out["type"]] if isinstance(out["type"], str) else list(out["type"])
        out["type"] = types if "null" in types else [*types, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if "enum" in out:
        if None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if _UNTYPED_CONSTRAINTS & out.keys():
        return {"anyOf": [{"type": "null"}, out]}
    if alternative:  # the generator's spelling of "or null" in a union
        return {**out, "type": "null"}
    return out  # no constraint at all: any value, null included


# ------------------------------------------------------------------ operations


def _escape(token: str) -> str:
    """A JSON Pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def _key(path: str, method: str) -> tuple[str, str]:
    return "/" + path.strip("/"), method.lower()


def operation(path: str, method: str) -> Mapping[str, Any]:
    """The operation object of ``method path`` as published (``path`` with or without
    the leading ``/``; any case of method). Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    item = document()["paths"].get(path)
    if not isinstance(item, Mapping) or method not in _METHODS or method not in item:
        raise UnknownOperationError(f"the OpenAPI document has no {method.upper()} {path}")
    found: Mapping[str, Any] = item[method]
    return found


def operations() -> list[tuple[str, str]]:
    """Every ``(path, method)`` of the document, in its order."""
    return [
        (path, method)
        for path, item in document()["paths"].items()
        for method in item
        if method in _METHODS
    ]


def _json_pointer(path: str, method: str, status: str | None) -> str | None:
    """The JSON Pointer of the ``application/json`` schema of the operation's request
    body (``status`` None) or of its answer with ``status``; None when there is none."""
    op = operation(path, method)
    where = ["requestBody"] if status is None else ["responses", status]
    found = op.get("requestBody") if status is None else op.get("responses", {}).get(status)
    content = (found or {}).get("content", {})
    if "application/json" not in content or "schema" not in content["application/json"]:
        return None
    tokens = ["paths", path, method, *where, "content", "application/json", "schema"]
    return "#/" + "/".join(_escape(token) for token in tokens)


def _inline(schema: Any, seen: tuple[str, ...] = ()) -> Any:
    """``schema`` with every ``$ref`` replaced by what it points to (a new object)."""
    if isinstance(schema, list):
        return [_inline(item, seen) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            raise ValueError(f"the OpenAPI document refers to itself through {ref}")
        target = _registry().resolver(BASE_URI).lookup(ref).contents
        out.update(_inline(target, (*seen, ref)))
    for key, value in schema.items():
        if key == "$ref" and isinstance(ref, str):
            continue
        out[key] = copy.deepcopy(value) if key in _DATA_KEYWORDS else _inline(value, seen)
    return out


@functools.cache
def _schema(path: str, method: str, status: str | None) -> dict[str, Any] | None:
    pointer = _json_pointer(path, method, status)
    if pointer is None:
        return None
    inlined: dict[str, Any] = _inline({"$ref": pointer})
    return inlined


def request_schema(path: str, method: str) -> dict[str, Any] | None:
    """The JSON Schema (2020-12) of the operation's JSON request body, ``nullable``
    translated and every ``$ref`` inlined; ``None`` when it takes no JSON body.
    Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    return copy.deepcopy(_schema(path, method, None))


def response_schema(path: str, method: str, status: int | str = 200) -> dict[str, Any] | None:
    """Like ``request_schema``, for the JSON body of the operation's ``status`` answer
    (``None`` when the document gives that answer no JSON body)."""
    path, method = _key(path, method)
    return copy.deepcopy(_schema(path, method, str(status)))


@functools.cache
def _query_schema(path: str, method: str) -> dict[str, Any] | None:
    operation(path, method)  # UnknownOperationError
    declared = _translated()["paths"][path][method].get("parameters", [])
    params = [_inline(parameter) for parameter in declared]
    query = [p for p in params if p.get("in") == "query"]
    if not query:
        return None
    return {
        "type": "object",
        "properties": {p["name"]: p.get("schema", {}) for p in query},
        "required": [p["name"] for p in query if p.get("required")],
    }


def query_schema(path: str, method: str) -> dict[str, Any] | None:
    """The operation's query parameters as one object schema (name -> schema, with the
    required ones listed); ``None`` when it has none. Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    return copy.deepcopy(_query_schema(path, method))


# ------------------------------------------------------------------ validation


@functools.cache
def _format_checker() -> FormatChecker:
    return FormatChecker(formats=CHECKED_FORMATS)


@functools.cache
def _body_validator(path: str, method: str, status: str | None) -> Draft202012Validator | None:
    pointer = _json_pointer(path, method, status)
    if pointer is None:
        return None
    return Draft202012Validator(
        {"$ref": BASE_URI + pointer}, registry=_registry(), format_checker=_format_checker()
    )


@functools.cache
def _query_validator(path: str, method: str) -> Draft202012Validator | None:
    schema = _query_schema(path, method)
    if schema is None:
        return None
    return Draft202012Validator(schema, registry=_registry(), format_checker=_format_checker())


def validate_request(path: str, method: str, body: Any) -> Problem | None:
    """The first problem of a JSON request ``body`` (parsed) for ``method path``, as
    ``(field, message)``; ``None`` when the document accepts it, or when the operation
    takes no JSON body. Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    validator = _body_validator(path, method, None)
    if validator is None:
        return None
    return _first_problem(validator.iter_errors(body), _schema(path, method, None), "Request body")


def validate_response(path: str, method: str, status: int | str, body: Any) -> Problem | None:
    """Like ``validate_request``, for the JSON body of a ``status`` answer of
    ``method path`` (``None`` when the document gives that answer no JSON body).
    Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    status = str(status)
    validator = _body_validator(path, method, status)
    if validator is None:
        return None
    return _first_problem(
        validator.iter_errors(body), _schema(path, method, status), "Response body"
    )


def coerce_query(path: str, method: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The query as the document types it: ``"50"`` is 50 for an integer parameter,
    ``"true"`` is True for a boolean one. A value that does not read as its type, and
    a parameter the document does not list, stay as given."""
    path, method = _key(path, method)
    schema = _query_schema(path, method)
    properties: Mapping[str, Any] = schema["properties"] if schema else {}
    return {name: _coerce(value, properties.get(name, {})) for name, value in query.items()}


def validate_query(path: str, method: str, query: Mapping[str, str]) -> Problem | None:
    """The first problem of the query parameters of ``method path`` (read by
    ``coerce_query``), as ``(field, message)``; ``None`` when the document accepts
    them. Parameters it does not list are ignored. Raises ``UnknownOperationError``."""
    path, method = _key(path, method)
    validator = _query_validator(path, method)
    if validator is None:
        return None
    values = coerce_query(path, method, query)
    return _first_problem(validator.iter_errors(values), _query_schema(path, method), "Query")


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


def _message(error: ValidationError) -> str:
    keyword = error.validator
    expected: Any = error.validator_value
    if keyword == "type":
        return f"must be {_types(expected)}"
    if keyword == "enum":
        values = [v if isinstance(v, str) else json.dumps(v) for v in expected if v is not None]
        nullable = " (or null)" if None in expected else ""
        return f"must be one of: {', '.join(values)}{nullable}"
    if keyword == "const":
        return f"must be {json.dumps(expected)}"
    if keyword == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters"
    if keyword == "maxLength":
        return f"must be at most {_count(expected, 'character')}"
    if keyword == "minimum":
        return f"must be at least {expected:g}"
    if keyword == "maximum":
        return f"must be at most {expected:g}"
    if keyword == "exclusiveMinimum":
        return f"must be greater than {expected:g}"
    if keyword == "exclusiveMaximum":
        return f"must be less than {expected:g}"
    if keyword == "multipleOf":
        return f"must be a multiple of {expected:g}"
    if keyword == "minItems":
        return f"must have at least {_count(expected, 'item')}"
    if keyword == "maxItems":
        return f"must have at most {_count(expected, 'item')}"
    if keyword == "uniqueItems":
        return "must not repeat an item"
    if keyword == "minProperties":
        return f"must have at least {_count(expected, 'field')}"
    if keyword == "maxProperties":
        return f"must have at most {_count(expected, 'field')}"
    if keyword == "format":
        return f"must be a valid {'UUID' if expected == 'uuid' else expected}"
    if keyword == "pattern":
        return f"must match the pattern {expected}"
    if keyword in ("anyOf", "oneOf"):
        return _alternatives(expected)
    return "is not valid"


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
