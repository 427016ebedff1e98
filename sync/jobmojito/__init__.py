"""The JobMojito API: its OpenAPI document, models, request validation, token source and client.

- ``openapi.json``: the vendor's OpenAPI document as published;
  ``sync.jobmojito.spec`` loads it and checks requests against it (the
  sandbox's validator, independent of the client's models);
- ``sync.jobmojito.fields``: the value checks the models share (numbers,
  country codes, e-mail, ISO dates, UUIDs) and ``shown``, the one way a
  message shows a value;
- ``sync.jobmojito.models``: pydantic models transcribed from the vendor's
  OpenAPI document, field by field;
- ``sync.jobmojito.validate``: a candidate payload checked against them, with
  messages users can act on;
- ``sync.jobmojito.retry``: ``Reply``, ``Failure`` and ``classify``, the one
  retry policy;
- ``sync.jobmojito.answers``: an HTTP answer read into a ``Reply``;
- ``sync.jobmojito.tokens``: ``TokenSource`` and the message for a refused token;
- ``sync.jobmojito.urls``: where the token may be sent (``check_base_url``);
- ``sync.jobmojito.client``: ``ApiClient`` over one pooled ``httpx`` client.

Names load lazily, so the models and validation (the mapping, the sandbox) do
not pull in httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.lazy import lazy_exports

__all__ = [
    "CANDIDATE_FIELDS",
    "MAX_RETRY_AFTER",
    "NOTHING_SENT",
    "REQUIRED_CANDIDATE_FIELDS",
    "ApiClient",
    "CandidateRequest",
    "CandidateResponse",
    "Failure",
    "InterviewCreateFromArrayRequest",
    "InterviewCreateRequest",
    "MerchantStatus",
    "Reply",
    "RequestFailed",
    "SeniorityLevel",
    "TokenSource",
    "Validated",
    "Verdict",
    "auth_message",
    "classify",
    "first_error_field_and_message",
    "format_validation_error",
    "parse_retry_after",
    "validate_candidate",
]

__getattr__ = lazy_exports(
    __name__,
    {
        ".models": (
            "CANDIDATE_FIELDS", "REQUIRED_CANDIDATE_FIELDS", "CandidateRequest",
            "CandidateResponse", "InterviewCreateFromArrayRequest", "InterviewCreateRequest",
            "MerchantStatus", "SeniorityLevel",
        ),
        ".validate": (
            "Validated", "first_error_field_and_message", "format_validation_error",
            "validate_candidate",
        ),
        ".retry": (
            "MAX_RETRY_AFTER", "NOTHING_SENT", "Failure", "Reply", "Verdict", "classify",
            "parse_retry_after",
        ),
        ".tokens": ("TokenSource", "auth_message"),
        ".client": ("ApiClient", "RequestFailed"),
    },
)  # fmt: skip


if TYPE_CHECKING:  # pragma: no cover
    from sync.jobmojito.client import ApiClient, RequestFailed
    from sync.jobmojito.models import (
        CANDIDATE_FIELDS,
        REQUIRED_CANDIDATE_FIELDS,
        CandidateRequest,
        CandidateResponse,
        InterviewCreateFromArrayRequest,
        InterviewCreateRequest,
        MerchantStatus,
        SeniorityLevel,
    )
    from sync.jobmojito.retry import (
        MAX_RETRY_AFTER,
        NOTHING_SENT,
        Failure,
        Reply,
        Verdict,
        classify,
        parse_retry_after,
    )
    from sync.jobmojito.tokens import TokenSource, auth_message
    from sync.jobmojito.validate import (
        Validated,
        first_error_field_and_message,
        format_validation_error,
        validate_candidate,
    )
