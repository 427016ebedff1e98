"""The async dispatcher: pacing, concurrency, retries, the circuit breaker, shutdown.

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
  finished when it returns (DESIGN.md "The ledger");
- 401/403 closes the gate at once: nobody starts a request with that token
  again. With a token command the token is refreshed once and the row is
  retried alone; otherwise, or if the new token is refused too, the run stops
  (``AuthError``). The very first request of a run also goes alone, so a bad
  token costs exactly one request;
- ``circuit_threshold`` failed attempts in a row (transport errors, 5xx)
  pause everyone, then one probe goes; if it fails too the run stops
  (``CircuitOpenError``);
- when ``stop`` is set (SIGINT/SIGTERM), no new request starts; requests in
  flight finish (at most ``drain_seconds``; a send is never cancelled before
  that), and rows not sent are ``not_sent``.

A send is never cancelled to make room or save time: only a request still
out after ``drain_seconds`` of a shutdown is abandoned (its row is ``failed``,
outcome unknown; the next run resends it and the API answers
``already-applied`` if it was enrolled).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, wait_random_exponential

from sync.dispatch.pacing import AimdLimiter
from sync.errors import AbortError, AuthError, CircuitOpenError, Interrupted, PreflightError
from sync.jobmojito.client import ApiClient, RequestFailed
from sync.jobmojito.retry import Reply, Verdict, classify
from sync.jobmojito.tokens import auth_message
from sync.records import PlannedRow, Status

if TYPE_CHECKING:
    from sync.jobmojito.models import MerchantStatus
    from sync.options import SyncOptions

__all__ = [
    "AttemptJournal",
    "DispatchResult",
    "DispatchSettings",
    "NullJournal",
    "PreflightResult",
    "RowOutcome",
    "dispatch",
    "preflight",
]

log = structlog.get_logger("sync.dispatch")

Sleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """How the dispatcher sends. ``from_options`` builds it from the run options.

    ``rate`` may be ``math.inf`` (no ceiling). ``drain_seconds`` bounds the wait
    for requests in flight at a shutdown (default: the request timeout + 5 s).
    ``circuit_pause`` is how long everyone waits once the circuit opens before
    the probe (default: twice ``backoff_max``).
    """

    concurrency: int = 8
    rate: float = 10.0
    max_attempts: int = 6
    max_row_seconds: float = 300.0
    circuit_threshold: int = 25
    few_retries: int = 2
    timeout: float = 30.0
    drain_seconds: float | None = None
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    circuit_pause: float | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.max_attempts < 1 or self.circuit_threshold < 1:
            raise ValueError("concurrency, max_attempts and circuit_threshold must be >= 1")
        if not self.rate > 0:
            raise ValueError("rate must be > 0")

    @classmethod
    def from_options(cls, options: SyncOptions, **overrides: Any) -> DispatchSettings:
        values: dict[str, Any] = {
            "concurrency": options.concurrency,
            "rate": options.rate,
            "max_attempts": options.max_attempts,
            "max_row_seconds": options.max_row_seconds,
            "circuit_threshold": options.circuit_threshold,
            "timeout": options.timeout,
        }
        values.update(overrides)
        return cls(**values)

    @property
    def drain(self) -> float:
        return self.drain_seconds if self.drain_seconds is not None else self.timeout + 5.0

    @property
    def pause_when_open(self) -> float:
        return self.circuit_pause if self.circuit_pause is not None else 2 * self.backoff_max


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """How one row ended: what the results sheet shows for it."""

    status: Status
    reason: str = ""
    interview_url: str = ""
    http_status: int | None = None
    attempts: int = 0
    position_def_set_id: str = ""
    profile_interview_id: str = ""


@dataclass(slots=True)
class DispatchResult:
    """What a dispatch did. ``aborted`` is set when the run stopped mid-way."""

    aborted: AbortError | None = None
    counts: dict[str, int] = field(default_factory=dict)  # status value -> rows
    requests_sent: int = 0
    throttled: int = 0  # 429s received
    elapsed: float = 0.0
    final_rate: float = math.inf  # the limiter's pace at the end, requests per second


class AttemptJournal(Protocol):
    """Where attempts are journaled; ``sync.ledger.Ledger`` is one."""

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        """Record an attempt ``in_flight`` (durably) before its request leaves."""
        ...

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        """Record how the attempt ended."""
        ...


class NullJournal:
    """A journal that remembers nothing (dry runs, benchmarks, tests)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        return next(self._ids)

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        return None


# --------------------------------------------------------------------------- pre-flight


@dataclass(frozen=True, slots=True)
class PreflightResult:
    """What merchant-status said before sending; ``status`` is ``None`` if unread."""

    status: MerchantStatus | None
    message: str = ""
    warnings: tuple[str, ...] = ()


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


async def preflight(
    client: ApiClient, rows_to_send: int, *, ignore_credits: bool
) -> PreflightResult:
    """Read merchant-status and say whether the credits can cover ``rows_to_send``.

    "Clearly cannot" (``PreflightError``, nothing sent, unless
    ``ignore_credits``) means one of:

    - ``invitations_available`` is a number smaller than the rows to send:
      every enrolment is an invitation, so the API would refuse the rest;
    - the plan is limited (``invitations_available`` is a number) and every
      credit balance is a number and they add up to zero.

    Fewer credits than rows is only a warning: credits are spent by
    pre-screening and completed interviews, not one per enrolment, so the run
    may well fit. ``null`` balances (unlimited plans) never stop a run. A 401/403
    raises ``AuthError``; any other failure to read the status is a warning.
    """
    try:
        status = await client.merchant_status()
    except RequestFailed as exc:
        return PreflightResult(
            None,
            warnings=(
                f"merchant-status could not be read ({exc}); sending without a credit check",
            ),
        )
    monthly = status.credits_interview_monthly
    extra = status.credits_interview_extra
    single = status.credits_interview_single
    invitations = status.invitations_available
    message = (
        f"credits left: {_number(monthly)} monthly + {_number(extra)} extra"
        f" + {_number(single)} single; invitations available:"
        f" {'unlimited' if invitations is None else _number(invitations)};"
        f" rows to send: {rows_to_send}"
    )
    balances = (monthly, extra, single)
    problems: list[str] = []
    if rows_to_send and invitations is not None:
        if invitations < rows_to_send:
            problems.append(
                f"only {_number(invitations)} invitations are left this period for"
                f" {rows_to_send} rows to send"
            )
        elif all(b is not None for b in balances) and sum(b or 0 for b in balances) <= 0:
            problems.append(f"no interview credits are left for {rows_to_send} rows to send")
    warnings: list[str] = []
    known = [b for b in balances if b is not None]
    if not problems and rows_to_send and known and 0 < sum(known) < rows_to_send:
        warnings.append(
            f"{_number(sum(known))} interview credits left for {rows_to_send} rows: pre-screening"
            " and interviews may run out of credits"
        )
    if problems:
        text = "; ".join(problems) + f" ({message})"
        if not ignore_credits:
            raise PreflightError(
                f"merchant-status: {text}. Nothing was sent. Send fewer rows (--limit) or"
                " top up the plan; --ignore-credits sends anyway"
            )
        warnings.append(f"{text}; sending anyway (--ignore-credits)")
    return PreflightResult(status, message, tuple(warnings))


# --------------------------------------------------------------------------- dispatch


async def dispatch(
    rows: Sequence[PlannedRow],
    *,
    client: ApiClient,
    settings: DispatchSettings,
    journal: AttemptJournal,
    run_id: str,
    on_outcome: Callable[[PlannedRow, RowOutcome], None],
    stop: asyncio.Event | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    classify: Callable[[Reply[Any]], Verdict] = classify,
    limiter: AimdLimiter | None = None,
) -> DispatchResult:
    """Send ``rows``; call ``on_outcome(row, outcome)`` exactly once for each of them.

    ``sleep`` and ``clock`` are injectable so tests never wait; ``classify``
    replaces the outcome policy; ``limiter`` replaces the default
    ``AimdLimiter(settings.rate)``. Raises only for bugs and for errors raised
    by ``journal`` or ``on_outcome`` (after the other workers have stopped).
    """
    run = _Dispatcher(
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
    )
    return await run.run(stop)


@dataclass(slots=True)
class _Row:
    """A row being sent: its attempts so far."""

    position: int
    row: PlannedRow
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


class _Gate:
    """Who may start a request: everyone (open), or one probe at a time (closed).

    Closed at the start (the first request goes alone), after a 401 (until the
    refreshed token is accepted) and when the circuit opens (after a pause).
    """

    def __init__(self) -> None:
        self.is_open = False
        self.not_before = -math.inf
        self.probe_out = False
        self._changed = asyncio.Event()

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self) -> None:
        await self._changed.wait()

    def open(self) -> None:
        self.is_open = True
        self.probe_out = False
        self.wake()

    def close(self, not_before: float = -math.inf) -> None:
        self.is_open = False
        self.not_before = max(self.not_before, not_before)
        self.wake()

    def release(self) -> None:
        """The probe holder did not get a verdict that opens the gate: let another probe."""
        self.probe_out = False
        self.wake()


class _Dispatcher:
    def __init__(
        self,
        rows: Sequence[PlannedRow],
        *,
        client: ApiClient,
        settings: DispatchSettings,
        journal: AttemptJournal,
        run_id: str,
        on_outcome: Callable[[PlannedRow, RowOutcome], None],
        sleep: Sleep,
        clock: Clock,
        classify: Callable[[Reply[Any]], Verdict],
        limiter: AimdLimiter,
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
        self.gate = _Gate()
        self.halt = asyncio.Event()
        self.aborted: AbortError | None = None
        self.abort_reason = ""  # short, for the rows' "not sent: ..." reasons
        self.fatal: BaseException | None = None
        self.todo: Iterator[tuple[int, PlannedRow]] = iter(enumerate(rows))
        self.reported: set[int] = set()
        self.out = 0  # requests in flight
        self.counts: dict[str, int] = {}
        self.requests = 0
        self.failures_in_row = 0
        self.last_failure = ""
        self.circuit_half_open = False
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
        for position, row in self.todo:
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
                try:
                    position, row = next(self.todo)
                except StopIteration:
                    return
                state = _Row(position, row, self.clock())
                try:
                    outcome = await self._send(state)
                except asyncio.CancelledError:
                    self._report(position, row, self._abandoned(state))
                    raise
                self._report(position, row, outcome)
        except Exception as exc:  # a bug, or the journal / on_outcome failed
            if self.fatal is None:
                self.fatal = exc
            self._stop(None, "stopped by an internal error")

    def _report(self, position: int, row: PlannedRow, outcome: RowOutcome) -> None:
        if position in self.reported:
            return
        self.reported.add(position)
        self.counts[outcome.status.value] = self.counts.get(outcome.status.value, 0) + 1
        self.on_outcome(row, outcome)

    # ------------------------------------------------------------ one row

    async def _send(self, state: _Row) -> RowOutcome:
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

    async def _attempt(self, state: _Row) -> _Attempt:
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
            reply = await self.client.create_for_candidate(row.payload)
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
            self.limiter.on_throttle(sent_at, reply.retry_after)
        elif reply.http_status is not None:
            self.limiter.on_answer(sent_at)
        if verdict is Verdict.AUTH:
            again = await self._refused(reply)
            if probe:
                self.gate.release()
            return _Attempt(retry=again, again_now=again)
        self.refreshed_unconfirmed = False
        self._circuit(verdict, reply, probe)
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
            nap = asyncio.ensure_future(self.sleep(seconds))
            halted = asyncio.ensure_future(self.halt.wait())
            try:
                await asyncio.wait({nap, halted}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                nap.cancel()
                halted.cancel()
        return not self.halt.is_set()

    async def _backoff(self, seconds: float) -> None:
        await self._pause(seconds)

    # ------------------------------------------------------------ retry policy

    def _give_up(self, state: _Row, rs: RetryCallState) -> bool:
        s = self.settings
        if state.attempts >= s.max_attempts:
            return True
        if state.few > s.few_retries:
            return True
        if self.clock() - state.started + rs.upcoming_sleep > s.max_row_seconds:
            state.out_of_time = True
            return True
        return False

    def _wait(self, state: _Row, rs: RetryCallState) -> float:
        attempt: _Attempt | None = rs.outcome.result() if rs.outcome else None
        if attempt is not None and attempt.again_now:
            return 0.0
        retry_after = state.last.retry_after if state.last is not None else None
        return max(retry_after or 0.0, float(self.jitter(rs)))

    # ------------------------------------------------------------ auth and circuit

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

    def _circuit(self, verdict: Verdict, reply: Reply[Any], probe: bool) -> None:
        failed = verdict.retryable and reply.http_status != 429
        if failed:
            self.failures_in_row += 1
            self.last_failure = reply.summary
        elif verdict in (Verdict.SUCCESS, Verdict.REJECTED):  # the API works
            self.failures_in_row = 0
        if probe:
            if self.circuit_half_open and failed:
                n = self.settings.circuit_threshold
                message = (
                    f"circuit open after {n} consecutive failures (last: {self.last_failure});"
                    f" the probe after a {self.settings.pause_when_open:g} s pause failed too."
                    " Nothing more was sent; rows not sent are not_sent and the next run"
                    " sends them"
                )
                log.error("stopping: the circuit is open", failures=n, last=self.last_failure)
                self._stop(
                    CircuitOpenError(message), f"circuit open after {n} consecutive failures"
                )
                return
            self.circuit_half_open = False
            self.gate.open()
            return
        if failed and self.gate.is_open and self.failures_in_row >= self.settings.circuit_threshold:
            pause = self.settings.pause_when_open
            log.warning(
                "circuit open: pausing, then one probe",
                failures=self.failures_in_row,
                last=self.last_failure,
                seconds=pause,
            )
            self.circuit_half_open = True
            self.gate.close(not_before=self.clock() + pause)

    # ------------------------------------------------------------ outcomes

    def _outcome(self, state: _Row, attempt: _Attempt) -> RowOutcome:
        reply, verdict, n = state.last, state.last_verdict, state.attempts
        if reply is None or verdict is None:
            return self._not_sent()
        status = reply.http_status
        if verdict is Verdict.SUCCESS and reply.body is not None:
            body = reply.body
            return RowOutcome(
                Status(body.status),
                reason=body.reason or "",
                interview_url=body.interview_url or "",
                http_status=status,
                attempts=n,
                position_def_set_id=body.position_def_set_id or "",
                profile_interview_id=body.profile_interview_id or "",
            )
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
                " before another try: rerun to finish it (the API dedupes)"
            )
        else:
            spent = ""
            if state.out_of_time:
                spent = f" in {self.clock() - state.started:.0f} s"
            reason = f"{reply.summary} after {tries}{spent}"
            if reply.outcome_unknown:
                reason += "; outcome unknown — rerun to resolve (the API dedupes)"
            else:
                reason += "; not enrolled — the next run sends it again"
        return RowOutcome(Status.FAILED, reason, http_status=status, attempts=n)

    def _not_sent(self) -> RowOutcome:
        reason = self.abort_reason or "the run stopped before this row"
        return RowOutcome(Status.NOT_SENT, f"not sent: {reason}")

    def _abandoned(self, state: _Row) -> RowOutcome:
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
