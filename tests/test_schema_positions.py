"""The interview-definition models, cross-checked with the vendor's OpenAPI document.

``tests/test_schema.py`` checks the top-level schemas (names, required fields,
enums); here the parts it does not reach: the list items, the update's nested
objects, its ranges and nullable fields, and what the list answers carry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from sync.jobmojito.models import (
    AvatarListResponse,
    AvatarTemplate,
    InterviewCreateRequest,
    InterviewListItem,
    InterviewListResponse,
    InterviewUpdateRequest,
    QuestionReplaced,
    QuestionsDiff,
    SignedUrl,
)

OPENAPI = Path(__file__).parents[1] / "sync/jobmojito/openapi.json"
POSITION_ID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]  # type: ignore[no-any-return]


def names(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def required(model: type[BaseModel]) -> set[str]:
    return {
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    }


class TestMatchesTheDocument:
    """List items and nested objects have the document's fields, required as it says."""

    @pytest.mark.parametrize(
        ("schema", "model"),
        [
            ("MerchantAvatarListResponse", AvatarTemplate),
            ("MerchantInterviewListResponse", InterviewListItem),
        ],
    )
    def test_list_items(self, schemas, schema, model):
        items = schemas[schema]["properties"]["data"]["items"]
        assert names(model) == set(items["properties"])
        assert required(model) == set(items["required"])

    def test_a_replaced_question(self, schemas):
        spec = schemas["JobInterviewQuestionsDiff"]["properties"]["replaced"]["items"]
        assert names(QuestionReplaced) == set(spec["properties"]) == required(QuestionReplaced)

    def test_the_updates_nested_objects_are_the_create_requests(self, schemas):
        """hiring_for_company, pdf_export_auto_config, candidate_expectations_json: the
        same schemas in both documents' requests, so the same models."""
        update = schemas["JobInterviewUpdateRequest"]["properties"]
        create = schemas["JobInterviewCreateRequest"]["properties"]
        for prop in ("hiring_for_company", "pdf_export_auto_config"):
            assert update[prop]["properties"] == create[prop]["properties"], prop
            assert (
                InterviewUpdateRequest.model_fields[prop].annotation
                == InterviewCreateRequest.model_fields[prop].annotation
            )

    def test_documented_ranges(self, schemas):
        base = {"position_id": POSITION_ID}
        checked = 0
        for prop, spec in schemas["JobInterviewUpdateRequest"]["properties"].items():
            if "minimum" not in spec:
                continue
            step = 1 if spec["type"] == "integer" else 0.001
            lo, hi = spec["minimum"], spec["maximum"]
            for value, ok in ((lo, True), (hi, True), (lo - step, False), (hi + step, False)):
                try:
                    InterviewUpdateRequest.model_validate({**base, prop: value})
                except ValidationError:
                    assert not ok, (prop, value)
                else:
                    assert ok, (prop, value)
            checked += 1
        assert checked == 3  # max_followups, questions_random_subset, interview_attempts

    def test_nullable_fields_accept_null_and_leave_it_out(self, schemas):
        for prop, spec in schemas["JobInterviewUpdateRequest"]["properties"].items():
            if spec.get("nullable"):
                body = InterviewUpdateRequest.model_validate(
                    {"position_id": POSITION_ID, prop: None}
                )
                assert body.to_json() == {"position_id": POSITION_ID}, prop


class TestUpdateRequest:
    """Only what is sent is written: the body carries nothing else."""

    def test_only_the_fields_given(self):
        body = InterviewUpdateRequest.model_validate(
            {"position_id": POSITION_ID, "description": " New ", "interview_template_id": " "}
        ).to_json()
        assert body == {"position_id": POSITION_ID, "description": "New"}

    def test_the_language_cannot_be_sent(self):
        with pytest.raises(ValidationError, match="mojito_language_code"):
            InterviewUpdateRequest.model_validate(
                {"position_id": POSITION_ID, "mojito_language_code": "en"}
            )

    def test_position_id_is_a_uuid(self):
        with pytest.raises(ValidationError):
            InterviewUpdateRequest.model_validate({"position_id": "JOB-1"})


class TestAnswers:
    """The answers as the API gives them; extra keys kept."""

    def test_the_interview_list_carries_codes_as_an_extra_key(self):
        page = InterviewListResponse.model_validate(
            {"data": [{"id": "a", "code": " JOB-1 "}, {"id": "b"}, {"id": "c", "code": 7}],
             "pagination": {"total": 3, "limit": 50, "offset": 0, "has_more": False}}
        )  # fmt: skip
        assert [item.external_code() for item in page.data] == ["JOB-1", None, None]

    def test_the_avatar_list_and_a_signed_url(self):
        page = AvatarListResponse.model_validate(
            {"data": [{"id": "t", "name": "Emma", "voice": "x"}],
             "pagination": {"total": 1, "limit": 50, "offset": 0, "has_more": False}}
        )  # fmt: skip
        assert page.data[0].name == "Emma" and page.data[0].model_extra == {"voice": "x"}
        assert SignedUrl.model_validate("https://x/y").root == "https://x/y"

    def test_a_question_diff_dumps_from_by_its_name(self):
        diff = QuestionsDiff.model_validate(
            {"kept": [], "added": ["n"], "removed": [], "replaced": [{"from": "a", "to": "b"}],
             "question_ids": ["n", "b"], "reactivated": False}
        )  # fmt: skip
        assert diff.to_json()["replaced"] == [{"from": "a", "to": "b"}]
