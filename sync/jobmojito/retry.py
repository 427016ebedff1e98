"""The retry policy: what one attempt's outcome means, and what the dispatcher does next.

An attempt never raises for what the network or the API did: the client
returns a ``Reply`` (status, parsed body, error text, ``Retry-After``, and a
``Failure`` when no usable answer came), and ``classify`` sorts every
``Reply`` into one ``Verdict`` (meltano's "one method classifies a
response"). This module is the single place that sorts an outcome:
``classify``, ``Reply.outcome_unknown`` and ``NOTHING_SENT`` are the policy to
change (``classify_read`` refines it for requests that only read); nothing here knows
about httpx.
"""

from __future__ import annotations

import email.utils
import enum
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import pydantic

__all__ = [
    "MAX_RETRY_AFTER",
    "NOTHING_SENT",
    "BodyT",
    "Failure",
    "Reply",
    "Verdict",
    "classify",
    "classify_read",
    "parse_retry_after",
]

#: ``Retry-After`` is clamped to [0, MAX_RETRY_AFTER] seconds.
MAX_RETRY_AFTER = 120.0


class Failure(enum.StrEnum):
    """Why an attempt got no usable answer. The values are the words messages show."""

    # No answer came (``Reply.http_status`` is ``None``).
    CONNECT_ERROR = "connect_error"
    CONNECT_TIMEOUT = "connect_timeout"
    POOL_TIMEOUT = "pool_timeout"
    WRITE_TIMEOUT = "write_timeout"  # also a write error: the request was not fully written
    READ_TIMEOUT = "read_timeout"
    DROPPED = "dropped"  # the connection closed or reset before an answer
    TRANSPORT_ERROR = "transport_error"  # any other network error (a proxy, say)
    # An answer came that could not be read.
    MALFORMED_BODY = "malformed_body"  # not JSON, or not decodable
    UNEXPECTED_BODY = "unexpected_body"  # JSON that does not fit the response model


#: Transport failures that say the request never reached the API.
NOTHING_SENT: frozenset[Failure] = frozenset(
    {Failure.CONNECT_ERROR, Failure.CONNECT_TIMEOUT, Failure.POOL_TIMEOUT, Failure.WRITE_TIMEOUT}
)


class Verdict(enum.StrEnum):
    """What the dispatcher does with one attempt's outcome."""

    SUCCESS = "success"  # 2xx with a body that fits the response model
    REJECTED = "rejected"  # a permanent 4xx: the row is `rejected` with the API's message
    AUTH = "auth"  # 401/403: refresh the token once, else stop the whole run
    RETRY_PATIENT = "retry_patient"  # nothing happened, or the server says "later"
    RETRY_FEW = "retry_few"  # outcome unknown, or a 500 that may not be temporary

    @property
    def retryable(self) -> bool:
        return self in (Verdict.RETRY_PATIENT, Verdict.RETRY_FEW)


BodyT = TypeVar("BodyT", bound=pydantic.BaseModel)


@dataclass(frozen=True, slots=True)
class Reply(Generic[BodyT]):
    """The raw outcome of one attempt; ``body`` is the parsed 2xx answer.

    ``http_status`` is ``None`` when no answer came (``failure`` says why:
    ``connect_error``, ``connect_timeout``, ``pool_timeout``, ``write_timeout``,
    ``read_timeout``, ``dropped``, ``transport_error``). With an answer,
    ``failure`` is ``malformed_body`` (not JSON) or ``unexpected_body`` (JSON
    that does not fit the response model) when a 2xx could not be read.
    ``error`` is the text for the results sheet ("422 candidate_email: invalid
    email"), ``code`` the gateway's ``sb-error-code`` or the field the API
    named. ``token_generation`` is the token the request was sent with.
    """

    http_status: int | None
    body: BodyT | None = None
    error: str = ""
    retry_after: float | None = None
    failure: Failure | None = None
    code: str = ""
    token_generation: int = 0

    @property
    def outcome_unknown(self) -> bool:
        """Whether the API may have acted on the request (a resend answers already-applied)."""
        status = self.http_status
        if status is None:
            return self.failure not in NOTHING_SENT
        if 200 <= status < 300:
            return True  # an answer that could not be read
        return status >= 500 and status not in (503, 546)

    @property
    def summary(self) -> str:
        """A short cause for messages: the error text, else the status."""
        if self.error:
            return self.error
        if self.http_status is not None:
            return str(self.http_status)
        return self.failure.value if self.failure is not None else "no answer"


def classify(reply: Reply[Any]) -> Verdict:
    """Sort one attempt's outcome (docs/design.md "Sending").

    ==========================================  ==============  ==========================
    outcome                                     verdict         why
    ==========================================  ==============  ==========================
    2xx, body fits the model                    success
    401, 403                                    auth            the token is refused
    429, 408, 503, 504, 546                     retry_patient   the server says "later"
    connect error / timeout, pool timeout,      retry_patient   nothing was sent
    write timeout
    500, 502, other 5xx                         retry_few       may be a bug, not temporary
    read timeout, dropped connection,           retry_few       outcome unknown: the
    2xx that is not JSON or not the model                       API dedupes a resend
    other 4xx (400, 404, 409, 422, ...), 3xx    rejected        permanent; the API's reason
    ==========================================  ==============  ==========================
    """
    status = reply.http_status
    if status is None:
        if reply.failure in NOTHING_SENT:
            return Verdict.RETRY_PATIENT
        return Verdict.RETRY_FEW
    if 200 <= status < 300:
        if reply.failure is None and reply.body is not None:
            return Verdict.SUCCESS
        return Verdict.RETRY_FEW
    if status in (401, 403):
        return Verdict.AUTH
    if status in (408, 429, 503, 504, 546):
        return Verdict.RETRY_PATIENT
    if status >= 500:
        return Verdict.RETRY_FEW
    return Verdict.REJECTED


def classify_read(reply: Reply[Any]) -> Verdict:
    """``classify`` for a request that only reads (a page of results, one result's details).

    A read changes nothing, so an outcome that is unknown for a send (a read timeout,
    a dropped connection, a 2xx that could not be read) is simply read again, as
    patiently as a 503. A 500 or 502 still gets few retries: it may not be temporary.
    """
    verdict = classify(reply)
    if verdict is Verdict.RETRY_FEW and (reply.http_status is None or reply.http_status < 300):
        return Verdict.RETRY_PATIENT
    return verdict


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date, clamped to [0, 120].

    Garbage gives ``None`` (the caller's own backoff applies).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds: float
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))
