"""The shared pacer: evenly spaced slots, the server's unknown limit found and held."""

from __future__ import annotations

import math

import pytest
from pacing_model import Clock, simulate

from sync.dispatch.pacing import AimdLimiter, climb_factor


def send_for(
    limiter: AimdLimiter,
    clock: Clock,
    seconds: float,
    *,
    server_rate: float | None = None,
    burst: float = 5.0,
):
    """Drive the limiter as one busy sender would, answers at once; the server's
    bucket: ``server_rate``/s."""
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


def answered(limiter: AimdLimiter, clock: Clock, pattern: str, *, start: float, gap: float,
             latency: float = 0.1) -> None:  # fmt: skip
    """Requests sent every ``gap`` seconds from ``start``, answered ``latency`` later:
    ``pattern`` says which were taken (``.``) and which refused (``x``)."""
    for i, mark in enumerate(pattern):
        sent = start + i * gap
        clock.now = sent + latency
        if mark == "x":
            limiter.on_throttle(sent, 1.0)
        else:
            limiter.on_answer(sent)


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


class TestCut:
    """A 429 cuts the pace to what the server let through, once per change of pace."""

    def test_the_cut_goes_to_what_got_through(self):
        """One 429 in eleven at 100/s: the limit is about 91/s. Then half refused
        at that pace: the limit is half of it."""
        clock = Clock()
        limiter = AimdLimiter(100, clock=clock)
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        assert limiter.decreases == 1
        assert limiter.pace.edge == pytest.approx(100 * 10 / 11, rel=0.02)
        assert limiter.rate == pytest.approx(0.97 * limiter.pace.edge)
        pace = limiter.rate
        answered(limiter, clock, ".x" * 10, start=clock.now, gap=1 / pace)
        assert limiter.decreases == 2
        assert limiter.pace.edge == pytest.approx(pace / 2, rel=0.1)

    def test_before_any_answer_the_cut_is_at_most_a_halving(self):
        """429s come back before answers: a share of them says little yet."""
        clock = Clock()
        limiter = AimdLimiter(200, clock=clock)
        for i in range(6):
            clock.now = 0.03 + i * 0.005
            limiter.on_throttle(sent_at=clock.now - 0.001, retry_after=1.0)
        assert limiter.rate == pytest.approx(100)
        assert limiter.pace.edge == math.inf

    def test_429s_sent_before_the_cut_cut_nothing(self):
        clock = Clock()
        limiter = AimdLimiter(100, clock=clock)
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        rate = limiter.rate
        for i in range(20):  # requests that left at the old pace, refused late
            clock.now += 0.01
            limiter.on_throttle(sent_at=0.1 - i * 0.001, retry_after=1.0)
        assert limiter.rate == rate and limiter.decreases == 1

    def test_a_429_while_the_bucket_refills_cuts_nothing(self):
        """Right after a cut the server's bucket is empty: an isolated 429 within the
        next ``settle`` requests is an early arrival, not a pace over the limit."""
        clock = Clock()
        limiter = AimdLimiter(100, clock=clock)
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        cut_at, rate = clock.now, limiter.rate
        answered(limiter, clock, "." * 12 + "x", start=cut_at, gap=1 / rate)
        assert limiter.rate >= rate and limiter.decreases == 1
        answered(limiter, clock, "." * 40 + "x", start=clock.now, gap=1 / rate)
        assert limiter.decreases == 2  # once the bucket had time to refill: a real 429

    def test_cut_voids_slots_booked_at_the_old_pace(self):
        clock = Clock()
        limiter = AimdLimiter(100, clock=clock)
        booked = [limiter.reserve() for _ in range(5)]
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        assert not any(limiter.valid(slot) for slot in booked)
        assert limiter.valid(limiter.reserve())

    def test_unlimited_pace_adapts_from_what_it_sent(self):
        clock = Clock()
        limiter = AimdLimiter(math.inf, clock=clock)
        for i in range(30):  # 30 requests in the last second
            clock.now = i / 30
            limiter.reserve()
        limiter.on_throttle(sent_at=clock.now, retry_after=None)
        assert limiter.rate == pytest.approx(30, abs=2)

    def test_never_below_the_floor(self):
        clock = Clock()
        limiter = AimdLimiter(10, clock=clock, floor=2)
        for _ in range(20):
            answered(limiter, clock, "x" * 10 + "." * 2, start=clock.now, gap=0.01)
        assert limiter.rate == pytest.approx(2, abs=0.1)


class TestPause:
    """Only a server refusing everything pauses every worker for Retry-After."""

    def test_isolated_429_does_not_pause(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        limiter.on_throttle(sent_at=0.0, retry_after=5.0)
        assert limiter.paused_until < clock.now + 1

    def test_429s_amid_answers_do_not_pause(self):
        clock = Clock()
        limiter = AimdLimiter(200, clock=clock)
        answered(limiter, clock, "x.xxx.xxxx.xx", start=0.0, gap=0.005)
        assert limiter.pauses == 0

    def test_refusing_everything_pauses_everyone(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, pause_after=3)
        clock.now = 5.0
        booked = limiter.reserve()
        for _ in range(3):  # nothing taken for five seconds, then three 429s in a row
            limiter.on_throttle(sent_at=5.0, retry_after=5.0)
        assert limiter.paused_until == pytest.approx(10.0)
        assert not limiter.valid(booked)
        assert limiter.reserve().at >= 10.0

    def test_pause_is_capped(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock, pause_after=1, max_pause=30)
        clock.now = 5.0
        limiter.on_throttle(sent_at=5.0, retry_after=120.0)
        assert limiter.paused_until == pytest.approx(35.0)


class TestClimb:
    """Without 429s the pace climbs: slowly at the limit found, fast away from it."""

    def test_climbs_back_to_the_ceiling(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        send_for(limiter, clock, 120.0)
        assert limiter.rate == 50

    def test_does_not_climb_while_the_pace_is_not_used(self):
        clock = Clock()
        limiter = AimdLimiter(50, clock=clock)
        answered(limiter, clock, "." * 10 + "x", start=0.0, gap=0.01)
        before = limiter.rate
        for i in range(100):  # answers, but nobody waited for a slot
            clock.now = 10.0 + i
            limiter.on_answer(sent_at=clock.now - 0.1)
        assert limiter.rate == before

    def test_slowest_at_the_edge(self):
        assert climb_factor(50, 50, 0.03, 40) == 1
        assert 1 < climb_factor(51, 50, 0.03, 40) < climb_factor(55, 50, 0.03, 40) <= 40
        assert climb_factor(48.5, 50, 0.03, 40) > climb_factor(51.5, 50, 0.03, 40)
        assert climb_factor(10, math.inf, 0.03, 40) == 40


class TestFindsTheLimit:
    """Against a server whose limit it is not told, with real round trips (a model
    in simulated time, tests/pacing_model.py): the pace finds the limit and holds
    it at 95 % or more with fewer than 1 % of the requests refused."""

    @pytest.mark.parametrize(
        ("limit", "ceiling", "burst"),
        [(50, 200, 5), (50, 200, 50), (50, 60, 5), (10, 40, 2), (200, 800, 20)],
    )
    def test_an_unknown_limit(self, limit: float, ceiling: float, burst: int) -> None:
        seen = simulate(
            lambda clock, _: AimdLimiter(ceiling, clock=clock),
            limit=limit, burst=burst, seconds=60, concurrency=max(24, int(ceiling * 0.15)),
        )  # fmt: skip
        assert seen.achieved >= 0.95
        assert seen.share_429 < 0.01

    def test_a_known_limit_draws_no_429(self) -> None:
        seen = simulate(lambda clock, _: AimdLimiter(50, clock=clock), limit=50, seconds=30)
        assert seen.achieved >= 0.97
        assert seen.throttled_all == 0

    @pytest.mark.parametrize("later", [30.0, 80.0])
    def test_a_limit_that_changes_is_followed(self, later: float) -> None:
        """The limit moves from 50 to ``later`` mid-run: the pace follows it (down at
        once, up within half a minute: it probes above a limit found with care)."""
        seen = simulate(
            lambda clock, _: AimdLimiter(200, clock=clock),
            limit=50, then=(10.0, later), skip=40.0, seconds=80,
        )  # fmt: skip
        assert seen.achieved >= 0.95
        assert seen.share_429 < 0.01
