"""The outcomes sheet's lines: what a result says, what changed since it was last seen.

Pure: a ``MerchantResult`` (or none) becomes an ``Outcome`` (``outcome_of``);
an enrolment and its outcome become an ``OutcomeLine`` with the change since
the outcome the ledger remembers (``describe_change``); a result that matches
no enrolment becomes an ``UnmatchedLine``. The columns of both sheets are
here, in order, with the values each line gives them.

An outcome's ``fingerprint`` stands for everything the sheet shows of it
(progress, decision, shortlist, scores, duration, processing status, the
result's id), never its timestamps: a result touched for another reason is
not a change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sync.ledger.base import EnrolledCandidate, SeenOutcome

if TYPE_CHECKING:
    from sync.jobmojito.models import MerchantResult

NOT_STARTED = "not started yet"
STARTED = "started"
COMPLETED = "completed"

#: The score and its sub-scores, as merchant-result-list names them, in sheet order.
SCORES: tuple[str, ...] = (
    "score",
    "score_sentiment",
    "score_words_per_minute",
    "score_interview_ai",
    "score_answer_ai",
    "score_pronunciation",
)
_DONE_WORDS = frozenset({"completed", "complete", "finished", "done"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """An interview's outcome as the sheet shows it; ``Outcome()`` when there is no result.

    ``progress`` is ``not started yet``, ``started``, ``completed``, or the API's own
    word for another state; ``decision`` the hiring decision (``selected``,
    ``rejected``, ...); ``scores`` follow ``SCORES``.
    """

    progress: str = NOT_STARTED
    decision: str = ""
    shortlisted: bool | None = None
    scores: tuple[float | None, ...] = (None,) * len(SCORES)
    duration_minutes: float | None = None
    processing_status: str = ""
    step: str = ""
    result_id: str = ""
    updated_at: str = ""

    @property
    def score(self) -> float | None:
        return self.scores[0]

    @property
    def started(self) -> bool:
        return self.progress != NOT_STARTED

    @property
    def completed(self) -> bool:
        return self.progress == COMPLETED

    def fingerprint(self) -> str:
        """A short digest of what the sheet shows of this outcome (no timestamps)."""
        shown = [
            self.progress,
            self.decision,
            self.shortlisted,
            list(self.scores),
            self.duration_minutes,
            self.processing_status,
            self.result_id,
        ]
        return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


def _number(value: float | None, digits: int = 2) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = round(float(value), digits)
    return int(number) if number.is_integer() else number


def clean_text(value: object) -> str:
    """``value`` as text on one line, runs of white space made one space."""
    return " ".join(str(value or "").split())


def progress_of(result: MerchantResult | None) -> str:
    """``completed``, ``started``, ``not started yet``, or the API's word for another state."""
    if result is None:
        return NOT_STARTED
    status = clean_text(result.coach_status).lower()
    if status in _DONE_WORDS:
        return COMPLETED
    if status:
        return status
    return STARTED if result.interview_started else NOT_STARTED


def outcome_of(result: MerchantResult | None) -> Outcome:
    """What a result of merchant-result-list says, as the sheet shows it."""
    if result is None:
        return Outcome()
    duration = result.duration_ds
    return Outcome(
        progress=progress_of(result),
        decision=clean_text(result.decision_status).lower(),
        shortlisted=result.recruiter_shortlist,
        scores=tuple(_number(getattr(result, name)) for name in SCORES),
        duration_minutes=None if duration is None else _number(duration / 600, 1),
        processing_status=clean_text(result.processing_status),
        step=clean_text(result.position_step),
        result_id=clean_text(result.interview_result_id),
        updated_at=clean_text(result.updated_at or result.created_at),
    )


def describe_change(last: SeenOutcome | None, now: Outcome) -> str:
    """``new``; ``started → completed; decision — → selected; score — → 82``; ``updated``;
    or ``""`` when the outcome is what the ledger last saw."""
    if last is None:
        return "new"
    if last.fingerprint == now.fingerprint():
        return ""
    parts = []
    if last.progress != now.progress:
        parts.append(f"{last.progress} → {now.progress}")
    if last.decision != now.decision:
        parts.append(f"decision {last.decision or '—'} → {now.decision or '—'}")
    if _number(last.score) != now.score:
        before = "—" if last.score is None else f"{_number(last.score):g}"
        after = "—" if now.score is None else f"{now.score:g}"
        parts.append(f"score {before} → {after}")
    return "; ".join(parts) or "updated"


@dataclass(slots=True)
class OutcomeLine:
    """One enrolled candidate on the outcomes sheet.

    ``ats_candidate_id`` and ``ats_job_id`` are the ATS's own ids as the export
    had them; ``changed_at`` is when the result last changed (the API's time),
    or when the candidate was enrolled while there is no result; ``change`` says
    what changed since the last outcomes run (``changed`` whether anything did).
    """

    identity: str
    ats_candidate_id: str
    ats_job_id: str
    candidate_name: str
    candidate_email: str
    position: str
    position_name: str
    interview_url: str
    enrolment_status: str
    outcome: Outcome
    changed_at: str
    change: str
    source_file: str
    source_row: int | None
    profile_interview_id: str
    mapping: str = ""
    ai_summary: str = ""
    reasons_to_hire: str = ""
    reasons_not_to_hire: str = ""
    note: str = ""
    last: SeenOutcome | None = field(default=None, repr=False)

    @classmethod
    def of(cls, candidate: EnrolledCandidate, result: MerchantResult | None) -> OutcomeLine:
        """The line of an enrolment and its result (``None``: not started yet)."""
        outcome = outcome_of(result)
        return cls(
            identity=candidate.identity,
            ats_candidate_id=candidate.candidate_external_id,
            ats_job_id=candidate.position_external_id,
            candidate_name=candidate.candidate_name,
            candidate_email=candidate.candidate_email,
            position=candidate.position,
            position_name=candidate.position_name,
            interview_url=candidate.interview_url,
            enrolment_status=candidate.status,
            outcome=outcome,
            changed_at=outcome.updated_at or candidate.enrolled_at,
            change=describe_change(candidate.last, outcome),
            source_file=candidate.source_file,
            source_row=candidate.source_row,
            profile_interview_id=candidate.profile_interview_id,
            mapping=candidate.mapping,
            last=candidate.last,
        )

    @property
    def changed(self) -> bool:
        return bool(self.change)

    def seen(self, *, now: str) -> SeenOutcome:
        """What the ledger remembers of this line after the run (``now``: the run's time)."""
        outcome = self.outcome
        fingerprint = outcome.fingerprint()
        last = self.last
        unchanged = last is not None and last.fingerprint == fingerprint
        return SeenOutcome(
            identity=self.identity,
            fingerprint=fingerprint,
            progress=outcome.progress,
            decision=outcome.decision,
            score=outcome.score,
            result_id=outcome.result_id,
            changed_at=last.changed_at if unchanged and last is not None else now,
            seen_at=now,
        )

    def values(self, *, details: bool) -> list[object]:
        """The line's cells in ``outcome_columns(details=...)`` order."""
        o = self.outcome
        row: list[object] = [
            self.ats_candidate_id,
            self.ats_job_id,
            self.candidate_name,
            self.candidate_email,
            self.position,
            self.interview_url,
            self.enrolment_status,
            o.progress,
            "yes" if o.started else "no",
            "yes" if o.completed else "no",
            o.decision,
            "" if o.shortlisted is None else ("yes" if o.shortlisted else "no"),
            *o.scores,
            o.duration_minutes,
            o.processing_status,
            self.changed_at,
            self.change,
        ]
        if details:
            row += [self.ai_summary, self.reasons_to_hire, self.reasons_not_to_hire]
        row += [
            self.note,
            self.source_file,
            self.source_row,
            self.profile_interview_id,
            o.result_id,
        ]
        return row


def moment(text: str) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (UTC when it names no zone)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def select_lines(lines: Iterable[OutcomeLine], since: str | None) -> list[OutcomeLine]:
    """The lines to write: all (``None``); those changed since they were last written
    (``last-run``); or those whose ``changed_at`` is at or after an ISO date/time."""
    if since is None:
        return list(lines)
    if since == "last-run":
        return [line for line in lines if line.changed]
    start = moment(since)
    if start is None:
        raise ValueError(f"changed_since {since!r} is neither last-run nor a date/time")
    chosen = []
    for line in lines:
        when = moment(line.changed_at)
        if when is None or when >= start:  # an unreadable time is kept, never dropped
            chosen.append(line)
    return chosen


def outcome_columns(*, details: bool) -> tuple[str, ...]:
    """The columns of the Outcomes sheet; the AI assessment's three with ``--details``."""
    head = (
        "ats_candidate_id",
        "ats_job_id",
        "candidate_name",
        "candidate_email",
        "position",
        "interview_url",
        "enrolment_status",
        "interview_status",
        "started",
        "completed",
        "decision",
        "shortlisted",
        *SCORES,
        "duration_minutes",
        "processing_status",
        "changed_at",
        "change",
    )
    assessment = ("ai_summary", "reasons_to_hire", "reasons_not_to_hire") if details else ()
    tail = ("note", "source_file", "source_row", "profile_interview_id", "interview_result_id")
    return (*head, *assessment, *tail)


#: Columns whose numbers are number cells.
NUMBER_COLUMNS = frozenset({*SCORES, "duration_minutes", "source_row"})

UNMATCHED_COLUMNS: tuple[str, ...] = (
    "candidate_name",
    "candidate_email",
    "position",
    "external_id",
    "interview_status",
    "decision",
    "score",
    "changed_at",
    "profile_interview_id",
    "interview_result_id",
    "why",
)


@dataclass(frozen=True, slots=True)
class UnmatchedLine:
    """A result that matches no enrolment of this ledger (enrolled another way)."""

    candidate_name: str
    candidate_email: str
    position: str
    external_id: str
    outcome: Outcome
    profile_interview_id: str
    why: str

    @classmethod
    def of(cls, result: MerchantResult, why: str) -> UnmatchedLine:
        return cls(
            candidate_name=clean_text(result.candidate_name),
            candidate_email=clean_text(result.candidate_email),
            position=clean_text(result.position_name),
            external_id=clean_text(result.external_id),
            outcome=outcome_of(result),
            profile_interview_id=clean_text(result.profile_interview_id),
            why=why,
        )

    def values(self) -> list[object]:
        o = self.outcome
        return [
            self.candidate_name,
            self.candidate_email,
            self.position,
            self.external_id,
            o.progress,
            o.decision,
            o.score,
            o.updated_at,
            self.profile_interview_id,
            o.result_id,
            self.why,
        ]
