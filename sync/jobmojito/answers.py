"""An HTTP answer as a ``Reply``: the body parsed into its model, or the error text.

``read_reply`` reads one ``httpx.Response``: a 2xx body parsed into the
response model (or ``malformed_body`` / ``unexpected_body``), any other
status as the text users read (``"422 candidate_email: invalid email"``,
``"503 BOOT_ERROR"``), ``Retry-After`` and the gateway's ``sb-error-code``.
Every text the API returns is freed of the token first; an unknown error body
is never echoed (it may quote the request).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic

from sync.jobmojito.models import ApiErrorBody
from sync.jobmojito.retry import BodyT, Failure, Reply, parse_retry_after
from sync.redact import redact_secrets

__all__ = ["read_reply"]


def read_reply(
    response: httpx.Response,
    model: type[BodyT],
    generation: int,
) -> Reply[BodyT]:
    """The ``Reply`` of one answer; ``generation`` is the token it was sent with."""
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    gateway_code = response.headers.get("sb-error-code", "").strip()
    common: dict[str, Any] = {"retry_after": retry_after, "token_generation": generation}
    try:
        # Every text the API returns is kept free of the token, whatever the status:
        # a body that echoes it must not carry it into the results or the ledger.
        data = json.loads(redact_secrets(response.text))
    except (ValueError, UnicodeDecodeError):
        data = _NOT_JSON
    if 200 <= status < 300:
        if data is _NOT_JSON:
            return Reply(
                status,
                error=f"{status} with a body that is not valid JSON",
                failure=Failure.MALFORMED_BODY,
                **common,
            )
        try:
            body = model.model_validate(data)
        except pydantic.ValidationError as exc:
            return Reply(
                status,
                error=f"{status} with an unexpected body ({_first_problem(exc)})",
                failure=Failure.UNEXPECTED_BODY,
                **common,
            )
        return Reply(status, body, **common)
    text, field = _error_text(status, response.reason_phrase, data, gateway_code)
    return Reply(status, error=text, code=gateway_code or field, **common)


_NOT_JSON = object()


def _error_text(status: int, phrase: str, data: Any, gateway_code: str) -> tuple[str, str]:
    """The error text and the field the API named.

    ``"422 candidate_email: invalid email"``, ``"503 BOOT_ERROR"``, ``"401 Invalid JWT"``,
    ``"500 EDGE_FUNCTION_ERROR: Internal server error"``, ``"502 Bad Gateway"``.
    """
    head = f"{status} {gateway_code}" if gateway_code else str(status)
    if isinstance(data, dict):
        try:
            err = ApiErrorBody.model_validate(data)
        except pydantic.ValidationError:
            err = None
        if err is not None:
            name = (err.name or "").strip()
            message = _short(err.error)
            if gateway_code:
                return f"{head}: {message}", name
            return (f"{head} {name}: {message}" if name else f"{head} {message}"), name
        gateway_message = data.get("message")  # the gateway's {"code": ..., "message": ...}
        if not gateway_code and isinstance(gateway_message, str) and gateway_message.strip():
            return f"{head} {_short(gateway_message)}", ""
    if gateway_code:
        return head, ""
    # Not the API's error shape: never echo an unknown body (it may quote the request).
    return f"{status} {phrase}".strip(), ""


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_problem(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "does not fit the response model"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"
