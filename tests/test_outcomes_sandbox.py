"""The sandbox's interviews progress, and it serves the results list and details as documented."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sync.jobmojito import spec
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox
from sync.sandbox._progress import fate_of

LIST = "merchant-result-list"
DETAILS = "job-interview-details"


def body(email: str, name: str = "Ann", position: str = "Engineer") -> dict[str, Any]:
    return {
        "candidate_name": name, "candidate_email": email, "candidate_country_code": "DE",
        "candidate_resume": "cv", "position_name": position, "position_location": "Berlin",
        "position_country_code": "DE", "mojito_language_code": "en",
        "candidate_external_id": f"ext-{name}",
    }  # fmt: skip


class Client:
    def __init__(self, sb: RunningSandbox) -> None:
        self.sb = sb
        self.http = httpx.Client(base_url=sb.base_url, headers=sb.auth_headers, timeout=10)

    def enrol(self, email: str, **kw: Any) -> dict[str, Any]:
        answer = self.http.post(
            "job-interview-create-for-candidate-with-token", json=body(email, **kw)
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def get(self, path: str, **params: Any) -> httpx.Response:
        answer = self.http.get(path, params=params)
        if answer.status_code == 200:
            assert spec.validate_response(path, "GET", 200, answer.json()) is None
        return answer

    def rows(self, **params: Any) -> list[dict[str, Any]]:
        return list(self.get(LIST, limit=1000, **params).json()["data"])


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(seed=4, progress_seconds=100)) as sb:
        yield sb


@pytest.fixture()
def client(sandbox: RunningSandbox) -> Client:
    return Client(sandbox)


class TestProgress:
    """Fates are deterministic per candidate and seed, reached within the configured delay."""

    def test_nothing_started_until_the_clock_moves_then_every_fate(
        self, sandbox: RunningSandbox, client: Client
    ) -> None:
        for i in range(40):
            client.enrol(f"p{i}@example.com", name=f"P{i}")
        assert {r["interview_started"] for r in client.rows()} == {False}
        sandbox.advance(250)  # two delays and the processing: every fate is final
        rows = client.rows()
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
            with run_sandbox(SandboxConfig(seed=9, progress_seconds=0)) as sb:
                c = Client(sb)
                c.enrol("ann+completed@example.com")
                scores.append([r["score"] for r in c.rows()])
        assert scores[0] == scores[1] and scores[0][0] is not None

    def test_advance_over_http_and_reset(self, sandbox: RunningSandbox, client: Client) -> None:
        client.enrol("ann+completed@example.com")
        moved = httpx.post(sandbox.url + "/__sandbox/advance", json={"seconds": 500}, timeout=10)
        assert moved.status_code == 200
        assert client.rows()[0]["coach_status"] == "completed"
        bad = httpx.post(sandbox.url + "/__sandbox/advance", json={}, timeout=10)
        assert bad.status_code == 422
        sandbox.reset()
        assert client.rows() == []


class TestResultList:
    """merchant-result-list pages and filters as the document says."""

    @pytest.fixture()
    def enrolled(self, sandbox: RunningSandbox, client: Client) -> list[dict[str, Any]]:
        made = [client.enrol(f"c{i}+{'completed' if i % 2 else 'started'}@example.com",
                             name=f"C{i}") for i in range(7)]  # fmt: skip
        sandbox.advance(500)
        return made

    def test_pages(self, client: Client, enrolled: list[dict[str, Any]]) -> None:
        seen: list[str] = []
        offset = 0
        while True:
            page = client.get(LIST, limit=3, offset=offset, order_by="created_at_oldest").json()
            seen += [r["id"] for r in page["data"]]
            assert page["pagination"] == {"total": 7, "limit": 3, "offset": offset,
                                          "has_more": offset + len(page["data"]) < 7}  # fmt: skip
            if not page["pagination"]["has_more"]:
                break
            offset += 3
        assert len(seen) == len(set(seen)) == 7
        oldest = [r["profile_interview_id"] for r in client.rows(order_by="created_at_oldest")]
        assert oldest == [e["profile_interview_id"] for e in enrolled]
        assert [r["profile_interview_id"] for r in client.rows()] == oldest[::-1]  # newest first

    def test_filters(self, client: Client, enrolled: list[dict[str, Any]]) -> None:
        assert len(client.rows(tab="completed")) == 3 == len(client.rows(tab="incomplete")) - 1
        pid = enrolled[2]["profile_interview_id"]
        assert [r["profile_interview_id"] for r in client.rows(profile_interview_id=pid)] == [pid]
        by_def = client.rows(interview_id=enrolled[0]["interview_def_set_id"])
        assert len(by_def) == 7
        assert [r["candidate_name"] for r in client.rows(filter_text="C3")] == ["C3"]
        assert client.rows(type="coaching") == [] and client.rows(step="pre-screening") == []
        scores = [r["score"] for r in client.rows(order_by="score") if r["score"] is not None]
        assert scores == sorted(scores, reverse=True)

    @pytest.mark.parametrize(
        "params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"profile_interview_id": "x"}]
    )
    def test_bad_queries_refused_by_the_document(
        self, client: Client, params: dict[str, Any]
    ) -> None:
        answer = client.get(LIST, **params)
        assert answer.status_code == 422 and answer.json()["name"] in params


class TestDetails:
    """job-interview-details: transcript and assessment; signed URLs only when asked."""

    def completed(self, sandbox: RunningSandbox, client: Client) -> str:
        client.enrol("ann+completed@example.com")
        sandbox.advance(500)
        return str(client.rows()[0]["interview_result_id"])

    def test_assessment_and_no_signed_urls_unasked(
        self, sandbox: RunningSandbox, client: Client
    ) -> None:
        result_id = self.completed(sandbox, client)
        details = client.get(DETAILS, interview_result_id=result_id).json()
        assert details["ai_analysis_recruiter"] and details["status"] == "completed"
        assert details["ai_analysis_other"]["hiring_reasons"]["reasons_to_hire"]
        assert any(t.get("answer") for t in details["transcript"])
        assert "recording_url" not in details and "X-Amz-Signature" not in str(details)
        signed = client.get(DETAILS, interview_result_id=result_id, get_signed_recordings="true")
        assert "X-Amz-Signature=" in signed.json()["recording_url"]

    def test_signed_urls_always_plays_a_leaky_api(
        self, sandbox: RunningSandbox, client: Client
    ) -> None:
        result_id = self.completed(sandbox, client)
        sandbox.configure(signed_urls_always=True)
        details = client.get(DETAILS, interview_result_id=result_id).json()
        assert "X-Amz-Signature=" in details["recording_url"]
        assert "X-Amz-Signature=" in details["ai_analysis_recruiter"]

    def test_unknown_result_is_404(self, client: Client) -> None:
        answer = client.get(DETAILS, interview_result_id="93c98d21-e04d-4a84-9afa-ed154cf73636")
        assert answer.status_code == 404 and answer.json()["name"] == "interview_result_id"
        assert client.get(DETAILS).status_code == 422  # required by the document

    def test_faults_can_target_the_reads(self, sandbox: RunningSandbox, client: Client) -> None:
        sandbox.configure(fault_paths=(LIST,))
        sandbox.inject("503")
        assert client.get(LIST).status_code == 503
        assert client.get(LIST).status_code == 200
