"""What the sandbox decides by itself: a new candidate's decision, and an interview's size.

``expected_decision`` is deterministic (a ``+tag`` in the e-mail forces one, else
a stable hash picks it), so tests and rehearsals know each candidate's fate
beforehand; ``interview_size`` is how long a created interview is and how many
questions it has, from what the request asked for (the document's defaults).
The state (``_state``) applies them under its lock.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

ALREADY_APPLIED_REASON = "The candidate has already applied for this position"
RECRUITER_REJECT_REASON = "The recruiter rejected the candidate for this position"
REJECT_REASON = "The candidate's resume does not match the position's requirements"
#: Decisions the sandbox can make for a new enrolment.
DECISIONS: tuple[str, ...] = (
    "ai_accept",
    "recruiter_accept",
    "recruiter_action",
    "ai_reject",
    "recruiter_reject",
)

DEFAULT_MAX_DURATION = 1200  # seconds, as the OpenAPI document says
DEFAULT_INTERVIEW_LENGTH = 8
MAX_INTERVIEW_LENGTH = 40
SECONDS_PER_QUESTION = 90


def email_key(email: str) -> str:
    """The candidate half of an enrolment's identity: the trimmed, lower-cased e-mail."""
    return email.strip().lower()


def expected_decision(email: str) -> str:
    """The decision the sandbox makes for a new candidate with this e-mail.

    A ``+tag`` in the local part naming a decision forces it
    (``ann+ai_reject@example.com`` is rejected); otherwise a stable hash of the
    normalised e-mail picks ``ai_accept`` (60 %), ``recruiter_action`` (25 %) or
    ``ai_reject`` (15 %).
    """
    key = email_key(email)
    local = key.partition("@")[0]
    for tag in local.split("+")[1:]:
        if tag in DECISIONS:
            return tag
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 100
    if bucket < 60:
        return "ai_accept"
    if bucket < 85:
        return "recruiter_action"
    return "ai_reject"


def interview_size(fields: dict[str, Any]) -> tuple[int, int]:
    """(max duration in seconds, questions) of an interview made from ``fields``."""
    sent = fields.get("max_duration")  # a number or null, per the document
    max_duration = DEFAULT_MAX_DURATION
    if isinstance(sent, int | float) and math.isfinite(sent) and sent:
        max_duration = int(sent)
    try:
        requested = int(float(fields.get("interview_length") or DEFAULT_INTERVIEW_LENGTH))
    except (TypeError, ValueError, OverflowError):  # a number or a string, per the document
        requested = DEFAULT_INTERVIEW_LENGTH
    questions = len(fields.get("questions") or ()) or max(
        1, min(requested, MAX_INTERVIEW_LENGTH, max_duration // SECONDS_PER_QUESTION)
    )
    return max_duration, questions


__all__ = [
    "ALREADY_APPLIED_REASON",
    "DECISIONS",
    "RECRUITER_REJECT_REASON",
    "REJECT_REASON",
    "email_key",
    "expected_decision",
    "interview_size",
]
