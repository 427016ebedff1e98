"""The async dispatcher: workers, pacing, retries, auth, shutdown, one outcome per item.

Over 400 lines on purpose: ``_Dispatcher`` is one state (the halt, the gate,
the rows in flight, the counts) that its workers, retry loop, token refresh
and shutdown all change, and it reads best as one class, top to bottom.

``dispatch(rows, ...)`` sends every planned row once (retrying what may be
retried) and calls ``on_outcome`` exactly once per row, whatever happens:

- a fixed pool of ``concurrency`` worker tasks takes rows one by one: never a
  task per row, and never more requests out than the client's pool has
  connections (httpx answers that with ``PoolTimeout``);
- every request waits for a slot of the shared ``AimdLimiter`` (``--rate`` is
  a ceiling; a 429 slows every worker at once, then the pace climbs back);
- tenacity retries 429/408/5xx/timeouts/connection errors with full-jitter
  exponential backoff, never sooner than ``Retry-After``, within
  ``max_attempts`` and ``max_row_seconds``; an outcome that may not be
  temporary (500, a read timeout) gets only ``few_retries`` more tries;
- each attempt is journaled ``in_flight`` before its request leaves and
  finished when it returns (docs/design.md "The ledger");
- 401/403 closes the gate at once: nobody starts a request with that token
  again. With a token command the token is refreshed once and the row is
  retried alone; otherwise, or if the new token is refused too, the run stops
  (``AuthError``). The very first request of a run also goes alone, so a bad
  token costs exactly one request;
- ``circuit_threshold`` failed attempts in a row (transport errors, 5xx)
  pause everyone, then one probe goes; if it fails too the run stops
  (``CircuitOpenError``; the gate and the circuit are ``sync.dispatch.gate``);
- when ``stop`` is set (SIGINT/SIGTERM), no new request starts; requests in
  flight finish (at most ``drain_seconds``; a send is never cancelled before
  that), and rows not sent are ``not_sent``.

What a row is sent to is an ``Endpoint`` (``sync.dispatch.endpoints``):
enrolling a candidate by default. The items need not be rows: anything with an
``index`` goes, and an endpoint that reads (a page of results, one result's
details, ``sync.dispatch.endpoints.reading``) gets its parsed answers back
through ``on_outcome``, with the same pacing, retries, token refresh and
shutdown as enrolments; an item that got no answer gets a ``RowOutcome``
(``failed``, ``rejected`` or ``not_sent``, with its reason). Items are taken
in input order, except that items an endpoint groups as creating the same
position wait while the first of them is out (``sync.dispatch.order``).

A send is never cancelled to make room or save time: only a request still
out after ``drain_seconds`` of a shutdown is abandoned (its row is ``failed``,
outcome unknown; the next run resends it and the API answers
``already-applied`` if it was enrolled).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, wait_random_exponential

from sync.dispatch.endpoints import FOR_CANDIDATE, Endpoint, ItemT
from sync.dispatch.gate import Circuit, Gate
from sync.dispatch.order import WAIT, RowQueue
from sync.dispatch.pacing import AimdLimiter
from sync.dispatch.settings import AttemptJournal, DispatchResult, DispatchSettings, RowOutcome
from sync.errors import AbortError, AuthError, Interrupted
from sync.jobmojito.client import ApiClient
from sync.jobmojito.retry import Reply, Verdict, classify
from sync.jobmojito.tokens import auth_message
from sync.records import Status

__all__ = ["dispatch"]

log = structlog.get_logger("sync.dispatch")

Sleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]
#: What an endpoint makes of a successful answer (a ``RowOutcome`` for a send).
AnswerT = TypeVar("AnswerT")


async def dispatch(
    rows: Sequence[ItemT],
    *,
    client: ApiClient,
    settings: DispatchSettings,
    journal: AttemptJournal,
    run_id: str,
    on_outcome: Callable[[ItemT, AnswerT | RowOutcome], None],
    stop: asyncio.Event | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    classify: Callable[[Reply[Any]], Verdict] = classify,
    limiter: AimdLimiter | None = None,
    endpoint: Endpoint[Any, ItemT, AnswerT] | None = None,
) -> DispatchResult:
    """Send ``rows``; call ``on_outcome(row, outcome)`` exactly once for each of them.

    ``sleep`` and ``clock`` are injectable so tests never wait; ``classify``
    replaces the outcome policy; ``limiter`` replaces the default
    ``AimdLimiter(settings.rate)`` (pass one to share a pace between
    dispatches); ``endpoint`` is what each row is sent to (enrol a candidate,
    ``FOR_CANDIDATE``, by default). ``outcome`` is what the endpoint made of
    the answer, or a ``RowOutcome`` for an item that got none. Raises only for
    bugs and for errors raised by ``journal`` or ``on_outcome`` (after the other
    workers have stopped).
    """
    run: _Dispatcher[ItemT, AnswerT] = _Dispatcher(
        rows,
        client=client,
        settings=settings,
        journal=journal,
        run_id=run_id,
        on_outcome=on_outcome,
        sleep=sleep,
        clock=clock,
        classify=classify,
        limiter=limiter or AimdLimiter(settings.rate, clock=clock),
        endpoint=endpoint or cast(Endpoint[Any, ItemT, AnswerT], FOR_CANDIDATE),
    )
    return await run.run(stop)


@dataclass(slots=True)
class _Row(Generic[ItemT]):
    """A row being sent: its attempts so far."""

    position: int
    row: ItemT
    started: float
    attempts: int = 0
    few: int = 0  # attempts whose verdict was retry_few
    last: Reply[Any] | None = None
    last_verdict: Verdict | None = None
    in_flight: bool = False
    out_of_time: bool = False


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What one attempt came to: retry it (``retry``) or not; ``halted`` if never sent."""

    retry: bool
    halted: bool = False
    again_now: bool = False  # retry at once (a refreshed token)


_HALTED = _Attempt(retry=False, halted=True)


class _Dispatcher(Generic[ItemT, AnswerT]):
    def __init__(
        self,
        rows: Sequence[ItemT],
        *,
        client: ApiClient,
        settings: DispatchSettings,
        journal: AttemptJournal,
        run_id: str,
        on_outcome: Callable[[ItemT, AnswerT | RowOutcome], None],
        sleep: Sleep,
        clock: Clock,
        classify: Callable[[Reply[Any]], Verdict],
        limiter: AimdLimiter,
        endpoint: Endpoint[Any, ItemT, AnswerT],
    ) -> None:
        self.rows = rows
        self.client = client
        self.settings = settings
        self.journal = journal
        self.run_id = run_id
        self.on_outcome = on_outcome
        self.sleep = sleep
        self.clock = clock
        self.classify = classify
        self.limiter = limiter
        self.endpoint = endpoint
        self.gate = Gate()
        self.circuit = Circuit(
            self.gate,
            threshold=settings.circuit_threshold,
            pause=settings.pause_when_open,
            clock=clock,
        )
        self.halt = asyncio.Event()
        self.aborted: AbortError | None = None
        self.abort_reason = ""  # short, for the rows' "not sent: ..." reasons
        self.fatal: BaseException | None = None
        self.queue: RowQueue[ItemT] = RowQueue(rows, endpoint.group)
        self.reported: set[int] = set()
        self.out = 0  # requests in flight
        self.counts: dict[str, int] = {}
        self.requests = 0
        self.refreshed_unconfirmed = False  # a refreshed token not yet accepted once
        self.auth_lock = asyncio.Lock()
        self.jitter = wait_random_exponential(
            multiplier=settings.backoff_base, max=settings.backoff_max
        )

    # ------------------------------------------------------------ the run

    async def run(self, stop: asyncio.Event | None) -> DispatchResult:
        started = self.clock()
        watcher = asyncio.ensure_future(self._watch(stop)) if stop is not None else None
        n = min(self.settings.concurrency, len(self.rows))
        workers = [asyncio.ensure_future(self._worker()) for _ in range(n)]
        helpers: list[asyncio.Future[Any]] = [] if watcher is None else [watcher]
        try:
            if workers:
                everyone = asyncio.ensure_future(asyncio.wait(workers))
                halted = asyncio.ensure_future(self.halt.wait())
                helpers += [everyone, halted]
                await asyncio.wait({everyone, halted}, return_when=asyncio.FIRST_COMPLETED)
                if not everyone.done():
                    # Stopping: requests in flight finish, within drain_seconds.
                    timer = asyncio.ensure_future(self.sleep(self.settings.drain))
                    helpers.append(timer)
                    await asyncio.wait({everyone, timer}, return_when=asyncio.FIRST_COMPLETED)
                    if not everyone.done():
                        self._abandon(workers)
                        await asyncio.gather(*workers, return_exceptions=True)
        finally:
            # Workers are still running here only if dispatch itself was cancelled.
            for task in (*workers, *helpers):
                task.cancel()
            await asyncio.gather(*workers, *helpers, return_exceptions=True)
        if self.fatal is not None:
            raise self.fatal
        for position, row in self.queue.remaining():
            self._report(position, row, self._not_sent())
        result = DispatchResult(
            aborted=self.aborted,
            counts=dict(sorted(self.counts.items())),
            requests_sent=self.requests,
            throttled=self.limiter.throttles,
            elapsed=self.clock() - started,
            final_rate=self.limiter.rate,
        )
        log.info(
            "dispatch finished",
            rows=len(self.rows),
            requests=result.requests_sent,
            throttled=result.throttled,
            pace=round(result.final_rate, 2) if math.isfinite(result.final_rate) else None,
            aborted=str(self.aborted) if self.aborted else None,
        )
        return result

    async def _watch(self, stop: asyncio.Event) -> None:
        await stop.wait()
        if not self.halt.is_set():
            log.warning("stopping: requests in flight finish, no new ones start")
            self._stop(Interrupted("interrupted; requests in flight were finished"), "interrupted")

    def _stop(self, abort: AbortError | None, reason: str) -> None:
        if self.halt.is_set():
            return
        self.aborted = abort
        self.abort_reason = reason
        self.halt.set()
        self.gate.wake()

    def _abandon(self, workers: Sequence[asyncio.Future[None]]) -> None:
        log.warning(
            "requests still in flight after the drain time are abandoned; the next run"
            " resends them",
            seconds=self.settings.drain,
            requests=self.out,
        )
        for worker in workers:
            worker.cancel()

    async def _worker(self) -> None:
        try:
            while not self.halt.is_set():
                taken = self.queue.take()
                if taken is None:
                    return
                if taken == WAIT:
                    await self._until_halted(self.queue.changed())
                    continue
                position, row = taken
                state = _Row(position, row, self.clock())
                try:
                    outcome = await self._send(state)
                except asyncio.CancelledError:
                    self._report(position, row, self._abandoned(state))
                    raise
                self._report(position, row, outcome)
                self.queue.done(position)
        except Exception as exc:  # a bug, or the journal / on_outcome failed
            if self.fatal is None:
                self.fatal = exc
            self._stop(None, "stopped by an internal error")

    def _report(self, position: int, row: ItemT, outcome: AnswerT | RowOutcome) -> None:
        if position in self.reported:
            return
        self.reported.add(position)
        key = outcome.status.value if isinstance(outcome, RowOutcome) else "answered"
        self.counts[key] = self.counts.get(key, 0) + 1
        self.on_outcome(row, outcome)

    # ------------------------------------------------------------ one row

    async def _send(self, state: _Row[ItemT]) -> AnswerT | RowOutcome:
        retrying = AsyncRetrying(
            sleep=self._backoff,
            stop=lambda rs: self._give_up(state, rs),
            wait=lambda rs: self._wait(state, rs),
            retry=retry_if_result(lambda attempt: attempt.retry and not self.halt.is_set()),
            retry_error_callback=lambda rs: rs.outcome.result() if rs.outcome else _HALTED,
            reraise=True,
        )
        last: _Attempt = await retrying(self._attempt, state)
        return self._outcome(state, last)

    async def _attempt(self, state: _Row[ItemT]) -> _Attempt:
        probe = await self._admit()
        if probe is None:
            return _HALTED
        row = state.row
        sent_at = self.clock()
        attempt_id = self.journal.begin_attempt(self.run_id, row.index)
        self.requests += 1
        state.attempts += 1
        state.in_flight = True
        self.out += 1
        try:
            reply = await self.endpoint.send(self.client, row)
        except asyncio.CancelledError:
            self.journal.finish_attempt(
                attempt_id,
                http_status=None,
                outcome="abandoned",
                detail="the run stopped while the request was in flight",
            )
            raise
        finally:
            self.out -= 1
        state.in_flight = False
        verdict = self.classify(reply)
        state.last, state.last_verdict = reply, verdict
        if verdict is Verdict.RETRY_FEW:
            state.few += 1
        self.journal.finish_attempt(
            attempt_id,
            http_status=reply.http_status,
            outcome=verdict.value,
            detail=reply.error,
        )
        if reply.http_status == 429:
            cuts = self.limiter.decreases
            self.limiter.on_throttle(sent_at, reply.retry_after)
            if self.limiter.decreases != cuts:
                edge = self.limiter.pace.edge
                seen = self.limiter.measured
                log.debug(
                    "pace cut",
                    rate=round(self.limiter.rate, 2),
                    limit=round(edge, 2) if math.isfinite(edge) else None,
                    refused=seen.settled if seen.settled is not None else seen.recent,
                    sent=round(seen.sent, 2) if seen.sent is not None else None,
                )
        elif reply.http_status is not None:
            self.limiter.on_answer(sent_at)
        if verdict is Verdict.AUTH:
            again = await self._refused(reply)
            if probe:
                self.gate.release()
            return _Attempt(retry=again, again_now=again)
        self.refreshed_unconfirmed = False
        tripped = self.circuit.record(verdict, reply, probe=probe)
        if tripped is not None:
            self._stop(*tripped)
        return _Attempt(retry=verdict.retryable)

    async def _admit(self) -> bool | None:
        """Wait for the gate and a limiter slot: ``True`` for the probe, ``None`` if halted."""
        while True:
            probe = await self._through_gate()
            if probe is None:
                return None
            slot = self.limiter.reserve()
            ready = await self._pause(slot.at - self.clock())
            if ready and self.limiter.valid(slot) and (probe or self.gate.is_open):
                return probe
            if probe:
                self.gate.release()
            if not ready:
                return None

    async def _through_gate(self) -> bool | None:
        gate = self.gate
        while not self.halt.is_set():
            if gate.is_open:
                return False
            wait = gate.not_before - self.clock()
            if wait > 0:
                await self._pause(wait)
                continue
            if not gate.probe_out:
                gate.probe_out = True
                return True
            await gate.changed()
        return None

    async def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the run halts first; whether it did not halt."""
        if self.halt.is_set():
            return False
        if seconds > 0:
            await self._until_halted(self.sleep(seconds))
        return not self.halt.is_set()

    async def _until_halted(self, waiting: Awaitable[Any]) -> None:
        """Await ``waiting`` unless the run halts first."""
        done = asyncio.ensure_future(waiting)
        halted = asyncio.ensure_future(self.halt.wait())
        try:
            await asyncio.wait({done, halted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            done.cancel()
            halted.cancel()

    async def _backoff(self, seconds: float) -> None:
        await self._pause(seconds)

    # ------------------------------------------------------------ retry budget and backoff

    def _give_up(self, state: _Row[ItemT], rs: RetryCallState) -> bool:
        s = self.settings
        if state.attempts >= s.max_attempts:
            return True
        if state.few > s.few_retries:
            return True
        if self.clock() - state.started + rs.upcoming_sleep > s.max_row_seconds:
            state.out_of_time = True
            return True
        return False

    def _wait(self, state: _Row[ItemT], rs: RetryCallState) -> float:
        attempt: _Attempt | None = rs.outcome.result() if rs.outcome else None
        if attempt is not None and attempt.again_now:
            return 0.0
        retry_after = state.last.retry_after if state.last is not None else None
        return max(retry_after or 0.0, float(self.jitter(rs)))

    # ------------------------------------------------------------ auth

    async def _refused(self, reply: Reply[Any]) -> bool:
        """A 401/403: whether to send the row again (with a refreshed token)."""
        self.gate.close()
        async with self.auth_lock:
            if self.halt.is_set():
                return False
            tokens = self.client.tokens
            if tokens.generation > reply.token_generation:
                return True  # another worker refreshed it meanwhile
            if tokens.can_refresh and not self.refreshed_unconfirmed:
                log.warning(
                    "the API refused the token; running the token command", status=reply.http_status
                )
                if await asyncio.to_thread(tokens.refresh):
                    self.refreshed_unconfirmed = True
                    return True
            message = auth_message(reply, refreshed=self.refreshed_unconfirmed)
            log.error("stopping: the API refused the token", status=reply.http_status)
            self._stop(AuthError(message), f"the API refused the token ({reply.summary})")
            return False

    # ------------------------------------------------------------ outcomes

    def _outcome(self, state: _Row[ItemT], attempt: _Attempt) -> AnswerT | RowOutcome:
        reply, verdict, n = state.last, state.last_verdict, state.attempts
        if reply is None or verdict is None:
            return self._not_sent()
        status = reply.http_status
        if verdict is Verdict.SUCCESS and reply.body is not None:
            answered = self.endpoint.outcome(reply.body)
            if isinstance(answered, RowOutcome):
                return dataclasses.replace(answered, http_status=status, attempts=n)
            return answered
        if verdict is Verdict.REJECTED:
            return RowOutcome(Status.REJECTED, reply.error, http_status=status, attempts=n)
        if verdict is Verdict.AUTH:
            return RowOutcome(
                Status.NOT_SENT, f"not sent: {self.abort_reason}", http_status=status, attempts=n
            )
        tries = f"{n} attempt" + ("s" if n != 1 else "")
        if attempt.halted or (self.halt.is_set() and attempt.retry):
            reason = (
                f"{reply.summary} after {tries}; the run then stopped ({self.abort_reason})"
                " before another try"
            )
            if not self.endpoint.reads:
                reason += ": rerun to finish it (the API dedupes)"
        else:
            spent = ""
            if state.out_of_time:
                spent = f" in {self.clock() - state.started:.0f} s"
            reason = f"{reply.summary} after {tries}{spent}"
            if self.endpoint.reads:  # a read enrolled nothing: there is nothing to resolve
                pass
            elif reply.outcome_unknown:
                reason += "; outcome unknown — rerun to resolve (the API dedupes)"
            else:
                reason += "; not enrolled — the next run sends it again"
        return RowOutcome(Status.FAILED, reason, http_status=status, attempts=n)

    def _not_sent(self) -> RowOutcome:
        reason = self.abort_reason or "the run stopped before this row"
        return RowOutcome(Status.NOT_SENT, f"not sent: {reason}")

    def _abandoned(self, state: _Row[ItemT]) -> AnswerT | RowOutcome:
        if not state.in_flight:
            if state.last is None:
                return self._not_sent()
            return self._outcome(state, _HALTED)
        return RowOutcome(
            Status.FAILED,
            f"the run stopped ({self.abort_reason}) while the request was in flight for"
            f" {self.settings.drain:g} s; outcome unknown — rerun to resolve (the API dedupes)",
            attempts=state.attempts,
        )
