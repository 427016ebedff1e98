"""The sandbox checks requests against the vendor's OpenAPI document, not the client's models.

``sync.jobmojito.spec`` reads the vendored document (``sync/jobmojito/openapi.json``)
and validates with python-jsonschema; nothing here is mocked. The first half tests the
module on its own, the second half the sandbox over real HTTP.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from helpers import CANDIDATE, CREATE, FROM_ARRAY, TEMPLATE_ID, candidate, from_array, interview

from sync.jobmojito import spec
from sync.jobmojito.models import (
    CandidateRequest,
    InterviewCreateFromArrayRequest,
    InterviewCreateRequest,
)
from sync.sandbox import RunningSandbox, create_app

#: sha256 of shared/api/openapi.snapshot.json, the document as the vendor published it.
PUBLISHED_SHA256 = "553ad0618945235aae274277942d9ecc2fec3871889d7428b19d047db121203f"


BUILDERS = {CANDIDATE: candidate, CREATE: interview, FROM_ARRAY: from_array}


def walk(node: Any) -> Any:
    """Every dict inside ``node``, ``node`` included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def nullable_fields(path: str) -> list[str]:
    properties = spec.request_schema(path, "post")["properties"]
    return [name for name, schema in properties.items() if "null" in schema.get("type", [])]


def enum_fields(path: str) -> list[str]:
    properties = spec.request_schema(path, "post")["properties"]
    return [name for name, schema in properties.items() if "enum" in schema]


# ======================================================================= the module


class TestTheDocument:
    """The vendored file is the published document, loaded from the package."""

    def test_the_package_holds_the_published_bytes(self) -> None:
        data = resources.files("sync.jobmojito").joinpath("openapi.json").read_bytes()
        assert hashlib.sha256(data).hexdigest() == PUBLISHED_SHA256

    def test_it_is_the_whole_document(self) -> None:
        document = spec.document()
        assert document["openapi"] == "3.1.0"
        assert len(document["paths"]) == 30
        assert len(spec.operations()) == 30

    def test_every_operation_translates_and_inlines(self) -> None:
        """No nullable and no $ref is left in any schema a caller gets."""
        for path, method in spec.operations():
            schemas = [spec.request_schema(path, method), spec.query_schema(path, method)]
            schemas += [spec.response_schema(path, method, s) for s in ("200", "422")]
            for schema in schemas:
                for node in walk(schema):
                    assert "$ref" not in node, (path, method)
                    assert not isinstance(node.get("nullable"), bool), (path, method)

    def test_schemas_handed_out_are_copies(self) -> None:
        schema = spec.request_schema(CANDIDATE, "post")
        assert schema is not None
        schema["required"].append("colour")
        assert "colour" not in spec.request_schema(CANDIDATE, "post")["required"]

    def test_unknown_operations_are_an_error(self) -> None:
        with pytest.raises(spec.UnknownOperationError, match="no POST /no-such-function"):
            spec.validate_request("no-such-function", "post", {})
        with pytest.raises(spec.UnknownOperationError, match="no DELETE"):
            spec.validate_request(CANDIDATE, "delete", {})

    def test_path_and_method_spelling(self) -> None:
        """With or without the leading slash; any case of method."""
        body = candidate(candidate_email=...)
        expected = ("candidate_email", "candidate_email is required")
        assert spec.validate_request("/" + CANDIDATE, "POST", body) == expected
        assert spec.validate_request(CANDIDATE, "post", body) == expected


class TestNullable:
    """nullable: true (a 3.0 keyword in a 3.1 document) also accepts null."""

    def test_typed_fields_take_null(self) -> None:
        properties = spec.request_schema(CANDIDATE, "post")["properties"]
        assert properties["position_name"]["type"] == ["string", "null"]
        assert properties["candidate_name"]["type"] == "string"  # not nullable: unchanged

    def test_a_nullable_enum_lists_null(self) -> None:
        properties = spec.request_schema(CANDIDATE, "post")["properties"]
        assert properties["mojito_language_code"]["enum"][-1] is None
        assert (
            spec.validate_request(CANDIDATE, "post", candidate(mojito_language_code=None)) is None
        )

    @pytest.mark.parametrize("path", [CANDIDATE, CREATE, FROM_ARRAY])
    def test_every_nullable_field_of_the_create_requests_takes_null(self, path: str) -> None:
        fields = nullable_fields(path)
        assert len(fields) >= 20
        for name in fields:
            assert spec.validate_request(path, "post", BUILDERS[path](**{name: None})) is None

    def test_a_field_not_marked_nullable_refuses_null(self) -> None:
        assert spec.validate_request(CREATE, "post", interview(status=None)) == (
            "status",
            "status must be a string",
        )

    def test_a_bare_nullable_in_a_union_is_the_null_alternative(self) -> None:
        """interview_length: anyOf [number, string, {nullable: true}] -> number, string or null."""
        for value in (8, "8", None, 41):
            assert spec.validate_request(CREATE, "post", interview(interview_length=value)) is None
        assert spec.validate_request(CREATE, "post", interview(interview_length=True)) == (
            "interview_length",
            "interview_length must be a number, a string or null",
        )

    def test_a_bare_nullable_elsewhere_is_any_value(self) -> None:
        """custom_scoring's additionalProperties: {nullable: true} -> any value, null too."""
        scoring = {"a": None, "b": [1, "x"], "c": {"d": True}}
        assert spec.validate_request(CANDIDATE, "post", candidate(custom_scoring=scoring)) is None


class TestProblems:
    """The first problem, named and worded as the API's 422 body has them."""

    @pytest.mark.parametrize(
        "field", ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume"]
    )
    def test_a_missing_required_field(self, field: str) -> None:
        problem = spec.validate_request(CANDIDATE, "post", candidate(**{field: ...}))
        assert problem == (field, f"{field} is required")

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"candidate_name": ""}, ("candidate_name", "candidate_name must not be empty")),
            ({"candidate_email": 7}, ("candidate_email", "candidate_email must be a string")),
            (
                {"interview_attempts": 25},
                ("interview_attempts", "interview_attempts must be at most 20"),
            ),
            (
                {"interview_attempts": 0},
                ("interview_attempts", "interview_attempts must be at least 1"),
            ),
            (
                {"max_followups": 1.5},
                ("max_followups", "max_followups must be a whole number or null"),
            ),
            (
                {"is_embedded": "maybe"},
                ("is_embedded", "is_embedded must be true or false or null"),
            ),
            ({"tags": ["a", 1]}, ("tags[1]", "tags[1] must be a string")),
            (
                {"hiring_for_company": {"name": 5}},
                ("hiring_for_company.name", "hiring_for_company.name must be a string or null"),
            ),
            (
                {"pdf_export_auto_config": {"template": "fancy"}},
                (
                    "pdf_export_auto_config.template",
                    "pdf_export_auto_config.template must be one of: classic, modern, one_pager",
                ),
            ),
        ],
    )
    def test_wording(self, change: dict[str, Any], expected: tuple[str, str]) -> None:
        assert spec.validate_request(CANDIDATE, "post", candidate(**change)) == expected

    def test_a_wrong_enum_value_lists_the_allowed_ones(self) -> None:
        name, message = spec.validate_request(CANDIDATE, "post", candidate(seniority_level="guru"))
        assert name == "seniority_level"
        assert message == (
            "seniority_level must be one of: entry-level, intermediate, senior, managerial,"
            " director, executive (or null)"
        )

    def test_a_body_that_is_not_an_object(self) -> None:
        for body in ([1, 2], "text", None):
            assert spec.validate_request(CANDIDATE, "post", body) == (
                "body",
                "Request body must be a JSON object",
            )

    def test_the_first_problem_is_at_the_field_the_document_lists_first(self) -> None:
        """mojito_language_code comes before candidate_name in the document's properties."""
        body = candidate(candidate_name=..., mojito_language_code="english")
        assert spec.validate_request(CANDIDATE, "post", body)[0] == "mojito_language_code"
        body = candidate(candidate_resume=..., candidate_email=...)
        assert spec.validate_request(CANDIDATE, "post", body)[0] == "candidate_email"

    def test_nested_list_items_are_named_by_index(self) -> None:
        body = from_array(questions=[{"question": "Q1?"}, {"duration": 30}])
        assert spec.validate_request(FROM_ARRAY, "post", body) == (
            "questions[1].question",
            "questions[1].question is required",
        )

    def test_a_message_never_shows_the_value(self) -> None:
        secret = "SECRET CURRICULUM"
        for value in ({"cv": secret}, [secret], 12345):
            _, message = spec.validate_request(CANDIDATE, "post", candidate(candidate_resume=value))
            assert message == "candidate_resume must be a string"
        _, message = spec.validate_request(CANDIDATE, "post", candidate(seniority_level=secret))
        assert secret not in message

    def test_uuid_format_is_checked(self) -> None:
        """job-interview-create's template id has format uuid; from-array's has none."""
        assert spec.validate_request(CREATE, "post", interview(interview_template_id="tpl-1")) == (
            "interview_template_id",
            "interview_template_id must be a valid UUID",
        )
        assert (
            spec.validate_request(FROM_ARRAY, "post", from_array(interview_template_id="tpl-1"))
            is None
        )

    def test_responses_too(self) -> None:
        """The same checks hold an answer to the document."""
        answer = {"status": "ai_accept", "interview_url": "https://x/i?token=t"}
        assert spec.validate_response(CANDIDATE, "post", 200, answer) is None
        assert spec.validate_response(CANDIDATE, "post", "200", {"status": "maybe"}) == (
            "status",
            "status must be one of: ai_accept, recruiter_accept, recruiter_action, ai_reject,"
            " recruiter_reject, already-applied",
        )
        assert spec.validate_response(CANDIDATE, "post", 422, {"name": "x"}) == (
            "error",
            "error is required",
        )


class TestEveryOperation:
    """Nothing names an endpoint: the ones the sandbox does not serve yet are checked too."""

    def test_job_interview_update_body(self) -> None:
        assert spec.validate_request("job-interview-update", "post", {}) == (
            "position_id",
            "position_id is required",
        )

    @pytest.mark.parametrize(
        "path", ["merchant-avatar-list", "merchant-interview-list", "merchant-result-list"]
    )
    def test_list_queries(self, path: str) -> None:
        assert spec.validate_query(path, "get", {}) is None
        assert spec.validate_query(path, "get", {"limit": "50", "offset": "0"}) is None
        assert spec.validate_query(path, "get", {"limit": "5000"}) == (
            "limit",
            "limit must be at most 1000",
        )
        assert spec.validate_query(path, "get", {"limit": "many"}) == (
            "limit",
            "limit must be a whole number",
        )
        assert spec.validate_query(path, "get", {"merchant_id": "m-1"}) == (
            "merchant_id",
            "merchant_id must be a valid UUID",
        )

    def test_a_required_query_parameter(self) -> None:
        assert spec.validate_query("job-interview-details", "GET", {}) == (
            "interview_result_id",
            "interview_result_id is required",
        )
        query = {"interview_result_id": TEMPLATE_ID, "get_signed_recordings": "yes"}
        assert spec.validate_query("job-interview-details", "GET", query) == (
            "get_signed_recordings",
            "get_signed_recordings must be one of: true, false",
        )

    def test_query_values_are_read_as_their_declared_type(self) -> None:
        query = {"limit": "50", "include_archived": "true", "filter_text": "007", "other": "1"}
        assert spec.coerce_query("merchant-avatar-list", "get", query) == {
            "limit": 50,
            "include_archived": "true",  # a string enum in the document, not a boolean
            "filter_text": "007",
            "other": "1",
        }

    def test_operations_without_a_json_body_or_query(self) -> None:
        assert spec.request_schema("merchant-status", "get") is None
        assert spec.validate_request("merchant-status", "get", {"anything": 1}) is None
        assert spec.query_schema("platform-languages-list", "get") is None
        assert spec.validate_query("platform-languages-list", "get", {"x": "y"}) is None


class TestTheClientsOutputMeetsTheDocument:
    """What the client sends (its models' to_json) passes the document: no field of a sent
    body breaks a rule of the document, on every hand-checked sample payload."""

    def test_every_sample_payload(self) -> None:
        samples = sorted((Path(__file__).parents[1] / "sample_data").glob("*/expected.json"))
        assert samples
        checked = 0
        for sample in samples:
            for row, payload in json.loads(sample.read_text(encoding="utf-8"))["rows"].items():
                body = CandidateRequest.model_validate(payload).to_json()
                assert spec.validate_request(CANDIDATE, "post", body) is None, (sample, row)
                checked += 1
        assert checked >= 10


# ====================================================================== the sandbox


def answered(response: httpx.Response, path: str, method: str = "post") -> dict[str, Any]:
    """The answer's JSON, after checking it is an answer the document describes."""
    body: dict[str, Any] = response.json()
    assert spec.validate_response(path, method, response.status_code, body) is None, body
    return body


class TestTheSandboxAnswersByTheDocument:
    """Over real HTTP: what the document requires, refuses and allows, the sandbox does."""

    def test_a_valid_body_is_200(self, client: httpx.Client, sandbox: RunningSandbox) -> None:
        body = answered(client.post(CANDIDATE, json=candidate()), CANDIDATE)
        assert body["interview_url"].startswith("https://")
        assert sandbox.stats()["enrolments_created"] == 1

    @pytest.mark.parametrize("path", [CANDIDATE, CREATE, FROM_ARRAY])
    def test_each_missing_required_field_is_422_naming_it(
        self, client: httpx.Client, sandbox: RunningSandbox, path: str
    ) -> None:
        required = spec.request_schema(path, "post")["required"]
        assert len(required) >= 4
        for field in required:
            response = client.post(path, json=BUILDERS[path](**{field: ...}))
            assert response.status_code == 422, field
            assert answered(response, path) == {"error": f"{field} is required", "name": field}
        stats = sandbox.stats()
        assert (stats["enrolments_created"], stats["interviews"]) == (0, 0)

    @pytest.mark.parametrize("path", [CANDIDATE, CREATE, FROM_ARRAY])
    def test_a_wrong_enum_value_is_422_naming_the_field(
        self, client: httpx.Client, path: str
    ) -> None:
        fields = enum_fields(path)
        assert len(fields) >= 5
        for field in fields:
            response = client.post(path, json=BUILDERS[path](**{field: "not-a-choice"}))
            assert response.status_code == 422, field
            body = answered(response, path)
            assert body["name"] == field
            assert body["error"].startswith(f"{field} must be one of: ")

    @pytest.mark.parametrize("path", [CANDIDATE, CREATE, FROM_ARRAY])
    def test_null_for_every_nullable_field_is_accepted(
        self, client: httpx.Client, path: str
    ) -> None:
        position = client.post(CANDIDATE, json=candidate()).json()["position_def_set_id"]
        for field in nullable_fields(path):
            body = BUILDERS[path](**{field: None})
            if path == CANDIDATE and field != "position_def_set_id":
                body["position_def_set_id"] = position  # lifts "required without a position"
            response = client.post(path, json=body)
            assert response.status_code == 200, (field, response.text)
            answered(response, path)

    def test_the_create_endpoints_answer_their_documented_bodies(
        self, client: httpx.Client
    ) -> None:
        answered(client.post(CREATE, json=interview(is_embedded=True)), CREATE)
        answered(client.post(FROM_ARRAY, json=from_array()), FROM_ARRAY)

    def test_the_other_answers_are_documented_ones_too(self, client: httpx.Client) -> None:
        unknown = candidate(position_def_set_id="00000000-0000-0000-0000-000000000000")
        assert client.post(CANDIDATE, json=unknown).status_code == 404
        answered(client.post(CANDIDATE, json=unknown), CANDIDATE)
        answered(client.post(CANDIDATE, json=candidate()), CANDIDATE)
        again = answered(client.post(CANDIDATE, json=candidate()), CANDIDATE)
        assert again["status"] == "already-applied"
        answered(client.get("merchant-status"), "merchant-status", "get")
        answered(client.get("platform-languages-list"), "platform-languages-list", "get")

    def test_a_query_is_checked_as_the_document_types_it(self, client: httpx.Client) -> None:
        merchant = "11111111-2222-3333-4444-555555555555"
        ok = client.get("merchant-status", params={"merchant_id": merchant})
        assert answered(ok, "merchant-status", "get")["merchant_id"] == merchant
        bad = client.get("merchant-status", params={"merchant_id": "acme"})
        assert bad.status_code == 422
        assert bad.json() == {"error": "merchant_id must be a valid UUID", "name": "merchant_id"}

    def test_every_route_of_the_sandbox_is_an_operation_of_the_document(self) -> None:
        """So no endpoint of the sandbox can go unchecked."""
        routes = create_app()._routes
        assert len(routes) == 11  # the results list and details, the positions' four too
        for function, (method, _) in routes.items():
            spec.operation(function, method)


def refused_by(model: type[pydantic.BaseModel], body: dict[str, Any]) -> bool:
    try:
        model.model_validate(body)
    except pydantic.ValidationError:
        return True
    return False


#: The client's model accepts these (it rewrites them before sending), the document does
#: not: the sandbox, standing for the API, refuses them as the document says.
DOCUMENT_REFUSES = [
    ("mojito_language_code", {"mojito_language_code": "EN"}),  # the client lower-cases
    ("interview_attempts", {"interview_attempts": "3"}),  # the client reads text as a number
    ("candidate_external_id", {"candidate_external_id": 12345}),  # ... and a number as text
    ("max_duration", {"max_duration": "1200"}),
    (
        "pdf_export_auto_config.transcript",  # not nullable inside; the client drops a null
        {"pdf_export_auto_config": {"transcript": None}},
    ),
]
#: The client's model refuses these (it checks more than the document says), the
#: document accepts them: the sandbox enrols.
DOCUMENT_ACCEPTS = [
    {"colour": "blue"},  # no additionalProperties: false anywhere in the document
    {"candidate_email": "not-an-email"},  # a string, minLength 1: no syntax rule
    {"candidate_name": "   "},  # minLength 1 counts spaces; the client strips them
    {"candidate_country_code": "Slovakia"},  # "ISO country code" in words only
    {"position_country_code": "XX"},
    {"max_duration": -5},  # a number; no minimum
    {"interview_available_till": "31/12/2026"},  # "ISO date/time" in words only
    {"pdf_export_auto_config": {"mojito_language_code": "klingon"}},  # a plain string here
]


class TestIndependentOfTheClientsModels:
    """Where the client's models and the document disagree, the sandbox answers by the
    document: a bug in the client's models cannot hide behind the sandbox any more."""

    @pytest.mark.parametrize(("field", "change"), DOCUMENT_REFUSES)
    def test_the_client_accepts_the_document_refuses(
        self, client: httpx.Client, sandbox: RunningSandbox, field: str, change: dict[str, Any]
    ) -> None:
        body = candidate(**change)
        assert not refused_by(CandidateRequest, body)
        response = client.post(CANDIDATE, json=body)
        assert response.status_code == 422
        assert response.json()["name"] == field
        assert (field, response.json()["error"]) == spec.validate_request(CANDIDATE, "post", body)
        assert sandbox.stats()["enrolments_created"] == 0

    @pytest.mark.parametrize("change", DOCUMENT_ACCEPTS, ids=lambda c: next(iter(c)))
    def test_the_client_refuses_the_document_accepts(
        self, client: httpx.Client, sandbox: RunningSandbox, change: dict[str, Any]
    ) -> None:
        body = candidate(**change)
        assert refused_by(CandidateRequest, body)
        assert answered(client.post(CANDIDATE, json=body), CANDIDATE)["interview_url"]
        assert sandbox.stats()["enrolments_created"] == 1

    def test_create_more_questions_than_the_cap_is_not_an_error(self, client: httpx.Client) -> None:
        """The document: "Asking for more than the cap is not an error — you get the cap"."""
        body = interview(interview_length=41)
        assert refused_by(InterviewCreateRequest, body)  # the client stops at 40
        answer = answered(client.post(CREATE, json=body), CREATE)
        assert answer["questions_generated"] <= 40

    def test_from_array_ranges_stated_only_in_words(self, client: httpx.Client) -> None:
        """from-array's interview_attempts says "1-20" in its description, with no maximum."""
        body = from_array(interview_attempts=25, questions=[{"question": ""}])
        assert refused_by(InterviewCreateFromArrayRequest, body)
        answered(client.post(FROM_ARRAY, json=body), FROM_ARRAY)

    def test_the_sandbox_never_loads_the_clients_models(self) -> None:
        """A real sandbox, fed valid and invalid bodies, in a fresh interpreter."""
        script = textwrap.dedent(
            f"""
            import json, sys, httpx
            from sync.sandbox import run_sandbox
            with run_sandbox() as sandbox:
                with httpx.Client(base_url=sandbox.base_url, headers=sandbox.auth_headers) as c:
                    assert c.post({CANDIDATE!r}, json={candidate()!r}).status_code == 200
                    assert c.post({CANDIDATE!r}, json={{}}).status_code == 422
                    assert c.post({CREATE!r}, json={{}}).status_code == 422
                    assert c.get("merchant-status").status_code == 200
            print(json.dumps(sorted(m for m in sys.modules if m.startswith("sync."))))
            """
        )
        root = Path(__file__).parents[1]
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stderr
        loaded = set(json.loads(run.stdout))
        assert "sync.jobmojito.spec" in loaded
        client_side = {"sync.jobmojito.models", "sync.jobmojito.validate", "sync.jobmojito.client"}
        assert (
            "sync.jobmojito" in loaded
        )  # the walk saw the package: the check below means something
        # a package counts with its modules (sync.jobmojito.models is one since the split)
        assert not {m for m in loaded if m.startswith(tuple(f"{c}." for c in client_side))}
        assert not loaded & client_side
