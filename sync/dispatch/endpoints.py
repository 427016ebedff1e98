"""What the dispatcher sends rows to: the request for a row, and what its answer means.

The dispatcher knows no endpoint. An ``Endpoint`` gives it ``send`` (one
attempt for one item; like every ``ApiClient`` call it returns a ``Reply`` and
never raises for what the network or the API did), ``outcome`` (what the
body of a successful answer makes of the item) and optionally ``group`` (which
rows would create the same position, so the first goes alone:
``sync.dispatch.order``). ``FOR_CANDIDATE``, enrolling one candidate per row
(``job-interview-create-for-candidate-with-token``), is the default: its
outcome is the row's ``RowOutcome``, to which the dispatcher adds the HTTP
status and the attempts.

``reading(send)`` is an endpoint that reads (a page of ``merchant-result-list``,
one result's ``job-interview-details``): its outcome is the parsed answer
itself, and an item that got none ends as a ``RowOutcome`` whose reason says
what happened without the enrolment's notes on resending.

Items are anything with an ``index`` (``Indexed``): the dispatcher journals
attempts under it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sync.dispatch.order import Group
from sync.dispatch.settings import RowOutcome
from sync.jobmojito.client import ApiClient
from sync.jobmojito.models import CandidateResponse
from sync.jobmojito.retry import BodyT, Reply
from sync.records import PlannedRow, Status

__all__ = ["FOR_CANDIDATE", "Endpoint", "Indexed", "ItemT", "candidate_outcome", "reading"]


class Indexed(Protocol):
    """An item the dispatcher sends: its ``index`` names it in the journal."""

    @property
    def index(self) -> int: ...


ItemT = TypeVar("ItemT", bound=Indexed)
AnswerT = TypeVar("AnswerT")


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[BodyT, ItemT, AnswerT]):
    """How an item is sent (``send``) and what a successful answer makes of it (``outcome``).

    ``reads``: the request only reads, so a failure's reason carries no note on
    enrolling or resending. ``group``: which items would create the same position
    (None: items are independent).
    """

    send: Callable[[ApiClient, ItemT], Awaitable[Reply[BodyT]]]
    outcome: Callable[[BodyT], AnswerT]
    reads: bool = False
    group: Group[ItemT] | None = None


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
FOR_CANDIDATE: Endpoint[CandidateResponse, PlannedRow, RowOutcome] = Endpoint(
    _send_candidate, candidate_outcome
)


def _answer(body: BodyT) -> BodyT:
    return body


def reading(
    send: Callable[[ApiClient, ItemT], Awaitable[Reply[BodyT]]],
) -> Endpoint[BodyT, ItemT, BodyT]:
    """An endpoint that reads: each item's outcome is the parsed answer itself."""
    return Endpoint(send, _answer, reads=True)
