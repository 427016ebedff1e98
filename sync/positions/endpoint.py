"""What the dispatcher sends a job to: create, create from the questions, or update.

``JobEndpoint`` is the ``Endpoint`` (``sync.dispatch.endpoints``) of a
positions run. Creating an interview is not idempotent: the API makes a second
one for a second request. So when an attempt to create may have worked (its
answer was lost: a read timeout, a dropped connection, a 500), the next
attempt first looks for an interview with the job's code
(``merchant-interview-list``) and takes it if there is one, instead of
creating the job twice. An update is idempotent and is simply sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.dispatch.endpoints import Endpoint
from sync.dispatch.settings import RowOutcome
from sync.errors import AuthError
from sync.jobmojito.client import ApiClient, RequestFailed
from sync.jobmojito.models import (
    InterviewCreateFromArrayResponse,
    InterviewCreateResponse,
    InterviewListItem,
    InterviewUpdateResponse,
)
from sync.jobmojito.retry import Reply
from sync.positions.plan import Action, PlannedJob
from sync.records import PlannedRow, Status

__all__ = ["JobEndpoint"]

FOUND_AFTER_LOST_ANSWER = (
    "created by an earlier attempt whose answer was lost; found by its code, not created again"
)


class JobEndpoint:
    """Sends each job's body to its action; ``endpoint`` is what the dispatcher takes."""

    def __init__(self, jobs: Mapping[int, PlannedJob]) -> None:
        self.jobs = jobs  # by row index
        self._maybe_created: set[int] = set()

    def endpoint(self) -> Endpoint[Any, PlannedRow, RowOutcome]:
        return Endpoint(self.send, self.outcome)

    async def send(self, client: ApiClient, row: PlannedRow) -> Reply[Any]:
        job = self.jobs[row.index]
        if job.action is Action.UPDATE:
            return await client.update_interview(row.payload)
        if row.index in self._maybe_created:
            found = await self._find(client, job)
            if found is not None:
                return found
        if job.action is Action.FROM_ARRAY:
            reply: Reply[Any] = await client.create_interview_from_array(row.payload)
        else:
            reply = await client.create_interview(row.payload)
        if reply.body is None and reply.outcome_unknown:
            self._maybe_created.add(row.index)
        return reply

    async def _find(self, client: ApiClient, job: PlannedJob) -> Reply[Any] | None:
        """The interview with the job's code as a successful reply; None if there is none;
        the look-up's own failure (the dispatcher retries it) if it could not be read."""
        code = str(job.body.get("code") or "")
        try:
            items = await client.interview_definitions(filter_text=job.name)
        except AuthError as exc:  # the dispatcher's own handling: refresh once, else stop
            return Reply(401, error=str(exc), token_generation=client.tokens.generation)
        except RequestFailed as exc:
            return exc.reply
        for item in items:
            if code and item.external_code() == code:
                return Reply(200, item)
        self._maybe_created.discard(job.index)
        return None

    @staticmethod
    def outcome(body: Any) -> RowOutcome:
        """A job's outcome from the API's answer (or the definition found by its code)."""
        if isinstance(body, InterviewUpdateResponse):
            fields = ", ".join(body.updated_fields) or "nothing"
            return RowOutcome(
                Status.UPDATED, f"updated: {fields}", position_def_set_id=body.position_id
            )
        if isinstance(body, InterviewListItem):
            return RowOutcome(Status.ADOPTED, FOUND_AFTER_LOST_ANSWER, position_def_set_id=body.id)
        if isinstance(body, InterviewCreateResponse):
            reason = f"created; JobMojito wrote {int(body.questions_generated)} questions"
            return RowOutcome(Status.CREATED, reason, position_def_set_id=body.interview_def_set_id)
        assert isinstance(body, InterviewCreateFromArrayResponse)
        reason = "created from the questions sheet"
        return RowOutcome(Status.CREATED, reason, position_def_set_id=body.interview_def_set_id)
