"""A model of senders and a rate-limiting server in simulated time, for the pacer's tests.

``simulate`` runs ``concurrency`` workers per sender, each doing what the
dispatcher does with its limiter (book a slot, wait for it, send if it still
stands), against a server with a token bucket (``limit`` a second, ``burst``
saved up) that answers a 429 at once (with ``Retry-After``, which the row
waits out before its retry, holding its worker) and anything else after
``latency`` seconds. Arrivals are jittered a little (``jitter``), as a real
network and event loop do. Everything runs on one fake clock, so a minute of
sending takes a fraction of a second and the figures are exact and repeatable.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Clock:
    """A settable clock: the limiters' ``clock``."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class LimiterLike(Protocol):
    @property
    def paused_until(self) -> float: ...

    def reserve(self) -> Any: ...

    def valid(self, slot: Any) -> bool: ...

    def on_throttle(self, sent_at: float, retry_after: float | None) -> None: ...

    def on_answer(self, sent_at: float) -> None: ...


@dataclass
class Outcome:
    """What the server saw after the first ``skip`` seconds (and in all)."""

    seconds: float
    limit: float
    ok: int = 0
    throttled: int = 0
    ok_all: int = 0
    throttled_all: int = 0
    per_second: dict[int, int] = field(default_factory=dict)  # arrivals in each second

    @property
    def achieved(self) -> float:
        """Requests the server took per second, as a share of its limit."""
        return self.ok / self.seconds / self.limit

    @property
    def share_429(self) -> float:
        total = self.ok + self.throttled
        return self.throttled / total if total else 0.0

    @property
    def busiest_second(self) -> int:
        return max(self.per_second.values(), default=0)


def simulate(
    make: Callable[[Clock, int], LimiterLike],
    *,
    limit: float | None = 50.0,
    burst: int = 5,
    latency: float = 0.1,
    jitter: float = 0.003,
    concurrency: int = 24,
    seconds: float = 30.0,
    skip: float = 2.0,
    senders: int = 1,
    seed: int = 1,
    then: tuple[float, float] | None = None,
) -> Outcome:
    """Run ``senders`` limiters (``make(clock, i)``) for ``seconds`` against the server.

    ``then=(at, limit)``: the server's limit changes at ``at`` seconds (the figures
    are against the last limit)."""
    rnd = random.Random(seed)
    clock = Clock()
    limiters = [make(clock, i) for i in range(senders)]
    rate = limit if limit is not None else math.inf
    tokens, stamp = float(burst), 0.0
    out = Outcome(seconds=seconds - skip, limit=then[1] if then else (limit or 1.0))
    events: list[tuple[float, int, str, tuple[int, int]]] = []
    booked: dict[tuple[int, int], Any] = {}
    counter = 0

    def push(at: float, kind: str, who: tuple[int, int]) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(events, (at, counter, kind, who))

    for s in range(senders):
        for w in range(concurrency):
            push(0.0, "reserve", (s, w))
    while events:
        at, _, kind, who = heapq.heappop(events)
        if at > seconds:
            break
        clock.now = at
        if then is not None and at >= then[0]:
            rate = then[1]
        limiter = limiters[who[0]]
        if kind == "reserve":
            slot = limiter.reserve()
            booked[who] = slot
            push(max(slot.at, at), "send", who)
        elif kind == "send":
            if not limiter.valid(booked[who]) or limiter.paused_until > at + 1e-9:
                push(at, "reserve", who)
                continue
            arrive = at + rnd.uniform(0, jitter)
            tokens = min(burst, tokens + max(0.0, arrive - stamp) * rate)
            stamp = max(stamp, arrive)
            out.per_second[int(arrive)] = out.per_second.get(int(arrive), 0) + 1
            if tokens >= 1.0:
                tokens -= 1.0
                booked[who] = (at, None)
                push(at + latency, "answer", who)
            else:
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                booked[who] = (at, wait)
                push(at + 0.001, "429", who)
        elif kind == "answer":
            sent, _ = booked[who]
            limiter.on_answer(sent)
            out.ok_all += 1
            out.ok += sent >= skip
            push(at, "reserve", who)
        else:
            sent, wait = booked[who]
            limiter.on_throttle(sent, float(wait))
            out.throttled_all += 1
            out.throttled += sent >= skip
            push(at + wait, "reserve", who)  # the row waits out Retry-After, holding its worker
    return out
