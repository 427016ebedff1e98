"""A sandbox request's fields, checked against the vendor's OpenAPI document, or its 422.

A GET's fields are its query parameters, typed as the document declares them;
any other method's are its JSON body, as sent. The first problem is answered as
the API does: ``{"error": message, "name": field}``. The app (``_app``) calls
``request_fields`` before every function's work.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from sync.jobmojito import spec

Answer = tuple[int, Any]  # status, JSON body (an object; a bare string for a signed URL)


async def request_fields(request: Request, function: str) -> dict[str, Any] | Answer:
    """The request's fields, checked against the vendor's OpenAPI document, or a 422.

    A GET's fields are its query parameters, typed as the document declares them; any
    other method's are its JSON body, as sent (nothing trimmed, re-cased or defaulted:
    the document describes no such rewriting). The first problem is answered as the
    API does: ``{"error": message, "name": field}``.
    """
    method = request.method
    if method == "GET":
        query = dict(request.query_params)
        problem = spec.validate_query(function, method, query)
        if problem is None:
            return spec.coerce_query(function, method, query)
    else:
        try:
            data = json.loads(await request.body(), parse_constant=_not_json)
        except ValueError:  # also a body that is not UTF-8
            return 422, {"error": "Request body is not valid JSON", "name": "body"}
        problem = spec.validate_request(function, method, data)
        if problem is None:
            if isinstance(data, dict):
                return data
            problem = ("body", "Request body must be a JSON object")
    name, message = problem
    return 422, {"error": message, "name": name}


def _not_json(constant: str) -> Any:
    """``NaN`` and ``Infinity`` are Python's extensions, not JSON: refused, as the API does."""
    raise ValueError(f"{constant} is not JSON")


__all__ = ["Answer", "request_fields"]
