"""The sandbox's rate limit, latency and faults: what a client must survive, seeded and counted."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from helpers import CANDIDATE, EMAIL, candidate

from sync.sandbox import RunningSandbox, SandboxConfig
from sync.sandbox._faults import Fault, FaultPlan
from sync.sandbox._ratelimit import TokenBucket, retry_after_header


def enrolled_url(sandbox: RunningSandbox, email: str = EMAIL) -> str:
    (enrolment,) = [e for e in sandbox.state.enrolments.values() if e.email == email]
    return enrolment.interview_url


class TestRateLimit:
    """Past the token bucket the sandbox answers 429 with Retry-After, and does nothing."""

    def test_burst_then_429_with_retry_after(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(rate=2, burst=3)
        answers = [client.post(CANDIDATE, json=candidate(f"c{i}@example.com")) for i in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[3].headers["Retry-After"] == "1"
        assert answers[3].json() == {"error": "rate limit exceeded"}
        stats = sandbox.stats()
        assert stats["by_status"]["429"] == 1
        assert stats["enrolments_created"] == 3

    def test_retry_after_is_whole_seconds_rounded_up(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(rate=0.25, burst=1)
        client.get("merchant-status")
        limited = client.get("merchant-status")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "4"

    def test_the_bucket_refills_at_the_rate(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(rate=40, burst=1)
        assert client.get("merchant-status").status_code == 200
        assert client.get("merchant-status").status_code == 429
        time.sleep(1 / 40 + 0.01)
        assert client.get("merchant-status").status_code == 200

    def test_no_limit_unless_configured(self, client: httpx.Client) -> None:
        assert {client.get("merchant-status").status_code for _ in range(60)} == {200}

    def test_401_comes_before_the_limit(self, sandbox: RunningSandbox) -> None:
        sandbox.configure(rate=1, burst=1)
        with httpx.Client(base_url=sandbox.base_url) as anonymous:
            statuses = {anonymous.get("merchant-status").status_code for _ in range(3)}
        assert statuses == {401}

    def test_bucket_arithmetic(self) -> None:
        now = [100.0]
        bucket = TokenBucket(rate=4, burst=2, clock=lambda: now[0])
        assert [bucket.take(), bucket.take()] == [0.0, 0.0]
        assert bucket.take() == pytest.approx(0.25)
        now[0] += 0.25
        assert bucket.take() == 0.0
        now[0] += 100  # idle: saves up no more than the burst
        assert [bucket.take() for _ in range(3)][2] > 0

    @pytest.mark.parametrize(("wait", "header"), [(0.001, "1"), (1.0, "1"), (1.2, "2")])
    def test_retry_after_header(self, wait: float, header: str) -> None:
        assert retry_after_header(wait) == header


GATEWAY = {
    "500": ("EDGE_FUNCTION_ERROR", {"error"}),
    "503": ("BOOT_ERROR", {"code", "message"}),
    "504": ("IDLE_TIMEOUT", {"code", "message"}),
    "546": ("WORKER_RESOURCE_LIMIT", {"code", "message"}),
}


class TestFaultsBeforeWork:
    """500, 503, 504 and 546 before the work answer like the gateway and enrol nobody."""

    @pytest.mark.parametrize("kind", sorted(GATEWAY))
    def test_fault_answers_and_enrols_nobody(
        self, client: httpx.Client, sandbox: RunningSandbox, kind: str
    ) -> None:
        sandbox.inject(kind)
        response = client.post(CANDIDATE, json=candidate())
        code, keys = GATEWAY[kind]
        assert response.status_code == int(kind)
        assert response.headers["sb-error-code"] == code
        assert set(response.json()) == keys
        assert ("Retry-After" in response.headers) is (kind == "503")
        stats = sandbox.stats()
        assert stats["enrolments_created"] == 0
        assert stats["faults"] == {kind: 1}
        resent = client.post(CANDIDATE, json=candidate())
        assert resent.status_code == 200
        assert resent.json()["status"] != "already-applied"

    def test_503_retry_after_is_configurable(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(retry_after_seconds=7)
        sandbox.inject("503")
        assert client.post(CANDIDATE, json=candidate()).headers["Retry-After"] == "7"


class TestFaultsAfterWork:
    """Faults after the work leave the candidate enrolled; the resend gets already-applied."""

    @pytest.mark.parametrize("kind", ["500", "504"])
    def test_error_after_the_enrolment(
        self, client: httpx.Client, sandbox: RunningSandbox, kind: str
    ) -> None:
        sandbox.inject(f"{kind}:after")
        response = client.post(CANDIDATE, json=candidate())
        assert response.status_code == int(kind)
        assert sandbox.stats()["enrolments_created"] == 1
        resent = client.post(CANDIDATE, json=candidate()).json()
        assert resent["status"] == "already-applied"
        assert resent["interview_url"] == enrolled_url(sandbox)
        assert sandbox.stats()["faults"] == {f"{kind}:after": 1}

    def test_dropped_connection_is_a_transport_error_after_the_enrolment(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.inject("drop")
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            client.post(CANDIDATE, json=candidate())
        stats = sandbox.stats()
        assert stats["by_status"] == {"dropped": 1}
        assert stats["enrolments_created"] == 1
        resent = client.post(CANDIDATE, json=candidate()).json()
        assert resent["status"] == "already-applied"
        assert resent["interview_url"] == enrolled_url(sandbox)

    def test_slow_answer_past_the_client_timeout_still_enrols(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(slow_seconds=30)
        sandbox.inject("slow")
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            client.post(CANDIDATE, json=candidate(), timeout=0.2)
        assert time.monotonic() - started < 5
        assert sandbox.stats()["enrolments_created"] == 1
        deadline = time.monotonic() + 3  # the server stops waiting once the client hangs up
        while "200" not in sandbox.stats()["by_status"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sandbox.stats()["by_status"] == {"200": 1}
        resent = client.post(CANDIDATE, json=candidate()).json()
        assert resent["status"] == "already-applied"
        assert resent["interview_url"] == enrolled_url(sandbox)

    def test_slow_answer_arrives_for_a_patient_client(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(slow_seconds=0.2)
        sandbox.inject("slow")
        started = time.monotonic()
        response = client.post(CANDIDATE, json=candidate(), timeout=5)
        assert response.status_code == 200
        assert time.monotonic() - started >= 0.2
        assert response.json()["interview_url"] == enrolled_url(sandbox)

    def test_malformed_json_after_the_enrolment(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.inject("malformed")
        response = client.post(CANDIDATE, json=candidate())
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        with pytest.raises(json.JSONDecodeError):
            response.json()
        assert sandbox.stats()["enrolments_created"] == 1
        assert client.post(CANDIDATE, json=candidate()).json()["status"] == "already-applied"


class TestFaultPlan:
    """Random faults follow the configured rates, repeat for a seed, and hit only fault paths."""

    def _statuses(self, client: httpx.Client, n: int) -> list[int | str]:
        seen: list[int | str] = []
        for i in range(n):
            try:
                seen.append(client.post(CANDIDATE, json=candidate(f"r{i}@example.com")).status_code)
            except httpx.RemoteProtocolError:
                seen.append("dropped")
        return seen

    def test_the_same_seed_repeats_the_same_faults(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        faults = {"500": 0.2, "503": 0.2, "drop": 0.2}
        sandbox.configure(faults=faults, seed=5)
        first = self._statuses(client, 30)
        sandbox.reset()
        sandbox.configure(faults=faults, seed=5)
        assert self._statuses(client, 30) == first
        sandbox.reset()
        sandbox.configure(faults=faults, seed=6)
        assert self._statuses(client, 30) != first
        assert {500, 503, "dropped", 200} <= set(first)

    def test_faults_spare_the_look_ups_by_default(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(faults={"503": 1.0})
        assert client.get("merchant-status").status_code == 200
        assert client.get("platform-languages-list").status_code == 200
        assert client.post(CANDIDATE, json=candidate()).status_code == 503

    def test_fault_paths_can_include_the_look_ups(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(faults={"503": 1.0}, fault_paths=["merchant-status"])
        assert client.get("merchant-status").status_code == 503
        assert client.post(CANDIDATE, json=candidate()).status_code == 200

    def test_injected_faults_over_http(self, client: httpx.Client, sandbox: RunningSandbox) -> None:
        queued = httpx.post(sandbox.url + "/__sandbox/faults", json={"next": ["546", "503"]})
        assert queued.json() == {"queued": 2}
        statuses = [client.post(CANDIDATE, json=candidate()).status_code for _ in range(3)]
        assert statuses == [546, 503, 200]
        bad = httpx.post(sandbox.url + "/__sandbox/faults", json={"next": ["teapot"]})
        assert bad.status_code == 422

    def test_rates_hold_over_many_draws(self) -> None:
        rates = {"500": 0.05, "503": 0.05, "slow": 0.02, "drop": 0.01}
        plan = FaultPlan(SandboxConfig(faults=rates, seed=1))
        draws = [plan.next_fault() for _ in range(20000)]
        counts = Counter(d.kind for d in draws if d is not None)
        for kind, rate in rates.items():
            assert counts[kind] / 20000 == pytest.approx(rate, abs=0.006)
        late = [d for d in draws if d is not None and d.kind == "500" and d.after_work]
        assert 0.4 < len(late) / counts["500"] < 0.6

    def test_after_work_share_zero_keeps_500_before_the_work(self) -> None:
        plan = FaultPlan(SandboxConfig(faults={"500": 1.0}, after_work_share=0))
        assert {plan.next_fault() for _ in range(50)} == {Fault("500", after_work=False)}

    def test_injected_faults_come_before_random_ones(self) -> None:
        plan = FaultPlan(SandboxConfig(faults={"503": 1.0}))
        plan.inject(["drop", "500:after"])
        assert [plan.next_fault() for _ in range(3)] == [
            Fault("drop", after_work=True),
            Fault("500", after_work=True),
            Fault("503", after_work=False),
        ]

    @pytest.mark.parametrize("text", ["teapot", "drop:before", "503:after", "500:later"])
    def test_bad_injected_fault(self, text: str) -> None:
        with pytest.raises(ValueError, match="fault"):
            Fault.parse(text)


class TestLatency:
    """Latency is added to every answer: fixed, plus a seeded uniform jitter."""

    def test_fixed_latency(self, client: httpx.Client, sandbox: RunningSandbox) -> None:
        sandbox.configure(latency_ms=80)
        started = time.monotonic()
        assert client.get("merchant-status").status_code == 200
        assert time.monotonic() - started >= 0.08

    def test_jitter_is_bounded_and_repeatable(self) -> None:
        config = SandboxConfig(latency_ms=10, latency_jitter_ms=40, seed=3)
        plan = FaultPlan(config)
        delays = [plan.latency() for _ in range(200)]
        assert all(0.010 <= d <= 0.050 for d in delays)
        assert max(delays) - min(delays) > 0.03
        assert FaultPlan(config).latency() == delays[0]


class TestExactlyOnceUnderFaults:
    """A client that resends until it gets an answer enrols each candidate exactly once."""

    async def test_resending_through_every_fault(self, sandbox: RunningSandbox) -> None:
        sandbox.configure(
            faults={"500": 0.1, "503": 0.1, "504": 0.1, "slow": 0.1, "drop": 0.1, "malformed": 0.1},
            slow_seconds=5,
            seed=2,
        )
        emails = [f"e{i}@example.com" for i in range(12)]
        final: dict[str, dict[str, Any]] = {}
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers=sandbox.auth_headers, timeout=0.2
        ) as client:

            async def until_answered(email: str) -> None:
                for _ in range(40):
                    try:
                        response = await client.post(CANDIDATE, json=candidate(email))
                        if response.status_code == 200:
                            final[email] = response.json()
                            return
                    except (httpx.TransportError, json.JSONDecodeError):
                        pass
                raise AssertionError(f"{email} never answered")

            await asyncio.gather(*(until_answered(email) for email in emails))
        stats = sandbox.stats()
        assert stats["enrolments_created"] == len(emails)
        assert sum(stats["faults"].values()) > 0
        for email, answer in final.items():
            assert answer["interview_url"] == enrolled_url(sandbox, email)
