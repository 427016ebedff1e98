"""The live part of a positions run: pre-flight, template, adoption, dispatch, links.

``send_jobs`` opens the API client and, before anything is created:

1. reads merchant-status (the same pre-flight as ``run``; a refused token
   stops here, nothing sent);
2. resolves ``--template`` against ``merchant-avatar-list`` when a job's body
   still waits for one;
3. reads ``merchant-interview-list`` once and adopts the definitions that carry
   a job's code (``sync.positions.plan.adopt``), so an interview made by an
   earlier run whose answer was lost, or by a person, is not made again;

then sends the rest through the dispatcher (``JobEndpoint``, journaled in the
ledger, paced and retried like enrolments), remembers each position in the
ledger before the row's outcome, and finally asks ``job-interview-token`` for
each new or changed interview's link for recruiters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import structlog

from sync.dispatch import RowOutcome, preflight
from sync.errors import AbortError
from sync.jobmojito import ApiClient
from sync.ledger import KnownPosition, Ledger
from sync.options import SyncOptions
from sync.positions.endpoint import JobEndpoint
from sync.positions.plan import PLACEHOLDER_TEMPLATE, Action, PlannedJob, adopt
from sync.positions.templates import choose_template, describe
from sync.progress import LogProgress, Progress
from sync.records import PlannedRow, ResultLine, Status
from sync.send import api_client, dispatch_journaled

log = structlog.get_logger("sync.positions")

#: The outcomes after which the ledger holds the job's interview.
KNOWN_AFTER = frozenset({Status.CREATED, Status.ADOPTED, Status.UPDATED})
LINK_TYPE = "interview-results-for-position"


class _Sender:
    """One positions run's sending: the ledger writes and the lines recorded."""

    def __init__(
        self, options: SyncOptions, jobs: Sequence[PlannedJob], ledger: Ledger, run_id: str
    ) -> None:
        self.options = options
        self.jobs = {job.index: job for job in jobs}
        self.ledger = ledger
        self.run_id = run_id
        self.lines: dict[int, ResultLine] = {}  # outcomes recorded in this run
        self.notes: list[str] = []
        self.bar: Progress = LogProgress()

    def record(self, job: PlannedJob, outcome: RowOutcome) -> None:
        """Remember the job's position (first), then its outcome."""
        line = job.line()
        line.status, line.reason = outcome.status, outcome.reason or job.reason
        line.http_status, line.attempts = outcome.http_status, outcome.attempts
        line.position_def_set_id = outcome.position_def_set_id or job.interview_id
        if outcome.status in KNOWN_AFTER and line.position_def_set_id:
            # A job known before keeps its origin (adopted before sending: "adopted").
            origin = "from-array" if job.action is Action.FROM_ARRAY else "created"
            known = job.known
            self.ledger.record_position(
                self.run_id,
                KnownPosition(
                    job.key, known.origin if known else origin,
                    interview_def_set_id=line.position_def_set_id, name=job.name,
                    code=str(job.body.get("code") or (known.code if known else "")),
                    digests=job.digests,
                ),
            )  # fmt: skip
        self.ledger.record_outcome(self.run_id, job.index, line)
        self.lines[job.index] = line
        self.bar.advance(line)

    def on_outcome(self, row: PlannedRow, outcome: RowOutcome) -> None:
        self.record(self.jobs[row.index], outcome)

    async def prepare(self, client: ApiClient, to_send: list[PlannedJob]) -> list[PlannedJob]:
        """Template and adoption: the jobs still to send."""
        waiting = [
            j for j in to_send if j.body.get("interview_template_id") == PLACEHOLDER_TEMPLATE
        ]
        if waiting:
            template = choose_template(self.options.template, await client.avatar_templates())
            log.info("interview template", template=describe(template))
            for job in waiting:
                job.body["interview_template_id"] = template.id
        if any(j.action in (Action.CREATE, Action.FROM_ARRAY) for j in to_send):
            listing = await client.interview_definitions(type="interview")
            self.notes.extend(adopt(to_send, listing))
            for job in to_send:
                if job.status is Status.ADOPTED:
                    outcome = RowOutcome(Status.ADOPTED, job.reason)
                    self.record(job, outcome)
                    job.action = None
        return [j for j in to_send if j.status is None]

    async def links(self, client: ApiClient) -> None:
        """The recruiters' link of every interview made, adopted or updated in this run."""
        wanted = [(i, line) for i, line in self.lines.items() if line.status in KNOWN_AFTER]
        gate = asyncio.Semaphore(self.options.concurrency)
        failed: list[str] = []

        async def one(index: int, line: ResultLine) -> None:
            async with gate:
                body = {"type": LINK_TYPE, "interview_id": line.position_def_set_id}
                reply = await client.signed_url(body)
            if reply.body is None:
                failed.append(reply.summary)
                return
            line.interview_url = reply.body.root
            key = self.jobs[index].key
            self.ledger.record_position(
                self.run_id, KnownPosition(key, "created", link=line.interview_url)
            )
            self.ledger.record_outcome(self.run_id, index, line)

        await asyncio.gather(*(one(i, line) for i, line in wanted))
        if failed:
            self.notes.append(
                f"no recruiter link for {len(failed)} interview(s) (job-interview-token:"
                f" {failed[0]}); the interviews themselves are fine"
            )


def send_jobs(
    options: SyncOptions,
    jobs: Sequence[PlannedJob],
    ledger: Ledger,
    run_id: str,
    progress: Progress | None,
) -> tuple[AbortError | None, list[str]]:
    """Pre-flight, template, adoption, dispatch and links; returns the abort (if the run
    stopped mid-way) and notes for the Summary. Nothing to send: no request at all."""
    to_send = [job for job in jobs if job.status is None]
    if not to_send:
        return None, []
    sender = _Sender(options, jobs, ledger, run_id)
    if progress is not None:
        sender.bar = progress

    async def main() -> AbortError | None:
        async with api_client(options) as client:
            try:
                pre = await preflight(client, 0, ignore_credits=True)
                for warning in pre.warnings:
                    log.warning("pre-flight", detail=warning)
                remaining = await sender.prepare(client, to_send)
            except AbortError as exc:
                for job in to_send:
                    if job.index not in sender.lines:
                        sender.record(job, RowOutcome(Status.NOT_SENT, f"not sent: {exc}"))
                return exc
            rows = [
                PlannedRow(index=j.index, row=j.row, payload=j.body, identity=j.key)
                for j in remaining
                if j.row is not None
            ]
            endpoint = JobEndpoint({j.index: j for j in remaining}).endpoint()
            aborted = await dispatch_journaled(
                options, client, rows, ledger, run_id, sender.on_outcome, sender.bar, endpoint
            )
            if aborted is None:
                await sender.links(client)
            return aborted

    aborted = asyncio.run(main())
    return aborted, sender.notes


__all__ = ["send_jobs"]
