"""The order rows are sent in: a new position's first row goes alone, then the rest.

The dispatcher runs for real (``sync.dispatch.dispatch``) with an ``Endpoint``
whose ``send`` records what is in flight and whose ``group`` says which rows
would create the same position, as ``sync.positions.book`` does.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from typing import Any

import httpx
import pydantic
import pytest

from sync.dispatch import DispatchSettings, Endpoint, NullJournal, RowOutcome, dispatch
from sync.dispatch.order import WAIT, RowQueue
from sync.jobmojito import ApiClient, Failure, Reply, TokenSource
from sync.records import PlannedRow, Row, Status


class Answer(pydantic.BaseModel):
    position: str


def rows(jobs: list[str]) -> list[PlannedRow]:
    return [
        PlannedRow(i, Row("a.csv", i + 2, {}), {"job": job}, identity=f"c{i}/{job}")
        for i, job in enumerate(jobs)
    ]


class Positions:
    """A fake API: the first request of a job creates its position (and is slow)."""

    def __init__(self, *, fail_first: set[str] | None = None) -> None:
        self.known: dict[str, str] = {}
        self.created: Counter[str] = Counter()
        self.out: Counter[str] = Counter()  # requests in flight per job
        self.most_out: Counter[str] = Counter()
        self.sent: list[tuple[str, bool]] = []  # (job, named its position?)
        self.out_when_sent: list[dict[str, int]] = []  # what was in flight at each send
        self.fail_first = set(fail_first or ())

    def group(self, row: PlannedRow) -> str | None:
        job = str(row.payload["job"])
        return None if job in self.known else job

    async def send(self, client: ApiClient, row: PlannedRow) -> Reply[Answer]:
        job = str(row.payload["job"])
        named = job in self.known
        self.sent.append((job, named))
        self.out_when_sent.append(dict(self.out))
        self.out[job] += 1
        self.most_out[job] = max(self.most_out[job], self.out[job])
        try:
            await asyncio.sleep(0.01 if not named else 0)
            if job in self.fail_first:
                self.fail_first.discard(job)
                return Reply(422, error="422 candidate_email: invalid")
            if not named:
                self.created[job] += 1
            return Reply(200, Answer(position=f"pos-{job}"))
        finally:
            self.out[job] -= 1

    def outcome(self, body: Answer) -> RowOutcome:
        return RowOutcome(Status.AI_ACCEPT, position_def_set_id=body.position)

    def learn(self, row: PlannedRow, outcome: RowOutcome) -> None:
        if outcome.position_def_set_id:
            self.known.setdefault(str(row.payload["job"]), outcome.position_def_set_id)


async def run(api: Positions, planned: list[PlannedRow], concurrency: int) -> dict[int, RowOutcome]:
    outcomes: dict[int, RowOutcome] = {}

    def on_outcome(row: PlannedRow, outcome: RowOutcome) -> None:
        api.learn(row, outcome)
        outcomes[row.index] = outcome

    transport = httpx.MockTransport(lambda request: pytest.fail("no HTTP here"))
    async with ApiClient(
        "https://api.test/", TokenSource("t", None), timeout=5, concurrency=concurrency,
        transport=transport,
    ) as client:  # fmt: skip
        await dispatch(
            planned,
            client=client,
            settings=DispatchSettings(concurrency=concurrency, rate=math.inf),
            journal=NullJournal(),
            run_id="run",
            on_outcome=on_outcome,
            endpoint=Endpoint(api.send, api.outcome, group=api.group),
        )
    return outcomes


class TestFirstRowAlone:
    """At any concurrency, a job's position is created once: its first row goes alone."""

    async def test_300_rows_over_6_new_jobs_at_16_create_6_positions(self):
        api = Positions()
        planned = rows([f"JOB-{i % 6}" for i in range(300)])
        outcomes = await run(api, planned, concurrency=16)
        assert len(outcomes) == 300
        assert api.created == {f"JOB-{j}": 1 for j in range(6)}
        # Only the first of each job went without its position; never two at once.
        assert sum(1 for _, named in api.sent if not named) == 6
        first_sent = {job: named for job, named in reversed(api.sent)}
        assert not any(first_sent.values())

    async def test_other_jobs_go_meanwhile(self):
        """While a job's first row is out, rows of other jobs are not held back."""
        api = Positions()
        api.known = {"Z": "pos-Z"}  # the run's first request (it goes alone) is Z's
        await run(api, rows(["Z", "A", "A", "A", "B", "C"]), concurrency=8)
        sent = {job: i for i, (job, _) in reversed(list(enumerate(api.sent)))}  # first send
        for other in ("B", "C"):  # sent while A's first row was out
            assert api.out_when_sent[sent[other]].get("A") == 1
        seconds = [i for i, (job, named) in enumerate(api.sent) if job == "A" and named]
        assert len(seconds) == 2 and min(seconds) > max(sent["B"], sent["C"])
        assert api.most_out["A"] == 2  # the two held A rows then go together

    async def test_a_failed_first_row_hands_over_to_the_next(self):
        """The first row of a job is refused: the next goes alone and creates the position."""
        api = Positions(fail_first={"A"})
        outcomes = await run(api, rows(["A"] * 5), concurrency=4)
        assert outcomes[0].status is Status.REJECTED
        assert api.created == {"A": 1}
        assert [named for _, named in api.sent] == [False, False, True, True, True]

    async def test_rows_without_a_group_are_never_held(self):
        api = Positions()
        api.known = {"A": "pos-A"}  # known: no group
        await run(api, rows(["A"] * 11), concurrency=10)
        assert api.most_out["A"] == 10  # the run's first request goes alone; then all ten


class TestRowQueue:
    """The queue alone: input order, held rows, what a stop leaves."""

    def test_hands_out_in_order_and_holds_a_groups_second_row(self):
        queue = RowQueue(rows(["A", "A", "B"]), group=lambda r: str(r.payload["job"]))
        first, third = queue.take(), queue.take()
        assert first != WAIT and third != WAIT
        assert [t[0] for t in (first, third)] == [0, 2]  # type: ignore[index]
        assert queue.take() == WAIT  # the second A waits for the first
        queue.done(0)
        taken = queue.take()
        assert taken != WAIT and taken is not None and taken[0] == 1
        queue.done(1)
        queue.done(2)
        assert queue.take() is None

    def test_remaining_lists_held_rows_too_in_input_order(self):
        queue = RowQueue(rows(["A", "A", "B", "A"]), group=lambda r: str(r.payload["job"]))
        assert queue.take() is not None  # row 0 leads A
        assert queue.take() is not None  # row 2 leads B
        assert queue.take() == WAIT  # rows 1 and 3 are held
        assert [position for position, _ in queue.remaining()] == [1, 3]


@pytest.mark.parametrize("failure", [Failure.READ_TIMEOUT])
async def test_a_first_row_with_an_unknown_outcome_still_releases_its_group(failure: Failure):
    """A first row whose answer never comes (retries exhausted) lets the next row go."""
    api = Positions()
    tries: Counter[int] = Counter()

    async def send(client: ApiClient, row: PlannedRow) -> Reply[Any]:
        tries[row.index] += 1
        if row.index == 0:
            return Reply(None, error="read timeout", failure=failure)
        return await api.send(client, row)

    outcomes: dict[int, RowOutcome] = {}

    def on_outcome(row: PlannedRow, outcome: RowOutcome) -> None:
        api.learn(row, outcome)
        outcomes[row.index] = outcome

    async with ApiClient(
        "https://api.test/", TokenSource("t", None), timeout=5, concurrency=4
    ) as c:
        await dispatch(
            rows(["A"] * 3),
            client=c,
            settings=DispatchSettings(
                concurrency=4, rate=math.inf, max_attempts=2, backoff_base=0.001
            ),
            journal=NullJournal(),
            run_id="run",
            on_outcome=on_outcome,
            endpoint=Endpoint(send, api.outcome, group=api.group),
        )
    assert outcomes[0].status is Status.FAILED
    assert {outcomes[1].status, outcomes[2].status} == {Status.AI_ACCEPT}
    assert api.created == {"A": 1}
