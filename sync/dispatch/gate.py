"""Who may start a request: the gate, and the circuit breaker that closes it.

The ``Gate`` is open (every worker may send) or closed (one probe at a time,
not before ``not_before``). It is closed at the start, so the very first
request of a run goes alone; the dispatcher closes it on a 401/403 until the
refreshed token is accepted; and the ``Circuit`` closes it when too many
attempts fail in a row.

The ``Circuit`` counts failed attempts in a row (transport errors, 5xx, an
unreadable answer: a retryable verdict other than a 429); an answer showing
the API works (success, rejected) resets the count. At ``threshold`` it
closes the gate for ``pause`` seconds, then one probe goes: if the probe fails
too, the run stops (``CircuitOpenError``); any other verdict opens the gate.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

import structlog

from sync.errors import CircuitOpenError
from sync.jobmojito.retry import Reply, Verdict

__all__ = ["Circuit", "Gate"]

log = structlog.get_logger("sync.dispatch")


class Gate:
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


class Circuit:
    """Failed attempts in a row; at ``threshold`` the gate closes for ``pause`` s, then a probe."""

    def __init__(
        self, gate: Gate, *, threshold: int, pause: float, clock: Callable[[], float]
    ) -> None:
        self.gate = gate
        self.threshold = threshold
        self.pause = pause
        self.clock = clock
        self.failures_in_row = 0
        self.last_failure = ""
        self.half_open = False  # the gate is closed for the probe after a pause

    def record(
        self, verdict: Verdict, reply: Reply[Any], *, probe: bool
    ) -> tuple[CircuitOpenError, str] | None:
        """Count one attempt (not a 401/403); the error and short reason to stop with, if any."""
        failed = verdict.retryable and reply.http_status != 429
        if failed:
            self.failures_in_row += 1
            self.last_failure = reply.summary
        elif verdict in (Verdict.SUCCESS, Verdict.REJECTED):  # the API works
            self.failures_in_row = 0
        if probe:
            if self.half_open and failed:
                n = self.threshold
                message = (
                    f"circuit open after {n} consecutive failures (last: {self.last_failure});"
                    f" the probe after a {self.pause:g} s pause failed too."
                    " Nothing more was sent; rows not sent are not_sent and the next run"
                    " sends them"
                )
                log.error("stopping: the circuit is open", failures=n, last=self.last_failure)
                return CircuitOpenError(message), f"circuit open after {n} consecutive failures"
            self.half_open = False
            self.gate.open()
            return None
        if failed and self.gate.is_open and self.failures_in_row >= self.threshold:
            log.warning(
                "circuit open: pausing, then one probe",
                failures=self.failures_in_row,
                last=self.last_failure,
                seconds=self.pause,
            )
            self.half_open = True
            self.gate.close(not_before=self.clock() + self.pause)
        return None
