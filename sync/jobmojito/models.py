"""Pydantic models of the JobMojito API: the create, update and token endpoints, look-ups
and results.

Over 400 lines on purpose: it is one transcription, read side by side with the document,
schema for schema; the value checks it shares live in ``sync.jobmojito.fields``.

A transcription of the vendor's OpenAPI document (``sync/jobmojito/openapi.json``,
which wins over the older reference pages), field by field:

=====================================  =========================================
schema in the document                 model here
=====================================  =========================================
JobInterviewCreateForCandidateWith…    ``CandidateRequest`` / ``CandidateResponse``
JobInterviewCreateRequest / Response   ``InterviewCreateRequest`` / ``…Response``
JobInterviewCreateFromArray…           ``InterviewCreateFromArrayRequest`` /
                                       ``InterviewQuestion`` / ``…Response``
JobInterviewUpdateRequest / Response   ``InterviewUpdateRequest`` / ``…Response``
JobInterviewQuestionsDiff              ``QuestionsDiff`` / ``QuestionReplaced``
JobInterviewTokenRequest / Response    ``SignedUrlRequest`` / ``SignedUrl``
MerchantAvatarListResponse             ``AvatarListResponse`` / ``AvatarTemplate``
MerchantInterviewListResponse          ``InterviewListResponse`` / ``InterviewListItem``
Pagination                             ``Pagination``
Error                                  ``ApiErrorBody``
MerchantStatus                         ``MerchantStatus``
PlatformLanguage(sListResponse)        ``PlatformLanguage`` / ``…ListResponse``
MerchantResultListResponse             ``MerchantResultList`` / ``MerchantResult`` /
                                       ``Pagination``
JobInterviewDetailsResponse            ``InterviewDetails`` / ``TranscriptEntry``
=====================================  =========================================

Conventions:

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
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sync.jobmojito.fields import (
    Attempts,
    CountryCode,
    Email,
    Followups,
    Fraction,
    IsoDateTime,
    Language,
    NonBlank,
    Number,
    QuestionCount,
    Seconds,
    Uuid,
)
from sync.places import LANGUAGE_CODES, LanguageCode

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


class _InterviewDefinition(_InterviewOptions):
    """Fields ``job-interview-create`` and ``…-from-array`` share."""

    name: NonBlank  # interview / position name
    location: NonBlank
    status: InterviewStatus  # draft: staged, not visible; active: live
    type: InterviewKind  # coaching is for the coaching portal only
    visibility: Visibility
    recording: Recording | None = None  # null disables proctoring
    recording_full_session: RecordingFullSession | None = None  # null disables it
    #: relaxed (default), simple, professional, persuasive; others fall back to relaxed.
    interview_tone: str | None = None
    code: str | None = None  # external code / reference
    cover_image_url: str | None = None
    knowledge_base_store_id: str | None = None
    description_long: str | None = None  # Markdown
    candidate_expectations: str | None = None  # free text folded into AI generation
    additional_context: dict[str, Any] | None = None


# ----------------------------------------------- for-candidate-with-token

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


# ------------------------------------------------------- job-interview-create


class InterviewCreateRequest(_InterviewDefinition):
    """``POST /job-interview-create``: an interview whose questions the AI writes."""

    interview_template_id: Uuid
    mojito_language_code: Language
    interview_type: InterviewType | None = None  # default pre-screening
    #: Two sentences shown to the candidate; blank/null = AI-generated.
    description: str | None = None
    #: Questions to generate, 1–40, capped at one per 2 minutes of max_duration;
    #: omitted = the AI picks 5–8.
    interview_length: QuestionCount | None = None
    use_enhanced_expectations: bool | None = None  # reserved
    include_rapport_question: bool | None = None  # default false
    include_closing_prompt: bool | None = None  # default true
    max_duration: Seconds | None = None  # seconds, default 1200


class InterviewCreateResponse(_Response):
    """Answer of ``job-interview-create``."""

    interview_def_set_id: str
    questions_generated: Number  # may be lower than interview_length (max_duration cap)
    max_duration: Number  # seconds: the value sent, or the default 1200
    embed_id: str | None = None  # only when is_embedded
    embed_signing_key: str | None = None


# -------------------------------------------- job-interview-create-from-array


class InterviewQuestion(_Request):
    """One question of a from-array request. The document allows extra keys here."""

    model_config = ConfigDict(extra="allow")

    question: NonBlank  # the text shown to the candidate
    id: str | None = None  # caller-local; referenced by conditional_question_main_id
    duration: Seconds | None = None  # answer time in seconds
    mojito_language_code: Language | None = None  # inherits the interview's
    label: str | None = None
    is_conditional: bool | None = None  # with conditional_question_main_id
    is_without_scoring: bool | None = None
    is_candidate_asking_recruiter: bool | None = None
    is_expert: bool | None = None
    is_multiple_choice: bool | None = None
    question_alternatives: list[str] | None = None
    conditional_question_main_id: str | None = None  # id of an earlier question
    knowledge_base_id: str | None = None
    external_id: str | None = None
    external_data: dict[str, Any] | None = None
    candidate_expectations_json: CandidateExpectations | None = None


class InterviewCreateFromArrayRequest(_InterviewDefinition):
    """``POST /job-interview-create-from-array``: an interview from the caller's questions."""

    interview_template_id: NonBlank  # an existing interview template
    mojito_language_code: Language
    description: NonBlank  # short interview description
    questions: Annotated[list[InterviewQuestion], Field(min_length=1)]  # in order
    interview_type: InterviewType | None = None
    candidate_expectations_json: CandidateExpectations | None = None  # generated if omitted
    disable_deduplication: bool | None = None  # skip step deduplication on insert


class InterviewCreateFromArrayResponse(_Response):
    """Answer of ``job-interview-create-from-array``."""

    interview_def_set_id: str
    embed_id: str | None = None  # only when is_embedded
    embed_signing_key: str | None = None


# ------------------------------------------------------- job-interview-update


class InterviewUpdateRequest(_Request):
    """``POST /job-interview-update``: change an existing interview (or position).

    Only the fields sent are written. The document lets ``null`` clear a field; this
    model, like every request here, leaves a blank or null field out instead, so an
    update never clears anything by accident. ``questions``, when sent, is the whole
    list, applied as a diff (matched on ``external_id``, then ``id``, then content).
    ``mojito_language_code`` cannot be changed, so it is not a field.
    """

    position_id: Uuid  # the interview definition (or multi-stage position) to update
    status: LifecycleStatus | None = None
    visibility: Visibility | None = None
    name: str | None = None
    code: str | None = None  # external code / reference
    location: str | None = None  # stored as interview_location
    cover_image_url: str | None = None
    description: str | None = None
    description_long: str | None = None  # Markdown
    interview_department: str | None = None
    interview_salary: str | None = None
    interview_available_till: IsoDateTime | None = None
    recruiter_profile_id: str | None = None
    tags: list[str] | None = None
    #: The complete ordered list; omitted = the questions are left as they are.
    questions: Annotated[list[InterviewQuestion], Field(min_length=1)] | None = None
    regenerate_candidate_expectations: bool | None = None  # only with questions
    type: InterviewKind | None = None  # single-stage interviews only
    type_credit: TypeCredit | None = None  # candidate-paid coaching only
    coach_plan: CoachPlan | None = None
    interview_template_id: NonBlank | None = None  # also decides the modality
    knowledge_base_store_id: str | None = None
    recording: Recording | None = None
    recording_full_session: RecordingFullSession | None = None
    result_view: ResultView | None = None
    candidate_video_introduction: VideoIntroductionSetting | None = None
    interview_conversation_speed: ConversationSpeed | None = None
    max_followups: Followups | None = None
    max_duration: Seconds | None = None  # seconds: the live limit, the credit multiplier
    questions_random_subset: Fraction | None = None
    interview_attempts: Attempts | None = None
    required_pronunciation: bool | None = None
    result_enable_edit_transcript: bool | None = None
    candidate_expectations: str | None = None
    candidate_expectations_json: CandidateExpectations | None = None
    custom_scoring: dict[str, Any] | None = None  # merged onto the stored configuration
    pdf_export_auto_config: PdfExportAutoConfig | None = None
    interview_type: InterviewType | None = None  # existing questions are not regenerated
    interview_tone: str | None = None
    seniority_level: SeniorityLevel | None = None
    hiring_for_company: HiringForCompany | None = None


class QuestionReplaced(_Response):
    """An edited question: the old record unlinked (``from``), a new one made (``to``)."""

    model_config = ConfigDict(extra="allow", serialize_by_alias=True)

    from_: str = Field(alias="from")  # ``from`` is a Python keyword
    to: str


class QuestionsDiff(_Response):
    """What a ``questions`` update decided, question by question (``JobInterviewQuestionsDiff``)."""

    kept: list[str]
    added: list[str]  # ids created for entries that matched nothing stored
    removed: list[str]  # ids unlinked (the records still exist)
    replaced: list[QuestionReplaced]
    question_ids: list[str]  # the full ordered step list after the update
    reactivated: bool  # an active interview was re-published


class InterviewUpdateResponse(_Response):
    """Answer of ``job-interview-update``: what was written."""

    position_id: str
    is_multistage: bool
    updated_fields: list[str]  # stored columns written, plus "status" / "questions"
    questions_diff: QuestionsDiff | None = None  # absent when questions were not sent


# ------------------------------------------------------- job-interview-token


class SignedUrlRequest(_Request):
    """``POST /job-interview-token``: a public, token-signed URL; which ids are needed
    depends on ``type`` (``interview-results-for-position`` needs ``interview_id``)."""

    type: SignedUrlType
    merchant_id: str | None = None  # admin / sub-merchant only
    interview_profile_id: str | None = None
    interview_id: str | None = None  # the interview or position
    interview_result_id: str | None = None
    hide_menu: str | bool | None = None  # the string "false" shows the menu


class SignedUrl(RootModel[str]):
    """Answer of ``job-interview-token``: the signed URL, a bare JSON string."""


# ------------------------------------------------------------- the two lists


class Pagination(_Response):
    """Where a page sits in the whole list (``offset + returned < total`` = ``has_more``)."""

    total: int  # matching records across all pages
    limit: int  # page size used
    offset: int
    has_more: bool


class AvatarTemplate(_Response):
    """One avatar (interview) template: its ``id`` is an ``interview_template_id``."""

    id: str
    merchant_id: str | None = None
    name: str | None = None
    type: str | None = None  # interactive_heygen, offline_synthesia, ...
    status: str | None = None  # active / draft / archived / deleted
    visibility: str | None = None
    mojito_language_code: str | None = None
    video_voice_language_name: str | None = None
    media_url: str | None = None
    background_url: str | None = None
    background_blur: Number | None = None
    video_background_remove: bool | None = None
    video_avatar_image_url: str | None = None
    video_avatar_aspect_ratio: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class AvatarListResponse(_Response):
    """``GET /merchant-avatar-list``: a page of templates, newest-updated first."""

    data: list[AvatarTemplate]
    pagination: Pagination


class InterviewListItem(_Response):
    """One interview definition of ``GET /merchant-interview-list``.

    The document lists no ``code`` here but keeps extra keys; ``external_code`` reads
    one when the answer carries it (the sandbox's does).
    """

    id: str
    merchant_id: str | None = None
    name: str | None = None
    emoji: str | None = None
    type: str | None = None
    type_avatar: str | None = None
    status: str | None = None
    visibility: str | None = None
    mojito_language_code: str | None = None
    speech_language_code: str | None = None
    environment: str | None = None
    is_ats: bool | None = None
    is_multi_stage: bool | None = None
    recording: str | None = None
    recording_full_session: str | None = None
    billing_single_position: bool | None = None
    billing_single_position_end_at: str | None = None
    cover_image_url: str | None = None
    interview_count: Number | None = None
    interview_last: str | None = None
    calc_duration: Number | None = None
    created_at: str | None = None
    updated_at: str | None = None

    def external_code(self) -> str | None:
        """The interview's ``code`` when the list gives one (an extra key), else None."""
        code = (self.model_extra or {}).get("code")
        return code.strip() or None if isinstance(code, str) else None


class InterviewListResponse(_Response):
    """``GET /merchant-interview-list``: a page of interview definitions."""

    data: list[InterviewListItem]
    pagination: Pagination


# ----------------------------------------------------------- errors, look-ups


class ApiErrorBody(_Response):
    """The body of an error answer (``Error``): ``name`` is the field concerned."""

    error: str
    name: str | None = None


class MerchantStatus(_Response):
    """``GET /merchant-status``: credits, subscription, pending work, invitations."""

    profile_id: str  # the caller, from the JWT
    default_merchant_id: str | None  # the caller's home merchant
    merchant_id: str  # the merchant this status is scoped to
    credits_interview_monthly: Number | None  # remaining this month
    credits_interview_monthly_limit: Number | None
    credits_interview_extra: Number | None  # top-up credits
    credits_interview_single: Number | None
    definitions_active: Number | None
    interviews_without_credits: Number
    interviews_undecided: Number
    interviews_ongoing: Number
    interview_results: Number
    candidates: Number
    candidates_history: list[Number]  # last 14 days, most recent first
    interview_result_history: list[Number]
    subscription_type: str | None
    subscription_status: str | None
    invitations_sent: Number
    invitations_limit: Number | None  # null: unlimited
    invitations_available: Number | None  # null: unlimited


class LanguageAccent(_Response):
    """A regional accent of a platform language."""

    code: str  # Azure speech locale, e.g. "en-GB"
    name: str


class PlatformLanguage(_Response):
    """A platform language: pass ``code`` as ``mojito_language_code``."""

    code: str
    name_english: str
    name_local: str
    flag_image: str  # SVG URL
    flag_emoji: str
    flag_unicode: str
    coaching_interface: bool
    interview_interface: bool
    admin_interface: bool
    accents: list[LanguageAccent]


class PlatformLanguagesListResponse(_Response):
    """``GET /platform-languages-list``."""

    languages: list[PlatformLanguage]  # sorted by English name


# ------------------------------------------------------------------ results


class MerchantResult(_Response):
    """One interview result of ``merchant-result-list`` (the admin portal's results list).

    Only ``id`` is required; every other field is nullable. ``coach_status`` is the
    interview's progress (started / completed / …), ``decision_status`` the hiring
    decision (selected / rejected / …), ``duration_ds`` deciseconds.
    """

    id: str  # position result row id
    interview_result_id: str | None = None  # for job-interview-details
    interview_result_pre_screening_id: str | None = None
    merchant_id: str | None = None
    profile_id: str | None = None
    profile_interview_id: str | None = None  # the candidate (profile_interview)
    definition_id: str | None = None  # the interview definition
    candidate_name: str | None = None
    candidate_email: str | None = None
    position_name: str | None = None
    position_step: str | None = None  # pipeline step
    type: str | None = None  # product type
    emoji: str | None = None
    external_id: str | None = None
    mojito_language_code: str | None = None
    status: str | None = None  # row status
    coach_status: str | None = None  # started / completed / …
    decision_status: str | None = None  # selected / rejected / …
    interview_started: bool | None = None
    is_multi_stage: bool | None = None
    is_test: bool | None = None
    recruiter_shortlist: bool | None = None
    recruiter_risks: Any | None = None  # jsonb
    duration_ds: Number | None = None  # deciseconds
    score: Number | None = None
    score_simulation: Number | None = None
    score_sentiment: Number | None = None
    score_words_per_minute: Number | None = None
    score_interview_ai: Number | None = None
    score_answer_ai: Number | None = None
    score_pronunciation: Number | None = None
    processing_status: str | None = None
    processing_error: str | None = None
    kyc_processing_status: str | None = None
    position_result_step_id: str | None = None
    created_at: str | None = None  # ISO 8601
    updated_at: str | None = None  # ISO 8601


class MerchantResultList(_Response):
    """``GET /merchant-result-list``: one page of results, at most 1000."""

    data: list[MerchantResult]
    pagination: Pagination


class TranscriptEntry(_Response):
    """One interaction of a transcript: a question asked, or the candidate's answer."""

    id: str | None = None  # interview_result_question id
    is_answer: bool | None = None  # a candidate answer turn, else an avatar/question turn
    view: str | None = None
    question_original_id: str | None = None
    question_original: str | None = None
    question_asked: str | None = None
    answer: str | None = None  # what the candidate said: personal data
    ai_analysis: str | None = None
    ai_analysis_recruiter: str | None = None
    score: Number | None = None
    score_simulation: Number | None = None
    score_answer_ai: Number | None = None
    score_answer_ai_simulation: Number | None = None
    duration: Number | None = None  # deciseconds
    mojito_language_code: str | None = None
    answer_assessment_raw_data: Any | None = None
    recording_local_path: str | None = None
    recording_is_video: bool | None = None
    external_data: Any | None = None
    external_id: str | None = None
    recording_url: SecretStr | None = None  # signed, short-lived: a credential


class InterviewDetails(_Response):
    """``GET /job-interview-details``: one result with its transcript and AI assessment.

    ``ai_analysis_recruiter`` is the recruiter-facing assessment of the whole
    interview; ``ai_analysis_other`` (jsonb) holds ``hiring_reasons`` among others.
    Signed URLs come only with ``get_signed_recordings=true`` and are ``SecretStr``.
    """

    score: Number | None = None
    score_simulation: Number | None = None
    score_text: str | None = None  # human-readable score summary
    score_sentiment: Number | None = None
    score_words_per_minute: Number | None = None
    score_pronunciation: Number | None = None
    score_answer: Number | None = None
    status: str | None = None  # coach_status
    start: str | None = None  # ISO 8601
    end: str | None = None
    duration: Number | None = None  # deciseconds
    ai_interview_coverage_percentage: Number | None = None
    ai_completion_reason: str | None = None
    ai_analysis: str | None = None  # candidate-facing
    ai_analysis_recruiter: str | None = None  # recruiter-facing
    ai_analysis_other: Any | None = None  # jsonb keyed by analysis name
    ai_analysis_recruiter_why_hire: Any | None = None  # deprecated copy of hiring_reasons
    ai_analysis_recruiter_why_not_hire: Any | None = None  # deprecated
    recruiter_risks: Any | None = None
    user_feedback_recruiter: str | None = None
    recording_local_path: str | None = None
    recording_is_video: bool | None = None
    video_introduction_local_path: str | None = None
    recording_url: SecretStr | None = None  # signed, short-lived: a credential
    video_introduction_url: SecretStr | None = None  # signed, short-lived: a credential
    transcript: list[TranscriptEntry] | None = None


# ----------------------------------------------------------- for the mapping

#: Every field a for-candidate-with-token body may carry.
CANDIDATE_FIELDS: frozenset[str] = frozenset(CandidateRequest.model_fields)
#: The fields every for-candidate-with-token body needs.
REQUIRED_CANDIDATE_FIELDS: frozenset[str] = frozenset(
    name for name, field in CandidateRequest.model_fields.items() if field.is_required()
)

#: Every model by class name (``ValidationError.title``), for ``sync.jobmojito.validate``.
MODELS: Mapping[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        CandidateRequest,
        CandidateResponse,
        InterviewCreateRequest,
        InterviewCreateResponse,
        InterviewCreateFromArrayRequest,
        InterviewQuestion,
        InterviewCreateFromArrayResponse,
        InterviewUpdateRequest,
        InterviewUpdateResponse,
        QuestionsDiff,
        QuestionReplaced,
        SignedUrlRequest,
        SignedUrl,
        Pagination,
        AvatarTemplate,
        AvatarListResponse,
        InterviewListItem,
        InterviewListResponse,
        HiringForCompany,
        PdfExportAutoConfig,
        CandidateExpectations,
        ApiErrorBody,
        MerchantStatus,
        LanguageAccent,
        PlatformLanguage,
        PlatformLanguagesListResponse,
        MerchantResult,
        MerchantResultList,
        TranscriptEntry,
        InterviewDetails,
    )
}

__all__ = [
    "CANDIDATE_FIELDS",
    "DECISION_STATUSES",
    "LANGUAGE_CODES",
    "MODELS",
    "REQUIRED_CANDIDATE_FIELDS",
    "REQUIRED_WITHOUT_POSITION_DEF_SET_ID",
    "ApiErrorBody",
    "AvatarListResponse",
    "AvatarTemplate",
    "CandidateExpectations",
    "CandidateRequest",
    "CandidateResponse",
    "CoachPlan",
    "ConversationSpeed",
    "DecisionStatus",
    "HiringForCompany",
    "InterviewCreateFromArrayRequest",
    "InterviewCreateFromArrayResponse",
    "InterviewCreateRequest",
    "InterviewCreateResponse",
    "InterviewDetails",
    "InterviewKind",
    "InterviewListItem",
    "InterviewListResponse",
    "InterviewQuestion",
    "InterviewStatus",
    "InterviewType",
    "InterviewUpdateRequest",
    "InterviewUpdateResponse",
    "LanguageAccent",
    "LanguageCode",
    "LifecycleStatus",
    "MerchantResult",
    "MerchantResultList",
    "MerchantStatus",
    "Pagination",
    "PdfExportAutoConfig",
    "PdfTemplate",
    "PlatformLanguage",
    "PlatformLanguagesListResponse",
    "QuestionReplaced",
    "QuestionsDiff",
    "Recording",
    "RecordingFullSession",
    "ResultView",
    "SeniorityLevel",
    "SignedUrl",
    "SignedUrlRequest",
    "SignedUrlType",
    "TranscriptEntry",
    "TypeCredit",
    "VideoIntroduction",
    "VideoIntroductionSetting",
    "Visibility",
]
