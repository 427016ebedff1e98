"""The dispatcher: retries, auth, circuit, shutdown and the journal, on a fake clock.

The API is an ``httpx.MockTransport``; sleeping is injected, so backoffs,
``Retry-After`` and pauses cost no real time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
import pytest
from helpers import candidate, merchant_status
from structlog.testing import capture_logs

import sync.dispatch
from sync.dispatch import (
    FOR_CANDIDATE,
    DispatchResult,
    DispatchSettings,
    Endpoint,
    NullJournal,
    RowOutcome,
    dispatch,
    preflight,
)
from sync.dispatch.pacing import AimdLimiter
from sync.errors import AuthError, CircuitOpenError, Interrupted, PreflightError
from sync.jobmojito import ApiClient, Failure, Reply, TokenSource
from sync.records import PlannedRow, Row, Status
from sync.sandbox import RunningSandbox

TOKEN = "tok-dispatch-test-3b8d71"
BASE = "https://api.test/functions/v1/"
ENROLLED = {
    "status": "ai_accept",
    "interview_url": "https://cool.jobmojito.com/i/{i}",
    "position_def_set_id": "pos-1",
    "profile_interview_id": "pi-{i}",
}
BOOT_ERROR = {"code": "BOOT_ERROR", "message": "Function failed to start"}


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class Journal:
    """An AttemptJournal that remembers every attempt."""

    def __init__(self) -> None:
        self.attempts: dict[int, dict[str, Any]] = {}

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        attempt_id = len(self.attempts) + 1
        self.attempts[attempt_id] = {"run": run_id, "row": row_index, "state": "in_flight"}
        return attempt_id

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        entry = self.attempts[attempt_id]
        assert entry["state"] == "in_flight"
        entry.update(state="done", http_status=http_status, outcome=outcome, detail=detail)

    def in_flight(self, row_index: int) -> bool:
        return any(
            a["row"] == row_index and a["state"] == "in_flight" for a in self.attempts.values()
        )


def make_rows(n: int) -> list[PlannedRow]:
    return [
        PlannedRow(
            index=i,
            row=Row("applicants.csv", i + 2, {}),
            payload={"candidate_email": f"c{i}@example.com", "candidate_name": f"C {i}"},
            identity=f"c{i}@example.com|pos-1",
        )
        for i in range(n)
    ]


def row_of(request: httpx.Request) -> int:
    return int(json.loads(request.content)["candidate_email"][1:].split("@")[0])


def enrolled(request: httpx.Request, status: str = "ai_accept") -> httpx.Response:
    i = row_of(request)
    body = {k: v.format(i=i) for k, v in ENROLLED.items()}
    body["status"] = status
    return httpx.Response(200, json=body)


def mock_api(handler: Callable[..., Any], *, concurrency: int = 2, tokens: Any = None) -> ApiClient:
    """A client of the mock API: ``handler`` answers every request."""
    return ApiClient(
        BASE,
        tokens or TokenSource(TOKEN),
        timeout=5,
        concurrency=concurrency,
        transport=httpx.MockTransport(handler),
    )


class Run:
    """One dispatch over a mock API, with everything it did recorded."""

    def __init__(self, handler: Callable[..., Any], *, token_command: str | None = None) -> None:
        self.handler = handler
        self.time = FakeTime()
        self.journal = Journal()
        self.outcomes: dict[int, RowOutcome] = {}
        self.calls: Counter[int] = Counter()
        self.tokens = TokenSource(TOKEN, token_command)
        self.result: DispatchResult | None = None

    def on_outcome(self, row: PlannedRow, outcome: RowOutcome) -> None:
        self.calls[row.index] += 1
        self.outcomes[row.index] = outcome

    async def __call__(
        self,
        rows: list[PlannedRow],
        *,
        stop: asyncio.Event | None = None,
        limiter: AimdLimiter | None = None,
        endpoint: Endpoint[Any] = FOR_CANDIDATE,
        **settings: Any,
    ) -> DispatchResult:
        settings.setdefault("rate", math.inf)
        settings.setdefault("concurrency", 4)
        async with mock_api(
            self.handler, concurrency=settings["concurrency"], tokens=self.tokens
        ) as client:
            self.result = await dispatch(
                rows,
                client=client,
                settings=DispatchSettings(**settings),
                journal=self.journal,
                run_id="run-1",
                on_outcome=self.on_outcome,
                stop=stop,
                sleep=self.time.sleep,
                clock=self.time.clock,
                limiter=limiter,
                endpoint=endpoint,
            )
        assert sorted(self.calls) == [r.index for r in rows], "every row gets an outcome"
        assert set(self.calls.values()) <= {1}, "and only one"
        return self.result

    def statuses(self) -> Counter[Status]:
        return Counter(o.status for o in self.outcomes.values())


class TestHappyPath:
    """Rows answered 200 carry the API's own decision, URL and ids."""

    async def test_every_row_enrolled_once(self):
        run = Run(lambda request: enrolled(request))
        result = await run(make_rows(20))
        assert run.statuses() == {Status.AI_ACCEPT: 20}
        assert result.aborted is None
        assert result.requests_sent == 20
        assert result.counts == {"ai_accept": 20}
        outcome = run.outcomes[7]
        assert outcome.interview_url == "https://cool.jobmojito.com/i/7"
        assert outcome.profile_interview_id == "pi-7"
        assert outcome.position_def_set_id == "pos-1"
        assert (outcome.http_status, outcome.attempts) == (200, 1)

    async def test_already_applied_is_copied(self):
        run = Run(lambda request: enrolled(request, "already-applied"))
        await run(make_rows(3))
        assert run.statuses() == {Status.ALREADY_APPLIED: 3}

    async def test_no_rows_no_requests(self):
        run = Run(lambda request: pytest.fail("nothing to send"))
        result = await run([])
        assert result.requests_sent == 0


class Made(pydantic.BaseModel):
    """The answer of an endpoint that is not the candidate one."""

    made_id: str


class TestEndpoint:
    """The dispatcher knows no endpoint: ``send`` and ``outcome`` come with the ``Endpoint``."""

    async def test_rows_go_to_the_endpoint_given(self):
        async def send(client: ApiClient, row: PlannedRow) -> Reply[Made]:
            return Reply(201, Made(made_id=f"m-{row.index}"))

        def outcome(body: Made) -> RowOutcome:
            return RowOutcome(Status.AI_ACCEPT, reason=body.made_id)

        run = Run(lambda request: pytest.fail("the candidate endpoint is not called"))
        await run(make_rows(3), endpoint=Endpoint(send, outcome))
        assert run.outcomes[2] == RowOutcome(
            Status.AI_ACCEPT, reason="m-2", http_status=201, attempts=1
        )

    async def test_its_replies_are_retried_and_journaled_like_any(self):
        failures = iter([Reply(None, error="cannot connect", failure=Failure.CONNECT_ERROR)])

        async def send(client: ApiClient, row: PlannedRow) -> Reply[Made]:
            return next(failures, None) or Reply(201, Made(made_id="m"))

        run = Run(lambda request: pytest.fail("the candidate endpoint is not called"))
        await run(make_rows(1), endpoint=Endpoint(send, lambda body: RowOutcome(Status.AI_ACCEPT)))
        assert (run.outcomes[0].status, run.outcomes[0].attempts) == (Status.AI_ACCEPT, 2)
        assert [a["outcome"] for a in run.journal.attempts.values()] == [
            "retry_patient",
            "success",
        ]


class TestJournal:
    """Each attempt is journaled in flight before its request leaves, then finished."""

    async def test_attempt_is_in_flight_while_the_request_is_out(self):
        run: Run

        def handler(request: httpx.Request) -> httpx.Response:
            assert run.journal.in_flight(row_of(request)), "journaled before the request left"
            return enrolled(request)

        run = Run(handler)
        await run(make_rows(10))
        assert len(run.journal.attempts) == 10
        assert {a["state"] for a in run.journal.attempts.values()} == {"done"}
        assert {a["outcome"] for a in run.journal.attempts.values()} == {"success"}

    async def test_every_retry_is_journaled(self):
        answers = iter(
            [httpx.Response(503, json=BOOT_ERROR, headers={"sb-error-code": "BOOT_ERROR"})]
        )
        run = Run(lambda request: next(answers, None) or enrolled(request))
        await run(make_rows(1))
        attempts = list(run.journal.attempts.values())
        assert [(a["http_status"], a["outcome"]) for a in attempts] == [
            (503, "retry_patient"),
            (200, "success"),
        ]
        assert attempts[0]["detail"] == "503 BOOT_ERROR"


class TestRetries:
    """Retryable outcomes are retried with backoff, within the attempt and time budgets."""

    async def test_retries_then_success(self):
        failures = iter([503, 546, 429, 500])

        def handler(request: httpx.Request) -> httpx.Response:
            status = next(failures, None)
            if status is None:
                return enrolled(request)
            return httpx.Response(status, json={"error": "try later"})

        run = Run(handler)
        await run(make_rows(1), max_attempts=6)
        outcome = run.outcomes[0]
        assert (outcome.status, outcome.attempts) == (Status.AI_ACCEPT, 5)

    async def test_retry_after_is_obeyed(self):
        answers = iter(
            [httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "7"})]
        )
        run = Run(lambda request: next(answers, None) or enrolled(request))
        await run(make_rows(1), backoff_base=0.01, backoff_max=0.02)
        assert max(run.time.slept) >= 7

    async def test_backoff_grows_and_is_capped(self):
        """Full jitter: the k-th wait is drawn from [0, min(base * 2**(k-1), backoff_max)].
        The window doubles per retry up to the cap, and the waits spread over all of it."""
        rows, retries = 60, 7
        run = Run(lambda request: httpx.Response(503, json=BOOT_ERROR))
        await run(make_rows(rows), max_attempts=retries + 1, backoff_base=1, backoff_max=4,
                  concurrency=1, circuit_threshold=10**6)  # fmt: skip
        assert len(run.time.slept) == rows * retries  # every wait is a backoff
        # one row after another: row r's waits are slept[r * retries : (r + 1) * retries]
        waits = [run.time.slept[r * retries : (r + 1) * retries] for r in range(rows)]
        for k, window in enumerate([1, 2, 4, 4, 4, 4, 4]):
            drawn = [w[k] for w in waits]
            assert all(0 <= s <= window for s in drawn), (k, max(drawn))  # grown no further
            assert max(drawn) > window / 2, (k, drawn)  # the window really is that wide
            assert min(drawn) < window / 2, (k, drawn)  # jittered, not a fixed wait

    async def test_patient_retries_exhausted_is_failed(self):
        run = Run(
            lambda request: httpx.Response(
                503, json=BOOT_ERROR, headers={"sb-error-code": "BOOT_ERROR"}
            )
        )
        await run(make_rows(2), max_attempts=6)
        outcome = run.outcomes[0]
        assert outcome.status is Status.FAILED
        assert outcome.attempts == 6
        assert outcome.http_status == 503
        assert outcome.reason.startswith("503 BOOT_ERROR after 6 attempts")
        assert "next run sends it again" in outcome.reason

    async def test_500_gets_few_retries(self):
        run = Run(lambda request: httpx.Response(500, json={"error": "Internal server error"}))
        await run(make_rows(1), max_attempts=6, few_retries=2)
        outcome = run.outcomes[0]
        assert (outcome.status, outcome.attempts) == (Status.FAILED, 3)
        assert outcome.reason.startswith("500 Internal server error after 3 attempts")

    async def test_read_timeout_is_outcome_unknown(self):
        def handler(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("timed out", request=request)

        run = Run(handler)
        await run(make_rows(1), few_retries=2)
        outcome = run.outcomes[0]
        assert outcome.status is Status.FAILED
        assert outcome.http_status is None
        assert outcome.reason == (
            "read timeout after 3 attempts; outcome unknown — rerun to resolve (the API dedupes)"
        )

    async def test_time_per_row_is_bounded(self):
        run = Run(
            lambda request: httpx.Response(503, json=BOOT_ERROR, headers={"Retry-After": "100"})
        )
        await run(make_rows(1), max_attempts=50, max_row_seconds=250)
        outcome = run.outcomes[0]
        assert outcome.status is Status.FAILED
        assert outcome.attempts == 3  # waits of 100 s each: a third would end past 250 s
        assert " in 200 s" in outcome.reason

    async def test_rejected_is_not_retried(self):
        run = Run(
            lambda request: httpx.Response(
                422, json={"error": "invalid email", "name": "candidate_email"}
            )
        )
        await run(make_rows(3))
        outcome = run.outcomes[0]
        assert outcome.status is Status.REJECTED
        assert outcome.reason == "422 candidate_email: invalid email"
        assert (outcome.attempts, outcome.http_status) == (1, 422)
        assert run.result is not None and run.result.requests_sent == 3

    async def test_unexpected_200_body_is_retried_then_failed(self):
        run = Run(lambda request: httpx.Response(200, json={"status": "ai_accept"}))
        await run(make_rows(1), few_retries=1)
        outcome = run.outcomes[0]
        assert (outcome.status, outcome.attempts) == (Status.FAILED, 2)
        assert "unexpected body" in outcome.reason
        assert "outcome unknown" in outcome.reason


class TestConcurrency:
    """A fixed pool of workers: never more requests out than ``concurrency``."""

    async def test_in_flight_never_exceeds_concurrency(self):
        out = 0
        peak = 0

        async def handler(request: httpx.Request) -> httpx.Response:
            nonlocal out, peak
            out += 1
            peak = max(peak, out)
            for _ in range(5):
                await asyncio.sleep(0)
            out -= 1
            return enrolled(request)

        run = Run(handler)
        await run(make_rows(50), concurrency=5)
        assert peak == 5
        assert run.statuses() == {Status.AI_ACCEPT: 50}

    async def test_pacing_spaces_requests(self):
        sent: list[float] = []
        run: Run

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(run.time.now)
            return enrolled(request)

        run = Run(handler)
        await run(make_rows(5), rate=10, concurrency=1)
        gaps = [b - a for a, b in itertools.pairwise(sent)]
        assert gaps == pytest.approx([0.1] * 4)

    async def test_429_slows_every_worker(self):
        run: Run
        limiter: AimdLimiter
        answers = iter([429, 429, 429])

        def handler(request: httpx.Request) -> httpx.Response:
            status = next(answers, None)
            if status:
                return httpx.Response(
                    status, json={"error": "rate limit exceeded"}, headers={"Retry-After": "1"}
                )
            return enrolled(request)

        run = Run(handler)
        limiter = AimdLimiter(50, clock=run.time.clock)
        await run(make_rows(10), rate=50, limiter=limiter)
        assert limiter.throttles == 3
        assert limiter.rate < 50
        assert run.statuses() == {Status.AI_ACCEPT: 10}


class TestAuth:
    """A refused token stops the run at once, unless a token command gives a new one."""

    async def test_first_401_stops_everything(self):
        seen = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})

        run = Run(handler)
        result = await run(make_rows(30), concurrency=8)
        assert len(seen) == 1
        assert isinstance(result.aborted, AuthError)
        assert result.aborted.exit_code == 3
        assert "JOBMOJITO_TOKEN" in str(result.aborted)
        assert run.statuses() == {Status.NOT_SENT: 30}
        first = run.outcomes[0]
        assert first.reason == "not sent: the API refused the token (401 Invalid JWT)"
        assert (first.http_status, first.attempts) == (401, 1)
        assert run.outcomes[29].reason == "not sent: the API refused the token (401 Invalid JWT)"
        assert run.outcomes[29].attempts == 0

    async def test_token_expiring_mid_run_stops_new_requests(self):
        count = 0

        def handler(request: httpx.Request) -> httpx.Response:
            nonlocal count
            count += 1
            if count > 5:
                return httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})
            return enrolled(request)

        run = Run(handler)
        result = await run(make_rows(20), concurrency=1)
        assert count == 6
        assert isinstance(result.aborted, AuthError)
        assert run.statuses() == {Status.AI_ACCEPT: 5, Status.NOT_SENT: 15}

    async def test_403_stops_too(self):
        run = Run(lambda request: httpx.Response(403, json={"error": "not permitted"}))
        result = await run(make_rows(5))
        assert isinstance(result.aborted, AuthError)
        assert result.requests_sent == 1

    async def test_refresh_once_and_go_on(self):
        fresh = "tok-refreshed-91c0"
        refused = []

        def handler(request: httpx.Request) -> httpx.Response:
            if request.headers["authorization"] != f"Bearer {fresh}":
                refused.append(request)
                return httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})
            return enrolled(request)

        run = Run(handler, token_command=f"{sys.executable} -c \"print('{fresh}')\"")
        result = await run(make_rows(12), concurrency=4)
        assert result.aborted is None
        assert len(refused) == 1
        assert run.statuses() == {Status.AI_ACCEPT: 12}
        assert run.outcomes[0].attempts == 2
        assert run.tokens.generation == 1

    async def test_refreshed_token_refused_too_stops(self):
        seen = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["authorization"])
            return httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})

        run = Run(handler, token_command=f"{sys.executable} -c \"print('tok-also-bad-7')\"")
        result = await run(make_rows(10), concurrency=4)
        assert seen == [f"Bearer {TOKEN}", "Bearer tok-also-bad-7"]
        assert isinstance(result.aborted, AuthError)
        assert "even after the token command" in str(result.aborted)
        assert run.statuses() == {Status.NOT_SENT: 10}

    async def test_failing_token_command_stops(self):
        run = Run(
            lambda request: httpx.Response(401, json={"code": 401, "message": "Invalid JWT"}),
            token_command=f'{sys.executable} -c "import sys; sys.exit(2)"',
        )
        result = await run(make_rows(4))
        assert isinstance(result.aborted, AuthError)
        assert result.requests_sent == 1


class TestCircuit:
    """Many failures in a row pause everyone, then one probe decides."""

    async def test_opens_and_stops_when_the_probe_fails(self):
        run = Run(
            lambda request: httpx.Response(
                503, json=BOOT_ERROR, headers={"sb-error-code": "BOOT_ERROR"}
            )
        )
        result = await run(
            make_rows(20), concurrency=1, circuit_threshold=5, max_attempts=50, circuit_pause=60
        )
        assert isinstance(result.aborted, CircuitOpenError)
        assert str(result.aborted).startswith(
            "circuit open after 5 consecutive failures (last: 503 BOOT_ERROR)"
        )
        assert result.requests_sent == 6  # five failures, then one probe
        assert sum(run.time.slept) >= 60
        assert run.outcomes[0].status is Status.FAILED
        assert "the run then stopped" in run.outcomes[0].reason
        assert run.outcomes[1].status is Status.NOT_SENT
        assert run.outcomes[1].reason == "not sent: circuit open after 5 consecutive failures"

    async def test_closes_when_the_probe_succeeds(self):
        failures = iter([503] * 3)

        def handler(request: httpx.Request) -> httpx.Response:
            if next(failures, None):
                return httpx.Response(503, json=BOOT_ERROR)
            return enrolled(request)

        run = Run(handler)
        result = await run(make_rows(10), concurrency=2, circuit_threshold=3, circuit_pause=60)
        assert result.aborted is None
        assert run.statuses() == {Status.AI_ACCEPT: 10}
        assert sum(run.time.slept) >= 60

    async def test_definitive_answers_reset_the_count(self):
        answers = iter([503, 503, 422] * 6)

        def handler(request: httpx.Request) -> httpx.Response:
            status = next(answers, 200)
            if status == 200:
                return enrolled(request)
            return httpx.Response(status, json={"error": "x"})

        run = Run(handler)
        result = await run(make_rows(10), concurrency=1, circuit_threshold=3, circuit_pause=60)
        assert result.aborted is None
        assert sum(run.time.slept) < 60


class TestShutdown:
    """On stop, requests in flight finish, nothing new starts, the rest is not_sent."""

    async def test_in_flight_finish_and_rest_not_sent(self):
        stop = asyncio.Event()
        release = asyncio.Event()
        count = 0

        async def handler(request: httpx.Request) -> httpx.Response:
            nonlocal count
            count += 1
            if count > 1:  # the first request (alone) answers; the next three hang
                if count == 4:
                    stop.set()
                    asyncio.get_running_loop().call_soon(release.set)
                await release.wait()
            return enrolled(request)

        run = Run(handler)

        async def sleep(seconds: float) -> None:
            if seconds == 99:  # the drain time: longer than the requests out take
                await asyncio.Event().wait()
            await run.time.sleep(seconds)

        run.time.sleep = sleep  # type: ignore[method-assign]
        result = await run(make_rows(40), concurrency=3, stop=stop, drain_seconds=99)
        assert isinstance(result.aborted, Interrupted)
        assert result.requests_sent == 4
        assert run.statuses() == {Status.AI_ACCEPT: 4, Status.NOT_SENT: 36}
        assert run.outcomes[39].reason.startswith("not sent: interrupted")
        assert {a["state"] for a in run.journal.attempts.values()} == {"done"}

    async def test_requests_past_the_drain_time_are_abandoned(self):
        stop = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            stop.set()
            await asyncio.Event().wait()  # never answers
            raise AssertionError

        run = Run(handler)
        result = await run(make_rows(5), concurrency=1, stop=stop, drain_seconds=3)
        assert isinstance(result.aborted, Interrupted)
        assert 3 in run.time.slept
        assert run.outcomes[0].status is Status.FAILED
        assert "outcome unknown" in run.outcomes[0].reason
        assert run.statuses() == {Status.FAILED: 1, Status.NOT_SENT: 4}
        (attempt,) = run.journal.attempts.values()
        assert attempt["outcome"] == "abandoned"

    async def test_stop_between_retries(self):
        stop = asyncio.Event()

        def handler(request: httpx.Request) -> httpx.Response:
            stop.set()
            return httpx.Response(503, json=BOOT_ERROR, headers={"sb-error-code": "BOOT_ERROR"})

        run = Run(handler)
        result = await run(make_rows(3), concurrency=1, stop=stop)
        assert isinstance(result.aborted, Interrupted)
        assert result.requests_sent == 1
        assert run.outcomes[0].status is Status.FAILED
        assert run.outcomes[0].reason.startswith(
            "503 BOOT_ERROR after 1 attempt; the run then stopped"
        )

    async def test_cancelling_dispatch_leaves_no_worker_behind(self):
        started = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            started.set()
            await asyncio.Event().wait()
            raise AssertionError

        outcomes: list[RowOutcome] = []
        async with mock_api(handler) as client:
            task = asyncio.ensure_future(
                dispatch(
                    make_rows(5),
                    client=client,
                    settings=DispatchSettings(concurrency=2, rate=math.inf),
                    journal=NullJournal(),
                    run_id="r",
                    on_outcome=lambda row, outcome: outcomes.append(outcome),
                    sleep=FakeTime().sleep,
                )
            )
            await started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert asyncio.all_tasks() == {asyncio.current_task()}
        # The row whose request was out, and the one waiting behind the first request.
        assert sorted(o.status for o in outcomes) == [Status.FAILED, Status.NOT_SENT]


class TestFailures:
    """Errors of the journal or the caller's callback stop the run and surface."""

    async def test_on_outcome_error_is_raised_after_stopping(self):
        async with mock_api(enrolled) as client:

            def on_outcome(row: PlannedRow, outcome: RowOutcome) -> None:
                raise OSError("disk full")

            with pytest.raises(OSError, match="disk full"):
                await dispatch(
                    make_rows(10),
                    client=client,
                    settings=DispatchSettings(concurrency=2, rate=math.inf),
                    journal=NullJournal(),
                    run_id="r",
                    on_outcome=on_outcome,
                    sleep=FakeTime().sleep,
                )


class TestSecrets:
    """The token appears in no log line, outcome or journal entry."""

    async def test_token_nowhere(self):
        answers = iter(
            [
                httpx.Response(503, json=BOOT_ERROR),
                httpx.Response(500, json={"error": f"bad header Bearer {TOKEN}"}),
                httpx.Response(422, json={"error": "invalid", "name": "candidate_email"}),
            ]
        )

        def handler(request: httpx.Request) -> httpx.Response:
            response = next(answers, None)
            if response is None:
                return httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})
            return response

        run = Run(handler)
        with capture_logs() as logs:
            result = await run(make_rows(6), concurrency=1)
        text = "\n".join(
            [
                json.dumps(logs, default=str),
                repr(run.outcomes),
                json.dumps(run.journal.attempts, default=str),
                str(result.aborted),
                repr(result),
            ]
        )
        assert TOKEN not in text


async def run_preflight(handler: Callable[..., Any], rows: int, *, ignore: bool = False):
    async with ApiClient(
        BASE, TokenSource(TOKEN), timeout=5, concurrency=1, transport=httpx.MockTransport(handler)
    ) as client:
        return await preflight(client, rows, ignore_credits=ignore)


class TestPreflight:
    """merchant-status is read before sending; clearly short credits stop the run."""

    async def test_message_shows_credits_and_headroom(self):
        result = await run_preflight(lambda r: httpx.Response(200, json=merchant_status()), 35)
        assert result.message == (
            "credits left: 120 monthly + 0 extra + 0 single; invitations available: 480;"
            " rows to send: 35"
        )
        assert result.warnings == ()
        assert result.status is not None

    async def test_too_few_invitations_stops_before_sending(self):
        handler = lambda r: httpx.Response(200, json=merchant_status(invitations_available=10))  # noqa: E731
        with pytest.raises(PreflightError) as caught:
            await run_preflight(handler, 35)
        assert "only 10 invitations are left this period for 35 rows to send" in str(caught.value)
        assert "--ignore-credits" in str(caught.value)
        assert caught.value.exit_code == 2

    async def test_no_credits_at_all_stops(self):
        handler = lambda r: httpx.Response(200, json=merchant_status(credits_interview_monthly=0))  # noqa: E731
        with pytest.raises(PreflightError, match="no interview credits are left"):
            await run_preflight(handler, 5)

    async def test_ignore_credits_goes_on_with_a_warning(self):
        handler = lambda r: httpx.Response(200, json=merchant_status(invitations_available=10))  # noqa: E731
        result = await run_preflight(handler, 35, ignore=True)
        assert any("--ignore-credits" in w for w in result.warnings)

    async def test_fewer_credits_than_rows_is_only_a_warning(self):
        handler = lambda r: httpx.Response(200, json=merchant_status(credits_interview_monthly=3))  # noqa: E731
        result = await run_preflight(handler, 35)
        assert result.warnings == (
            "3 interview credits left for 35 rows: pre-screening and interviews may run out of"
            " credits",
        )

    async def test_unlimited_plan_never_stops(self):
        body = merchant_status(
            invitations_available=None,
            invitations_limit=None,
            credits_interview_monthly=None,
            credits_interview_extra=None,
            credits_interview_single=None,
        )
        result = await run_preflight(lambda r: httpx.Response(200, json=body), 10_000)
        assert "invitations available: unlimited" in result.message
        assert result.warnings == ()

    async def test_nothing_to_send_never_stops(self):
        body = merchant_status(invitations_available=0, credits_interview_monthly=0)
        result = await run_preflight(lambda r: httpx.Response(200, json=body), 0)
        assert result.warnings == ()

    async def test_401_is_auth_error(self):
        handler = lambda r: httpx.Response(401, json={"code": 401, "message": "Invalid JWT"})  # noqa: E731
        with pytest.raises(AuthError, match="401 Invalid JWT"):
            await run_preflight(handler, 5)

    @pytest.mark.parametrize(
        "handler",
        [
            lambda r: httpx.Response(500, json={"error": "boom"}),
            lambda r: httpx.Response(200, json={"unexpected": True}),
            lambda r: httpx.Response(502, json={"code": "BAD_GATEWAY", "message": "x"}),
        ],
    )
    async def test_unreadable_status_warns_and_goes_on(self, handler):
        result = await run_preflight(handler, 5)
        assert result.status is None
        assert result.warnings[0].startswith("merchant-status could not be read")


class TestSettings:
    """Settings come from the run options; defaults are derived where not given."""

    def test_from_options(self, tmp_path):
        from sync.options import SyncOptions

        options = SyncOptions(applicants=tmp_path / "a.csv", concurrency=16, rate=25, timeout=10)
        settings = DispatchSettings.from_options(options)
        assert (settings.concurrency, settings.rate, settings.timeout) == (16, 25, 10)
        assert settings.max_attempts == options.max_attempts
        assert settings.drain == 15
        assert settings.pause_when_open == 2 * settings.backoff_max

    def test_bad_values_are_refused(self):
        with pytest.raises(ValueError, match="rate"):
            DispatchSettings(rate=0)

    def test_the_options_state_the_same_defaults(self, tmp_path):
        from sync.options import SyncOptions

        options = SyncOptions(applicants=tmp_path / "a.csv")
        assert DispatchSettings.from_options(options) == DispatchSettings()


class TestPackage:
    """``sync.dispatch`` exports its names lazily, each the object its module defines."""

    def test_every_exported_name_resolves(self):
        for name in sync.dispatch.__all__:
            assert getattr(sync.dispatch, name) is not None, name

    def test_preflight_is_the_function_after_its_module_loaded(self):
        import sync.dispatch.credits

        assert sync.dispatch.preflight is sync.dispatch.credits.preflight
        assert callable(preflight)


# --------------------------------------------------------------------------- over loopback


def sandbox_rows(n: int, *, prefix: str = "cand") -> list[PlannedRow]:
    """Rows for three positions, each a valid body the sandbox enrols."""
    return [
        PlannedRow(
            index=i,
            row=Row("applicants.csv", i + 2, {}),
            payload=candidate(
                f"{prefix}.{i}@example.com",
                candidate_name=f"Candidate {i}",
                candidate_external_id=f"C-{i}",
                position_external_id=f"JOB-{i % 3}",
                position_name=f"Backend Engineer {i % 3}",
            ),
            identity=f"{prefix}.{i}@example.com|JOB-{i % 3}",
        )
        for i in range(n)
    ]


async def over_loopback(
    sandbox: RunningSandbox,
    rows: list[PlannedRow],
    *,
    token: str | None = None,
    journal: Any = None,
    timeout: float = 2.0,
    run_preflight: bool = False,
    **settings: Any,
) -> tuple[DispatchResult | None, dict[int, RowOutcome], Exception | None]:
    """Pre-flight (optionally) and dispatch against the sandbox, as the live run does."""
    outcomes: dict[int, RowOutcome] = {}

    def on_outcome(row: PlannedRow, outcome: RowOutcome) -> None:
        assert row.index not in outcomes, "one outcome per row"
        outcomes[row.index] = outcome

    settings.setdefault("concurrency", 8)
    settings.setdefault("backoff_base", 0.01)
    settings.setdefault("backoff_max", 0.2)
    async with ApiClient(
        sandbox.base_url,
        TokenSource(token or sandbox.token),
        timeout=timeout,
        concurrency=settings["concurrency"],
    ) as client:
        if run_preflight:
            try:
                await preflight(client, len(rows), ignore_credits=False)
            except AuthError as exc:
                return None, outcomes, exc
        result = await dispatch(
            rows,
            client=client,
            settings=DispatchSettings(timeout=timeout, **settings),
            journal=journal or NullJournal(),
            run_id="run-loopback",
            on_outcome=on_outcome,
        )
    assert sorted(outcomes) == [r.index for r in rows]
    return result, outcomes, None


class TestAgainstTheSandbox:
    """Over real loopback HTTP, the sandbox's own counts prove what was sent."""

    async def test_every_row_enrolled_exactly_once_under_faults(self, sandbox):
        sandbox.configure(
            faults={"500": 0.05, "503": 0.05, "slow": 0.02, "drop": 0.01},
            slow_seconds=0.6,
            retry_after_seconds=0,
            latency_ms=2,
            rate=150,
            burst=10,
        )
        sandbox.inject(
            "500", "500:after", "503", "slow", "drop"
        )  # each at least once, then at random
        rows = sandbox_rows(200)
        with capture_logs() as logs:
            result, outcomes, _ = await over_loopback(
                sandbox, rows, timeout=0.3, rate=300, max_attempts=12, few_retries=5
            )
        assert result is not None and result.aborted is None
        stats = sandbox.stats()
        assert stats["enrolments_created"] == 200
        assert {o.status for o in outcomes.values()} <= {
            Status.AI_ACCEPT,
            Status.RECRUITER_ACCEPT,
            Status.RECRUITER_ACTION,
            Status.AI_REJECT,
            Status.RECRUITER_REJECT,
            Status.ALREADY_APPLIED,
        }
        assert all(o.interview_url for o in outcomes.values())
        # The faults really happened, and the resends were answered already-applied.
        assert {"500", "503", "slow", "drop"} <= {k.split(":")[0] for k in stats["faults"]}
        assert stats["duplicates_answered"] >= 1
        assert stats["by_status"].get("429", 0) >= 1  # the limit is below the requested rate
        assert sandbox.token not in json.dumps(logs, default=str)

    async def test_bad_token_stops_at_the_first_401(self, sandbox):
        result, outcomes, _ = await over_loopback(sandbox, sandbox_rows(30), token="tok-wrong-0000")
        assert result is not None
        assert isinstance(result.aborted, AuthError)
        assert result.aborted.exit_code == 3
        assert sandbox.stats()["by_status"] == {"401": 1}
        assert {o.status for o in outcomes.values()} == {Status.NOT_SENT}

    async def test_bad_token_stops_at_the_preflight(self, sandbox):
        result, _, error = await over_loopback(
            sandbox, sandbox_rows(30), token="tok-wrong-0000", run_preflight=True
        )
        assert isinstance(error, AuthError)
        assert result is None
        assert sandbox.stats()["requests"] == 1
        assert sandbox.stats()["by_endpoint"] == {"merchant-status": 1}

    async def test_rate_limit_below_the_requested_rate(self, sandbox):
        sandbox.configure(rate=100, burst=5)
        result, _, _ = await over_loopback(sandbox, sandbox_rows(120), rate=200, concurrency=8)
        assert result is not None and result.aborted is None
        stats = sandbox.stats()
        assert stats["by_status"].get("429", 0) >= 1
        assert stats["enrolments_created"] == 120
        assert result.throttled == stats["by_status"]["429"]
        assert result.final_rate < 200

    async def test_token_nowhere_in_the_ledger(self, sandbox, tmp_path):
        from sync.ledger import open_ledger
        from sync.records import ResultLine

        sandbox.configure(faults={"500": 0.2, "503": 0.1}, retry_after_seconds=0)
        rows = sandbox_rows(20)
        lines = [
            ResultLine(
                source_file="applicants.csv",
                source_row=r.row.line,
                candidate_name=r.payload["candidate_name"],
                candidate_email=r.payload["candidate_email"],
                position=r.payload["position_external_id"],
                status=Status.NOT_SENT,
                identity=r.identity,
            )
            for r in rows
        ]
        path = tmp_path / "run.ledger.sqlite"
        with open_ledger(path) as ledger:
            run_id = ledger.start_run(
                inputs=[], mapping="test", dry_run=False, tool_version="t", results_path="r.xlsx"
            )
            ledger.record_plan(run_id, lines, [True] * len(rows))
            outcomes: dict[int, RowOutcome] = {}
            async with ApiClient(
                sandbox.base_url, TokenSource(sandbox.token), timeout=2, concurrency=4
            ) as client:
                result = await dispatch(
                    rows,
                    client=client,
                    settings=DispatchSettings(
                        concurrency=4, rate=math.inf, backoff_base=0.01, backoff_max=0.1
                    ),
                    journal=ledger,
                    run_id=run_id,
                    on_outcome=lambda r, o: outcomes.__setitem__(r.index, o),
                )
            assert result.requests_sent > 20  # some were retried, and journaled
        stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert sandbox.token.encode() not in stored
        assert TOKEN.encode() not in stored
