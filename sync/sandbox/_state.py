"""What the sandbox remembers: positions, interviews, enrolments, credits and counters.

An interview made by ``job-interview-create`` (or ``-from-array``) is a
single-stage position: its ``interview_def_set_id`` is also the
``position_def_set_id`` an enrolment may name, and its ``code`` the
``position_external_id`` that finds it. Every definition is listed by
``merchant-interview-list`` with its ``code`` (``sync.sandbox._catalogue``).

How the enrolled candidates take their interviews (``progress``: the results list
and the details) is ``sync.sandbox._progress``; the state only hands it each
enrolment and answers the two read endpoints under its lock.

Every method runs under one lock and never awaits, so a check-then-insert (is this
candidate already enrolled for this position?) cannot interleave with another
request, whatever the concurrency. Methods return ``(http_status, body)``; the app
turns that into a response.
"""

from __future__ import annotations

import base64
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sync.sandbox._catalogue import SANDBOX_MERCHANT_ID, TEMPLATE_IDS
from sync.sandbox._decisions import (
    ALREADY_APPLIED_REASON,
    RECRUITER_REJECT_REASON,
    REJECT_REASON,
    email_key,
    expected_decision,
    interview_size,
)
from sync.sandbox._definitions import CANDIDATE_ENDPOINT, Definitions
from sync.sandbox._progress import InterviewProgress, Taker

SANDBOX_PROFILE_ID = "9b2c1e54-7a3d-4f8e-9c10-2b6a4d5e7f01"
INTERVIEW_URL_BASE = "https://sandbox.jobmojito.local/interview/"

#: Required by for-candidate-with-token when no ``position_def_set_id`` is given.
POSITION_FIELDS = (
    "position_name",
    "position_location",
    "position_country_code",
    "mojito_language_code",
)


def _norm(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


@dataclass
class Position:
    id: str
    interview_def_set_id: str
    external_id: str | None
    name: str
    location: str
    country_code: str
    language_code: str


@dataclass
class Interview:
    id: str
    name: str
    source: str  # "position", "ai" or "array"
    max_duration: int
    questions: int
    embed: tuple[str, str] | None = None  # (embed_id, embed_signing_key)


@dataclass(frozen=True)
class Enrolment:
    profile_interview_id: str
    email: str
    position_id: str
    interview_def_set_id: str
    decision: str
    interview_url: str


@dataclass
class _Counters:
    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    enrolments_created: int = 0
    duplicates_answered: int = 0
    per_second: Counter[int] = field(default_factory=Counter)  # arrivals by wall-clock second


class SandboxState(Definitions):
    """The merchant's world as the sandbox sees it. Thread-safe; see the module docstring."""

    def __init__(self, *, credits: int = 1000, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._initial_credits = credits
        self._seed = seed
        self.reset()

    def reset(self, *, credits: int | None = None, seed: int | None = None) -> None:
        """Forget everything: as freshly started (optionally with new credits or seed)."""
        with self._lock:
            if credits is not None:
                self._initial_credits = credits
            if seed is not None:
                self._seed = seed
            self._rng = random.Random(f"ids:{self._seed}")
            self.positions: dict[str, Position] = {}
            self._by_external: dict[str, str] = {}
            self._by_fields: dict[tuple[str, str, str], str] = {}
            self.interviews: dict[str, Interview] = {}
            self.enrolments: dict[tuple[str, str], Enrolment] = {}
            self.credits = self._initial_credits
            self._reset_definitions()
            self._counters = _Counters()
            self.progress = InterviewProgress(self._seed)

    def set_credits(self, credits: int) -> None:
        """Set the monthly credits left (and the plan's monthly allowance) to ``credits``."""
        with self._lock:
            self._initial_credits = credits
            self.credits = credits

    # ----------------------------------------------------------------- ids

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _token(self) -> str:
        return base64.urlsafe_b64encode(self._rng.randbytes(18)).decode().rstrip("=")

    def _embed(self, interview: Interview) -> dict[str, str]:
        if interview.embed is None:
            interview.embed = (self._uuid(), "sk_sandbox_" + self._token())
        return {"embed_id": interview.embed[0], "embed_signing_key": interview.embed[1]}

    def _new_interview(self, name: str, source: str, fields: dict[str, Any]) -> Interview:
        max_duration, questions = interview_size(fields)
        interview = Interview(self._uuid(), name, source, max_duration, questions)
        self.interviews[interview.id] = interview
        return interview

    # ---------------------------------------------------------- endpoints

    def enrol(self, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``job-interview-create-for-candidate-with-token`` on validated fields."""
        with self._lock:
            position_or_error = self._resolve_position(fields)
            if isinstance(position_or_error, tuple):
                return position_or_error
            position = position_or_error
            interview = self.interviews[position.interview_def_set_id]
            key = (email_key(fields["candidate_email"]), position.id)
            embedded = bool(fields.get("is_embedded"))
            existing = self.enrolments.get(key)
            if existing is not None:
                self._counters.duplicates_answered += 1
                body = self._candidate_body(existing, "already-applied", ALREADY_APPLIED_REASON)
                if embedded or interview.embed is not None:
                    body.update(self._embed(interview))
                return 200, body
            if self.credits <= 0:
                return 422, {"error": "No interview credits left", "name": "credits"}
            self.credits -= 1
            profile_interview_id = self._uuid()
            enrolment = Enrolment(
                profile_interview_id=profile_interview_id,
                email=key[0],
                position_id=position.id,
                interview_def_set_id=interview.id,
                decision=expected_decision(fields["candidate_email"]),
                interview_url=f"{INTERVIEW_URL_BASE}{profile_interview_id}?token={self._token()}",
            )
            self.enrolments[key] = enrolment
            self._counters.enrolments_created += 1
            self._taken(enrolment, position, fields)
            reason = {"ai_reject": REJECT_REASON, "recruiter_reject": RECRUITER_REJECT_REASON}
            body = self._candidate_body(
                enrolment, enrolment.decision, reason.get(enrolment.decision)
            )
            if embedded:
                body.update(self._embed(interview))
            return 200, body

    @staticmethod
    def _candidate_body(enrolment: Enrolment, status: str, reason: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": status,
            "interview_url": enrolment.interview_url,
            "position_def_set_id": enrolment.position_id,
            "interview_def_set_id": enrolment.interview_def_set_id,
            "profile_interview_id": enrolment.profile_interview_id,
        }
        if reason:
            body["reason"] = reason
        return body

    def _resolve_position(self, fields: dict[str, Any]) -> Position | tuple[int, dict[str, Any]]:
        def_set_id = fields.get("position_def_set_id")
        if def_set_id:
            found = self.positions.get(def_set_id)
            if found is None:
                error = {"error": "position_def_set_id not found", "name": "position_def_set_id"}
                return 404, error
            self.positions_found["position_def_set_id"] += 1
            return found
        # The document: the four are "required when position_def_set_id is not provided",
        # a position_external_id notwithstanding (it only finds the position).
        for name in POSITION_FIELDS:
            if not fields.get(name):
                message = f"{name} is required when position_def_set_id is not provided"
                return 422, {"error": message, "name": name}
        external_id = fields.get("position_external_id")
        if external_id and external_id in self._by_external:
            self.positions_found["position_external_id"] += 1
            return self.positions[self._by_external[external_id]]
        by_fields = (
            _norm(fields["position_name"]),
            _norm(fields["position_location"]),
            _norm(fields["position_country_code"]),
        )
        if not external_id and by_fields in self._by_fields:
            self.positions_found["position_fields"] += 1
            return self.positions[self._by_fields[by_fields]]
        interview = self._new_interview(fields["position_name"], "position", fields)
        position = Position(
            id=self._uuid(),
            interview_def_set_id=interview.id,
            external_id=external_id,
            name=fields["position_name"],
            location=fields["position_location"],
            country_code=fields["position_country_code"],
            language_code=fields["mojito_language_code"],
        )
        self.positions[position.id] = position
        if external_id:
            self._by_external[external_id] = position.id
        else:
            self._by_fields[by_fields] = position.id
        self.positions_found["created"] += 1
        self._define(position.id, fields["position_name"], external_id, CANDIDATE_ENDPOINT, {
            "mojito_language_code": fields["mojito_language_code"],
            "template_id": fields.get("interview_template_id"),
        })  # fmt: skip
        return position

    def create_interview(
        self, fields: dict[str, Any], *, source: str
    ) -> tuple[int, dict[str, Any]]:
        """``job-interview-create`` (``source="ai"``) or ``-from-array`` (``"array"``).

        The interview is a single-stage position: enrolments find it by its id
        (``position_def_set_id``) or its ``code`` (``position_external_id``). A code
        already in use makes a second interview all the same: the document
        promises no reuse.
        """
        with self._lock:
            if fields["interview_template_id"] not in TEMPLATE_IDS:
                error = "interview_template_id does not name a template of this merchant"
                return 422, {"error": error, "name": "interview_template_id"}
            interview = self._new_interview(fields["name"], source, fields)
            code = fields.get("code") or None
            position = Position(
                id=interview.id,
                interview_def_set_id=interview.id,
                external_id=code,
                name=fields["name"],
                location=fields["location"],
                country_code="",
                language_code=fields["mojito_language_code"],
            )
            self.positions[position.id] = position
            if code:
                self._by_external.setdefault(code, position.id)
            endpoint = "job-interview-create" + ("-from-array" if source == "array" else "")
            definition = self._define(interview.id, fields["name"], code, endpoint, fields)
            definition.questions = [
                {**{k: v for k, v in q.items() if k != "id"}, "id": self._uuid()}
                for q in fields.get("questions") or ()
            ]
            body: dict[str, Any] = {"interview_def_set_id": interview.id}
            if source == "ai":
                body["questions_generated"] = interview.questions
                body["max_duration"] = interview.max_duration
            if fields.get("is_embedded"):
                body.update(self._embed(interview))
            return 200, body

    def merchant_status(self, merchant_id: str | None = None) -> dict[str, Any]:
        """``merchant-status``: every required field; credits run down with enrolments."""
        with self._lock:
            candidates = len(self.enrolments)
            limit = 4 * self._initial_credits
            return {
                "profile_id": SANDBOX_PROFILE_ID,
                "default_merchant_id": SANDBOX_MERCHANT_ID,
                "merchant_id": merchant_id or SANDBOX_MERCHANT_ID,
                "credits_interview_monthly": self.credits,
                "credits_interview_monthly_limit": self._initial_credits,
                "credits_interview_extra": 0,
                "credits_interview_single": 0,
                "definitions_active": len(self.interviews),
                "interviews_without_credits": 0,
                "interviews_undecided": 0,
                "interviews_ongoing": 0,
                "interview_results": 0,
                "candidates": candidates,
                "candidates_history": [candidates] + [0] * 13,
                "interview_result_history": [0] * 14,
                "subscription_type": "Sandbox",
                "subscription_status": "active",
                "invitations_sent": candidates,
                "invitations_limit": limit,
                "invitations_available": max(0, limit - candidates),
            }

    # ------------------------------------------------------- interview results

    def _taken(self, enrolment: Enrolment, position: Position, fields: dict[str, Any]) -> None:
        self.progress.enrolled(
            Taker.of(enrolment, position.name, fields, enrolled_at=self.progress.now())
        )

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for the interviews (the sandbox's clock), without sleeping."""
        with self._lock:
            self.progress.advance(seconds)

    def result_list(self, fields: dict[str, Any], *, delay: float) -> tuple[int, dict[str, Any]]:
        """``merchant-result-list`` on validated query fields: one page, filtered and ordered."""
        with self._lock:
            return 200, self.progress.result_list(fields, delay=delay)

    def interview_details(
        self, fields: dict[str, Any], *, delay: float, sign_always: bool
    ) -> tuple[int, dict[str, Any]]:
        """``job-interview-details`` of one started result; 404 for any other id."""
        with self._lock:
            return self.progress.interview_details(fields, delay=delay, sign_always=sign_always)

    # -------------------------------------------------------------- stats

    def record(self, endpoint: str, status: int | str) -> None:
        """Count one answered API request (``status`` may be ``"dropped"``)."""
        with self._lock:
            self._counters.requests += 1
            self._counters.by_status[str(status)] += 1
            self._counters.by_endpoint[endpoint] += 1

    def arrived(self, now: float | None = None) -> None:
        """Count one API request as it arrives (before the rate limit decides on it), in
        its wall-clock second: the server's own view of requests per second."""
        second = int(time.time() if now is None else now)
        with self._lock:
            self._counters.per_second[second] += 1

    def record_fault(self, kind: str) -> None:
        with self._lock:
            self._counters.faults[kind] += 1

    def stats(self) -> dict[str, Any]:
        """A snapshot: requests by status and endpoint, faults played, enrolments, credits,
        and the API requests that arrived in each wall-clock second (``per_second``, keyed
        by the Unix time of the second's start; ``busiest_second`` is its largest count)."""
        with self._lock:
            c = self._counters
            return {
                "requests": c.requests,
                "by_status": dict(sorted(c.by_status.items())),
                "by_endpoint": dict(sorted(c.by_endpoint.items())),
                "faults": dict(sorted(c.faults.items())),
                "enrolments_created": c.enrolments_created,
                "duplicates_answered": c.duplicates_answered,
                "positions": len(self.positions),
                "interviews": len(self.interviews),
                **self._definition_stats(),
                "credits_remaining": self.credits,
                "per_second": {str(k): v for k, v in sorted(c.per_second.items())},
                "busiest_second": max(c.per_second.values(), default=0),
            }
