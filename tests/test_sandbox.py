"""The sandbox answers the documented endpoints as the vendor documents them, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from helpers import CANDIDATE, CREATE, EMAIL, FROM_ARRAY, candidate, from_array, interview

from sync.jobmojito.models import (
    LANGUAGE_CODES,
    CandidateResponse,
    InterviewCreateFromArrayResponse,
    InterviewCreateResponse,
    MerchantStatus,
    PlatformLanguagesListResponse,
)
from sync.sandbox import RunningSandbox, SandboxConfig, expected_decision, run_sandbox


@pytest.fixture(scope="module")
def _module_anon(sandbox_server: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url) as c:
        yield c


@pytest.fixture
def anon(sandbox: RunningSandbox, _module_anon: httpx.Client) -> httpx.Client:
    """Sends no token; based at the server root of the freshly reset ``sandbox``."""
    return _module_anon


def by_position_id(answer: dict[str, Any], email: str = EMAIL) -> dict[str, Any]:
    """A candidate for the position of an earlier ``answer``, named only by its id."""
    return candidate(
        email,
        position_def_set_id=answer["position_def_set_id"],
        position_name=...,
        position_location=...,
        position_country_code=...,
        mojito_language_code=...,
    )


class TestEnrolment:
    """A new candidate is enrolled once, with the documented answer and a predictable decision."""

    def test_new_candidate_gets_the_documented_answer(self, client: httpx.Client) -> None:
        response = client.post(CANDIDATE, json=candidate())
        assert response.status_code == 200
        answer = CandidateResponse.model_validate(response.json())
        assert answer.status == expected_decision(EMAIL)
        assert answer.position_def_set_id and answer.interview_def_set_id
        assert answer.profile_interview_id
        assert answer.embed_id is None and answer.embed_signing_key is None

    def test_interview_url_is_a_tokenised_https_url(self, client: httpx.Client) -> None:
        url = urlparse(client.post(CANDIDATE, json=candidate()).json()["interview_url"])
        assert url.scheme == "https"
        assert len(parse_qs(url.query)["token"][0]) >= 16

    @pytest.mark.parametrize("decision", ["ai_accept", "recruiter_action", "recruiter_accept"])
    def test_accepting_decisions_carry_no_reason(self, client: httpx.Client, decision: str) -> None:
        body = client.post(CANDIDATE, json=candidate(f"ana+{decision}@example.com")).json()
        assert body["status"] == decision
        assert "reason" not in body

    @pytest.mark.parametrize("decision", ["ai_reject", "recruiter_reject"])
    def test_rejections_carry_a_reason(self, client: httpx.Client, decision: str) -> None:
        body = client.post(CANDIDATE, json=candidate(f"ana+{decision}@example.com")).json()
        assert body["status"] == decision
        assert body["reason"]

    def test_decisions_follow_expected_decision(self, client: httpx.Client) -> None:
        emails = [f"person{i}@example.com" for i in range(40)]
        seen = {e: client.post(CANDIDATE, json=candidate(e)).json()["status"] for e in emails}
        assert seen == {e: expected_decision(e) for e in emails}
        assert {"ai_accept", "recruiter_action", "ai_reject"} <= set(seen.values())

    def test_decisions_are_spread_as_documented(self) -> None:
        counts = Counter(expected_decision(f"c{i}@example.org") for i in range(4000))
        assert 0.55 < counts["ai_accept"] / 4000 < 0.65
        assert 0.20 < counts["recruiter_action"] / 4000 < 0.30
        assert 0.11 < counts["ai_reject"] / 4000 < 0.19

    def test_is_embedded_returns_embed_credentials(self, client: httpx.Client) -> None:
        body = client.post(CANDIDATE, json=candidate(is_embedded=True)).json()
        assert body["embed_id"] and body["embed_signing_key"]

    def test_enrolment_spends_one_credit(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        before = client.get("merchant-status").json()["credits_interview_monthly"]
        client.post(CANDIDATE, json=candidate())
        after = client.get("merchant-status").json()
        assert after["credits_interview_monthly"] == before - 1
        assert after["candidates"] == 1
        assert sandbox.stats()["enrolments_created"] == 1


class TestAlreadyApplied:
    """A repeated candidate and position answers already-applied with the original URL."""

    def test_resend_answers_already_applied_with_the_original_url(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        first = client.post(CANDIDATE, json=candidate()).json()
        second = client.post(CANDIDATE, json=candidate()).json()
        assert second["status"] == "already-applied"
        assert second["reason"]
        assert second["interview_url"] == first["interview_url"]
        assert second["profile_interview_id"] == first["profile_interview_id"]
        assert second["position_def_set_id"] == first["position_def_set_id"]
        stats = sandbox.stats()
        assert (stats["enrolments_created"], stats["duplicates_answered"]) == (1, 1)

    def test_resend_spends_no_credit(self, client: httpx.Client) -> None:
        client.post(CANDIDATE, json=candidate())
        before = client.get("merchant-status").json()["credits_interview_monthly"]
        client.post(CANDIDATE, json=candidate())
        assert client.get("merchant-status").json()["credits_interview_monthly"] == before

    def test_email_case_and_spaces_do_not_make_a_new_candidate(self, client: httpx.Client) -> None:
        client.post(CANDIDATE, json=candidate(EMAIL))
        again = client.post(CANDIDATE, json=candidate("  ANA@Example.COM ")).json()
        assert again["status"] == "already-applied"

    def test_same_candidate_for_another_position_is_a_new_enrolment(
        self, client: httpx.Client
    ) -> None:
        first = client.post(CANDIDATE, json=candidate()).json()
        other = client.post(CANDIDATE, json=candidate(position_name="Designer")).json()
        assert other["status"] != "already-applied"
        assert other["position_def_set_id"] != first["position_def_set_id"]

    def test_resend_by_position_def_set_id_finds_the_enrolment(self, client: httpx.Client) -> None:
        first = client.post(CANDIDATE, json=candidate()).json()
        again = client.post(CANDIDATE, json=by_position_id(first)).json()
        assert again["status"] == "already-applied"
        assert again["interview_url"] == first["interview_url"]

    def test_resend_of_an_embedded_candidate_returns_the_same_embed(
        self, client: httpx.Client
    ) -> None:
        first = client.post(CANDIDATE, json=candidate(is_embedded=True)).json()
        again = client.post(CANDIDATE, json=candidate(is_embedded=True)).json()
        assert again["embed_id"] == first["embed_id"]


class TestPositions:
    """Positions are created from position fields and found by id, external id or fields."""

    def test_position_fields_find_the_same_position(self, client: httpx.Client) -> None:
        a = client.post(CANDIDATE, json=candidate("a@example.com")).json()
        b = client.post(CANDIDATE, json=candidate("b@example.com")).json()
        assert a["position_def_set_id"] == b["position_def_set_id"]
        assert a["interview_def_set_id"] == b["interview_def_set_id"]

    def test_position_def_set_id_finds_an_existing_position(self, client: httpx.Client) -> None:
        a = client.post(CANDIDATE, json=candidate("a@example.com")).json()
        b = client.post(CANDIDATE, json=by_position_id(a, "b@example.com")).json()
        assert b["position_def_set_id"] == a["position_def_set_id"]
        assert b["status"] != "already-applied"

    def test_unknown_position_def_set_id_is_404(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        body = candidate(position_def_set_id="00000000-0000-0000-0000-000000000000")
        response = client.post(CANDIDATE, json=body)
        assert response.status_code == 404
        assert response.json() == {
            "error": "position_def_set_id not found",
            "name": "position_def_set_id",
        }
        assert sandbox.stats()["enrolments_created"] == 0

    def test_position_external_id_finds_the_position_whatever_its_fields(
        self, client: httpx.Client
    ) -> None:
        a = client.post(CANDIDATE, json=candidate("a@example.com", position_external_id="J-1"))
        renamed = candidate("b@example.com", position_external_id="J-1", position_name="Other")
        b = client.post(CANDIDATE, json=renamed)
        assert a.json()["position_def_set_id"] == b.json()["position_def_set_id"]

    def test_a_new_position_external_id_makes_a_new_position(self, client: httpx.Client) -> None:
        a = client.post(CANDIDATE, json=candidate(position_external_id="J-1")).json()
        b = client.post(CANDIDATE, json=candidate(position_external_id="J-2")).json()
        assert a["position_def_set_id"] != b["position_def_set_id"]
        assert b["status"] != "already-applied"


def _problem(name: str, error: str) -> tuple[str, dict[str, str]]:
    return name, {"error": error, "name": name}


LANGUAGES = ", ".join(LANGUAGE_CODES)
# Each: (field, the 422 body the document's rules give, the request body).
INVALID_CANDIDATES = [
    (*_problem("candidate_email", "candidate_email is required"), candidate(candidate_email=...)),
    (*_problem("candidate_name", "candidate_name must not be empty"), candidate(candidate_name="")),
    (
        *_problem("candidate_resume", "candidate_resume must not be empty"),
        candidate(candidate_resume=""),
    ),
    (
        *_problem(
            "position_name", "position_name is required when position_def_set_id is not provided"
        ),
        candidate(position_name=...),
    ),
    (
        *_problem(
            "position_location",
            "position_location is required when position_def_set_id is not provided",
        ),
        candidate(position_location=...),
    ),
    (
        *_problem(
            "mojito_language_code", f"mojito_language_code must be one of: {LANGUAGES} (or null)"
        ),
        candidate(mojito_language_code="english"),
    ),
    (
        *_problem("interview_attempts", "interview_attempts must be at most 20"),
        candidate(interview_attempts=25),
    ),
    (
        *_problem(
            "seniority_level",
            "seniority_level must be one of: entry-level, intermediate, senior, managerial,"
            " director, executive (or null)",
        ),
        candidate(seniority_level="guru"),
    ),
    (
        *_problem("is_embedded", "is_embedded must be true or false or null"),
        candidate(is_embedded="maybe"),
    ),
    (
        *_problem("max_followups", "max_followups must be a whole number or null"),
        candidate(max_followups=2.5),
    ),
]
INVALID_INTERVIEWS = [
    (*_problem("name", "name is required"), interview(name=...)),
    (
        *_problem("interview_template_id", "interview_template_id must be a valid UUID"),
        interview(interview_template_id="not-a-uuid"),
    ),
    (*_problem("status", "status must be one of: draft, active"), interview(status="live")),
    (
        *_problem(
            "visibility",
            "visibility must be one of: merchant_public, merchant_invite, merchant_unlisted",
        ),
        interview(visibility="everyone"),
    ),
    (
        *_problem("interview_length", "interview_length must be a number, a string or null"),
        interview(interview_length=[8]),
    ),
]
INVALID_FROM_ARRAY = [
    (*_problem("description", "description is required"), from_array(description=...)),
    (*_problem("questions", "questions must have at least 1 item"), from_array(questions=[])),
    (
        *_problem("questions[0].question", "questions[0].question is required"),
        from_array(questions=[{"duration": 30}]),
    ),
    (
        *_problem("type", "type must be one of: interview, coaching, assessment"),
        from_array(type="quiz"),
    ),
]

INVALID = [
    *[(CANDIDATE, *case) for case in INVALID_CANDIDATES],
    *[(CREATE, *case) for case in INVALID_INTERVIEWS],
    *[(FROM_ARRAY, *case) for case in INVALID_FROM_ARRAY],
]
INVALID_IDS = [
    f"{endpoint.removeprefix('job-interview-')}:{field}" for endpoint, field, *_ in INVALID
]


class TestValidation:
    """Invalid bodies get 422 {"error", "name"} by the vendor's OpenAPI document, and no work.

    The rules are the document's (see tests/test_sandbox_spec.py for where they differ
    from the client's models); the position fields' "required when position_def_set_id
    is not provided" is the document's too, stated in words, so the sandbox's work
    checks it.
    """

    @pytest.mark.parametrize(("endpoint", "field", "expected", "body"), INVALID, ids=INVALID_IDS)
    def test_invalid_body(
        self,
        client: httpx.Client,
        sandbox: RunningSandbox,
        endpoint: str,
        field: str,
        expected: dict[str, str],
        body: dict[str, Any],
    ) -> None:
        response = client.post(endpoint, json=body)
        assert response.status_code == 422
        assert response.json() == expected
        stats = sandbox.stats()
        assert (stats["enrolments_created"], stats["positions"], stats["interviews"]) == (0, 0, 0)

    def test_a_known_position_external_id_does_not_lift_the_position_fields(
        self, client: httpx.Client
    ) -> None:
        """The document: they are required when position_def_set_id is not provided."""
        assert client.post(CANDIDATE, json=candidate(position_external_id="J-1")).status_code == 200
        again = candidate("bob@example.com", position_external_id="J-1", position_name=...)
        response = client.post(CANDIDATE, json=again)
        assert response.status_code == 422
        assert response.json()["name"] == "position_name"

    @pytest.mark.parametrize("endpoint", [CANDIDATE, CREATE, FROM_ARRAY])
    @pytest.mark.parametrize(
        ("raw", "error"),
        [
            (b'{"candidate_name": ', "Request body is not valid JSON"),
            (b"", "Request body is not valid JSON"),
            (b'{"max_duration": NaN}', "Request body is not valid JSON"),
            (b"\xff\xfe", "Request body is not valid JSON"),
            (b"[1, 2]", "Request body must be a JSON object"),
            (b"null", "Request body must be a JSON object"),
        ],
    )
    def test_a_body_that_is_not_a_json_object(
        self, client: httpx.Client, endpoint: str, raw: bytes, error: str
    ) -> None:
        response = client.post(endpoint, content=raw)
        assert response.status_code == 422
        assert response.json() == {"error": error, "name": "body"}

    def test_a_message_never_shows_the_resume(self, client: httpx.Client) -> None:
        body = candidate(candidate_resume={"secret": "my whole CV"})
        response = client.post(CANDIDATE, json=body)
        assert response.status_code == 422
        assert response.json() == {
            "error": "candidate_resume must be a string",
            "name": "candidate_resume",
        }
        assert "my whole CV" not in response.text

    def test_a_bad_query_is_422(self, client: httpx.Client) -> None:
        """GET query parameters are checked too: merchant_id has format uuid."""
        response = client.get("merchant-status", params={"merchant_id": "m-1"})
        assert response.status_code == 422
        assert response.json() == {
            "error": "merchant_id must be a valid UUID",
            "name": "merchant_id",
        }


class TestInterviewCreation:
    """job-interview-create and -from-array answer the documented fields."""

    def test_create_answers_id_questions_and_default_duration(self, client: httpx.Client) -> None:
        response = client.post(CREATE, json=interview(interview_length=8))
        assert response.status_code == 200
        answer = InterviewCreateResponse.model_validate(response.json())
        assert answer.questions_generated == 8
        assert answer.max_duration == 1200
        assert "embed_id" not in response.json()

    def test_create_caps_questions_by_max_duration(self, client: httpx.Client) -> None:
        body = client.post(CREATE, json=interview(interview_length=40, max_duration=300)).json()
        assert body["max_duration"] == 300
        assert 1 <= body["questions_generated"] < 40

    def test_create_embedded(self, client: httpx.Client) -> None:
        body = client.post(CREATE, json=interview(is_embedded=True)).json()
        assert body["embed_id"] and body["embed_signing_key"]

    def test_from_array_answers_an_id(self, client: httpx.Client, sandbox: RunningSandbox) -> None:
        response = client.post(FROM_ARRAY, json=from_array())
        assert response.status_code == 200
        answer = InterviewCreateFromArrayResponse.model_validate(response.json())
        assert answer.interview_def_set_id in sandbox.state.interviews
        assert set(response.json()) == {"interview_def_set_id"}

    def test_from_array_embedded(self, client: httpx.Client) -> None:
        body = client.post(FROM_ARRAY, json=from_array(is_embedded=True)).json()
        assert body["embed_id"] and body["embed_signing_key"]

    def test_each_create_makes_a_new_interview(self, client: httpx.Client) -> None:
        ids = {client.post(CREATE, json=interview()).json()["interview_def_set_id"] for _ in "ab"}
        assert len(ids) == 2


class TestLookups:
    """merchant-status and platform-languages-list answer the OpenAPI shapes."""

    def test_merchant_status_has_every_required_field(self, client: httpx.Client) -> None:
        response = client.get("merchant-status")
        assert response.status_code == 200
        required = {n for n, f in MerchantStatus.model_fields.items() if f.is_required()}
        assert required <= set(response.json())
        MerchantStatus.model_validate(response.json())
        assert len(response.json()["candidates_history"]) == 14

    def test_merchant_status_echoes_a_merchant_id(self, client: httpx.Client) -> None:
        merchant = "11111111-2222-3333-4444-555555555555"
        body = client.get("merchant-status", params={"merchant_id": merchant}).json()
        assert body["merchant_id"] == merchant
        assert body["default_merchant_id"] != merchant

    def test_credits_run_down_and_then_enrolment_is_refused(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(credits=2)
        for email in ("a@example.com", "b@example.com"):
            assert client.post(CANDIDATE, json=candidate(email)).status_code == 200
        status = client.get("merchant-status").json()
        assert status["credits_interview_monthly"] == 0
        assert status["invitations_sent"] == 2
        refused = client.post(CANDIDATE, json=candidate("c@example.com"))
        assert refused.status_code == 422
        assert refused.json()["name"] == "credits"
        assert sandbox.stats()["enrolments_created"] == 2

    def test_languages_list_every_platform_code_sorted_by_english_name(
        self, client: httpx.Client
    ) -> None:
        response = client.get("platform-languages-list")
        assert response.status_code == 200
        languages = PlatformLanguagesListResponse.model_validate(response.json()).languages
        assert sorted(language.code for language in languages) == sorted(LANGUAGE_CODES)
        names = [language.name_english for language in languages]
        assert names == sorted(names)
        assert all(language.accents for language in languages)


ENDPOINTS = [
    ("POST", CANDIDATE),
    ("POST", CREATE),
    ("POST", FROM_ARRAY),
    ("GET", "merchant-status"),
    ("GET", "platform-languages-list"),
]


class TestAuth:
    """Without the sandbox's bearer token every endpoint answers 401 Invalid JWT, doing nothing."""

    @pytest.mark.parametrize(("method", "endpoint"), ENDPOINTS)
    @pytest.mark.parametrize(
        "authorization",
        [None, "Bearer wrong", "{token}"],
        ids=["missing", "wrong-token", "no-bearer"],
    )
    def test_401(
        self,
        anon: httpx.Client,
        sandbox: RunningSandbox,
        method: str,
        endpoint: str,
        authorization: str | None,
    ) -> None:
        headers = {} if authorization is None else {"Authorization": authorization}
        if authorization == "{token}":  # the right token, without "Bearer"
            headers["Authorization"] = sandbox.token
        response = anon.request(
            method, "/functions/v1/" + endpoint, headers=headers, json=candidate()
        )
        assert response.status_code == 401
        assert response.json() == {"code": 401, "message": "Invalid JWT"}
        assert sandbox.stats()["enrolments_created"] == 0

    def test_the_token_is_the_one_it_was_started_with(self) -> None:
        with run_sandbox(SandboxConfig(token="t-123")) as custom:
            ok = httpx.get(custom.base_url + "merchant-status", headers=custom.auth_headers)
            default = httpx.get(
                custom.base_url + "merchant-status",
                headers={"Authorization": "Bearer sandbox-token"},
            )
        assert (ok.status_code, default.status_code) == (200, 401)

    def test_a_changed_token_refuses_the_old_one_mid_run(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        assert client.get("merchant-status").status_code == 200
        sandbox.configure(token="refreshed")
        assert client.get("merchant-status").status_code == 401


class TestGateway:
    """Unknown functions and wrong methods answer like the gateway; answers are JSON."""

    def test_unknown_function_is_404(self, client: httpx.Client) -> None:
        response = client.post("job-interview-delete-everything", json={})
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"

    def test_wrong_method_is_405(self, client: httpx.Client) -> None:
        assert client.get(CANDIDATE).status_code == 405

    def test_answers_are_json(self, client: httpx.Client) -> None:
        response = client.post(CANDIDATE, json=candidate())
        assert response.headers["content-type"] == "application/json"
        assert json.loads(response.content) == response.json()

    def test_outside_the_functions_path_is_404(
        self, anon: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        assert anon.get("/functions/v2/merchant-status").status_code == 404


class TestStatsAndReset:
    """Stats count every answer by status; reset forgets everything; both work over HTTP."""

    def test_stats_count_requests_by_status_and_endpoint(
        self, anon: httpx.Client, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        client.post(CANDIDATE, json=candidate())
        client.post(CANDIDATE, json=candidate())
        client.post(CANDIDATE, json=candidate(candidate_email=...))
        anon.get("/functions/v1/merchant-status")
        stats = anon.get("/__sandbox/stats").json()
        assert stats["requests"] == 4
        assert stats["by_status"] == {"200": 2, "401": 1, "422": 1}
        assert stats["by_endpoint"] == {CANDIDATE: 3, "merchant-status": 1}
        assert (stats["enrolments_created"], stats["duplicates_answered"]) == (1, 1)
        assert stats == sandbox.stats()

    def test_reset_over_http_forgets_enrolments_and_counts(
        self, anon: httpx.Client, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        first = client.post(CANDIDATE, json=candidate()).json()
        assert anon.post("/__sandbox/reset").status_code == 200
        assert sandbox.stats()["requests"] == 0
        again = client.post(CANDIDATE, json=candidate()).json()
        assert again["status"] == first["status"] != "already-applied"

    def test_reset_restores_the_starting_settings(
        self, client: httpx.Client, sandbox: RunningSandbox
    ) -> None:
        sandbox.configure(token="other", faults={"503": 1.0})
        sandbox.reset()
        assert client.post(CANDIDATE, json=candidate()).status_code == 200

    def test_config_over_http(self, anon: httpx.Client, sandbox: RunningSandbox) -> None:
        changed = anon.post("/__sandbox/config", json={"latency_ms": 1})
        assert changed.status_code == 200
        assert changed.json()["latency_ms"] == 1
        assert anon.get("/__sandbox/config").json()["latency_ms"] == 1

    @pytest.mark.parametrize(
        "body",
        [{"faults": {"teapot": 0.5}}, {"port": 1}, {"rate": -1}, [1]],
        ids=["unknown-fault", "port", "negative-rate", "not-an-object"],
    )
    def test_bad_config_over_http_is_422(
        self, anon: httpx.Client, sandbox: RunningSandbox, body: Any
    ) -> None:
        response = anon.post("/__sandbox/config", json=body)
        assert response.status_code == 422
        assert response.json()["error"]

    def test_unknown_control_is_404(self, anon: httpx.Client, sandbox: RunningSandbox) -> None:
        assert anon.get("/__sandbox/nothing").status_code == 404


class TestExactlyOnce:
    """Concurrent duplicates of a candidate make exactly one enrolment; the rest already-applied."""

    async def test_concurrent_duplicates_of_one_candidate(self, sandbox: RunningSandbox) -> None:
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers=sandbox.auth_headers
        ) as client:
            answers = await asyncio.gather(
                *(client.post(CANDIDATE, json=candidate()) for _ in range(30))
            )
        bodies = [a.json() for a in answers]
        statuses = Counter(b["status"] for b in bodies)
        assert statuses == {expected_decision(EMAIL): 1, "already-applied": 29}
        assert len({b["interview_url"] for b in bodies}) == 1
        stats = sandbox.stats()
        assert (stats["enrolments_created"], stats["duplicates_answered"]) == (1, 29)

    async def test_concurrent_duplicates_of_many_candidates(self, sandbox: RunningSandbox) -> None:
        emails = [f"p{i}@example.com" for i in range(10)]
        bodies = [candidate(email) for email in emails for _ in range(4)]
        random.Random(1).shuffle(bodies)
        async with httpx.AsyncClient(
            base_url=sandbox.base_url, headers=sandbox.auth_headers
        ) as client:
            answers = await asyncio.gather(*(client.post(CANDIDATE, json=b) for b in bodies))
        assert all(a.status_code == 200 for a in answers)
        urls: dict[str, set[str]] = {}
        for body, answer in zip(bodies, answers, strict=True):
            urls.setdefault(body["candidate_email"], set()).add(answer.json()["interview_url"])
        assert all(len(found) == 1 for found in urls.values())
        stats = sandbox.stats()
        assert (stats["enrolments_created"], stats["duplicates_answered"]) == (10, 30)
        assert len(sandbox.state.enrolments) == 10
