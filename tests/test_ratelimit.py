"""The shared pacer: evenly spaced slots, slower on 429, back up when the server agrees."""

from __future__ import annotations

import math

import pytest

from sync.dispatch.pacing import AimdLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def send_for(
    limiter: AimdLimiter,
    clock: Clock,
    seconds: float,
    *,
    server_rate: float | None = None,
    burst: float = 5.0,
):
    """Drive the limiter as one busy sender would; the server's bucket: ``server_rate``/s."""
    end = clock.now + seconds
    accepted = throttled = 0
    allowance = burst
    last = clock.now
    while True:
        slot = limiter.reserve()
        if slot.at > end:
            return accepted, throttled
        clock.now = slot.at
        if not limiter.valid(slot):
            continue
        if server_rate is not None:
            allowance = min(burst, allowance + (clock.now - last) * server_rate)
            last = clock.now
            if allowance < 1.0:
                throttled += 1
                limiter.on_throttle(clock.now, 1.0)
                continue
            allowance -= 1.0
        accepted += 1
        limiter.on_answer(clock.now)


class TestPacing:
    """Slots are spaced 1/rate apart, with no catch-up burst after idling."""

    def test_slots_are_evenly_spaced(self):
        clock = Clock()
        limiter = AimdLimiter(10, clock=clock)
        slots = [limiter.reserve().at for _ in range(5)]
        assert slots == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])

    def test_no_burst_after_idle(self):
        clock = Clock()
        limiter = AimdLimiter(10, clock=clock)
        limiter.reserve()
        clock.now = 60.0
        assert [limiter.reserve().at for _ in range(3)] == pytest.approx([60.0, 60.1, 60.2])

    def test_unlimited_is_always_now(self):
        clock = Clock()
        limiter = AimdLimiter(math.inf, clock=clock)
        assert {limiter.reserve().at for _ in range(100)} == {0.0}

    def test_ceiling_is_respected_over_time(self):
        clock = Clock()
        limiter = AimdLimiter(20, clock=clock)
        accepted, _ = send_for(limiter, clock, 10.0)
        assert accepted == pytest.approx(200, abs=1)

    def test_bad_ceiling_is_refused(self):
        with pytest.raises(ValueError, match="ceiling"):
            AimdLimiter(0)


class TestDecrease:
    """A 429 slows every sender at once, at most once per round trip."""

    def test_decrease_on_429(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, decrease=0.9)
        limiter.on_throttle(sent_at=0.0, retry_after=1.0)
        assert limiter.rate == pytest.approx(45)
        assert limiter.throttles == 1

    def test_429s_sent_before_the_decrease_count_once(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, decrease=0.9)
        clock.now = 1.0
        limiter.on_throttle(sent_at=0.9, retry_after=None)
        limiter.on_throttle(sent_at=0.95, retry_after=None)  # left before the decrease
        assert limiter.decreases == 1
        clock.now = 1.2
        limiter.on_throttle(sent_at=1.1, retry_after=None)  # left after it: still too fast
        assert limiter.decreases == 2

    def test_decrease_voids_slots_booked_at_the_old_pace(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        booked = [limiter.reserve() for _ in range(5)]
        limiter.on_throttle(sent_at=0.0, retry_after=None)
        assert not any(limiter.valid(slot) for slot in booked)
        assert limiter.valid(limiter.reserve())

    def test_a_large_overshoot_is_cut_in_one_step(self):
        clock = Clock()
        limiter = AimdLimiter(200, clock=clock, decrease=0.9)
        for i in range(3):
            clock.now = 0.01 * i
            limiter.on_answer(sent_at=clock.now - 0.05)
        clock.now = 0.03
        limiter.on_throttle(sent_at=0.0, retry_after=None)  # too few answers to judge: 0.9
        assert limiter.rate == pytest.approx(180)
        for i in range(4, 10):  # then 429s for requests that left before the decrease
            clock.now = 0.01 * i
            limiter.on_throttle(sent_at=0.02, retry_after=None)
        assert limiter.rate == pytest.approx(180)
        clock.now = 0.1  # and one that left after it: most of the round trip was refused
        limiter.on_throttle(sent_at=0.035, retry_after=None)
        assert limiter.rate == pytest.approx(90)  # halved at once, not 0.9 by 0.9

    def test_unlimited_pace_adapts_from_what_it_sent(self):
        clock = Clock()
        limiter = AimdLimiter(math.inf, clock=clock, decrease=0.9)
        for i in range(30):  # 30 requests in the last second
            clock.now = i / 30
            limiter.reserve()
        limiter.on_throttle(sent_at=clock.now, retry_after=None)
        assert limiter.rate == pytest.approx(27)

    def test_never_below_the_floor(self):
        clock = Clock()
        limiter = AimdLimiter(10, clock=clock, floor=2)
        for i in range(100):
            clock.now = float(i)
            limiter.on_throttle(sent_at=clock.now, retry_after=None)
            limiter.on_answer(sent_at=clock.now)  # break the streak: no pause
        assert limiter.rate == pytest.approx(2, abs=0.1)


class TestPause:
    """429s back to back pause everyone for Retry-After; an isolated one does not."""

    def test_isolated_429_does_not_pause(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        limiter.on_throttle(sent_at=0.0, retry_after=5.0)
        assert limiter.paused_until < clock.now + 1

    def test_streak_pauses_everyone(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, pause_after=3)
        booked = limiter.reserve()
        for _ in range(3):
            limiter.on_throttle(sent_at=0.0, retry_after=5.0)
        assert limiter.paused_until == pytest.approx(5.0)
        assert not limiter.valid(booked)
        assert limiter.reserve().at >= 5.0

    def test_pause_is_capped(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, pause_after=1, max_pause=30)
        limiter.on_throttle(sent_at=0.0, retry_after=120.0)
        assert limiter.paused_until == pytest.approx(30.0)


class TestRecovery:
    """Without 429s the pace climbs back to the ceiling, faster below the last limit."""

    def test_climbs_back_to_the_ceiling(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        limiter.on_throttle(sent_at=0.0, retry_after=None)
        send_for(limiter, clock, 60.0)
        assert limiter.rate == 50

    def test_does_not_climb_while_the_pace_is_not_used(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        limiter.on_throttle(sent_at=0.0, retry_after=None)
        before = limiter.rate
        for i in range(100):  # answers, but nobody waited for a slot
            clock.now = 10.0 + i
            limiter.on_answer(sent_at=clock.now - 0.1)
        assert limiter.rate == before

    def test_finds_the_server_limit(self):
        clock = Clock()
        limiter = AimdLimiter(80, clock=clock)
        send_for(limiter, clock, 5.0, server_rate=50)  # find the limit
        accepted, throttled = send_for(limiter, clock, 30.0, server_rate=50)
        assert accepted / 30.0 >= 0.95 * 50
        assert throttled / (accepted + throttled) < 0.02
