"""The validation step: payload -> body to send, or one readable line per problem."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from helpers import candidate
from pydantic import ValidationError

from sync.jobmojito.models import (
    LANGUAGE_CODES,
    CandidateRequest,
    InterviewCreateFromArrayRequest,
    InterviewCreateRequest,
)
from sync.jobmojito.validate import (
    Validated,
    first_error_field_and_message,
    format_validation_error,
    validate_candidate,
)

RESUME = "Jane Doe, 12 Secret Street, born 1990-01-01. Experience: ten years of Python."


def payload(**over: Any) -> dict[str, Any]:
    """A valid payload whose resume is private text; ``field=...`` removes a key."""
    return candidate(**{"candidate_resume": RESUME, **over})


def problems(**over: Any) -> tuple[str, ...]:
    return validate_candidate(payload(**over)).problems


def error_of(model: type[Any], data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value


class TestValidPayload:
    """A valid payload gives the request, its JSON body, and no problems."""

    def test_body_is_the_requests_json(self):
        """body == request.to_json(): trimmed, upper-cased country, no None."""
        checked = validate_candidate(payload(candidate_country_code="pt", welcome_message=None))
        assert checked.ok
        assert checked.problems == ()
        assert checked.request is not None
        assert checked.body == checked.request.to_json()
        assert checked.body["candidate_country_code"] == "PT"
        assert "welcome_message" not in checked.body

    def test_result_is_frozen(self):
        """Validated is immutable, so steps cannot change each other's results."""
        checked = validate_candidate(payload())
        with pytest.raises(dataclasses.FrozenInstanceError):
            checked.body = {}  # type: ignore[misc]

    def test_input_is_not_modified(self):
        """Validation is pure: the caller's payload is left as it was."""
        data = payload(candidate_name="  Ana  ", position_external_id="")
        before = dict(data)
        validate_candidate(data)
        assert data == before


class TestInvalidPayload:
    """An invalid payload gives no request, an empty body and every problem at once."""

    def test_no_request_and_empty_body(self):
        """Nothing to send when anything is wrong."""
        checked = validate_candidate(payload(candidate_email="bob@"))
        assert checked == Validated(request=None, body={}, problems=checked.problems)
        assert not checked.ok

    def test_every_problem_is_reported(self):
        """Three bad fields, three lines: the user fixes them in one go."""
        lines = problems(candidate_email="bob@", candidate_country_code="XX", interview_attempts=25)
        assert len(lines) == 3
        assert {line.split(":", 1)[0] for line in lines} == {
            "candidate_email",
            "candidate_country_code",
            "interview_attempts",
        }


class TestProblemLines:
    """Each line names the field and says why, in the user's terms."""

    def test_bad_email(self):
        """The address and the reason."""
        (line,) = problems(candidate_email="bob@")
        assert line.startswith("candidate_email: 'bob@' is not a valid e-mail address (")
        assert "after the @-sign" in line

    def test_bad_country(self):
        """A code that is not ISO 3166-1 alpha-2."""
        assert problems(candidate_country_code="XX") == (
            "candidate_country_code: 'XX' is not an ISO 3166-1 alpha-2 country code",
        )

    def test_uk_gets_a_hint(self):
        """UK is refused, pointing at GB."""
        assert problems(position_country_code="UK") == (
            "position_country_code: 'UK' is not an ISO 3166-1 alpha-2 country code"
            " (did you mean GB?)",
        )

    def test_bad_language_lists_the_codes(self):
        """All 34 platform codes are listed, plus the likely one."""
        (line,) = problems(mojito_language_code="english")
        assert line == (
            "mojito_language_code: 'english' is not a platform language code"
            f" (one of {', '.join(LANGUAGE_CODES)}) (did you mean en?)"
        )

    @pytest.mark.parametrize(("value", "hint"), [("en-US", "en"), ("pt-BR", "br"), ("Greek", "el")])
    def test_language_hints(self, value, hint):
        """Locales and English names point at the platform code."""
        (line,) = problems(mojito_language_code=value)
        assert line.endswith(f"(did you mean {hint}?)")

    def test_position_rule(self):
        """One line per missing position field, each naming it."""
        assert problems(position_name=..., position_location=" ") == (
            "position_name: required when position_def_set_id is not given",
            "position_location: required when position_def_set_id is not given",
        )

    def test_position_rule_lifted_by_def_set_id(self):
        """No position lines when position_def_set_id is given."""
        assert (
            problems(
                position_def_set_id="pos-1",
                position_name=...,
                position_location=...,
                position_country_code=...,
                mojito_language_code=...,
            )
            == ()
        )

    def test_range(self):
        """The bounds and the value given."""
        assert problems(interview_attempts=25) == (
            "interview_attempts: must be between 1 and 20 (got 25)",
        )
        assert problems(questions_random_subset="0.95") == (
            "questions_random_subset: must be between 0.01 and 0.9 (got 0.95)",
        )

    def test_whole_number(self):
        """max_followups is an integer."""
        assert problems(max_followups=2.5) == ("max_followups: must be a whole number (got 2.5)",)

    def test_not_a_number(self):
        """Words where a number belongs."""
        assert problems(interview_attempts="three") == (
            "interview_attempts: 'three' is not a number",
        )

    def test_missing_and_blank_required(self):
        """Missing and blank are both 'required'."""
        assert problems(candidate_name=..., candidate_email="  ") == (
            "candidate_name: required",
            "candidate_email: required",
        )

    def test_enum(self):
        """The allowed values are listed."""
        assert problems(seniority_level="junior") == (
            "seniority_level: 'junior' is not one of entry-level, intermediate, senior,"
            " managerial, director, executive",
        )

    def test_boolean(self):
        """Booleans accept true/false words; others are named."""
        assert problems(is_embedded="yes") == ()
        assert problems(is_embedded="maybe") == ("is_embedded: 'maybe' is not true or false",)

    def test_wrong_shapes(self):
        """Objects and lists where text, objects or lists belong."""
        assert problems(candidate_name={"first": "Ana"}) == ("candidate_name: must be text",)
        assert problems(hiring_for_company="Acme") == ("hiring_for_company: must be an object",)
        assert problems(tags="a,b") == ("tags: must be a list",)

    def test_iso_date(self):
        """interview_available_till must be ISO 8601."""
        assert problems(interview_available_till="31/12/2026") == (
            "interview_available_till: '31/12/2026' is not an ISO 8601 date or date-time"
            " (e.g. 2026-12-31)",
        )


class TestUnknownFields:
    """Unknown keys are named, with the nearest known field when there is one."""

    def test_typo_gets_a_suggestion(self):
        """A misspelt field points at the real one."""
        assert problems(candidate_emial="x@example.com") == (
            "candidate_emial: unknown field (did you mean candidate_email?)",
        )

    def test_header_style_key_gets_a_suggestion(self):
        """'Candidate Email' is matched as candidate_email."""
        assert problems(**{"Candidate Email": "x@example.com"}) == (
            "Candidate Email: unknown field (did you mean candidate_email?)",
        )

    def test_nothing_close(self):
        """No suggestion when nothing is close."""
        assert problems(colour="red") == ("colour: unknown field",)

    def test_nested_path_and_its_own_fields(self):
        """A nested key is shown as a path and matched against the nested object's fields."""
        assert problems(hiring_for_company={"nmae": "Acme"}) == (
            "hiring_for_company.nmae: unknown field (did you mean name?)",
        )

    def test_value_of_unknown_field_not_shown(self):
        """The value under an unknown key never appears (it may be a resume)."""
        (line,) = problems(resume=RESUME)
        assert line == "resume: unknown field"


class TestNoRawPydanticText:
    """Lines are ours: no pydantic boilerplate, types or URLs."""

    def test_no_boilerplate(self):
        """A payload with many kinds of problems produces none of pydantic's wording."""
        lines = validate_candidate(
            {
                "candidate_email": "bob@",
                "candidate_country_code": 7,
                "candidate_resume": ["a"],
                "interview_attempts": 25,
                "seniority_level": "junior",
                "is_embedded": "maybe",
                "tags": "x",
                "hiring_for_company": {"nmae": "x"},
                "colour": "red",
                "pdf_export_auto_config": {"template": 3},
            }
        ).problems
        assert len(lines) >= 10
        for line in lines:
            for raw in ("Input should", "validation error", "pydantic", "Field required", "type="):
                assert raw not in line, line

    def test_not_a_mapping(self):
        """A payload that is not an object still gives a line, not an exception."""
        assert validate_candidate([]).problems == ("must be an object",)  # type: ignore[arg-type]


class TestSecrets:
    """No line shows the resume, or more than 60 characters of any value."""

    def test_resume_never_echoed(self):
        """Whatever is wrong with the resume, its text stays out of the line."""
        for bad in ([RESUME], {"text": RESUME}, True):
            lines = problems(candidate_resume=bad)
            assert lines, bad
            assert all(RESUME[:12] not in line and "True" not in line for line in lines)

    def test_resume_text_elsewhere_is_truncated(self):
        """A resume pasted into another field shows at most 60 characters of it."""
        (line,) = problems(seniority_level=RESUME)
        assert RESUME not in line
        assert "…" in line
        shown = line.split(": ", 1)[1].split(" is not", 1)[0]
        assert len(shown) <= 62  # 60 characters and the quotes

    def test_long_email_truncated(self):
        """Long values are cut with an ellipsis in every kind of line."""
        value = "x" * 300 + "@"
        (line,) = problems(candidate_email=value)
        assert value not in line
        assert "x" * 59 + "…" in line
        assert "x" * 61 not in line

    def test_long_unknown_key_truncated(self):
        """Even an absurd key is cut."""
        (line,) = problems(**{"k" * 500: "v"})
        assert "k" * 61 not in line


class TestVendorError:
    """The sandbox's 422 body comes from the same models: (field, message) of the first error."""

    def test_first_error(self):
        """The field path and the message without the field prefix."""
        exc = error_of(CandidateRequest, payload(candidate_email="bob@"))
        field, message = first_error_field_and_message(exc)
        assert field == "candidate_email"
        assert message.startswith("'bob@' is not a valid e-mail address")

    def test_missing(self):
        """A missing required field is named."""
        exc = error_of(InterviewCreateRequest, {"name": "PM"})
        field, message = first_error_field_and_message(exc)
        assert (field, message) == ("location", "required")

    def test_question_path(self):
        """A bad question is named by its index in the list."""
        exc = error_of(
            InterviewCreateFromArrayRequest,
            {
                "name": "PM",
                "location": "remote",
                "interview_template_id": "t",
                "mojito_language_code": "en",
                "description": "d",
                "status": "active",
                "type": "interview",
                "visibility": "merchant_public",
                "questions": [{"question": "Q1"}, {"label": "no text"}],
            },
        )
        assert first_error_field_and_message(exc) == ("questions[1].question", "required")

    def test_format_matches_first(self):
        """format_validation_error's first line is 'field: message' of the first error."""
        exc = error_of(CandidateRequest, payload(candidate_country_code="XX", colour="r"))
        field, message = first_error_field_and_message(exc)
        lines = format_validation_error(exc)
        assert lines[0] == f"{field}: {message}"
        assert len(lines) == 2


class TestLean:
    """Validation stays cheap enough for the 100,000-row benchmark."""

    def test_a_thousand_rows_quickly(self):
        """1,000 valid rows in well under a second (about 10 µs each on a laptop)."""
        import time

        rows = [payload(candidate_email=f"c{i}@example.com") for i in range(1000)]
        start = time.perf_counter()
        for row in rows:
            assert validate_candidate(row).ok
        assert time.perf_counter() - start < 1.0
