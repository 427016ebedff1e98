"""Interview definitions: create, create from an array of questions, update, sign a URL.

Transcribes from the vendor's OpenAPI document ``JobInterviewCreateRequest`` /
``…Response``, ``JobInterviewCreateFromArrayRequest`` / ``…Question`` /
``…Response``, ``JobInterviewUpdateRequest`` / ``…Response`` with
``JobInterviewQuestionsDiff``, and ``JobInterviewTokenRequest`` / ``…Response``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, RootModel

from sync.jobmojito.fields import (
    Attempts,
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
from sync.jobmojito.models.common import (
    CandidateExpectations,
    CoachPlan,
    ConversationSpeed,
    HiringForCompany,
    InterviewKind,
    InterviewStatus,
    InterviewType,
    LifecycleStatus,
    PdfExportAutoConfig,
    Recording,
    RecordingFullSession,
    ResultView,
    SeniorityLevel,
    SignedUrlType,
    TypeCredit,
    VideoIntroductionSetting,
    Visibility,
    _InterviewOptions,
    _Request,
    _Response,
)

# ------------------------------------------------ shared by the two creates


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
