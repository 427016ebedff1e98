"""Seeded fault and latency decisions, one per request, repeatable for a seed."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from sync.sandbox._config import FAULT_KINDS, SandboxConfig

#: Kinds that always strike after the work is committed (the enrolment happened).
AFTER_WORK_KINDS = frozenset({"slow", "drop", "malformed"})
#: Kinds that strike before or after the work (``after_work_share`` decides).
EITHER_KINDS = frozenset({"500", "504"})


@dataclass(frozen=True)
class Fault:
    """One fault to play on one request; ``after_work`` means the work was done first."""

    kind: str
    after_work: bool = False

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``"503"``, ``"drop"``, or ``"500:after"`` / ``"504:after"`` (after the work)."""
        kind, _, when = text.partition(":")
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {kind!r} (expected one of {', '.join(FAULT_KINDS)})"
            )
        if when not in ("", "before", "after"):
            raise ValueError(f"fault {text!r}: the part after ':' must be 'before' or 'after'")
        if when == "after" and kind not in EITHER_KINDS | AFTER_WORK_KINDS:
            raise ValueError(f"fault {kind!r} always happens before the work")
        if when == "before" and kind in AFTER_WORK_KINDS:
            raise ValueError(f"fault {kind!r} always happens after the work")
        return cls(kind, after_work=kind in AFTER_WORK_KINDS or when == "after")


class FaultPlan:
    """Decides, request by request, which fault (if any) to play and how long to wait.

    Random draws come from generators seeded with ``config.seed``, so the same seed
    and the same sequence of requests give the same faults. Faults queued with
    ``inject`` are played first, in order, whatever the rates say.
    """

    def __init__(self, config: SandboxConfig) -> None:
        self._rates = [(kind, rate) for kind, rate in config.faults.items() if rate > 0]
        self._after_share = config.after_work_share
        self._latency_s = config.latency_ms / 1000
        self._jitter_s = config.latency_jitter_ms / 1000
        self._rng = random.Random(config.seed)
        self._latency_rng = random.Random(f"latency:{config.seed}")
        self._queued: deque[Fault] = deque()
        self._lock = threading.Lock()

    def inject(self, faults: Iterable[str | Fault]) -> None:
        """Queue faults for the next requests on fault paths, ahead of the random ones."""
        parsed = [f if isinstance(f, Fault) else Fault.parse(f) for f in faults]
        with self._lock:
            self._queued.extend(parsed)

    @property
    def queued(self) -> int:
        return len(self._queued)

    def next_fault(self) -> Fault | None:
        """The fault for the next request on a fault path, or None."""
        with self._lock:
            if self._queued:
                return self._queued.popleft()
            if not self._rates:
                return None
            roll = self._rng.random()
            cumulative = 0.0
            for kind, rate in self._rates:
                cumulative += rate
                if roll < cumulative:
                    if kind in EITHER_KINDS:
                        return Fault(kind, after_work=self._rng.random() < self._after_share)
                    return Fault(kind, after_work=kind in AFTER_WORK_KINDS)
            return None

    def latency(self) -> float:
        """Seconds to wait before answering: the fixed latency plus a uniform jitter."""
        if not self._jitter_s:
            return self._latency_s
        with self._lock:
            return self._latency_s + self._jitter_s * self._latency_rng.random()
