"""The for-candidate-with-token endpoint: enrol one candidate.

Transcribes ``JobInterviewCreateForCandidateWithTokenRequest`` (``CandidateRequest``)
and ``…Response`` (``CandidateResponse``) of the vendor's OpenAPI document, and
derives from the request the field sets the mapping files are checked against.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sync.jobmojito.fields import CountryCode, Email, Language, NonBlank, Seconds
from sync.jobmojito.models.common import DecisionStatus, _InterviewOptions, _Response

#: Required by for-candidate-with-token when ``position_def_set_id`` is not given.
REQUIRED_WITHOUT_POSITION_DEF_SET_ID: tuple[str, ...] = (
    "position_name",
    "position_location",
    "position_country_code",
    "mojito_language_code",
)


class CandidateRequest(_InterviewOptions):
    """``POST /job-interview-create-for-candidate-with-token``: enrol one candidate.

    Creates (or resolves) the position and interview, enrols the candidate, runs
    pre-screening and answers with a tokenised interview URL. Without
    ``position_def_set_id`` the position is described by ``position_name``,
    ``position_location``, ``position_country_code`` and ``mojito_language_code``,
    which are then required.
    """

    # position_def_set_id comes first: the rule below reads it from ``info.data``.
    position_def_set_id: str | None = None  # an existing position: looked up, not created
    position_external_id: str | None = None  # external position code (looked up)
    interview_template_id: str | None = None  # platform template when omitted
    position_name: str | None = Field(default=None, validate_default=True)
    position_location: str | None = Field(default=None, validate_default=True)
    position_country_code: CountryCode | None = Field(default=None, validate_default=True)
    mojito_language_code: Language | None = Field(default=None, validate_default=True)
    #: Two sentences shown to the candidate; blank/null = AI-generated.
    position_description: str | None = None
    position_description_long: str | None = None  # Markdown; blank/null = AI-generated
    candidate_name: NonBlank  # full name
    candidate_email: Email  # the candidate's auth identity
    candidate_country_code: CountryCode
    candidate_resume: NonBlank  # parsed resume text: never echo it
    candidate_external_id: str | None = None  # stored on the profile
    candidate_linkedin_url: str | None = None
    use_enhanced_expectations: bool | None = None  # reserved
    include_rapport_question: bool | None = None  # default false
    include_closing_prompt: bool | None = None  # default true
    #: Seconds (default 1200): scopes the questions; live limit; credit multiplier.
    max_duration: Seconds | None = None

    @field_validator(*REQUIRED_WITHOUT_POSITION_DEF_SET_ID)
    @classmethod
    def _required_without_position(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and not info.data.get("position_def_set_id"):
            raise PydanticCustomError(
                "required_without_position", "required when position_def_set_id is not given"
            )
        return value


class CandidateResponse(_Response):
    """Answer of for-candidate-with-token; fields present depend on the decision branch."""

    status: DecisionStatus
    interview_url: str  # the URL the candidate opens
    position_def_set_id: str | None = None  # created / resolved position
    interview_def_set_id: str | None = None
    profile_interview_id: str | None = None
    reason: str | None = None  # on reject / already-applied branches
    embed_id: str | None = None  # only when is_embedded
    embed_signing_key: str | None = None


# ----------------------------------------------------------- for the mapping

#: Every field a for-candidate-with-token body may carry.
CANDIDATE_FIELDS: frozenset[str] = frozenset(CandidateRequest.model_fields)
#: The fields every for-candidate-with-token body needs.
REQUIRED_CANDIDATE_FIELDS: frozenset[str] = frozenset(
    name for name, field in CandidateRequest.model_fields.items() if field.is_required()
)
