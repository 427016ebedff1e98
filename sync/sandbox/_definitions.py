"""The sandbox's interview definitions: the lists, updates and signed URLs (a mixin).

``SandboxState`` inherits ``Definitions``: its own state fields (the
definitions, and the counts of positions created, found and updated) and the
work of ``merchant-avatar-list``, ``merchant-interview-list``,
``job-interview-update`` and ``job-interview-token``. Like every state method,
each runs under the state's one lock and never awaits.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from sync.sandbox._catalogue import (
    COLUMN_OF,
    SANDBOX_MERCHANT_ID,
    TEMPLATE_IDS,
    TEMPLATE_TYPES,
    Definition,
    definition_filter,
    diff_questions,
    now,
    page,
    template_filter,
    template_items,
)

SIGNED_URL_BASE = "https://sandbox.jobmojito.local/"
CANDIDATE_ENDPOINT = "job-interview-create-for-candidate-with-token"
#: The ids each kind of signed URL needs (``job-interview-token``).
SIGNED_URL_IDS: dict[str, tuple[str, ...]] = {
    "interview-for-profile": ("interview_profile_id", "interview_id"),
    "results-for-profile": ("interview_profile_id",),
    "interview-result-candidate": ("interview_result_id",),
    "interview-result-talent-seeker": ("interview_result_id",),
    "interview-results-for-position": ("interview_id",),
}


class Definitions:
    """The merchant's interview definitions and what was done to them."""

    if TYPE_CHECKING:  # provided by SandboxState
        _lock: threading.Lock
        enrolments: dict[Any, Any]
        _by_external: dict[str, str]

        def _uuid(self) -> str: ...
        def _token(self) -> str: ...

    def _reset_definitions(self) -> None:
        """Forget every definition and count (under the caller's lock)."""
        self.definitions: dict[str, Definition] = {}
        self.positions_created: Counter[str] = Counter()  # by the endpoint that made it
        self.positions_found: Counter[str] = Counter()  # how enrolments found theirs
        self.interviews_updated = 0

    def _definition_stats(self) -> dict[str, Any]:
        """The counts for ``stats`` (under the caller's lock)."""
        return {
            "positions_created": sum(self.positions_created.values()),
            "positions_created_by": dict(sorted(self.positions_created.items())),
            "positions_found_by": dict(sorted(self.positions_found.items())),
            "interviews_updated": self.interviews_updated,
        }

    def _define(
        self, id_: str, name: str, code: str | None, endpoint: str, fields: dict[str, Any]
    ) -> Definition:
        """Remember a new definition for the list, counted as a position created."""
        stored = {k: v for k, v in fields.items() if k not in ("questions", "name", "code")}
        definition = Definition(
            id=id_,
            merchant_id=SANDBOX_MERCHANT_ID,
            name=name,
            code=code,
            type=fields.get("type") or "interview",
            status=fields.get("status") or "active",
            visibility=fields.get("visibility") or "merchant_invite",
            mojito_language_code=fields.get("mojito_language_code"),
            template_id=fields.get("interview_template_id") or fields.get("template_id"),
            stored=stored,
            seq=len(self.definitions),
        )
        self.definitions[id_] = definition
        self.positions_created[endpoint] += 1
        return definition

    def avatar_list(self, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``merchant-avatar-list``: the fixed templates, filtered and paged."""
        keep = template_filter(query)
        merchant = query.get("merchant_id") or SANDBOX_MERCHANT_ID
        return 200, page([t for t in template_items(merchant) if keep(t)], query)

    def interview_list(self, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``merchant-interview-list``: definitions newest-updated first, filtered and paged."""
        with self._lock:
            keep = definition_filter(query)
            found = sorted(
                (d for d in self.definitions.values() if keep(d)),
                key=lambda d: (d.updated_at, d.seq),
                reverse=True,
            )
            counts: Counter[str] = Counter()  # enrolments by definition (position or interview)
            for e in self.enrolments.values():
                counts.update({e.position_id, e.interview_def_set_id})
            return 200, page([d.item(counts[d.id]) for d in found], query)

    def update_interview(self, fields: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """``job-interview-update``: write the fields sent; diff the questions when sent."""
        with self._lock:
            definition = self.definitions.get(fields["position_id"])
            if definition is None:
                message = "No interview or position found for the given id"
                return 404, {"error": message, "name": "position_id"}
            template = fields.get("interview_template_id")
            if template is not None and template not in TEMPLATE_IDS:
                error = "interview_template_id does not name a template of this merchant"
                return 422, {"error": error, "name": "interview_template_id"}
            offline = TEMPLATE_TYPES.get(template or definition.template_id or "", "")
            if (
                "questions" in fields
                and definition.status == "active"
                and offline.startswith("offline")
            ):
                error = "questions of an active interview on an offline template cannot change"
                return 422, {"error": error, "name": "questions"}
            written: list[str] = []
            for key, value in fields.items():
                if key in ("position_id", "questions", "regenerate_candidate_expectations"):
                    continue
                if key == "name":
                    definition.name = value
                elif key == "code":
                    definition.code = value or None
                    if value:
                        self._by_external.setdefault(value, definition.id)
                elif key in ("status", "visibility", "type"):
                    setattr(definition, key, value)
                elif key == "interview_template_id":
                    definition.template_id = value
                else:
                    definition.stored[key] = value
                written.append(COLUMN_OF.get(key, key))
            body: dict[str, Any] = {"position_id": definition.id, "is_multistage": False}
            if "questions" in fields:
                definition.questions, diff = diff_questions(
                    definition.questions, fields["questions"], self._uuid
                )
                body["questions_diff"] = diff
                written.append("questions")
            body["updated_fields"] = written
            definition.updated_at = now()
            self.interviews_updated += 1
            return 200, body

    def signed_url(self, fields: dict[str, Any]) -> tuple[int, Any]:
        """``job-interview-token``: a signed URL (a bare JSON string) for ``type``."""
        with self._lock:
            kind = fields["type"]
            for name in SIGNED_URL_IDS[kind]:
                if not fields.get(name):
                    return 422, {"error": f"{name} is required for type {kind}", "name": name}
            interview = fields.get("interview_id")
            if interview and interview not in self.definitions:
                return 422, {"error": "interview not found", "name": "interview_id"}
            target = (
                interview or fields.get("interview_result_id") or fields.get("interview_profile_id")
            )
            return 200, f"{SIGNED_URL_BASE}{kind}/{target}/?interview_token={self._token()}"


__all__ = ["CANDIDATE_ENDPOINT", "SIGNED_URL_IDS", "Definitions"]
