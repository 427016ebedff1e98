"""The shared request pacer: a rate ceiling, evenly spaced slots, and the server's limit found.

Every worker of the dispatcher books its next send time here, so the whole
run stays under one requests-per-second figure however many workers there
are. Slots are spaced ``1 / rate`` apart (smooth pacing, no bursts: a worker
that was busy does not get to "catch up" on slots it missed).

``--rate`` is a ceiling; the server may allow less without saying how much.
The pace starts at the ceiling, finds the server's limit from its 429s and
holds just under it (docs/design.md "Sending"). A rate-limiting server keeps
a token bucket: once the bucket is empty it takes ``limit`` requests a second
and refuses the rest, so **what got through is the limit**. That is what the
pacer measures, over the requests whose answers are all in ("settled": a 429
comes back at once, an answer only after the work, so right after the pace
changes the latest answers are mostly 429s whatever the limit):

- **A cut** sets the ``edge`` (the limit, as measured: the settled requests'
  pace times the share that was not refused) and the pace just under it
  (``edge_decrease``, 0.97). A large overshoot is cut in one step; a 429 at
  the edge is cut gently, once the ``settle`` requests after the last cut
  are answered (the server's bucket is empty right after a cut, so a request
  arriving a little early is refused although the new pace is under the
  limit). A 429 for a request sent before the last cut cuts nothing: it left
  at the old pace.
- **Before any answer** (the run's first round trip) only 429s are back:
  a cut halves the pace at most and looks again.
- **Climbing.** Every other answer raises the pace by ``increase`` of itself
  while the pace is what holds the workers back: slowest at the edge, and
  faster with the square of the distance from it (``band``), up to
  ``fast_climb`` times. So the pace returns to the edge quickly, probes above
  it rarely (the limit may have risen; each probe costs a 429 or two, after a
  few hundred requests whatever the rate), and moves on fast when the edge is
  clearly wrong.
- **Pause.** A 429 carries ``Retry-After``. The request that got it always
  waits that long before its retry (the dispatcher's wait). Only when the
  server refuses everything (``pause_after`` 429s in a row and no other answer
  for a second) does every worker wait it out together.

The pace every worker shares (``Pace``: rate, edge, next slot, last cut,
pause) is one small value; ``GroupLimiter`` (``sync.dispatch.group``) keeps
it in the ledger, so that the shards of a run group share one pace, on one
machine or several.

Nothing here sleeps or does I/O: callers ask ``reserve()`` for the time to
send at and wait themselves, so tests drive it with a fake clock.

Over 400 lines on purpose: the pacer's rules (cut, climb, pause, what is not
evidence) act on one small state and are read, and tuned, together.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["AimdLimiter", "Pace", "Slot"]

OVERSHOOT = 0.25  # a share of 429s that means the pace is far over the limit
OVERSHOOT_DOUBT = 0.10  # what a limit measured far over it is raised by
PACE_BOUND = 0.9  # sent at less than this share of the pace, the pace was not what held
SHARE_OF = 20  # answers the share of 429s is taken over ...
SHARE_SECONDS = 10.0  # ... at most this old


class Shares(NamedTuple):
    """What the answers of the requests sent since the last cut say.

    ``recent``: the share of 429s among the last answers. ``settled``: the share
    among the last requests whose answers are all in (sent more than a round
    trip ago: a 429 comes back sooner than an answer, so ``recent`` runs high
    right after the pace changes), and ``sent`` the pace those were sent at.
    ``None`` while too few answers say.
    """

    recent: float | None
    settled: float | None = None
    sent: float | None = None

    @property
    def got_through(self) -> float | None:
        """Requests per second the server took, of those settled ones."""
        if self.settled is None or self.sent is None:
            return None
        return self.sent * (1.0 - self.settled)


def _share(throttled: list[bool]) -> float | None:
    return sum(throttled) / len(throttled) if len(throttled) >= 5 else None


class Slot(NamedTuple):
    """A booked send time (clock seconds) and the limiter generation it belongs to."""

    at: float
    generation: int


@dataclass(slots=True)
class Pace:
    """What every sender of one pace shares. Times are clock seconds.

    ``edge`` is the server's limit as last measured (``inf`` before a 429);
    ``next_slot`` the next free send time; ``last_cut`` when the pace was last
    cut; ``settled`` when a 429 among answers the server otherwise took may
    cut again (its bucket refilled after the cut, the rows it refused have
    waited out their ``Retry-After``); ``paused_until`` the end of a shared
    ``Retry-After``.
    """

    rate: float
    edge: float = math.inf
    next_slot: float = -math.inf
    last_cut: float = -math.inf
    settled: float = -math.inf
    paused_until: float = -math.inf


class AimdLimiter:
    """A requests-per-second ceiling shared by every worker, adapting to 429s.

    ``ceiling`` may be ``math.inf`` (no limit until the first 429, then the
    pace adapts from the one observed). ``floor`` bounds the decrease (one
    request every ten seconds by default). ``settle`` is in requests (at the
    pace after a cut); ``increase`` a share of the pace per answer.
    """

    def __init__(
        self,
        ceiling: float,
        *,
        decrease: float = 0.9,
        edge_decrease: float = 0.97,
        increase: float = 0.00007,
        fast_climb: float = 40.0,
        band: float = 0.08,
        patience: float = 500.0,
        settle: float = 30.0,
        floor: float = 0.1,
        pause_after: int = 3,
        max_pause: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not ceiling > 0:
            raise ValueError("ceiling must be > 0")
        if not 0 < decrease < 1 or not 0 < edge_decrease < 1:
            raise ValueError("decrease must be between 0 and 1")
        self.ceiling = ceiling
        self.decrease = decrease
        self.edge_decrease = edge_decrease
        self.fast_climb = fast_climb
        self.band = band
        self.patience = patience
        self.increase = increase
        self.settle = settle
        self.floor = min(floor, ceiling)
        self.pause_after = pause_after
        self.max_pause = max_pause
        self._clock = clock
        self.pace = Pace(rate=ceiling)
        self._streak = 0  # 429s in a row
        self._recent: deque[float] = deque()  # slots booked in the last second
        self._started = clock()
        self._answers: deque[tuple[float, float, bool]] = deque()  # (when, sent, was a 429)
        self._last_ok = clock()  # when the server last took a request
        self._ok_rtt: float | None = None  # smoothed round trip of the answers that are not 429s
        self._generation = 0  # bumped by every cut and pause: voids booked slots
        self._wait = 1.0  # the last Retry-After: how long a refused row waits
        self._pending: float | None = None  # a 429 not judged yet (its send time)
        self.measured = Shares(None)  # what the last 429 found (the debug log says it)
        self.throttles = 0  # 429s seen
        self.decreases = 0
        self.pauses = 0

    @property
    def rate(self) -> float:
        """The current pace in requests per second (``inf`` when unlimited)."""
        return self.pace.rate

    @property
    def paused_until(self) -> float:
        """Clock time before which nothing may be sent (a shared ``Retry-After``)."""
        return self.pace.paused_until

    # ------------------------------------------------------------------ slots

    def reserve(self) -> Slot:
        """Book the next free slot: wait until ``slot.at``, then check ``valid(slot)``.

        A cut or a pause that happens while the caller waits voids every slot
        booked before it (they were spaced at the old pace); the caller then
        books again, behind the new spacing.
        """
        now = self._clock()
        finite = math.isfinite(self.pace.rate)
        at = self._book(now) if finite else max(now, self.pace.paused_until)
        recent = self._recent
        recent.append(at)
        while recent[0] < at - 1.0:
            recent.popleft()
        return Slot(at, self._generation)

    def _book(self, now: float) -> float:
        """The next slot of the pace (the shared pointer moves past it)."""
        return book(self.pace, now)

    def valid(self, slot: Slot) -> bool:
        """Whether ``slot`` still stands (no cut or pause since it was booked)."""
        return slot.generation == self._generation

    # ------------------------------------------------------------------ answers

    def on_throttle(self, sent_at: float, retry_after: float | None) -> None:
        """A 429 came back for a request sent at ``sent_at`` (clock time)."""
        now = self._clock()
        if retry_after is not None:
            self._wait = min(self.max_pause, retry_after)
        self.throttles += 1
        self._streak += 1
        self._record(now, sent_at, throttled=True)
        if not math.isfinite(self.pace.rate):  # unlimited: cut from what was really sent
            self.pace.rate = self._observed_pace(now)
        self._judge(now, sent_at)
        # Refusing everything: 429s in a row, and nothing taken for a second.
        if self._streak >= self.pause_after and now - self._last_ok >= 1.0:
            wait = min(self.max_pause, retry_after if retry_after is not None else 1.0)
            if self._pause(now + wait):
                self._generation += 1
                self.pauses += 1
            self._streak = 0

    def _judge(self, now: float, sent_at: float) -> None:
        """Cut for the 429 of a request sent at ``sent_at``, if it says to. One that
        cannot be judged yet (its own answer is not among the settled ones) is
        judged again once it is, when an answer comes: 429s that come in a burst
        (rows that waited out the same ``Retry-After``) are otherwise never settled
        when the next one arrives."""
        if self._cut(now, sent_at):
            self.decreases += 1
            self._generation += 1  # slots booked at the old pace are void
            self._pending = None
        elif sent_at >= self.pace.last_cut and self._pending is None:
            self._pending = sent_at
        elif self.measured.settled is None and self._pending is not None:
            self._pending = min(self._pending, sent_at)  # too few answers: judge it later

    def _cut(self, now: float, sent_at: float) -> bool:
        """Cut the shared pace for this 429, if it says something new; whether it did."""
        shares = self._shares(now, self.pace.last_cut)
        self.measured = shares
        return cut(self.pace, self, now=now, sent_at=sent_at, shares=shares, wait=self._wait)

    def _pause(self, until: float) -> bool:
        """Pause every sender until ``until``; whether that is later than before."""
        if until <= self.pace.paused_until:
            return False
        self.pace.paused_until = until
        return True

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
        pending = self._pending
        if pending is not None and self._ok_rtt is not None and pending <= now - self._ok_rtt:
            self._pending = None  # that 429 is settled now: judge it with its peers
            if pending >= self.pace.last_cut:
                self._judge(now, pending)
                if self._pending == pending and self.measured.settled is not None:
                    self._pending = None  # judged: it said nothing
        rate = self.pace.rate
        if rate >= self.ceiling or not self._pace_bound(now):
            return
        factor = climb_factor(rate, self.pace.edge, self.band, self.fast_climb)
        # The longer the edge holds, the less it is to be trusted (it may be a low
        # measure, or the limit rose): the climb speeds up with the requests sent
        # since the last cut, ``patience`` of them doubling it.
        since = (now - self.pace.last_cut) * rate / self.patience
        factor = min(self.fast_climb, factor * (1.0 + since * since))
        self._climb(rate * self.increase * factor)

    def _pace_bound(self, now: float) -> bool:
        """Whether the pace holds the workers back: a slot was booked within the last
        two intervals (the slot before the shared pointer)."""
        return self.pace.next_slot - 1.0 / self.pace.rate >= now - 2.0 / self.pace.rate

    def _climb(self, step: float) -> None:
        self.pace.rate = min(self.ceiling, self.pace.rate + step)

    # ------------------------------------------------------------------ helpers

    def _record(self, now: float, sent_at: float, throttled: bool) -> None:
        """Note an answer (and the round trip of one that is not a 429)."""
        answers = self._answers
        answers.append((now, sent_at, throttled))
        while answers[0][0] < now - SHARE_SECONDS or len(answers) > 8 * SHARE_OF:
            answers.popleft()
        if not throttled:
            self._last_ok = now
            latency = now - sent_at
            self._ok_rtt = (
                latency if self._ok_rtt is None else self._ok_rtt + 0.125 * (latency - self._ok_rtt)
            )

    def _shares(self, now: float, since: float) -> Shares:
        """What the answers of the requests sent since ``since`` (the last cut) say.

        The settled requests are the latest by the time they were *sent* among
        those whose answers are all in: taken by the time their answers came,
        the 429s (back at once) would be counted apart from the answers of the
        requests sent with them (back after the work).
        """
        recent: list[bool] = []
        settled: list[tuple[float, bool]] = []
        # A request sent before this has its answer, whatever the answer:
        answered_by = now - self._ok_rtt if self._ok_rtt is not None else -math.inf
        for _, sent, t in reversed(self._answers):
            if sent < since:
                continue
            if len(recent) < SHARE_OF:
                recent.append(t)
            if sent <= answered_by:
                settled.append((sent, t))
        if self._ok_rtt is None:  # nothing but 429s back yet: the run's first round trip
            return Shares(_share(recent))
        settled = heapq.nlargest(SHARE_OF, settled)
        if len(settled) < 10:
            return Shares(None)
        span = settled[0][0] - settled[-1][0]
        pace = (len(settled) - 1) / span if span > 0 else math.inf
        return Shares(_share(recent), _share([t for _, t in settled]), pace)

    def _observed_pace(self, now: float) -> float:
        """The pace really sent at: slots booked in the last second (in the time
        since the first, if that is shorter)."""
        recent = self._recent
        if not recent:
            return math.inf
        span = min(1.0, max(now - self._started, 1e-3))
        return max(len(recent) / span, self.floor)


def book(pace: Pace, now: float) -> float:
    """The next slot of ``pace`` from ``now`` on; the pointer moves one interval past it."""
    at = max(now, pace.next_slot, pace.paused_until)
    pace.next_slot = at + 1.0 / pace.rate
    return at


def cut(
    pace: Pace, rules: AimdLimiter, *, now: float, sent_at: float, shares: Shares, wait: float
) -> bool:
    """Cut ``pace`` for a 429 of a request sent at ``sent_at``, by ``rules``' settings.

    Returns whether it cut: a 429 for a request sent before the last cut, or
    one that comes while the server's bucket refills after a cut (few 429s,
    within ``settle`` requests of it; after a cut far over the limit, also
    while the rows it refused wait out their ``Retry-After`` of ``wait``
    seconds, which leaves the workers' pace not yet what it will be), says
    nothing new; neither do 429s too few to measure by.
    """
    if sent_at < pace.last_cut:
        return False
    current = pace.rate
    settled, through, sent = shares.settled, shares.got_through, shares.sent
    if settled == 0 and sent is not None and sent < PACE_BOUND * current:
        # The server took every request whose answer is in, and they were sent
        # slower than the pace (the workers waited out Retry-Afters, or are too
        # few): a 429 now is an early arrival in an empty bucket, not a measure.
        return False
    if (
        settled is not None
        and through is not None
        and (settled >= OVERSHOOT or sent_at >= pace.settled)
    ):
        # Once the server's bucket is empty it refuses 1 - limit/pace of the
        # requests: what got through is the limit. Settle just under it. Measured
        # far over the limit (on few answers), the limit is given the benefit of
        # the doubt: a little too high costs one more cut, too low a long climb.
        far = settled >= OVERSHOOT
        if far:
            through *= 1.0 + OVERSHOOT_DOUBT
        pace.edge = max(current * 0.25, min(current, through))
        pace.rate = pace.edge * rules.edge_decrease
    elif settled is None and pace.edge == math.inf and (shares.recent or 0.0) >= OVERSHOOT:
        # Far over before the answers of the requests sent at this pace are in
        # (the run's first round trip): by how much is not known yet (429s come
        # back sooner than the other answers). Halve at most, and look again.
        assert shares.recent is not None
        pace.rate = current * min(rules.decrease, max(0.5, 1.0 - shares.recent))
        far = True
    else:
        return False  # the bucket refills after a cut: an early arrival was refused
    pace.rate = max(rules.floor, pace.rate)
    pace.last_cut = now
    pace.settled = now + max(rules.settle / pace.rate, wait if far else 0.0)
    pace.next_slot = now + 1.0 / pace.rate
    return True


def climb_factor(rate: float, edge: float, band: float, most: float) -> float:
    """How much faster than the slowest the pace climbs at ``rate``: 1 at the edge,
    growing with the square of the distance from it (in ``band``s; half as wide
    under the edge, where the server took more a moment ago), at most ``most``."""
    if not math.isfinite(edge):
        return most
    away = (rate / edge - 1.0) / (band if rate >= edge else band / 2)
    return min(most, 1.0 + away * away)
