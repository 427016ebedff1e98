"""How the sandbox's candidates take their interviews: deterministic per candidate and seed.

Every enrolment gets a fate from a stable hash of the seed, the e-mail and the
position (``fate_of``): about 20 % never start (no result at all), 10 % open the
link and stop (a result that is not started), 25 % start and do not finish, 45 %
complete with a score, sub-scores and a decision. A ``+tag`` in the e-mail's
local part forces one (``ann+completed@…``, ``+started``, ``+invited``, ``+never``),
as decision tags do. A candidate the AI or the recruiter rejected at enrolment
never starts.

Time is the sandbox's clock (``InterviewProgress.now``, which ``advance`` moves
on, so tests never sleep) against ``progress_seconds`` (``SandboxConfig``): a
candidate starts within that delay of enrolling and finishes within another;
for a short while after, the assessment is ``processing`` (no score yet). With
``progress_seconds=0`` every fate is final at once.

``result_row`` is a row of ``merchant-result-list`` as the document describes it;
``details`` the body of ``job-interview-details``, with a transcript and the AI's
assessment, and signed recording URLs only when asked (or always, with
``signed_urls_always``: an API that leaks them, for tests that prove they go
nowhere).
"""

from __future__ import annotations

import functools
import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sync.jobmojito.document import document

#: Fates, each with its share of candidates (percent) when no tag forces one.
FATES: tuple[tuple[str, int], ...] = (
    ("never", 20),
    ("invited", 10),
    ("started", 25),
    ("completed", 45),
)
FATE_NAMES = tuple(name for name, _ in FATES)
REJECTED_AT_ENROLMENT = frozenset({"ai_reject", "recruiter_reject"})
_RESULT = document()["components"]["schemas"]["MerchantResultListResponse"]["properties"]["data"]
#: A result's score and sub-scores, as the document lists them (the simulated one aside).
SCORE_FIELDS: tuple[str, ...] = tuple(
    name
    for name in _RESULT["items"]["properties"]
    if name.startswith("score") and "simulation" not in name
)
RECORDINGS_BASE = "https://sandbox.jobmojito.local/storage/v1/object/sign/recordings/"
QUESTIONS = (
    "Tell us about a project you are proud of.",
    "How do you handle a disagreement in your team?",
    "What would you improve in your last role?",
)


@functools.lru_cache(maxsize=1 << 18)  # every page recomputes every row: hash each once
def _unit(*parts: object) -> float:
    """A stable number in [0, 1) for these parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@functools.lru_cache(maxsize=1 << 16)
def _uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:16]))


def fate_of(seed: int, email: str, position_id: str, decision: str) -> str:
    """``never``, ``invited``, ``started`` or ``completed`` (see the module)."""
    local = email.strip().lower().partition("@")[0]
    for tag in local.split("+")[1:]:
        if tag in FATE_NAMES:
            return tag
    if decision in REJECTED_AT_ENROLMENT:
        return "never"
    bucket = _unit("fate", seed, email.strip().lower(), position_id) * 100
    for name, share in FATES:
        if bucket < share:
            return name
        bucket -= share
    return FATES[-1][0]  # pragma: no cover - the shares add up to 100


class _Enrolment(Protocol):
    @property
    def profile_interview_id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def position_id(self) -> str: ...
    @property
    def interview_def_set_id(self) -> str: ...
    @property
    def decision(self) -> str: ...


@dataclass(frozen=True)
class Taker:
    """An enrolled candidate as the progress needs them."""

    profile_interview_id: str
    email: str
    name: str
    external_id: str
    position_id: str
    position_name: str
    definition_id: str
    decision: str
    enrolled_at: float  # the sandbox clock

    @classmethod
    def of(
        cls,
        enrolment: _Enrolment,
        position_name: str,
        fields: dict[str, Any],
        *,
        enrolled_at: float,
    ) -> Taker:
        """The candidate of a new enrolment, with the request's name and external id."""
        return cls(
            profile_interview_id=enrolment.profile_interview_id,
            email=enrolment.email,
            name=str(fields.get("candidate_name") or ""),
            external_id=str(fields.get("candidate_external_id") or ""),
            position_id=enrolment.position_id,
            position_name=position_name,
            definition_id=enrolment.interview_def_set_id,
            decision=enrolment.decision,
            enrolled_at=enrolled_at,
        )


class InterviewProgress:
    """The candidates enrolled, and where each one's interview stands at any time."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.takers: dict[str, Taker] = {}  # by profile_interview_id, in enrolment order
        self._skew = 0.0
        self._mono0 = time.monotonic()
        self._wall0 = time.time()

    def now(self) -> float:
        return time.monotonic() + self._skew

    def advance(self, seconds: float) -> None:
        """Move the sandbox's clock on: interviews progress as if that time had passed."""
        self._skew += max(0.0, seconds)

    def iso(self, moment: float) -> str:
        wall = self._wall0 + (moment - self._mono0)
        return datetime.fromtimestamp(wall, UTC).isoformat(timespec="seconds")

    def enrolled(self, taker: Taker) -> None:
        self.takers.setdefault(taker.profile_interview_id, taker)

    def _rows(self, delay: float) -> list[tuple[Taker, dict[str, Any]]]:
        found = []
        for taker in self.takers.values():
            row = self.result_row(taker, delay)
            if row is not None:
                found.append((taker, row))
        return found

    def result_list(self, fields: dict[str, Any], *, delay: float) -> dict[str, Any]:
        """One page of merchant-result-list for the (validated) query ``fields``."""
        return list_page([row for _, row in self._rows(delay)], fields)

    def interview_details(
        self, fields: dict[str, Any], *, delay: float, sign_always: bool
    ) -> tuple[int, dict[str, Any]]:
        """job-interview-details of one started result; 404 for any other id."""
        wanted = fields["interview_result_id"]
        signed = sign_always or fields.get("get_signed_recordings") == "true"
        for taker, row in self._rows(delay):
            if row["interview_result_id"] == wanted:
                return 200, self.details(taker, row, signed=signed)
        error = "No interview result exists for the given interview_result_id"
        return 404, {"error": error, "name": "interview_result_id"}

    # ------------------------------------------------------------------ one candidate

    def _times(self, taker: Taker, delay: float) -> tuple[float, float, float]:
        """When they start, finish, and when the assessment is ready (sandbox clock)."""
        key = (self.seed, taker.profile_interview_id)
        start = taker.enrolled_at + delay * (0.1 + 0.8 * _unit("start", *key))
        end = start + delay * (0.1 + 0.8 * _unit("end", *key))
        return start, end, end + delay * 0.05

    def result_row(self, taker: Taker, delay: float) -> dict[str, Any] | None:
        """The candidate's row in merchant-result-list now, or ``None`` if there is none."""
        fate = fate_of(self.seed, taker.email, taker.position_id, taker.decision)
        if fate == "never":
            return None
        start, end, ready = self._times(taker, delay)
        now = self.now()
        key = (self.seed, taker.profile_interview_id)
        row: dict[str, Any] = {
            "id": _uuid("row", *key),
            "interview_result_id": None,
            "profile_interview_id": taker.profile_interview_id,
            "definition_id": taker.definition_id,
            "candidate_name": taker.name,
            "candidate_email": taker.email,
            "position_name": taker.position_name,
            "position_step": "interview",
            "type": "interview",
            "external_id": taker.external_id or None,
            "status": "active",
            "coach_status": None,
            "decision_status": None,
            "interview_started": False,
            "recruiter_shortlist": False,
            "is_test": False,
            "duration_ds": None,
            "processing_status": None,
            "created_at": self.iso(taker.enrolled_at),
            "updated_at": self.iso(taker.enrolled_at),
        }
        for name in SCORE_FIELDS:
            row[name] = None
        if fate == "invited" or now < start:
            return row
        row.update(
            interview_result_id=_uuid("result", *key),
            coach_status="started",
            interview_started=True,
            duration_ds=round(600 * (2 + 6 * _unit("partial", *key))),
            updated_at=self.iso(start),
        )
        if fate == "started" or now < end:
            return row
        score = round(40 + 55 * _unit("score", *key), 1)
        row.update(
            coach_status="completed",
            duration_ds=round(600 * (8 + 12 * _unit("duration", *key))),
            processing_status="processing",
            updated_at=self.iso(end),
        )
        if now < ready:
            return row
        row.update(processing_status="completed", updated_at=self.iso(ready), score=score)
        for name in SCORE_FIELDS[1:]:
            sub = score + 20 * (_unit(name, *key) - 0.5)
            row[name] = round(min(100.0, max(0.0, sub)), 1)
        row["decision_status"] = "selected" if score >= 75 else "rejected" if score < 50 else None
        row["recruiter_shortlist"] = score >= 80
        return row

    def details(self, taker: Taker, row: dict[str, Any], *, signed: bool) -> dict[str, Any]:
        """The body of job-interview-details for the candidate's (started) result."""
        key = (self.seed, taker.profile_interview_id)
        result_id = row["interview_result_id"]
        completed = row["coach_status"] == "completed"
        ready = row["processing_status"] == "completed"
        recording = f"recordings/{result_id}.webm"
        turns: list[dict[str, Any]] = []
        for i, question in enumerate(QUESTIONS[: 3 if completed else 1]):
            turns.append(
                {"id": _uuid("q", i, *key), "is_answer": False, "question_asked": question}
            )
            turns.append(
                {
                    "id": _uuid("a", i, *key),
                    "is_answer": True,
                    "question_asked": question,
                    "answer": f"(transcript) {taker.name} answers question {i + 1} at length.",
                    "score": row["score"],
                    "recording_local_path": f"recordings/{result_id}-{i}.webm",
                    "recording_is_video": True,
                }
            )
        body: dict[str, Any] = {
            "score": row["score"],
            "score_sentiment": row["score_sentiment"],
            "score_words_per_minute": row["score_words_per_minute"],
            "score_pronunciation": row["score_pronunciation"],
            "score_answer": row["score_answer_ai"],
            "status": row["coach_status"],
            "start": row["updated_at"] if not completed else None,
            "duration": row["duration_ds"],
            "recording_local_path": recording,
            "recording_is_video": True,
            "transcript": turns,
        }
        if completed and ready:
            strong = _unit("strength", *key) > 0.5
            body.update(
                score_text=f"Score {row['score']:g} of 100",
                ai_completion_reason="all questions answered",
                ai_interview_coverage_percentage=round(70 + 30 * _unit("coverage", *key)),
                ai_analysis="Thank you for your answers.",
                ai_analysis_recruiter=(
                    f"{taker.name} gave structured answers for {taker.position_name};"
                    + (" concrete examples throughout." if strong else " examples stayed general.")
                ),
                ai_analysis_other={
                    "hiring_reasons": {
                        "reasons_to_hire": ["Clear communication", "Relevant project experience"],
                        "reasons_not_to_hire": [] if strong else ["Few concrete results named"],
                    },
                    "key_statement": {
                        "quote": "I shipped it in two weeks.",
                        "result_question_id": None,
                    },
                },
            )
        if signed:
            url = _signed(recording, key)
            body["recording_url"] = url
            body["video_introduction_url"] = _signed(f"recordings/{result_id}-intro.webm", key)
            for turn in turns:
                if turn.get("recording_local_path"):
                    turn["recording_url"] = _signed(turn["recording_local_path"], key)
            if body.get("ai_analysis_recruiter"):
                body["ai_analysis_recruiter"] += f" (recording: {url})"
        return body


def _signed(path: str, key: tuple[object, ...]) -> str:
    """A short-lived signed URL, shaped as storage services sign them."""
    signature = hashlib.sha256(("sig|" + "|".join(map(str, (*key, path)))).encode()).hexdigest()
    return (
        f"{RECORDINGS_BASE}{path.rpartition('/')[2]}?X-Amz-Expires=300"
        f"&X-Amz-Signature={signature}&token=eyJhbGciOiJIUzI1NiJ9.{signature[:24]}"
    )


# ----------------------------------------------------------------- the list


def _tab(row: dict[str, Any], tab: str) -> bool:
    decision, completed = row["decision_status"], row["coach_status"] == "completed"
    tabs: dict[str, bool] = {
        "": True,
        "completed": completed,
        "incomplete": not completed,
        "decided-selected": decision == "selected",
        "decided-rejected": decision == "rejected",
        "undecided": decision is None,
        "shortlist": bool(row["recruiter_shortlist"]),
    }
    return tabs.get(tab, False)  # archived and public-avatar tabs: the sandbox has none


def _kept(row: dict[str, Any], fields: dict[str, Any]) -> bool:
    text = str(fields.get("filter_text") or "").casefold()
    return bool(
        fields.get("type", "interview") == row["type"]
        and _tab(row, str(fields.get("tab") or ""))
        and fields.get("step") in (None, row["position_step"])
        and fields.get("interview_id") in (None, row["definition_id"])
        and fields.get("profile_interview_id") in (None, row["profile_interview_id"])
        and not fields.get("filter_emoji")  # no emoji markers, no risks in the sandbox
        and not fields.get("risks")
        and (not text or text in f"{row['candidate_name']} {row['candidate_email']}".casefold())
    )


def _order(rows: list[dict[str, Any]], order_by: str) -> list[dict[str, Any]]:
    if order_by == "created_at_oldest":
        return rows  # enrolment order
    if order_by == "updated_at_newest":
        return sorted(rows, key=lambda r: r["updated_at"], reverse=True)
    if order_by == "score":
        return sorted(rows, key=lambda r: (r["score"] is not None, r["score"] or 0), reverse=True)
    return rows[::-1]  # created_at_newest, the default


def list_page(rows: list[dict[str, Any]], fields: dict[str, Any]) -> dict[str, Any]:
    """A page of merchant-result-list from every row (in enrolment order) and the query."""
    chosen = _order([r for r in rows if _kept(r, fields)], str(fields.get("order_by") or ""))
    limit = int(fields.get("limit") or 50)
    offset = int(fields.get("offset") or 0)
    page = chosen[offset : offset + limit]
    return {
        "data": page,
        "pagination": {
            "total": len(chosen),
            "limit": limit,
            "offset": offset,
            "has_more": offset + len(page) < len(chosen),
        },
    }
