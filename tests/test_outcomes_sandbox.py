"""The sandbox's interviews progress, and it serves the results list and details as documented."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest
from conftest import SANDBOX_TOKEN
from helpers import CANDIDATE, candidate

from sync.jobmojito import spec
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox
from sync.sandbox._progress import fate_of

LIST = "merchant-result-list"
DETAILS = "job-interview-details"


def body(email: str, name: str = "Ann", position: str = "Engineer") -> dict[str, Any]:
    return candidate(
        email,
        candidate_name=name,
        candidate_country_code="DE",
        position_name=position,
        candidate_external_id=f"ext-{name}",
    )


class Api:
    """The sandbox's reads as the tests use them, every 200 checked against the document."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def enrol(self, email: str, **kw: Any) -> dict[str, Any]:
        answer = self.http.post(CANDIDATE, json=body(email, **kw))
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def get(self, path: str, **params: Any) -> httpx.Response:
        answer = self.http.get(path, params=params)
        if answer.status_code == 200:
            assert spec.validate_response(path, "GET", 200, answer.json()) is None
        return answer

    def rows(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get(LIST, limit=1000, **params).json()["data"])


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """conftest's ``sandbox`` (reset before each test, its clock too) with these settings."""
    return SandboxConfig(token=SANDBOX_TOKEN, seed=4, progress_seconds=100)


@pytest.fixture()
def api(client: httpx.Client) -> Api:
    """conftest's ``client`` on the freshly reset sandbox."""
    return Api(client)


class TestProgress:
    """Fates are deterministic per candidate and seed, reached within the configured delay."""

    def test_nothing_started_until_the_clock_moves_then_every_fate(
        self, sandbox: RunningSandbox, api: Api
    ) -> None:
        for i in range(40):
            api.enrol(f"p{i}@example.com", name=f"P{i}")
        assert {r["interview_started"] for r in api.rows()} == {False}
        sandbox.advance(250)  # two delays and the processing: every fate is final
        rows = api.rows()
        kinds = Counter(r["coach_status"] for r in rows)
        assert kinds["completed"] and kinds["started"] and kinds[None]
        assert len(rows) < 40  # some never open the link: no result at all
        done = [r for r in rows if r["coach_status"] == "completed"]
        assert all(r["score"] is not None and r["processing_status"] == "completed" for r in done)
        assert all(r["interview_result_id"] for r in rows if r["interview_started"])
        assert {r["decision_status"] for r in done} <= {"selected", "rejected", None}

    def test_deterministic_per_candidate_and_seed(self) -> None:
        fates = [fate_of(1, f"p{i}@x.io", "pos", "ai_accept") for i in range(200)]
        assert fates == [fate_of(1, f"p{i}@x.io", "pos", "ai_accept") for i in range(200)]
        assert fates != [fate_of(2, f"p{i}@x.io", "pos", "ai_accept") for i in range(200)]
        assert set(fates) == {"never", "invited", "started", "completed"}
        assert fate_of(1, "a+started@x.io", "pos", "ai_accept") == "started"
        assert fate_of(1, "a+completed@x.io", "pos", "ai_reject") == "completed"
        assert fate_of(1, "a@x.io", "pos", "ai_reject") == "never"

    def test_same_seed_same_scores(self) -> None:
        scores = []
        for _ in range(2):
            with (
                run_sandbox(SandboxConfig(seed=9, progress_seconds=0)) as sb,
                httpx.Client(base_url=sb.base_url, headers=sb.auth_headers, timeout=10) as http,
            ):
                own = Api(http)
                own.enrol("ann+completed@example.com")
                scores.append([r["score"] for r in own.rows()])
        assert scores[0] == scores[1] and scores[0][0] is not None

    def test_advance_over_http_and_reset(self, sandbox: RunningSandbox, api: Api) -> None:
        api.enrol("ann+completed@example.com")
        moved = httpx.post(sandbox.url + "/__sandbox/advance", json={"seconds": 500}, timeout=10)
        assert moved.status_code == 200
        assert api.rows()[0]["coach_status"] == "completed"
        bad = httpx.post(sandbox.url + "/__sandbox/advance", json={}, timeout=10)
        assert bad.status_code == 422
        sandbox.reset()
        assert api.rows() == []


class TestResultList:
    """merchant-result-list pages and filters as the document says."""

    @pytest.fixture()
    def enrolled(self, sandbox: RunningSandbox, api: Api) -> list[dict[str, Any]]:
        made = [api.enrol(f"c{i}+{'completed' if i % 2 else 'started'}@example.com",
                             name=f"C{i}") for i in range(7)]  # fmt: skip
        sandbox.advance(500)
        return made

    def test_pages(self, api: Api, enrolled: list[dict[str, Any]]) -> None:
        seen: list[str] = []
        offset = 0
        while True:
            page = api.get(LIST, limit=3, offset=offset, order_by="created_at_oldest").json()
            seen += [r["id"] for r in page["data"]]
            assert page["pagination"] == {"total": 7, "limit": 3, "offset": offset,
                                          "has_more": offset + len(page["data"]) < 7}  # fmt: skip
            if not page["pagination"]["has_more"]:
                break
            offset += 3
        assert len(seen) == len(set(seen)) == 7
        oldest = [r["profile_interview_id"] for r in api.rows(order_by="created_at_oldest")]
        assert oldest == [e["profile_interview_id"] for e in enrolled]
        assert [r["profile_interview_id"] for r in api.rows()] == oldest[::-1]  # newest first

    def test_filters(self, api: Api, enrolled: list[dict[str, Any]]) -> None:
        assert len(api.rows(tab="completed")) == 3 == len(api.rows(tab="incomplete")) - 1
        pid = enrolled[2]["profile_interview_id"]
        assert [r["profile_interview_id"] for r in api.rows(profile_interview_id=pid)] == [pid]
        by_def = api.rows(interview_id=enrolled[0]["interview_def_set_id"])
        assert len(by_def) == 7
        assert [r["candidate_name"] for r in api.rows(filter_text="C3")] == ["C3"]
        assert api.rows(type="coaching") == [] and api.rows(step="pre-screening") == []
        scores = [r["score"] for r in api.rows(order_by="score") if r["score"] is not None]
        assert scores == sorted(scores, reverse=True)

    @pytest.mark.parametrize(
        "params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"profile_interview_id": "x"}]
    )
    def test_bad_queries_refused_by_the_document(self, api: Api, params: dict[str, Any]) -> None:
        answer = api.get(LIST, **params)
        assert answer.status_code == 422 and answer.json()["name"] in params


class TestDetails:
    """job-interview-details: transcript and assessment; signed URLs only when asked."""

    def completed(self, sandbox: RunningSandbox, api: Api) -> str:
        api.enrol("ann+completed@example.com")
        sandbox.advance(500)
        return str(api.rows()[0]["interview_result_id"])

    def test_assessment_and_no_signed_urls_unasked(self, sandbox: RunningSandbox, api: Api) -> None:
        result_id = self.completed(sandbox, api)
        details = api.get(DETAILS, interview_result_id=result_id).json()
        assert details["ai_analysis_recruiter"] and details["status"] == "completed"
        assert details["ai_analysis_other"]["hiring_reasons"]["reasons_to_hire"]
        assert any(t.get("answer") for t in details["transcript"])
        assert "recording_url" not in details and "X-Amz-Signature" not in str(details)
        signed = api.get(DETAILS, interview_result_id=result_id, get_signed_recordings="true")
        assert "X-Amz-Signature=" in signed.json()["recording_url"]

    def test_signed_urls_always_plays_a_leaky_api(self, sandbox: RunningSandbox, api: Api) -> None:
        result_id = self.completed(sandbox, api)
        sandbox.configure(signed_urls_always=True)
        details = api.get(DETAILS, interview_result_id=result_id).json()
        assert "X-Amz-Signature=" in details["recording_url"]
        assert "X-Amz-Signature=" in details["ai_analysis_recruiter"]

    def test_unknown_result_is_404(self, api: Api) -> None:
        answer = api.get(DETAILS, interview_result_id="93c98d21-e04d-4a84-9afa-ed154cf73636")
        assert answer.status_code == 404 and answer.json()["name"] == "interview_result_id"
        assert api.get(DETAILS).status_code == 422  # required by the document

    def test_faults_can_target_the_reads(self, sandbox: RunningSandbox, api: Api) -> None:
        sandbox.configure(fault_paths=(LIST,))
        sandbox.inject("503")
        assert api.get(LIST).status_code == 503
        assert api.get(LIST).status_code == 200
