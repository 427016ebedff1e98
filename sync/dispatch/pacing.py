"""The shared request pacer: a rate ceiling, evenly spaced slots, AIMD on 429.

Every worker of the dispatcher books its next send time here, so the whole
run stays under one requests-per-second figure however many workers there
are. Slots are spaced ``1 / rate`` apart (smooth pacing, no bursts: a worker
that was busy does not get to "catch up" on slots it missed).

The rate starts at the ceiling (``--rate``) and adapts to the server
(additive increase, multiplicative decrease), so a nightly job finds the
server's real limit without being told it:

- **decrease** on a 429: ``rate *= decrease`` (0.9 by default), at most once
  per round trip: a 429 for a request sent before the last decrease says
  nothing new, because that request left at the old rate. When most answers
  of the last round trip were 429s the pace is far over the limit
  (``1 - limit/pace`` of the answers are refused once the server's bucket is
  empty), and the cut is that share, at most a halving, instead of ten small
  steps. Plain halving on every 429 would throw away half the throughput each
  time; a gentle factor keeps the average close to the limit. A decrease voids
  every slot booked at the old pace, so the workers fall in behind the new
  spacing at once.
- **increase** on every other answer: each adds ``increase`` (0.02) requests
  per second to the pace, i.e. about 2% of the pace per second of sending, up
  to the ceiling. Below 95% of the pace that drew the last 429 the climb is
  ``fast_climb`` (4) times faster, since the server accepted that pace a
  moment ago; above it, the slow climb probes for more. The pace only climbs
  while it is what holds the workers back: a pace they do not use says
  nothing about the server.
- **pause**: a 429 carries ``Retry-After``. The request that got it always
  waits that long before its retry (the dispatcher's wait). When 429s keep
  coming back to back (``pause_after`` in a row with no other answer between),
  the server is refusing everything, and every worker waits out the
  ``Retry-After`` together. An isolated 429 at the edge of the limit does not
  stop the other workers: the decrease already answers it, and a whole-second
  ``Retry-After`` for a 20 ms overshoot would cost a second of throughput.

Nothing here sleeps or does I/O: callers ask ``reserve()`` for the time to
send at and wait themselves, so tests drive it with a fake clock.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["AimdLimiter", "Slot"]


class Slot(NamedTuple):
    """A booked send time (clock seconds) and the limiter generation it belongs to."""

    at: float
    generation: int


class AimdLimiter:
    """A requests-per-second ceiling shared by every worker, adapting to 429s.

    ``ceiling`` may be ``math.inf`` (no limit until the first 429, then the
    pace adapts from the one observed). ``floor`` bounds the decrease (one
    request every ten seconds by default).
    """

    def __init__(
        self,
        ceiling: float,
        *,
        decrease: float = 0.9,
        increase: float = 0.02,
        fast_climb: float = 4.0,
        fast_until: float = 0.95,
        floor: float = 0.1,
        pause_after: int = 3,
        max_pause: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not ceiling > 0:
            raise ValueError("ceiling must be > 0")
        if not 0 < decrease < 1:
            raise ValueError("decrease must be between 0 and 1")
        self.ceiling = ceiling
        self.decrease = decrease
        self.fast_climb = fast_climb
        self.fast_until = fast_until
        self.increase = increase
        self.floor = min(floor, ceiling)
        self.pause_after = pause_after
        self.max_pause = max_pause
        self._clock = clock
        self._rate = ceiling
        self._next_slot = -math.inf
        self._paused_until = -math.inf
        self._last_decrease = -math.inf
        self._throttled_at: float | None = None  # the rate that drew the last 429
        self._streak = 0  # 429s in a row
        self._recent: deque[float] = deque()  # slots booked in the last second
        self._answers: deque[tuple[float, bool]] = deque()  # (when, was a 429), last RTT
        self._rtt = 0.1  # smoothed round trip, seconds
        self._generation = 0  # bumped by every decrease and pause: voids booked slots
        self.throttles = 0  # 429s seen
        self.decreases = 0
        self.pauses = 0

    @property
    def rate(self) -> float:
        """The current pace in requests per second (``inf`` when unlimited)."""
        return self._rate

    @property
    def paused_until(self) -> float:
        """Clock time before which nothing may be sent (a shared ``Retry-After``)."""
        return self._paused_until

    def reserve(self) -> Slot:
        """Book the next free slot: wait until ``slot.at``, then check ``valid(slot)``.

        A decrease or a pause that happens while the caller waits voids every
        slot booked before it (they were spaced at the old pace); the caller
        then books again, behind the new spacing.
        """
        now = self._clock()
        at = max(now, self._next_slot, self._paused_until)
        if math.isfinite(self._rate):
            self._next_slot = at + 1.0 / self._rate
        else:
            recent = self._recent
            recent.append(at)
            while recent[0] < at - 1.0:
                recent.popleft()
        return Slot(at, self._generation)

    def valid(self, slot: Slot) -> bool:
        """Whether ``slot`` still stands (no decrease or pause since it was booked)."""
        return slot.generation == self._generation

    def on_throttle(self, sent_at: float, retry_after: float | None) -> None:
        """A 429 came back for a request sent at ``sent_at`` (clock time)."""
        now = self._clock()
        self.throttles += 1
        self._streak += 1
        share = self._record(now, sent_at, throttled=True)
        if sent_at >= self._last_decrease:
            current = self._rate if math.isfinite(self._rate) else self._observed_pace()
            self._throttled_at = current
            # The share of 429s in the last round trip says how far over the
            # limit the pace is (1 - limit/pace once the server's bucket is
            # empty): a big overshoot is cut in one step, not ten.
            factor = self.decrease
            if share is not None:
                factor = min(factor, max(0.5, 1.0 - share))
            self._rate = max(self.floor, current * factor)
            self._last_decrease = now
            self.decreases += 1
            # Slots booked at the old pace are void; everyone books again behind this.
            self._generation += 1
            self._next_slot = now + 1.0 / self._rate
        if self._streak >= self.pause_after:
            wait = min(self.max_pause, retry_after if retry_after is not None else 1.0)
            if now + wait > self._paused_until:
                self._paused_until = now + wait
                self._generation += 1
                self.pauses += 1
            self._streak = 0

    def on_answer(self, sent_at: float) -> None:
        """Any answer other than a 429: the server took the request; climb back.

        The pace climbs only while it is what holds the senders back (a slot
        was booked within the last two intervals): a pace that the workers do
        not use (they are busy, or waiting out a ``Retry-After``) says nothing
        about the server, and climbing it would release a burst later.
        """
        now = self._clock()
        self._streak = 0
        self._record(now, sent_at, throttled=False)
        if self._rate >= self.ceiling:
            return
        if self._next_slot < now - 1.0 / self._rate:
            return
        step = self.increase
        if self._throttled_at is not None and self._rate < self._throttled_at * self.fast_until:
            step *= self.fast_climb
        self._rate = min(self.ceiling, self._rate + step)

    def _record(self, now: float, sent_at: float, *, throttled: bool) -> float | None:
        """Note an answer; the share of 429s among the last round trip's answers.

        ``None`` when that round trip holds too few answers to say.
        """
        self._rtt += 0.125 * (max(0.0, now - sent_at) - self._rtt)
        answers = self._answers
        answers.append((now, throttled))
        horizon = now - max(self._rtt, 0.02)
        while answers[0][0] < horizon:
            answers.popleft()
        if len(answers) < 5:
            return None
        return sum(1 for _, t in answers if t) / len(answers)

    def _observed_pace(self) -> float:
        # An unlimited limiter that meets a 429 starts from the pace it was
        # actually sending at (slots booked in the last second).
        return float(max(len(self._recent), 1))
