"""One pace for the shards of a run group, kept in the ledger: the group's rate holds.

What must hold: the shards' slots, claimed from one pointer, never overlap and are
spaced 1/rate apart across the group, on the ledger's clock whatever each process's
own clock says; a cut by one shard reaches the others; against an unknown limit the
group finds and holds it (≥ 95 %, < 1 % 429s) as one run does. The model of senders
and server (tests/pacing_model.py) runs in simulated time; the slots are also
claimed through a real ledger of each store.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from conftest import Store
from pacing_model import Clock, simulate

from sync.dispatch.group import GroupLimiter, PaceRow
from sync.dispatch.pacing import AimdLimiter


class MemoryPace:
    """A group's pace row in memory, on a clock of its own (``offset`` from the model's)."""

    def __init__(self, clock: Clock, offset: float = 1_000_000.0) -> None:
        self.row: PaceRow | None = None
        self._clock = clock
        self.offset = offset
        self.updates = 0

    def clock(self) -> float:
        return self._clock() + self.offset

    def update_pace(self, group: str, change: Callable[[PaceRow | None], PaceRow]) -> None:
        self.updates += 1
        self.row = dict(change(self.row))

    def read_pace(self, group: str) -> PaceRow | None:
        return self.row


def shards(ceiling: float) -> Callable[[Clock, int], GroupLimiter]:
    """The ``make`` of ``simulate``: every sender a shard of one group."""
    stores: dict[int, MemoryPace] = {}

    def make(clock: Clock, index: int) -> GroupLimiter:
        store = stores.setdefault(0, MemoryPace(clock))
        return GroupLimiter(ceiling, store, "g", clock=clock)

    return make


class TestTheGroupsRate:
    """--rate is the group's: four shards together send no faster than one run would."""

    def test_four_shards_never_exceed_the_rate(self) -> None:
        seen = simulate(shards(50.0), limit=None, senders=4, concurrency=8, seconds=20, skip=0)
        assert max(seen.per_second.values()) <= 51
        assert sum(seen.per_second.values()) >= 0.97 * 50 * 20

    def test_slots_through_a_real_ledger_never_overlap(self, store: Store) -> None:
        """Two processes' worth of limiters (their own ledger connections, the real
        clock measured against the store's): one spacing."""
        with store.open() as a, store.open() as b:
            first = GroupLimiter(20.0, a, "g")
            second = GroupLimiter(20.0, b, "g")
            turns = itertools.islice(itertools.cycle([first, second]), 24)
            slots = [limiter.reserve().at for limiter in turns]
        assert len(set(slots)) == len(slots)
        gaps = [y - x for x, y in itertools.pairwise(sorted(slots))]
        # Each limiter reads the store's clock against its own once: a few ms apart at most.
        assert min(gaps) > 0.8 / 20
        assert sum(gaps) / len(gaps) == pytest.approx(1 / 20, rel=0.05)

    def test_a_cut_by_one_shard_reaches_the_others(self) -> None:
        clock = Clock()
        store = MemoryPace(clock)
        a, b = (GroupLimiter(100.0, store, "g", clock=clock) for _ in range(2))
        booked = b.reserve()
        for i in range(11):  # a's answers at 100/s: one 429 in eleven
            sent = i * 0.01
            clock.now = sent + 0.1
            if i == 10:
                a.on_throttle(sent, 1.0)
            else:
                a.on_answer(sent)
        assert a.rate < 100
        clock.now += 1.0
        assert not b.valid(booked)  # booked at the old spacing: void
        b.reserve()
        assert b.rate == pytest.approx(a.rate)


class TestAnUnknownLimit:
    """Against a limit the group is not told, four shards find and hold it together."""

    @pytest.mark.parametrize(("burst", "ceiling"), [(5, 200.0), (50, 200.0), (5, 60.0)])
    def test_four_shards_find_and_hold_it(self, burst: int, ceiling: float) -> None:
        seen = simulate(shards(ceiling), limit=50, burst=burst, senders=4, concurrency=10,
                        seconds=60)  # fmt: skip
        assert seen.achieved >= 0.95
        assert seen.share_429 < 0.01

    def test_one_shard_does_as_one_run(self) -> None:
        alone = simulate(lambda clock, _: AimdLimiter(200, clock=clock), seconds=60)
        shard = simulate(shards(200.0), senders=1, seconds=60)
        assert shard.achieved >= alone.achieved - 0.02
        assert shard.share_429 < 0.01
