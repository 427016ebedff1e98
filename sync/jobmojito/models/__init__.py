"""Pydantic models of the JobMojito API: the create, update and token endpoints, look-ups
and results.

A transcription of the vendor's OpenAPI document (``sync/jobmojito/openapi.json``,
which wins over the older reference pages), field by field, one module per group of
endpoints; every name is importable from here (``from sync.jobmojito.models import X``):

====================================  ==================================================  ==========
schema in the document                model here                                          module
====================================  ==================================================  ==========
JobInterviewCreateForCandidateWith…   ``CandidateRequest`` / ``CandidateResponse``        candidates
JobInterviewCreateRequest / Response  ``InterviewCreateRequest`` / ``…Response``          interviews
JobInterviewCreateFromArray…          ``InterviewCreateFromArrayRequest`` /               interviews
                                      ``InterviewQuestion`` / ``…Response``
JobInterviewUpdateRequest / Response  ``InterviewUpdateRequest`` / ``…Response``          interviews
JobInterviewQuestionsDiff             ``QuestionsDiff`` / ``QuestionReplaced``            interviews
JobInterviewTokenRequest / Response   ``SignedUrlRequest`` / ``SignedUrl``                interviews
MerchantAvatarListResponse            ``AvatarListResponse`` / ``AvatarTemplate``         merchant
MerchantInterviewListResponse         ``InterviewListResponse`` / ``InterviewListItem``   merchant
MerchantStatus                        ``MerchantStatus``                                  merchant
PlatformLanguage(sListResponse)       ``PlatformLanguage`` / ``…ListResponse``            merchant
MerchantResultListResponse            ``MerchantResultList`` / ``MerchantResult``         results
JobInterviewDetailsResponse           ``InterviewDetails`` / ``TranscriptEntry``          results
Pagination                            ``Pagination``                                      common
Error                                 ``ApiErrorBody``                                    common
====================================  ==================================================  ==========

``common`` also holds the enums, the request and response bases and the conventions
every model follows (blank = absent, unknown keys refused in requests and kept in
answers, signed URLs as ``SecretStr``); the value checks they share live in
``sync.jobmojito.fields``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from sync.jobmojito.models.candidates import (
    CANDIDATE_FIELDS,
    REQUIRED_CANDIDATE_FIELDS,
    REQUIRED_WITHOUT_POSITION_DEF_SET_ID,
    CandidateRequest,
    CandidateResponse,
)
from sync.jobmojito.models.common import (
    DECISION_STATUSES,
    ApiErrorBody,
    CandidateExpectations,
    CoachPlan,
    ConversationSpeed,
    DecisionStatus,
    HiringForCompany,
    InterviewKind,
    InterviewStatus,
    InterviewType,
    LifecycleStatus,
    Pagination,
    PdfExportAutoConfig,
    PdfTemplate,
    Recording,
    RecordingFullSession,
    ResultView,
    SeniorityLevel,
    SignedUrlType,
    TypeCredit,
    VideoIntroduction,
    VideoIntroductionSetting,
    Visibility,
)
from sync.jobmojito.models.interviews import (
    InterviewCreateFromArrayRequest,
    InterviewCreateFromArrayResponse,
    InterviewCreateRequest,
    InterviewCreateResponse,
    InterviewQuestion,
    InterviewUpdateRequest,
    InterviewUpdateResponse,
    QuestionReplaced,
    QuestionsDiff,
    SignedUrl,
    SignedUrlRequest,
)
from sync.jobmojito.models.merchant import (
    AvatarListResponse,
    AvatarTemplate,
    InterviewListItem,
    InterviewListResponse,
    LanguageAccent,
    MerchantStatus,
    PlatformLanguage,
    PlatformLanguagesListResponse,
)
from sync.jobmojito.models.results import (
    InterviewDetails,
    MerchantResult,
    MerchantResultList,
    TranscriptEntry,
)
from sync.places import LANGUAGE_CODES, LanguageCode

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
