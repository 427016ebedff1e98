"""The sandbox's interview definitions and avatar templates, as the list endpoints show them.

``SandboxState`` keeps one ``Definition`` per interview definition the merchant
has (created by ``job-interview-create`` / ``-from-array``, or by an enrolment
that created its position) and answers ``merchant-interview-list``,
``merchant-avatar-list`` and ``job-interview-update`` from them with the
helpers here: the fixed templates, the filters and pages of the two lists, and
the question diff an update reports. Pure functions on plain values; the
state's lock is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SANDBOX_MERCHANT_ID = "28106cba-1c27-4e53-b149-32113e5e8e31"

#: The merchant's avatar templates: the document's own example ids, so a request copied
#: from the reference works; one archived template is hidden unless asked for.
TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "id": "baa3bf7c-6926-46fd-9005-16738a31f72d",
        "name": "Emma — Interviewer (English)",
        "type": "interactive_heygen",
        "status": "active",
        "mojito_language_code": "en",
        "video_voice_language_name": "English (United States)",
    },
    {
        "id": "46b98d37-1557-4391-beca-03037ead19f2",
        "name": "Lukas — Interviewer (Deutsch)",
        "type": "interactive_heygen",
        "status": "active",
        "mojito_language_code": "de",
        "video_voice_language_name": "German (Germany)",
    },
    {
        "id": "5d8ea38b-eec4-4866-aa6c-b2ea5bc6e45b",
        "name": "Voice interviewer",
        "type": "interactive_elevenlabs",
        "status": "active",
        "mojito_language_code": None,
        "video_voice_language_name": None,
    },
    {
        "id": "0c3f5a8e-2b71-4d9a-8e6f-3a1b2c4d5e6f",
        "name": "Studio avatar (recorded)",
        "type": "offline_synthesia",
        "status": "archived",
        "mojito_language_code": "en",
        "video_voice_language_name": "English (United Kingdom)",
    },
)
TEMPLATE_IDS = frozenset(t["id"] for t in TEMPLATES)
TEMPLATE_TYPES: Mapping[str, str] = {t["id"]: t["type"] for t in TEMPLATES}
_CREATED = "2026-01-05T09:00:00.000Z"

#: Request fields ``job-interview-update`` stores under another column name.
COLUMN_OF: Mapping[str, str] = {
    "location": "interview_location",
    "description": "interview_description",
    "description_long": "interview_description_long",
    "interview_attempts": "result_scoring",
}


def now() -> str:
    """A timestamp as the API writes them: ISO 8601 in UTC, milliseconds, ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Definition:
    """One interview definition: what the list shows and an update changes."""

    id: str
    merchant_id: str
    name: str
    code: str | None
    type: str = "interview"
    status: str = "active"
    visibility: str = "merchant_invite"
    mojito_language_code: str | None = None
    template_id: str | None = None
    stored: dict[str, Any] = field(default_factory=dict)  # the other fields, as written
    questions: list[dict[str, Any]] = field(default_factory=list)  # with their sandbox ids
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    seq: int = 0  # creation order, for a stable "newest first"

    def item(self, interviews: int) -> dict[str, Any]:
        """The definition as ``merchant-interview-list`` shows it (``code`` is an extra key)."""
        return {
            "id": self.id,
            "merchant_id": self.merchant_id,
            "name": self.name,
            "code": self.code,
            "type": self.type,
            "type_avatar": TEMPLATE_TYPES.get(self.template_id or ""),
            "status": self.status,
            "visibility": self.visibility,
            "mojito_language_code": self.mojito_language_code,
            "is_ats": False,
            "is_multi_stage": False,
            "interview_count": interviews,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def template_items(merchant_id: str) -> list[dict[str, Any]]:
    """Every template as ``merchant-avatar-list`` shows it."""
    return [
        {**t, "merchant_id": merchant_id, "visibility": "merchant_public", "created_at": _CREATED,
         "updated_at": _CREATED}
        for t in TEMPLATES
    ]  # fmt: skip


def template_filter(query: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether a template passes ``merchant-avatar-list``'s filters."""
    text = str(query.get("filter_text") or "").casefold()
    archived = query.get("include_archived") == "true"

    def keep(t: Mapping[str, Any]) -> bool:
        if query.get("status"):
            if t["status"] != query["status"]:
                return False
        elif t["status"] == "archived" and not archived:
            return False
        if query.get("type") and t["type"] != query["type"]:
            return False
        language = query.get("mojito_language_code")
        if language and t["mojito_language_code"] != language:
            return False
        names = f"{t['name']} {t.get('video_voice_language_name') or ''}".casefold()
        return text in names

    return keep


def definition_filter(query: Mapping[str, Any]) -> Callable[[Definition], bool]:
    """Whether a definition passes ``merchant-interview-list``'s filters."""
    kind = query.get("type") or "interview"
    text = str(query.get("filter_text") or "").casefold()

    def keep(d: Definition) -> bool:
        if d.type != kind or (query.get("status") and d.status != query["status"]):
            return False
        return text in d.name.casefold()

    return keep


def page(items: Sequence[Any], query: Mapping[str, Any]) -> dict[str, Any]:
    """One page of ``items`` with the document's ``Pagination`` (limit 1–1000, default 50)."""
    limit = int(query.get("limit") or 50)
    offset = int(query.get("offset") or 0)
    chunk = list(items[offset : offset + limit])
    pagination = {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(chunk) < len(items),
    }
    return {"data": chunk, "pagination": pagination}


def diff_questions(
    stored: list[dict[str, Any]], sent: list[dict[str, Any]], new_id: Callable[[], str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The question list after an update, and the ``questions_diff`` that says why.

    Each entry sent is matched against what is stored on ``external_id``, then
    ``id``, then identical content: an unchanged match is kept, a changed one
    replaced (a new id), no match added; a stored question nothing matched is removed.
    """
    unmatched = list(stored)
    result: list[dict[str, Any]] = []
    diff: dict[str, Any] = {"kept": [], "added": [], "removed": [], "replaced": []}
    for entry in sent:
        match = _match(unmatched, entry)
        content = {k: v for k, v in entry.items() if k != "id"}
        if match is None:
            question = {**content, "id": new_id()}
            diff["added"].append(question["id"])
        else:
            unmatched.remove(match)
            old = {k: v for k, v in match.items() if k != "id"}
            if {**old, **content} == old:
                question = match
                diff["kept"].append(match["id"])
            else:
                question = {**old, **content, "id": new_id()}
                diff["replaced"].append({"from": match["id"], "to": question["id"]})
        result.append(question)
    diff["removed"] = [q["id"] for q in unmatched]
    diff["question_ids"] = [q["id"] for q in result]
    diff["reactivated"] = False
    return result, diff


def _match(stored: list[dict[str, Any]], entry: Mapping[str, Any]) -> dict[str, Any] | None:
    for key in ("external_id", "id"):
        if entry.get(key):
            for question in stored:
                if question.get(key) == entry[key]:
                    return question
    text = entry.get("question")
    return next((q for q in stored if q.get("question") == text), None)


__all__ = [
    "COLUMN_OF",
    "SANDBOX_MERCHANT_ID",
    "TEMPLATES",
    "TEMPLATE_IDS",
    "TEMPLATE_TYPES",
    "Definition",
    "definition_filter",
    "diff_questions",
    "now",
    "page",
    "template_filter",
    "template_items",
]
