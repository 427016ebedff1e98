"""The API models: a faithful transcription of the vendor's OpenAPI document."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import email_validator
import pytest
from helpers import CANDIDATE, candidate, from_array, merchant_status, readme_section
from helpers import interview as create
from pydantic import BaseModel, ValidationError

from sync.jobmojito.fields import shown
from sync.jobmojito.models import (
    CANDIDATE_FIELDS,
    DECISION_STATUSES,
    LANGUAGE_CODES,
    REQUIRED_CANDIDATE_FIELDS,
    ApiErrorBody,
    AvatarListResponse,
    CandidateRequest,
    CandidateResponse,
    InterviewCreateFromArrayRequest,
    InterviewCreateFromArrayResponse,
    InterviewCreateRequest,
    InterviewCreateResponse,
    InterviewDetails,
    InterviewListResponse,
    InterviewQuestion,
    InterviewUpdateRequest,
    InterviewUpdateResponse,
    LanguageAccent,
    MerchantResult,
    MerchantResultList,
    MerchantStatus,
    Pagination,
    PlatformLanguage,
    PlatformLanguagesListResponse,
    QuestionsDiff,
    SignedUrlRequest,
    TranscriptEntry,
)
from sync.jobmojito.spec import request_schema, response_schema

OPENAPI = Path(__file__).parents[1] / "sync/jobmojito/openapi.json"  # vendored, as published

# ------------------------------------------------------------------- payloads

REQUESTS: dict[type[BaseModel], Any] = {
    CandidateRequest: candidate,
    InterviewCreateRequest: create,
    InterviewCreateFromArrayRequest: from_array,
}


def errors(model: type[BaseModel], data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """``(loc, type)`` of every error ``model`` raises for ``data`` (``[]`` if valid)."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [(e["loc"], e["type"]) for e in exc.errors()]
    return []


def literal_values(annotation: Any) -> tuple[str, ...]:
    """The values of the ``Literal`` inside an annotation (through ``| None``, Annotated)."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    for arg in get_args(annotation):
        found = literal_values(arg)
        if found:
            return found
    return ()


def model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


# ----------------------------------------------------------- the document


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    """The document's schemas (the full document: every name the models use is there)."""
    return json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"]  # type: ignore[no-any-return]


#: schema name in the document -> model here
MODELS: dict[str, type[BaseModel]] = {
    "JobInterviewCreateForCandidateWithTokenRequest": CandidateRequest,
    "JobInterviewCreateForCandidateWithTokenResponse": CandidateResponse,
    "JobInterviewCreateRequest": InterviewCreateRequest,
    "JobInterviewCreateResponse": InterviewCreateResponse,
    "JobInterviewCreateFromArrayRequest": InterviewCreateFromArrayRequest,
    "JobInterviewCreateFromArrayQuestion": InterviewQuestion,
    "JobInterviewCreateFromArrayResponse": InterviewCreateFromArrayResponse,
    "Error": ApiErrorBody,
    "MerchantStatus": MerchantStatus,
    "PlatformLanguage": PlatformLanguage,
    "LanguageAccent": LanguageAccent,
    "PlatformLanguagesListResponse": PlatformLanguagesListResponse,
    "JobInterviewUpdateRequest": InterviewUpdateRequest,
    "JobInterviewUpdateResponse": InterviewUpdateResponse,
    "JobInterviewQuestionsDiff": QuestionsDiff,
    "JobInterviewTokenRequest": SignedUrlRequest,
    "MerchantAvatarListResponse": AvatarListResponse,
    "MerchantInterviewListResponse": InterviewListResponse,
    "MerchantResultListResponse": MerchantResultList,
    "Pagination": Pagination,
    "JobInterviewDetailsResponse": InterviewDetails,
}
#: (schema, array property, model of its inline items) of the responses
RESPONSE_ITEMS: list[tuple[str, str, type[BaseModel]]] = [
    ("MerchantResultListResponse", "data", MerchantResult),
    ("JobInterviewDetailsResponse", "transcript", TranscriptEntry),
]
REQUEST_SCHEMAS = {
    "JobInterviewCreateForCandidateWithTokenRequest": CandidateRequest,
    "JobInterviewCreateRequest": InterviewCreateRequest,
    "JobInterviewCreateFromArrayRequest": InterviewCreateFromArrayRequest,
}


def object_schemas(components: dict[str, Any]) -> list[tuple[str, dict[str, Any], type[BaseModel]]]:
    """Every (name, schema, model) pair, nested objects of the requests included."""
    pairs = [(name, components[name], model) for name, model in MODELS.items()]
    for name, model in REQUEST_SCHEMAS.items():
        for prop, spec in components[name]["properties"].items():
            if "properties" in spec:
                nested = model_in(model.model_fields[prop].annotation)
                assert nested is not None, f"{name}.{prop} is an object in the document"
                pairs.append((f"{name}.{prop}", spec, nested))
    question = components["JobInterviewCreateFromArrayQuestion"]
    spec = question["properties"]["candidate_expectations_json"]
    nested = model_in(InterviewQuestion.model_fields["candidate_expectations_json"].annotation)
    assert nested is not None
    pairs.append(("JobInterviewCreateFromArrayQuestion.candidate_expectations_json", spec, nested))
    for name, prop, item_model in RESPONSE_ITEMS:
        items = components[name]["properties"][prop]["items"]
        pairs.append((f"{name}.{prop}[]", items, item_model))
    return pairs


class TestMatchesTheDocument:
    """Field names, required fields, enums, ranges and nullability equal the document's."""

    def test_field_names_equal_the_documents_properties(self, components):
        """Every model has exactly the properties of its schema: drift fails here."""
        for name, spec, model in object_schemas(components):
            assert set(model.model_fields) == set(spec["properties"]), name

    def test_required_fields_equal_the_documents(self, components):
        """What the document requires, the model requires, and nothing more."""
        for name, spec, model in object_schemas(components):
            required = {n for n, f in model.model_fields.items() if f.is_required()}
            assert required == set(spec.get("required", [])), name

    def test_enums_equal_the_documents(self, components):
        """Every enum of the document is the model's Literal, values in the same order."""
        checked = 0
        for name, spec, model in object_schemas(components):
            for prop, prop_spec in spec["properties"].items():
                if "enum" in prop_spec:
                    annotation = model.model_fields[prop].annotation
                    assert literal_values(annotation) == tuple(prop_spec["enum"]), (name, prop)
                    checked += 1
        assert checked >= 30

    def test_language_codes_are_the_documents_34_in_order(self, components):
        """LANGUAGE_CODES is the document's list of platform codes, in its order."""
        spec = components["JobInterviewCreateForCandidateWithTokenRequest"]["properties"]
        assert tuple(spec["mojito_language_code"]["enum"]) == LANGUAGE_CODES
        assert len(LANGUAGE_CODES) == 34

    def test_decision_statuses_are_the_documents(self, components):
        """DECISION_STATUSES is the candidate response's status enum."""
        spec = components["JobInterviewCreateForCandidateWithTokenResponse"]["properties"]
        assert tuple(spec["status"]["enum"]) == DECISION_STATUSES

    def test_candidate_field_sets_for_the_mapping(self, components):
        """CANDIDATE_FIELDS and REQUIRED_CANDIDATE_FIELDS are the candidate schema's."""
        spec = components["JobInterviewCreateForCandidateWithTokenRequest"]
        assert set(spec["properties"]) == CANDIDATE_FIELDS
        assert set(spec["required"]) == REQUIRED_CANDIDATE_FIELDS

    def test_nullable_fields_accept_null_and_leave_it_out(self, components):
        """A field the document marks nullable takes None, and the body omits it."""
        for name, model in REQUEST_SCHEMAS.items():
            build = REQUESTS[model]
            for prop, spec in components[name]["properties"].items():
                if spec.get("nullable"):
                    data = build() | {prop: None}
                    if model is CandidateRequest and prop != "position_def_set_id":
                        data["position_def_set_id"] = "pos-1"  # lifts the position rule
                    request = model.model_validate(data)
                    assert prop not in request.to_json(), (name, prop)  # type: ignore[attr-defined]

    def test_documented_ranges_hold_at_and_beyond_their_bounds(self, components):
        """minimum/maximum in the document: the bounds pass, just beyond them fails."""
        checked = 0
        for name, model in REQUEST_SCHEMAS.items():
            build = REQUESTS[model]
            for prop, spec in components[name]["properties"].items():
                if "minimum" not in spec:
                    continue
                step = 1 if spec["type"] == "integer" else 0.001
                lo, hi = spec["minimum"], spec["maximum"]
                assert errors(model, build(**{prop: lo})) == [], (name, prop, lo)
                assert errors(model, build(**{prop: hi})) == [], (name, prop, hi)
                assert errors(model, build(**{prop: lo - step})) != [], (name, prop)
                assert errors(model, build(**{prop: hi + step})) != [], (name, prop)
                checked += 1
        assert checked >= 6

    def test_min_length_fields_refuse_blank(self, components):
        """minLength 1 in the document: a blank string is missing."""
        for name, model in REQUEST_SCHEMAS.items():
            build = REQUESTS[model]
            for prop, spec in components[name]["properties"].items():
                if spec.get("minLength") == 1:
                    assert errors(model, build(**{prop: "  "})) == [((prop,), "missing")], prop


CREATE_REQUIRED = [
    "name",
    "location",
    "interview_template_id",
    "mojito_language_code",
    "status",
    "type",
    "visibility",
]


class TestRequiredFields:
    """Each required field is refused when missing, null or blank, one error naming it."""

    @pytest.mark.parametrize("field", sorted(REQUIRED_CANDIDATE_FIELDS))
    @pytest.mark.parametrize("absent", ["missing", None, "", "   "])
    def test_candidate_fields(self, field, absent):
        """candidate_name, _email, _country_code and _resume are always required."""
        data = candidate()
        if absent == "missing":
            del data[field]
        else:
            data[field] = absent
        assert errors(CandidateRequest, data) == [((field,), "missing")]

    def test_the_four_always_required(self):
        """REQUIRED_CANDIDATE_FIELDS (what every mapping must map) are the four fields the
        vendor's document requires of a candidate request."""
        required = request_schema(CANDIDATE, "post")["required"]
        assert len(required) == 4
        assert set(required) == REQUIRED_CANDIDATE_FIELDS

    @pytest.mark.parametrize("field", CREATE_REQUIRED)
    def test_create_requires_its_seven(self, field):
        """Each of job-interview-create's seven required fields is refused when missing."""
        assert errors(InterviewCreateRequest, create(**{field: ...})) == [((field,), "missing")]

    def test_create_needs_nothing_else(self):
        """Description and everything else are optional on job-interview-create."""
        assert errors(InterviewCreateRequest, create()) == []

    @pytest.mark.parametrize("field", [*CREATE_REQUIRED, "description", "questions"])
    def test_from_array_requires_its_nine(self, field):
        """job-interview-create-from-array also needs a description and the questions."""
        assert errors(InterviewCreateFromArrayRequest, from_array(**{field: ...})) == [
            ((field,), "missing")
        ]


class TestPositionRule:
    """Without position_def_set_id, the position's name, location, country, language are needed."""

    FIELDS = ("position_name", "position_location", "position_country_code", "mojito_language_code")

    @pytest.mark.parametrize("field", FIELDS)
    def test_each_missing_field_is_one_error_naming_it(self, field):
        """One missing position field gives exactly one error, at that field."""
        assert errors(CandidateRequest, candidate(**{field: ...})) == [
            ((field,), "required_without_position")
        ]

    def test_all_four_missing_give_four_errors(self):
        """All four missing: one error each, none merged."""
        data = candidate(**dict.fromkeys(self.FIELDS, ...))
        assert errors(CandidateRequest, data) == [
            ((f,), "required_without_position") for f in self.FIELDS
        ]

    def test_position_def_set_id_makes_them_optional(self):
        """With position_def_set_id the position fields may all be absent."""
        data = candidate(**dict.fromkeys(self.FIELDS, ...), position_def_set_id="pos-1")
        assert errors(CandidateRequest, data) == []
        assert CandidateRequest.model_validate(data).to_json()["position_def_set_id"] == "pos-1"

    def test_blank_position_def_set_id_counts_as_absent(self):
        """A blank position_def_set_id does not lift the rule."""
        data = candidate(position_name=..., position_def_set_id="  ")
        assert errors(CandidateRequest, data) == [(("position_name",), "required_without_position")]

    def test_blank_field_is_missing(self):
        """A blank position_location is as missing as an absent one."""
        assert errors(CandidateRequest, candidate(position_location=" ")) == [
            (("position_location",), "required_without_position")
        ]

    def test_given_fields_are_still_checked_with_a_def_set_id(self):
        """position_def_set_id lifts the requirement, not the checks."""
        data = candidate(position_def_set_id="pos-1", position_country_code="XX")
        assert errors(CandidateRequest, data) == [(("position_country_code",), "country_code")]


ENUM_FIELDS: list[tuple[type[BaseModel], str]] = [
    (CandidateRequest, "mojito_language_code"),
    (CandidateRequest, "candidate_video_introduction"),
    (CandidateRequest, "seniority_level"),
    (CandidateRequest, "result_view"),
    (CandidateRequest, "interview_conversation_speed"),
    (InterviewCreateRequest, "status"),
    (InterviewCreateRequest, "type"),
    (InterviewCreateRequest, "visibility"),
    (InterviewCreateRequest, "recording"),
    (InterviewCreateRequest, "recording_full_session"),
    (InterviewCreateRequest, "interview_type"),
    (InterviewCreateRequest, "mojito_language_code"),
    (InterviewCreateFromArrayRequest, "interview_type"),
    (InterviewCreateFromArrayRequest, "status"),
]


class TestEnums:
    """Every enum refuses a value outside it and accepts each value inside it."""

    @pytest.mark.parametrize(
        ("model", "field"), ENUM_FIELDS, ids=lambda p: getattr(p, "__name__", p)
    )
    def test_bad_value_refused(self, model, field):
        """A value outside the enum is a literal error at that field."""
        assert errors(model, REQUESTS[model](**{field: "bogus"})) == [((field,), "literal_error")]

    @pytest.mark.parametrize(
        ("model", "field"), ENUM_FIELDS, ids=lambda p: getattr(p, "__name__", p)
    )
    def test_every_value_accepted(self, model, field):
        """Each value of the enum passes and is sent as given."""
        for value in literal_values(model.model_fields[field].annotation):
            request = model.model_validate(REQUESTS[model](**{field: value}))
            assert request.to_json()[field] == value  # type: ignore[attr-defined]

    def test_language_code_case_is_ignored(self):
        """'EN' is read as the platform code 'en'."""
        request = CandidateRequest.model_validate(candidate(mojito_language_code=" EN "))
        assert request.mojito_language_code == "en"

    def test_pdf_template_and_report_language(self):
        """pdf_export_auto_config.template and .mojito_language_code are checked."""
        bad = candidate(pdf_export_auto_config={"template": "fancy", "mojito_language_code": "xx"})
        assert errors(CandidateRequest, bad) == [
            (("pdf_export_auto_config", "mojito_language_code"), "literal_error"),
            (("pdf_export_auto_config", "template"), "literal_error"),
        ]

    def test_question_language_is_checked(self):
        """A question's own mojito_language_code must be a platform code."""
        data = from_array(questions=[{"question": "Q?", "mojito_language_code": "english"}])
        assert errors(InterviewCreateFromArrayRequest, data) == [
            (("questions", 0, "mojito_language_code"), "literal_error")
        ]


class TestRanges:
    """Numeric fields hold their ranges at and beyond their bounds; text numbers are read."""

    @pytest.mark.parametrize(
        ("field", "ok", "bad"),
        [
            ("interview_attempts", [1, 20, "3", 2.5], [0, 21, 0.999, 20.001, -1]),
            ("max_followups", [0, 999, "4", 3.0], [-1, 1000, 2.5, "2.5"]),
            ("questions_random_subset", [0.01, 0.9, "0.5"], [0, 0.009, 0.91, 1]),
            ("max_duration", [1, 1200, "1800", 90.5], [0, -60]),
        ],
    )
    def test_candidate_numbers(self, field, ok, bad):
        """Each bound passes; just beyond it is refused."""
        for value in ok:
            assert errors(CandidateRequest, candidate(**{field: value})) == [], value
        for value in bad:
            assert len(errors(CandidateRequest, candidate(**{field: value}))) == 1, value

    @pytest.mark.parametrize(
        ("value", "sent"), [(1, 1), (40, 40), ("8", 8), (" 12 ", 12), (8.0, 8)]
    )
    def test_interview_length_accepts_whole_numbers_and_numeric_text(self, value, sent):
        """interview_length is number-or-string in the document: 1–40, sent as a number."""
        request = InterviewCreateRequest.model_validate(create(interview_length=value))
        assert request.to_json()["interview_length"] == sent

    @pytest.mark.parametrize("value", [0, 41, "41", "eight", 8.5, True])
    def test_interview_length_refuses_the_rest(self, value):
        """Outside 1–40, not a number, or not whole: refused."""
        assert errors(InterviewCreateRequest, create(interview_length=value)) != []

    @pytest.mark.parametrize("value", [True, "abc", "nan", float("inf"), [3]])
    def test_non_numbers_refused(self, value):
        """Booleans, words, NaN, infinity and lists are not numbers."""
        assert errors(CandidateRequest, candidate(interview_attempts=value)) != []

    def test_from_array_ranges_from_the_descriptions(self):
        """from-array only describes 1–20 and 0.01–0.9 in words; they hold there too."""
        assert errors(InterviewCreateFromArrayRequest, from_array(interview_attempts=25)) != []
        assert errors(InterviewCreateFromArrayRequest, from_array(questions_random_subset=1)) != []
        assert errors(InterviewCreateFromArrayRequest, from_array(interview_attempts=20)) == []

    def test_whole_numbers_stay_whole_in_the_body(self):
        """'3' is sent as 3, not '3' nor 3.0."""
        body = CandidateRequest.model_validate(candidate(interview_attempts="3")).to_json()
        assert body["interview_attempts"] == 3
        assert isinstance(body["interview_attempts"], int)


class TestCountryCodes:
    """Country codes are ISO 3166-1 alpha-2, upper-cased; near misses get a hint."""

    @pytest.mark.parametrize("field", ["candidate_country_code", "position_country_code"])
    def test_lower_case_is_accepted_and_upper_cased(self, field):
        """'pt' is sent as 'PT'."""
        body = CandidateRequest.model_validate(candidate(**{field: " pt "})).to_json()
        assert body[field] == "PT"

    @pytest.mark.parametrize("field", ["candidate_country_code", "position_country_code"])
    @pytest.mark.parametrize("value", ["XX", "ZZ", "D", "Portugal!"])
    def test_unknown_codes_refused(self, field, value):
        """A code that is not a real ISO 3166-1 alpha-2 country is refused."""
        assert errors(CandidateRequest, candidate(**{field: value})) == [((field,), "country_code")]

    @pytest.mark.parametrize(
        ("value", "hint"), [("UK", "GB"), ("uk", "GB"), ("DEU", "DE"), ("Germany", "DE")]
    )
    def test_near_misses_refused_with_a_hint(self, value, hint):
        """UK is not ISO (GB is); alpha-3 codes and names are refused, naming the code."""
        with pytest.raises(ValidationError) as info:
            CandidateRequest.model_validate(candidate(candidate_country_code=value))
        (error,) = info.value.errors()
        assert error["type"] == "country_code"
        assert error["msg"].endswith(f"(did you mean {hint}?)")


class TestEmail:
    """candidate_email is checked for syntax only and kept as given, trimmed."""

    def test_kept_as_given_but_trimmed(self):
        """No normalisation (case kept); only the surrounding space goes."""
        body = CandidateRequest.model_validate(
            candidate(candidate_email="  Ana.Silva+jobs@Example.COM ")
        ).to_json()
        assert body["candidate_email"] == "Ana.Silva+jobs@Example.COM"

    @pytest.mark.parametrize(
        "value",
        ["bob@", "@example.com", "bob", "bob@@example.com", "bob@example", "a..b@example.com",
         "bob@exa mple.com", "Bob <bob@example.com>", "bob@example.test", "bob@-x.com"],
    )  # fmt: skip
    def test_bad_syntax_refused(self, value):
        """Addresses email-validator refuses are refused."""
        assert errors(CandidateRequest, candidate(candidate_email=value)) == [
            (("candidate_email",), "email")
        ]

    @pytest.mark.parametrize(
        "value", ["x@example.com", "o'brien@example.ie", "jürgen@müller.de", "a@xn--mller-kva.de"]
    )
    def test_unusual_but_valid_addresses_accepted(self, value):
        """Apostrophes, international and Punycode addresses pass (no DNS look-up)."""
        assert errors(CandidateRequest, candidate(candidate_email=value)) == []

    def test_agrees_with_email_validator(self):
        """The fast path for plain addresses never accepts what email-validator refuses."""
        rng = random.Random(1234)

        def part(alphabet: str) -> str:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))

        tlds = ["com", "de", "io", "test", "local", "c", "co1", "xn--p1ai", "-com", "c-m"]
        corpus = [
            part("abXY09_%+-.'")
            + rng.choice(["@", "@", "@", "@@", ""])
            + ".".join(part("abz09-") for _ in range(rng.randint(1, 3)))
            + rng.choice(["", "."])
            + rng.choice(tlds)
            for _ in range(3000)
        ]
        corpus += [
            "a" * 64 + "@example.com",
            "a" * 65 + "@example.com",
            "a@" + "b" * 63 + ".com",
            "a@" + "b" * 64 + ".com",
            "a@" + ".".join(["b" * 60] * 4) + ".com",
            "a@ab--cd.com",
            "a@123.com",
            "a@x.123",
        ]
        for value in corpus:
            try:
                email_validator.validate_email(value, check_deliverability=False)
                expected = True
            except email_validator.EmailNotValidError:
                expected = False
            accepted = not errors(CandidateRequest, candidate(candidate_email=value))
            assert accepted is expected, value

    def test_plain_addresses_skip_the_slow_check(self, monkeypatch):
        """On the benchmark path a plain address never reaches email-validator (~45 µs)."""

        def boom(*args: object, **kwargs: object) -> None:
            raise AssertionError("email-validator called for a plain address")

        monkeypatch.setattr(email_validator, "validate_email", boom)
        assert errors(CandidateRequest, candidate(candidate_email="c12345@example.com")) == []


class TestUnknownKeys:
    """Requests refuse keys the document does not list; responses keep them."""

    @pytest.mark.parametrize("model", list(REQUESTS), ids=lambda m: m.__name__)
    def test_request_refuses_unknown_key(self, model):
        """An unknown top-level key is an error at that key."""
        assert errors(model, REQUESTS[model](colour="red")) == [(("colour",), "extra_forbidden")]

    def test_nested_objects_refuse_unknown_keys(self):
        """hiring_for_company and pdf_export_auto_config list their keys too."""
        data = candidate(hiring_for_company={"nmae": "Acme"}, pdf_export_auto_config={"pdf": 1})
        assert errors(CandidateRequest, data) == [
            (("hiring_for_company", "nmae"), "extra_forbidden"),
            (("pdf_export_auto_config", "pdf"), "extra_forbidden"),
        ]

    def test_question_keeps_extra_keys_as_the_document_allows(self):
        """A question's schema has additionalProperties: its extra keys are sent on."""
        data = from_array(questions=[{"question": "Q?", "weight": 2}])
        body = InterviewCreateFromArrayRequest.model_validate(data).to_json()
        assert body["questions"] == [{"question": "Q?", "weight": 2}]


class TestToJson:
    """to_json is the body sent: JSON types, no None, blanks left out."""

    def test_none_and_blank_fields_are_dropped(self):
        """Optional fields given as None or blank text do not appear in the body."""
        body = CandidateRequest.model_validate(
            candidate(position_external_id="", welcome_message=None, candidate_linkedin_url=" ")
        ).to_json()
        assert set(body) == set(candidate())

    def test_strings_are_trimmed_and_nested_objects_dumped(self):
        """Surrounding space goes; nested models become plain dicts without None."""
        body = CandidateRequest.model_validate(
            candidate(candidate_name="  Ana  ", hiring_for_company={"name": "Acme", "sector": None})
        ).to_json()
        assert body["candidate_name"] == "Ana"
        assert body["hiring_for_company"] == {"name": "Acme"}
        json.dumps(body)

    def test_numeric_text_fields_accept_numbers(self):
        """A numeric external id from a spreadsheet is sent as text."""
        body = CandidateRequest.model_validate(candidate(candidate_external_id=12345)).to_json()
        assert body["candidate_external_id"] == "12345"

    def test_iso_date_checked_and_kept(self):
        """interview_available_till must be ISO 8601 and is sent as given."""
        ok = candidate(interview_available_till="2026-12-31")
        assert CandidateRequest.model_validate(ok).to_json()["interview_available_till"] == (
            "2026-12-31"
        )
        assert errors(CandidateRequest, candidate(interview_available_till="31/12/2026")) == [
            (("interview_available_till",), "iso_datetime")
        ]

    def test_create_template_id_is_a_uuid(self):
        """job-interview-create's interview_template_id has format uuid."""
        assert errors(InterviewCreateRequest, create(interview_template_id="tpl-1")) == [
            (("interview_template_id",), "uuid")
        ]
        # from-array's has no format: any text is a template id there
        assert (
            errors(InterviewCreateFromArrayRequest, from_array(interview_template_id="tpl-1")) == []
        )


class TestFromArray:
    """from-array needs at least one question, and each question its text."""

    def test_empty_question_list_refused(self):
        """questions: [] is refused (minItems 1)."""
        assert errors(InterviewCreateFromArrayRequest, from_array(questions=[])) == [
            (("questions",), "too_short")
        ]

    @pytest.mark.parametrize("question", [{}, {"question": "  "}, {"id": "q1"}])
    def test_each_question_needs_its_text(self, question):
        """A question without text is refused at its index."""
        data = from_array(questions=[{"question": "Q1?"}, question])
        assert errors(InterviewCreateFromArrayRequest, data) == [
            (("questions", 1, "question"), "missing")
        ]

    def test_full_question_is_sent(self):
        """Optional question fields pass through to the body."""
        question = {
            "question": "Tell us about a project.",
            "id": "q1",
            "duration": 120,
            "is_conditional": False,
            "question_alternatives": ["Describe a project."],
            "candidate_expectations_json": {"weak": ["some"], "strong": ["much"]},
        }
        body = InterviewCreateFromArrayRequest.model_validate(
            from_array(questions=[question])
        ).to_json()
        assert body["questions"] == [question]


class TestResponses:
    """Responses parse the documented bodies, keep unknown keys and check the decision."""

    @pytest.mark.parametrize("status", DECISION_STATUSES)
    def test_all_six_decisions_accepted(self, status):
        """Each documented decision status parses."""
        response = CandidateResponse.model_validate(
            {"status": status, "interview_url": "https://x"}
        )
        assert response.status == status

    def test_all_six_are_the_documented_ones(self):
        """The decision statuses are the vendor document's enum for the candidate answer's
        status, in its order, and the README's results table lists them as sent."""
        answer = response_schema(CANDIDATE, "post", "200")
        assert list(DECISION_STATUSES) == answer["properties"]["status"]["enum"]
        assert len(DECISION_STATUSES) == 6
        row = next(
            line
            for line in readme_section("The results sheet").splitlines()
            if line.startswith("| `ai_accept`")
        )
        assert re.findall(r"`([\w-]+)`", row.split("|")[1]) == list(DECISION_STATUSES)
        assert row.split("|")[3].strip() == "yes"  # sent

    def test_unknown_decision_refused(self):
        """A status outside the enum is not silently taken for a decision."""
        assert errors(CandidateResponse, {"status": "maybe", "interview_url": "u"}) == [
            (("status",), "literal_error")
        ]

    def test_extra_keys_are_kept(self):
        """A field the live API adds does not break parsing and survives to_json."""
        body = {"status": "ai_accept", "interview_url": "u", "new_field": {"a": 1}}
        response = CandidateResponse.model_validate(body)
        assert response.to_json() == body

    def test_interview_url_required(self):
        """status and interview_url are required."""
        assert errors(CandidateResponse, {"status": "ai_accept"}) == [
            (("interview_url",), "missing")
        ]

    def test_create_responses(self):
        """job-interview-create answers questions_generated and max_duration (seconds)."""
        response = InterviewCreateResponse.model_validate(
            {"interview_def_set_id": "i", "questions_generated": 8, "max_duration": 1200}
        )
        assert (response.questions_generated, response.max_duration) == (8, 1200)
        assert errors(InterviewCreateFromArrayResponse, {"embed_id": "e"}) == [
            (("interview_def_set_id",), "missing")
        ]

    def test_error_body(self):
        """{"error": ..., "name": ...}; name is optional."""
        assert ApiErrorBody.model_validate({"error": "Field is required."}).name is None
        body = {"error": "Field is required.", "name": "candidate_email"}
        assert ApiErrorBody.model_validate(body).to_json() == body

    def test_merchant_status_nullables(self):
        """Nullable merchant-status fields take null; required ones must be present."""
        body = merchant_status(
            default_merchant_id=None,
            credits_interview_monthly=10,
            credits_interview_monthly_limit=None,
            subscription_status=None,
            invitations_limit=None,
            invitations_available=None,
            later_field=True,
        )
        assert MerchantStatus.model_validate(body).credits_interview_monthly == 10
        del body["credits_interview_monthly"]
        assert errors(MerchantStatus, body) == [(("credits_interview_monthly",), "missing")]

    def test_platform_languages(self):
        """The languages list parses with its accents."""
        language = {
            "code": "en",
            "name_english": "English",
            "name_local": "English",
            "flag_image": "https://x/us.svg",
            "flag_emoji": "🇺🇸",
            "flag_unicode": "U+1F1FA U+1F1F8",
            "coaching_interface": True,
            "interview_interface": True,
            "admin_interface": True,
            "accents": [{"code": "en-GB", "name": "English (United Kingdom)"}],
        }
        parsed = PlatformLanguagesListResponse.model_validate({"languages": [language]})
        assert parsed.languages[0].accents[0].code == "en-GB"


class TestShown:
    """Messages show at most 60 characters of a value, on one line."""

    def test_long_values_truncated_with_an_ellipsis(self):
        """A 200-character value is cut to 60 with '…'."""
        text = shown("x" * 200)
        assert text == repr("x" * 59 + "…")

    def test_short_values_quoted_whole(self):
        """Short values are shown whole, quoted; newlines escaped."""
        assert shown("bob@") == "'bob@'"
        assert "\n" not in shown("a\nb")

    def test_validation_error_text_hides_inputs(self):
        """str(ValidationError) of a request never carries the resume."""
        with pytest.raises(ValidationError) as info:
            CandidateRequest.model_validate(
                candidate(candidate_name=..., candidate_resume=["SECRET RESUME TEXT"])
            )
        assert "SECRET" not in str(info.value)
