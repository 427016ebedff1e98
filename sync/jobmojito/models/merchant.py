"""The merchant's look-ups: its status, avatar templates, interviews and the languages.

Transcribes from the vendor's OpenAPI document ``MerchantStatus``,
``MerchantAvatarListResponse`` (``AvatarListResponse`` / ``AvatarTemplate``),
``MerchantInterviewListResponse`` (``InterviewListResponse`` / ``InterviewListItem``)
and ``PlatformLanguagesListResponse`` / ``PlatformLanguage`` / ``LanguageAccent``.
"""

from __future__ import annotations

from sync.jobmojito.fields import Number
from sync.jobmojito.models.common import Pagination, _Response

# ------------------------------------------------------------- the two lists


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


# ------------------------------------------------------------------ look-ups


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
