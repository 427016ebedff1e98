"""Interview results: the merchant's result list and one result's details.

Transcribes from the vendor's OpenAPI document ``MerchantResultListResponse``
(``MerchantResultList`` / ``MerchantResult``, paged by ``Pagination``) and
``JobInterviewDetailsResponse`` (``InterviewDetails`` / ``TranscriptEntry``).
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from sync.jobmojito.fields import Number
from sync.jobmojito.models.common import Pagination, _Response


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
