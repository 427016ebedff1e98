"""The sandbox's interview definitions: templates, the interview list, update, signed URLs.

Over real loopback HTTP. Every answer is checked against the vendor's OpenAPI
document (``sync.jobmojito.spec.validate_response``), so the sandbox cannot
drift from what the live API promises. The module's sandbox and its client are
tests/conftest.py's (reset before each test); the request bodies helpers.py's.
"""

from __future__ import annotations

from typing import Any

import helpers
import httpx
import pytest
from helpers import TEMPLATE_ID

from sync.jobmojito import spec
from sync.ledger.base import KnownPosition
from sync.sandbox import SandboxConfig

OFFLINE_TEMPLATE = "0c3f5a8e-2b71-4d9a-8e6f-3a1b2c4d5e6f"


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(token="sb-positions", seed=2)


def answered(response: httpx.Response, path: str, method: str = "post") -> Any:
    body = response.json()
    assert spec.validate_response(path, method, response.status_code, body) is None, body
    return body


def interview(**over: Any) -> dict[str, Any]:
    """A job's job-interview-create body (helpers.interview), with its code."""
    job = {"name": "Backend Engineer", "location": "Berlin", "visibility": "merchant_invite",
           "code": "JOB-1"}  # fmt: skip
    return helpers.interview(**{**job, **over})


def create(client: httpx.Client, **over: Any) -> str:
    response = client.post("job-interview-create", json=interview(**over))
    return str(answered(response, "job-interview-create")["interview_def_set_id"])


class TestTemplates:
    """merchant-avatar-list: the merchant's templates, archived ones on request, paged."""

    def test_active_by_default_archived_on_request(self, client):
        body = answered(client.get("merchant-avatar-list"), "merchant-avatar-list", "get")
        assert [t["status"] for t in body["data"]] == ["active"] * 3
        every = client.get("merchant-avatar-list", params={"include_archived": "true"}).json()
        assert OFFLINE_TEMPLATE in {t["id"] for t in every["data"]}

    def test_filters_and_pages(self, client):
        german = client.get("merchant-avatar-list", params={"filter_text": "deutsch"}).json()
        assert [t["mojito_language_code"] for t in german["data"]] == ["de"]
        page = client.get("merchant-avatar-list", params={"limit": "2", "offset": "1"}).json()
        assert len(page["data"]) == 2 and page["pagination"] == {
            "total": 3, "limit": 2, "offset": 1, "has_more": False,
        }  # fmt: skip

    def test_a_create_with_an_unknown_template_is_refused(self, client, sandbox):
        other = "11111111-2222-4333-8444-555555555555"
        response = client.post("job-interview-create", json=interview(interview_template_id=other))
        assert response.status_code == 422
        assert answered(response, "job-interview-create")["name"] == "interview_template_id"
        assert sandbox.stats()["positions_created"] == 0


class TestInterviewList:
    """merchant-interview-list: every definition with its code, newest first, filtered."""

    def test_codes_and_filters(self, client):
        first = create(client, code="JOB-1")
        second = create(client, code="JOB-2", name="Analyst")
        body = answered(client.get("merchant-interview-list"), "merchant-interview-list", "get")
        assert [(d["id"], d["code"]) for d in body["data"]] == [(second, "JOB-2"), (first, "JOB-1")]
        only = client.get("merchant-interview-list", params={"filter_text": "analy"}).json()
        assert [d["id"] for d in only["data"]] == [second]
        coaching = client.get("merchant-interview-list", params={"type": "coaching"}).json()
        assert coaching["data"] == []

    def test_a_code_used_twice_makes_two_interviews(self, client, sandbox):
        """The document promises no reuse by code: the tool must look before it creates."""
        assert create(client) != create(client)
        assert sandbox.stats()["positions_created"] == 2

    def test_a_position_an_enrolment_made_is_listed_with_its_external_id(self, client):
        client.post(
            "job-interview-create-for-candidate-with-token",
            json={"candidate_name": "Ana", "candidate_email": "ana@example.com",
                  "candidate_country_code": "PT", "candidate_resume": "cv",
                  "position_name": "Nurse", "position_location": "Wien",
                  "position_country_code": "AT", "mojito_language_code": "de",
                  "position_external_id": "JOB-9"},
        )  # fmt: skip
        (item,) = client.get("merchant-interview-list").json()["data"]
        assert (item["code"], item["name"], item["interview_count"]) == ("JOB-9", "Nurse", 1)


class TestEnrolmentsFindTheInterview:
    """An interview from job-interview-create is a position: by its id or by its code."""

    def candidate(self, **over: Any) -> dict[str, Any]:
        """An enrolment naming no position but what ``over`` gives (helpers.candidate)."""
        unnamed = dict.fromkeys(
            ("position_name", "position_location", "position_country_code",
             "mojito_language_code"), ...,
        )  # fmt: skip
        return helpers.candidate(**{**unnamed, **over})

    def test_by_id_and_by_code(self, client, sandbox):
        made = create(client, code="JOB-7")
        by_id = client.post("job-interview-create-for-candidate-with-token",
                            json=self.candidate(position_def_set_id=made)).json()  # fmt: skip
        assert by_id["position_def_set_id"] == made
        by_code = client.post(
            "job-interview-create-for-candidate-with-token",
            json=self.candidate(candidate_email="bo@example.com", position_external_id="JOB-7",
                                position_name="x", position_location="y",
                                position_country_code="DE", mojito_language_code="en"),
        ).json()  # fmt: skip
        assert by_code["position_def_set_id"] == made
        stats = sandbox.stats()
        assert stats["positions_created"] == 1
        assert stats["positions_found_by"] == {"position_def_set_id": 1, "position_external_id": 1}


class TestUpdate:
    """job-interview-update writes what is sent, diffs questions, and says what it did."""

    def test_fields_written_and_reported(self, client, sandbox):
        made = create(client)
        body = answered(
            client.post("job-interview-update", json={"position_id": made, "name": "Backend",
                                                      "location": "Remote"}),
            "job-interview-update",
        )  # fmt: skip
        assert body == {"position_id": made, "is_multistage": False,
                        "updated_fields": ["name", "interview_location"]}  # fmt: skip
        listed = client.get("merchant-interview-list").json()["data"][0]
        assert listed["name"] == "Backend"
        assert sandbox.stats()["interviews_updated"] == 1

    def test_unknown_id_is_404(self, client):
        response = client.post("job-interview-update", json={"position_id": TEMPLATE_ID})
        assert response.status_code == 404
        assert answered(response, "job-interview-update")["name"] == "position_id"

    def test_questions_are_diffed(self, client):
        questions = [
            {"question": "One?", "external_id": "J#1"},
            {"question": "Two?", "external_id": "J#2"},
        ]
        made = client.post(
            "job-interview-create-from-array",
            json={**interview(), "description": "d", "questions": questions},
        ).json()["interview_def_set_id"]
        sent = [{"question": "One?", "external_id": "J#1"},
                {"question": "Two, better?", "external_id": "J#2"},
                {"question": "Three?", "external_id": "J#3"}]  # fmt: skip
        body = answered(
            client.post("job-interview-update", json={"position_id": made, "questions": sent}),
            "job-interview-update",
        )
        diff = body["questions_diff"]
        assert len(diff["kept"]) == 1 and len(diff["replaced"]) == 1 and len(diff["added"]) == 1
        assert diff["removed"] == [] and len(diff["question_ids"]) == 3

    def test_questions_of_an_active_offline_interview_cannot_change(self, client):
        made = create(client, interview_template_id=TEMPLATE_ID)
        offline = {"position_id": made, "interview_template_id": OFFLINE_TEMPLATE}
        assert client.post("job-interview-update", json=offline).status_code == 200
        response = client.post(
            "job-interview-update", json={"position_id": made, "questions": [{"question": "Q?"}]}
        )
        assert response.status_code == 422


class TestSignedUrl:
    """job-interview-token: a bare JSON string, or 422 naming the missing id."""

    def test_results_for_position(self, client):
        made = create(client)
        response = client.post(
            "job-interview-token",
            json={"type": "interview-results-for-position", "interview_id": made},
        )
        url = answered(response, "job-interview-token")
        assert isinstance(url, str) and made in url and url.startswith("https://")

    def test_missing_or_unknown_interview(self, client):
        missing = client.post(
            "job-interview-token", json={"type": "interview-results-for-position"}
        )
        assert (missing.status_code, missing.json()["name"]) == (422, "interview_id")
        unknown = client.post(
            "job-interview-token",
            json={"type": "interview-results-for-position", "interview_id": TEMPLATE_ID},
        )
        assert unknown.status_code == 422


def test_known_position_sends_its_answered_id_first():
    """The id an enrolment answered wins over the interview's own (both name the position)."""
    assert KnownPosition("J", "created", interview_def_set_id="i").id_to_send == "i"
    assert (
        KnownPosition("J", "created", interview_def_set_id="i", position_def_set_id="p").id_to_send
        == "p"
    )
