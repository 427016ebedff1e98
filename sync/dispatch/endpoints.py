"""What the dispatcher sends rows to: the request for a row, and what its answer means.

The dispatcher knows no endpoint. An ``Endpoint`` gives it ``send`` (one
attempt for one row; like every ``ApiClient`` call it returns a ``Reply`` and
never raises for what the network or the API did), ``outcome`` (the body of
a successful answer as the row's ``RowOutcome``; the dispatcher adds the HTTP
status and the attempts) and optionally ``group`` (which rows would create the
same position, so the first goes alone: ``sync.dispatch.order``).
``FOR_CANDIDATE``, enrolling one candidate per row
(``job-interview-create-for-candidate-with-token``), is the default.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic

from sync.dispatch.order import Group
from sync.dispatch.settings import RowOutcome
from sync.jobmojito.client import ApiClient
from sync.jobmojito.models import CandidateResponse
from sync.jobmojito.retry import BodyT, Reply
from sync.records import PlannedRow, Status

__all__ = ["FOR_CANDIDATE", "Endpoint", "candidate_outcome"]


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[BodyT]):
    """How a row is sent (``send``), what a successful answer makes of it (``outcome``),
    and which rows would create the same position (``group``; None: rows are independent)."""

    send: Callable[[ApiClient, PlannedRow], Awaitable[Reply[BodyT]]]
    outcome: Callable[[BodyT], RowOutcome]
    group: Group | None = None


def _send_candidate(client: ApiClient, row: PlannedRow) -> Awaitable[Reply[CandidateResponse]]:
    return client.create_for_candidate(row.payload)


def candidate_outcome(body: CandidateResponse) -> RowOutcome:
    """An enrolment: the API's own decision, the interview URL and the ids it made."""
    return RowOutcome(
        Status(body.status),
        reason=body.reason or "",
        interview_url=body.interview_url or "",
        position_def_set_id=body.position_def_set_id or "",
        profile_interview_id=body.profile_interview_id or "",
    )


#: Enrol one candidate per row: the dispatcher's default endpoint.
FOR_CANDIDATE: Endpoint[CandidateResponse] = Endpoint(_send_candidate, candidate_outcome)
