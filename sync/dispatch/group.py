"""One pace for every shard of a run group: the pacer's state kept in the ledger.

The shards of a run group (``--shard I/N``) send from several processes,
perhaps on several machines, against one API limit, so ``--rate`` is the
group's. ``GroupLimiter`` is the pacer (``AimdLimiter``, its rules unchanged)
whose ``Pace`` (rate, edge, next slot, last cut, pause) lives in the group's
``pacing`` row of the ledger, read and written in one transaction by each
shard in turn (``PaceStore``, the ledger):

- **Slots** are claimed from the group's one slot pointer a few at a time
  (``claim_seconds`` of the pace, at most ``MAX_CLAIM``: one transaction per
  claim, not per request) and spaced ``1 / rate`` apart across the group, so
  the group's requests are as evenly spaced as one run's. A claimed slot that
  passes unused (the shard was busy) is dropped, never sent late in a burst;
  the slots a shard holds when another cuts or pauses are dropped at its next
  claim.
- **Cuts and pauses** are written at once, by whichever shard's answers show
  them, under the same rules as alone: a 429 for a request sent before the
  group's last cut (by any shard) cuts nothing. A shard measures the limit on
  its own answers: its share of 429s is the group's (its slots are a sample
  of the group's), against the pace the group really sends at (the slots its
  shards claimed in the last second: ``claimed`` counts them).
- **Climbs** (one per answer) are summed locally and added to the group's
  rate at the next claim.
- **Time** is the ledger's clock (``PaceStore.clock``: the database server's
  for PostgreSQL), read once at the start against this process's monotonic
  clock, so machines whose clocks disagree still share one spacing.

A group's row left untouched for ``STALE_SECONDS`` (no shard sending) starts
afresh from the ceiling, as a new run does.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sync.dispatch.pacing import AimdLimiter, Pace, Slot, book, cut

__all__ = ["STALE_SECONDS", "GroupLimiter", "PaceStore"]

STALE_SECONDS = 60.0
MAX_CLAIM = 4  # slots a shard takes at a time: few, so that a cut reaches every shard soon
PaceRow = Mapping[str, float | None]


class PaceStore(Protocol):
    """Where a run group's pace is kept (the ledger, ``sync.ledger.groups``)."""

    def clock(self) -> float:
        """Seconds on the clock every shard reads."""
        ...

    def update_pace(self, group: str, change: Callable[[PaceRow | None], PaceRow]) -> None:
        """Read the group's row (``None``: none yet) and store ``change(row)``, atomically."""
        ...

    def read_pace(self, group: str) -> PaceRow | None:
        """The group's row as it stands (``None``: none yet)."""
        ...


class GroupLimiter(AimdLimiter):
    """The pacer of one shard: the rules of ``AimdLimiter``, the pace of its group."""

    def __init__(
        self,
        ceiling: float,
        store: PaceStore,
        group: str,
        *,
        claim_seconds: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        **rules: Any,
    ) -> None:
        super().__init__(ceiling, clock=clock, **rules)
        self.store = store
        self.group = group
        self.claim_seconds = claim_seconds
        self._offset = _offset(store, clock)  # the group's clock = this clock + offset
        self._slots: deque[float] = deque()
        self._climbed = 0.0  # climbs not yet added to the group's rate
        self._claimed = 0  # slots the group ever claimed (and used), as of the last exchange
        self._dropped = 0  # slots this shard claimed and did not use, since then
        self._history: deque[tuple[float, int]] = deque()  # (when, group's claimed), last second
        self._last_slot = -math.inf  # the last slot this shard booked (local clock)
        self._looked = -math.inf  # when valid() last read the group's row
        self.claims = 0

    # ------------------------------------------------------------------ the shared row

    def _exchange(self, act: Callable[[Pace, float], None]) -> None:
        """Load the group's pace, apply ``act(pace, now)`` (local clock), and store it."""
        offset = self._offset

        def change(row: PaceRow | None) -> PaceRow:
            now = self._clock()
            pace = self._load(row, now + offset)
            self._claimed = int(row["claimed"] or 0) if row is not None else 0
            # Slots this shard let pass or voided were claimed but never sent: taken back.
            self._claimed, self._dropped = max(0, self._claimed - self._dropped), 0
            if _newer(pace, self.pace):
                self._drop()  # another shard cut or paused: these are at the old pace
                self._generation += 1
            pace.rate = min(self.ceiling, pace.rate + self._climbed)
            self._climbed = 0.0
            act(pace, now)
            self.pace = pace
            history = self._history
            history.append((now, self._claimed))
            while history[0][0] < now - 1.0:
                history.popleft()
            return {**_row(pace, offset, now + offset), "claimed": self._claimed}

        self.store.update_pace(self.group, change)

    def _load(self, row: PaceRow | None, shared_now: float) -> Pace:
        """The group's pace from its row, in this process's clock (afresh if stale)."""
        stale = row is None or (row["updated_at"] or -math.inf) < shared_now - STALE_SECONDS
        if row is None or stale:
            return Pace(rate=self.ceiling)
        offset = self._offset

        def local(value: float | None, missing: float) -> float:
            return missing if value is None else value - offset

        rate = row["rate"]
        return Pace(
            rate=min(self.ceiling, rate if rate is not None else self.ceiling),
            edge=row["edge"] if row["edge"] is not None else math.inf,
            next_slot=local(row["next_slot"], -math.inf),
            last_cut=local(row["last_cut"], -math.inf),
            settled=local(row["settled"], -math.inf),
            paused_until=local(row["paused_until"], -math.inf),
        )

    # ------------------------------------------------------------------ the rules' hooks

    def _book(self, now: float) -> float:
        slots = self._slots
        while slots and slots[0] < now - 0.5 / self.pace.rate:
            slots.popleft()  # passed unused: never sent late in a burst
            self._dropped += 1
        if not slots:
            self._exchange(self._claim)
        at = max(slots.popleft(), now, self.pace.paused_until)
        self._last_slot = at
        return at

    def _claim(self, pace: Pace, now: float) -> None:
        """Take the next few slots of the group's spacing."""
        n = max(1, min(MAX_CLAIM, round(pace.rate * self.claim_seconds)))
        first = book(pace, now)
        self._slots.extend(first + i / pace.rate for i in range(n))
        pace.next_slot = first + n / pace.rate
        self._claimed += n
        self.claims += 1

    def _cut(self, now: float, sent_at: float) -> bool:
        done: list[bool] = []

        def act(pace: Pace, now: float) -> None:
            # Since the group's last cut (by any shard). This shard's slots are a
            # sample of the group's: its share of 429s is the group's, and what got
            # through is that share of the group's pace.
            shares = self._shares(now, pace.last_cut)
            if shares.sent is not None:
                shares = shares._replace(sent=min(pace.rate, self._group_pace()))
            self.measured = shares
            claimed = pace.next_slot
            done.append(cut(pace, self, now=now, sent_at=sent_at, shares=shares, wait=self._wait))
            # Other shards may send the slots they hold until they look again
            # (``valid``): the new spacing starts after those, or a look's time.
            pace.next_slot = max(pace.next_slot, min(claimed, now + self.claim_seconds))

        self._exchange(act)
        if done[0]:
            self._drop()  # booked at the old spacing
        return done[0]

    def _pause(self, until: float) -> bool:
        done: list[bool] = []

        def act(pace: Pace, now: float) -> None:
            done.append(until > pace.paused_until)
            pace.paused_until = max(pace.paused_until, until)

        self._exchange(act)
        if done[0]:
            self._drop()
        return done[0]

    def valid(self, slot: Slot) -> bool:
        """Whether ``slot`` still stands: no cut or pause since it was booked, by this
        shard or (looked up at most every ``claim_seconds``) by another."""
        if not super().valid(slot):
            return False
        now = self._clock()
        if now - self._looked < self.claim_seconds:
            return True
        self._looked = now
        row = self.store.read_pace(self.group)
        if row is None:
            return True
        seen = self._load(row, now + self._offset)
        if _newer(seen, self.pace):
            self.pace.last_cut, self.pace.paused_until = seen.last_cut, seen.paused_until
            self.pace.settled = seen.settled
            self.pace.rate, self.pace.edge = seen.rate, seen.edge
            self._drop()
            self._generation += 1
            return False
        return True

    def _drop(self) -> None:
        """Let go of the slots this shard holds (they will not be sent)."""
        self._dropped += len(self._slots)
        self._slots.clear()

    def _climb(self, step: float) -> None:
        step = min(step, self.ceiling - self.pace.rate)
        self.pace.rate += step  # this shard's view until the next claim
        self._climbed += step

    def _pace_bound(self, now: float) -> bool:
        # A shard books its claims a few at a time, between the other shards':
        # it is pace-bound if it booked a slot within the last second.
        return self._last_slot >= now - 1.0

    def _group_pace(self) -> float:
        """The pace the group really sends at: the slots its shards claimed in the last
        second (a shard's own sending is but a part of it)."""
        history = self._history
        if len(history) < 2 or history[-1][0] - history[0][0] < 0.25:
            return math.inf
        (t0, c0), (t1, c1) = history[0], history[-1]
        return max((c1 - c0) / (t1 - t0), self.floor)

    def _observed_pace(self, now: float) -> float:
        return math.inf  # a shard's own sending is but a part of the group's: _group_pace


def _offset(store: PaceStore, clock: Callable[[], float], tries: int = 3) -> float:
    """The store's clock minus ``clock``, read ``tries`` times: the quickest answer's
    (its midpoint is off by half its round trip at most)."""
    best = (math.inf, 0.0)
    for _ in range(tries):
        before = clock()
        shared = store.clock()
        after = clock()
        best = min(best, (after - before, shared - (before + after) / 2))
    return best[1]


def _newer(seen: Pace, known: Pace) -> bool:
    """Whether ``seen`` holds a cut or a pause ``known`` does not (times that went to
    the shared clock and back differ in their last bits: a microsecond is nothing)."""
    return seen.last_cut > known.last_cut + 1e-6 or seen.paused_until > known.paused_until + 1e-6


def _row(pace: Pace, offset: float, shared_now: float) -> dict[str, float | None]:
    """A pace as the group's row stores it: times on the shared clock, NULL for never."""

    def shared(value: float) -> float | None:
        return value + offset if math.isfinite(value) else None

    return {
        "rate": pace.rate,
        "edge": pace.edge if math.isfinite(pace.edge) else None,
        "next_slot": pace.next_slot + offset if math.isfinite(pace.next_slot) else shared_now,
        "last_cut": shared(pace.last_cut),
        "settled": shared(pace.settled),
        "paused_until": shared(pace.paused_until),
        "updated_at": shared_now,
    }
