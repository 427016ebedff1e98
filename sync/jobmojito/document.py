"""The vendor's OpenAPI document, read once and translated to JSON Schema 2020-12.

``openapi.json`` beside this module is the document exactly as the vendor publishes
it. It declares ``openapi: 3.1.0``, whose schemas are JSON Schema 2020-12, but still
uses the 3.0 keyword ``nullable``, translated here:

- ``nullable: true`` also accepts null: ``"null"`` joins the ``type`` (and ``None``
  the ``enum``); a schema without a ``type`` (a ``$ref``, an ``allOf`` ...) becomes
  ``anyOf: [{"type": "null"}, <schema>]``. A bare ``{"nullable": true}`` is how the
  document's generator spells *null* among the alternatives of an ``anyOf`` /
  ``oneOf`` (``interview_length``: a number, a string or null); anywhere else it is
  "any value, null included" (``additionalProperties`` of ``custom_scoring``).
- ``$ref`` resolves through a ``referencing`` registry that holds the translated
  document; ``request_schema`` also hands out schemas with every ``$ref`` inlined.

``sync.jobmojito.spec`` checks requests and answers against these schemas.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

#: The document's file name inside this package.
DOCUMENT_FILE = "openapi.json"
#: The URI the translated document is registered under (it has no ``$id`` of its own).
BASE_URI = "urn:jobmojito:openapi"
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
def registry() -> Registry[Any]:
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


def operation_key(path: str, method: str) -> tuple[str, str]:
    return "/" + path.strip("/"), method.lower()


def operation(path: str, method: str) -> Mapping[str, Any]:
    """The operation object of ``method path`` as published (``path`` with or without
    the leading ``/``; any case of method). Raises ``UnknownOperationError``."""
    path, method = operation_key(path, method)
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


def json_pointer(path: str, method: str, status: str | None) -> str | None:
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
        target = registry().resolver(BASE_URI).lookup(ref).contents
        out.update(_inline(target, (*seen, ref)))
    for key, value in schema.items():
        if key == "$ref" and isinstance(ref, str):
            continue
        out[key] = copy.deepcopy(value) if key in _DATA_KEYWORDS else _inline(value, seen)
    return out


@functools.cache
def inlined_schema(path: str, method: str, status: str | None) -> dict[str, Any] | None:
    pointer = json_pointer(path, method, status)
    if pointer is None:
        return None
    inlined: dict[str, Any] = _inline({"$ref": pointer})
    return inlined


def request_schema(path: str, method: str) -> dict[str, Any] | None:
    """The JSON Schema (2020-12) of the operation's JSON request body, ``nullable``
    translated and every ``$ref`` inlined; ``None`` when it takes no JSON body.
    Raises ``UnknownOperationError``."""
    path, method = operation_key(path, method)
    return copy.deepcopy(inlined_schema(path, method, None))


def response_schema(path: str, method: str, status: int | str = 200) -> dict[str, Any] | None:
    """Like ``request_schema``, for the JSON body of the operation's ``status`` answer
    (``None`` when the document gives that answer no JSON body)."""
    path, method = operation_key(path, method)
    return copy.deepcopy(inlined_schema(path, method, str(status)))


@functools.cache
def parameters_schema(path: str, method: str) -> dict[str, Any] | None:
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
    path, method = operation_key(path, method)
    return copy.deepcopy(parameters_schema(path, method))
