"""How the dispatcher sends, and the values it hands back: settings, outcomes, the journal.

``DispatchSettings`` and its ``DEFAULT_*`` constants are the one statement of
the sending defaults: ``sync.options.SyncOptions`` uses the same constants.
``RowOutcome`` is how one row ended, ``DispatchResult`` what a whole dispatch
did, and ``AttemptJournal`` where attempts are written before and after each
request (``NullJournal`` writes nowhere).

Nothing here sends or imports the client, so ``sync.options`` can read the
defaults without loading httpx.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sync.errors import AbortError
from sync.records import Status

if TYPE_CHECKING:
    from sync.options import SyncOptions

__all__ = [
    "DEFAULT_CIRCUIT_THRESHOLD",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_ROW_SECONDS",
    "DEFAULT_RATE",
    "DEFAULT_TIMEOUT",
    "AttemptJournal",
    "DispatchResult",
    "DispatchSettings",
    "NullJournal",
    "RowOutcome",
]

#: Requests out at once (workers, and connections in the client's pool).
DEFAULT_CONCURRENCY = 8
#: Requests per second: a ceiling the pace adapts under.
DEFAULT_RATE = 10.0
#: Attempts per row, the first included.
DEFAULT_MAX_ATTEMPTS = 6
#: Seconds a row may spend on attempts and waits before it is ``failed``.
DEFAULT_MAX_ROW_SECONDS = 300.0
#: Failed attempts in a row that open the circuit.
DEFAULT_CIRCUIT_THRESHOLD = 25
#: Seconds per request (connect, read, write).
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """How the dispatcher sends. ``from_options`` builds it from the run options.

    ``rate`` may be ``math.inf`` (no ceiling). ``drain_seconds`` bounds the wait
    for requests in flight at a shutdown (default: the request timeout + 5 s).
    ``circuit_pause`` is how long everyone waits once the circuit opens before
    the probe (default: twice ``backoff_max``).
    """

    concurrency: int = DEFAULT_CONCURRENCY
    rate: float = DEFAULT_RATE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_row_seconds: float = DEFAULT_MAX_ROW_SECONDS
    circuit_threshold: int = DEFAULT_CIRCUIT_THRESHOLD
    few_retries: int = 2
    timeout: float = DEFAULT_TIMEOUT
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
