"""The bases, vocabularies and shared parts of every JobMojito API model.

Transcribes from the vendor's OpenAPI document (``sync/jobmojito/openapi.json``,
which wins over the older reference pages) what more than one endpoint uses: the
enums its schemas spell out, the nested ``hiring_for_company``,
``pdf_export_auto_config`` and ``candidate_expectations_json`` objects, the options
the three create requests share, ``Pagination`` and ``Error`` (``ApiErrorBody``).

Conventions every model of ``sync.jobmojito.models`` follows (they live here):

- Request models refuse unknown keys (``extra="forbid"``); response models keep them,
  because the live API may add fields.
- In a request every string is stripped and a blank one counts as absent, so a blank
  required field (OpenAPI ``minLength: 1``) is *missing*, and a blank optional one is
  left out of the body.
- ``nullable`` (an OpenAPI 3.0 keyword the 3.1 document still uses) becomes ``X | None``.
- ``to_json()`` dumps in JSON mode without ``None`` fields: it is the body sent.
- Signed recording URLs (``recording_url``, ``video_introduction_url``) are
  ``SecretStr``: like the token they are credentials, so no ``repr``, log line or
  dump ever shows them.
- Checks the document states in words are enforced too (``sync.jobmojito.fields``):
  ISO 3166-1 alpha-2 country codes (upper-cased), e-mail syntax (no DNS), the
  ``1–20`` / ``1–40`` / ``0.01–0.9`` ranges the from-array schema only describes, ISO
  8601 for ``interview_available_till``, and a positive ``max_duration`` (seconds, not
  minutes).

Error messages are raised as ``PydanticCustomError`` whose text never holds more than
60 characters of a value (``shown``); ``sync.jobmojito.validate`` turns a ``ValidationError``
into the lines users read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, model_validator

from sync.jobmojito.fields import (
    Attempts,
    Followups,
    Fraction,
    IsoDateTime,
    Language,
)

# --------------------------------------------------------------------------- enums

#: The candidate's decision status in a for-candidate-with-token answer.
DecisionStatus = Literal[
    "ai_accept", "recruiter_accept", "recruiter_action",
    "ai_reject", "recruiter_reject", "already-applied",
]  # fmt: skip
InterviewStatus = Literal["draft", "active"]
InterviewKind = Literal["interview", "coaching", "assessment"]  # the field ``type``
Visibility = Literal["merchant_public", "merchant_invite", "merchant_unlisted"]
#: Cheating/proctoring detection on answers (not a session recording).
Recording = Literal["audio_first_5_answers", "audio_all", "video_all", "video_first_5_answers"]
#: One file of the whole session, avatar included (+0.2 / +0.4 credits).
RecordingFullSession = Literal["audio_all", "video_all"]
InterviewType = Literal[
    "pre-screening", "pre-screening-with-test-questions", "second-interview",
    "remote-freelancer-verification", "strength-based-interview",
    "potential-based-interview", "process-verification-from-knowledge-base",
]  # fmt: skip
SeniorityLevel = Literal[
    "entry-level", "intermediate", "senior", "managerial", "director", "executive"
]
ResultView = Literal[
    "none", "minimal", "minimal_with_score", "advanced", "full", "full_expand_scores"
]
ConversationSpeed = Literal["slower", "normal", "faster"]
VideoIntroduction = Literal["optional", "required"]
PdfTemplate = Literal["classic", "modern", "one_pager"]
#: Every lifecycle status; ``job-interview-update`` may set any of them.
LifecycleStatus = Literal["draft", "active", "archived", "deleted", "preparing", "completed"]
TypeCredit = Literal[
    "resume_check", "interview_coach_starter", "interview_coach_contributor",
    "interview_coach_manager", "cover_letter",
]  # fmt: skip
CoachPlan = Literal["demo", "screening", "2nd", "3rd", "closing", "job-specific", "other"]
#: ``job-interview-update`` also knows ``hidden`` (the create requests do not).
VideoIntroductionSetting = Literal["hidden", "optional", "required"]
SignedUrlType = Literal[
    "interview-for-profile", "results-for-profile", "interview-result-candidate",
    "interview-result-talent-seeker", "interview-results-for-position",
]  # fmt: skip

DECISION_STATUSES: tuple[str, ...] = get_args(DecisionStatus)

# ------------------------------------------------------------------ base models


def _blank_is_absent(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        elif value is None:
            continue
        clean[key] = value
    return clean


class _Request(BaseModel):
    """A request body: unknown keys refused; strings stripped; blank or null = absent."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,  # a numeric cell such as an external id stays usable
        hide_input_in_errors=True,  # str(ValidationError) never carries a resume
    )

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return _blank_is_absent(data) if isinstance(data, Mapping) else data

    def to_json(self) -> dict[str, Any]:
        """The JSON body to send: JSON types, ``None`` fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class _Response(BaseModel):
    """A response body: extra keys kept (the live API may add fields)."""

    model_config = ConfigDict(extra="allow")

    def to_json(self) -> dict[str, Any]:
        """The body as JSON types, ``None`` fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


# --------------------------------------------------------------- nested objects


class HiringForCompany(_Request):
    """Who the position is really for: null (or name null) when hiring for yourself,
    ``{"name": "undisclosed"}`` for an unnamed client, or the client's details."""

    name: str | None = None  # end-employer name, or "undisclosed"
    description: str | None = None  # background context for the agent
    location: str | None = None
    sector: str | None = None
    company_size: str | None = None  # approximate headcount, e.g. "100-200"


class PdfExportAutoConfig(_Request):
    """Auto-generate a candidate PDF report with these options once the interview completes."""

    mojito_language_code: Language | None = None  # report language
    contact_details: bool | None = None
    ai_recruiter_assessment: bool | None = None
    ai_scoring_rubric: bool | None = None
    analytics: bool | None = None
    files: bool | None = None  # uploaded candidate files
    transcript: bool | None = None
    answer_recording: bool | None = None
    session_recording: bool | None = None
    group_by_question: bool | None = None  # group transcript answers by expected question
    template: PdfTemplate | None = None  # classic (default), modern or one_pager


class CandidateExpectations(_Request):
    """Candidate expectations by requirement level; the document keeps extra keys."""

    model_config = ConfigDict(extra="allow")

    weak: list[str] | None = None  # table stakes every viable candidate meets
    moderate: list[str] | None = None  # what a solid, competent candidate meets
    strong: list[str] | None = None  # what only standout candidates clear


# ------------------------------------------------------- options shared by all


class _InterviewOptions(_Request):
    """Fields the three create requests share, with the same schema in each."""

    merchant_id: str | None = None  # honoured for admin / sub-merchant tokens only
    candidate_video_introduction: VideoIntroduction | None = None
    interview_attempts: Attempts | None = None  # 1–20
    seniority_level: SeniorityLevel | None = None  # auto-detected when omitted
    result_view: ResultView | None = None  # what the candidate sees after finishing
    custom_scoring: dict[str, Any] | None = None  # overrides merged with defaults
    instructional_video: bool | None = None  # shown before the interview; default false
    instructional_video_custom_text: str | None = None
    welcome_message: str | None = None
    thank_you_message: str | None = None
    #: Embedded as an iframe: the answer carries embed_id / embed_signing_key.
    is_embedded: bool | None = None
    interview_department: str | None = None
    interview_salary: str | None = None  # salary range shown, e.g. "$80k - $100k"
    #: ISO date/time after which candidates can no longer take it; null = always.
    interview_available_till: IsoDateTime | None = None
    interview_conversation_speed: ConversationSpeed | None = None  # null = template's pace
    #: AI follow-up questions: 0 none, 1–3 presets, 4+ custom, null = template default.
    max_followups: Followups | None = None
    questions_random_subset: Fraction | None = None  # ask a random 1–90 %, null = all
    required_pronunciation: bool | None = None  # pronunciation-capable languages only
    result_enable_edit_transcript: bool | None = None  # default true
    tags: list[str] | None = None
    #: Owning recruiter: a merchant / merchant_owner / admin profile of the same merchant.
    recruiter_profile_id: str | None = None
    hiring_for_company: HiringForCompany | None = None
    pdf_export_auto_config: PdfExportAutoConfig | None = None  # null disables auto-export


# ------------------------------------------------------ pages and errors


class Pagination(_Response):
    """Where a page sits in the whole list (``offset + returned < total`` = ``has_more``)."""

    total: int  # matching records across all pages
    limit: int  # page size used
    offset: int
    has_more: bool


class ApiErrorBody(_Response):
    """The body of an error answer (``Error``): ``name`` is the field concerned."""

    error: str
    name: str | None = None
