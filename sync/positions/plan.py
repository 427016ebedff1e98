"""Plan: what happens to every job of the jobs export, decided before anything is sent.

validate -> duplicates -> the ledger (known, changed, gone) -> adopt by code.

Each job (a ``MappedJob``) becomes one ``PlannedJob``: a body for
``job-interview-create`` (the AI writes the questions) or ``-from-array``
(the questions sheet has the job), validated against the API's models with the
defaults filled in; or, for a job the ledger already knows, nothing to send
(``skipped``, with its id), ``changed`` (its fields differ from what was last
sent; ``--update`` sends the difference through ``job-interview-update``), or,
for a job no longer in the export, ``gone`` (reported, never deleted). An
existing definition with the job's code (``merchant-interview-list``) is
``adopted`` instead of created again. Pure: the ledger's and the API's
answers come in as values.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from sync.jobmojito.models import (
    InterviewCreateFromArrayRequest,
    InterviewCreateRequest,
    InterviewListItem,
    InterviewUpdateRequest,
)
from sync.jobmojito.validate import format_validation_error
from sync.ledger.base import KnownPosition
from sync.mapping.positions import MappedJob
from sync.positions.questions import Questions
from sync.records import ResultLine, Row, Status
from sync.text import file_name

#: The defaults of the three enums the API requires, each overridable (option, mapping).
DEFAULT_STATUS = "active"  # candidates can take it at once
DEFAULT_TYPE = "interview"  # a hiring interview: scored, with a recommendation
DEFAULT_VISIBILITY = "merchant_invite"  # reached through the invitation links sent
#: Validates a body whose template is chosen when sending (a name, or none given).
PLACEHOLDER_TEMPLATE = "00000000-0000-0000-0000-000000000000"
#: Fields left out of the change check: the key itself, and the template (``--template``
#: picks one for new interviews; a dry run cannot resolve a name).
NOT_COMPARED = frozenset({"code", "interview_template_id"})
UPDATABLE = frozenset(InterviewUpdateRequest.model_fields) - {"position_id"}


class Action(enum.StrEnum):
    """What is sent for a job."""

    CREATE = "job-interview-create"
    FROM_ARRAY = "job-interview-create-from-array"
    UPDATE = "job-interview-update"

    @property
    def planned(self) -> str:
        """The job's plan in a few words, as the preview shows it."""
        return _PLANNED[self]


_PLANNED = {
    Action.CREATE: "to create",
    Action.FROM_ARRAY: "to create (questions)",
    Action.UPDATE: "to update",
}


@dataclass(frozen=True, slots=True)
class Defaults:
    """The values a job's interview gets unless its mapping says otherwise.

    ``status``, ``type`` and ``visibility`` given here (options) win over the
    mapping; ``template_id`` is used when the mapping gives none.
    """

    template_id: str = PLACEHOLDER_TEMPLATE
    status: str | None = None
    type: str | None = None
    visibility: str | None = None
    update: bool = False
    dry_run: bool = False


@dataclass(slots=True)
class PlannedJob:
    """One job's fate. ``status`` None: ``body`` is sent to ``action``."""

    index: int
    key: str
    name: str
    row: Row | None  # None: a job gone from the export
    status: Status | None = None
    reason: str = ""
    action: Action | None = None
    body: dict[str, Any] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # of the fields as they are now
    known: KnownPosition | None = None
    link: str = ""

    @property
    def interview_id(self) -> str:
        return self.known.id_to_send if self.known is not None else ""

    def line(self) -> ResultLine:
        """The results line of the job as planned."""
        label = f"{self.name} ({self.key})" if self.name and self.key else self.name or self.key
        return ResultLine(
            source_file=file_name(self.row.source) if self.row is not None else "",
            source_row=self.row.line if self.row is not None else 0,
            candidate_name="",
            candidate_email="",
            position=label,
            status=self.status if self.status is not None else Status.NOT_SENT,
            reason=self.reason,
            interview_url=self.link,
            position_def_set_id=self.interview_id,
            identity=self.key,
        )


def plan_jobs(
    mapped: Iterable[MappedJob],
    *,
    known: Mapping[str, KnownPosition],
    questions: Questions | None = None,
    defaults: Defaults = Defaults(),
) -> list[PlannedJob]:
    """Every job's fate, in export order, then one ``gone`` line per job the ledger knows
    from an earlier positions run that the export no longer has."""
    planned: list[PlannedJob] = []
    first: dict[str, PlannedJob] = {}
    for index, job in enumerate(mapped):
        p = _validated(index, job, questions, defaults)
        if p.status is None and p.key in first:
            p.status = Status.DUPLICATE
            earlier = first[p.key].row
            line = earlier.line if earlier is not None else "?"
            p.reason = f"job '{p.key}' is listed twice; the first is row {line}"
        elif p.status is None:
            first[p.key] = p
            _against_ledger(p, known.get(p.key), defaults)
        planned.append(p)
    seen = {job.key for job in planned}
    if questions is not None:
        planned.extend(_unused_questions(questions, seen, start=len(planned)))
    for key, record in sorted(known.items()):
        if key not in seen and (record.digests or record.origin != "enrolment"):
            planned.append(
                PlannedJob(
                    len(planned), key, record.name, None, Status.GONE,
                    f"no longer in the jobs export; the interview is kept ({record.origin}"
                    f" in run {record.run_id})", known=record, link=record.link,
                )
            )  # fmt: skip
    if defaults.dry_run:
        for p in planned:
            if p.status is None:
                p.status = Status.DRY_RUN
                p.reason = f"valid; would send {p.action}" + (f": {p.reason}" if p.reason else "")
    return planned


def _unused_questions(questions: Questions, exported: set[str], start: int) -> list[PlannedJob]:
    """An ``invalid`` line for each job the questions sheet names that the export does
    not have, and for each question row without a job key: no question goes unseen."""
    out: list[PlannedJob] = []
    for key, lines in questions.rows.items():
        if key not in exported:
            where = ", ".join(map(str, lines[:5])) + (" …" if len(lines) > 5 else "")
            out.append(
                PlannedJob(
                    start + len(out), key, "", Row(questions.sheet, lines[0], {}), Status.INVALID,
                    f"{questions.sheet} row{'s' if len(lines) > 1 else ''} {where} name job"
                    f" '{key}', which is not in the jobs export; its questions are not used",
                )
            )  # fmt: skip
    for line, problem in questions.orphans:
        row = Row(questions.sheet, line, {})
        out.append(PlannedJob(start + len(out), "", "", row, Status.INVALID, problem))
    return out


def adopt(planned: Sequence[PlannedJob], listing: Iterable[InterviewListItem]) -> list[str]:
    """Jobs to create whose code an existing definition carries become ``adopted``.

    Returns notes (a code several definitions carry: the newest is adopted).
    """
    by_code: dict[str, list[InterviewListItem]] = {}
    for item in listing:  # newest-updated first, as the API lists them
        code = item.external_code()
        if code:
            by_code.setdefault(code, []).append(item)
    notes: list[str] = []
    for p in planned:
        if p.status is not None or p.action not in (Action.CREATE, Action.FROM_ARRAY):
            continue
        items = by_code.get(str(p.body.get("code", "")), [])
        if not items:
            continue
        chosen = items[0]
        if len(items) > 1:
            notes.append(
                f"job '{p.key}': {len(items)} interviews carry code '{p.body['code']}'"
                f" ({', '.join(i.id for i in items)}); the newest, {chosen.id}, is adopted"
            )
        p.status = Status.ADOPTED
        p.reason = f"an interview with code '{p.body['code']}' exists already: adopted, not created"
        p.known = KnownPosition(
            p.key, "adopted", interview_def_set_id=chosen.id, name=p.name,
            code=str(p.body["code"]), digests=p.digests,
        )  # fmt: skip
    return notes


# --------------------------------------------------------------------------- one job


def _validated(
    index: int, job: MappedJob, questions: Questions | None, defaults: Defaults
) -> PlannedJob:
    name = str(job.payload.get("name") or "")
    p = PlannedJob(index, job.key, name, job.row)
    problems = list(job.problems)
    if questions is not None and job.key in questions.problems:
        problems.extend(questions.problems[job.key])
    own = questions.array(job.key) if questions is not None else []
    body = _with_defaults(job.payload, defaults)
    model: type[BaseModel]
    if own:
        p.action, model = Action.FROM_ARRAY, InterviewCreateFromArrayRequest
        body["questions"] = own
    else:
        p.action, model = Action.CREATE, InterviewCreateRequest
    body = {k: v for k, v in body.items() if k in model.model_fields}
    if not problems:
        try:
            request = model.model_validate(body)
        except ValidationError as exc:
            problems.extend(format_validation_error(exc))
        else:
            p.body = request.to_json()
    if problems:
        p.status, p.reason, p.action = Status.INVALID, "; ".join(problems), None
        return p
    p.digests = digests(p.body)
    sheet = questions.sheet if questions is not None else ""
    n = len(own)
    p.reason = (
        f"{n} question{'s' * (n != 1)} from {sheet}" if own else "the AI writes the questions"
    )
    return p


def _with_defaults(payload: Mapping[str, Any], defaults: Defaults) -> dict[str, Any]:
    body = dict(payload)
    for name, given, default in (
        ("status", defaults.status, DEFAULT_STATUS),
        ("type", defaults.type, DEFAULT_TYPE),
        ("visibility", defaults.visibility, DEFAULT_VISIBILITY),
    ):
        body[name] = given or body.get(name) or default
    body.setdefault("interview_template_id", defaults.template_id)
    return body


def _against_ledger(p: PlannedJob, record: KnownPosition | None, defaults: Defaults) -> None:
    """A job the ledger knows: skipped, changed, or an update to send."""
    if record is None:
        return
    p.known, p.link = record, record.link
    since = f"{record.origin} in run {record.run_id}"
    if not record.digests:  # learned from an enrolment, or adopted: nothing to compare
        p.status, p.action = Status.SKIPPED, None
        p.reason = f"the interview exists ({since}); its fields are noted from now on"
        return
    changed = sorted(
        k for k in set(p.digests) | set(record.digests)
        if k not in NOT_COMPARED and p.digests.get(k) != record.digests.get(k)
    )  # fmt: skip
    if not changed:
        p.status, p.action, p.reason = Status.SKIPPED, None, f"the interview exists ({since})"
        return
    sendable = [k for k in changed if k in UPDATABLE and k in p.body]
    fixed = [k for k in changed if k not in sendable]
    note = (
        f"; {', '.join(fixed)} cannot be changed by an update (a removed value, or a field"
        " the API fixes at creation): create a new interview for that"
        if fixed
        else ""
    )
    if not defaults.update or not sendable:
        p.status, p.action = Status.CHANGED, None
        what = ", ".join(changed)
        hint = "; --update sends the change" if sendable else ""
        p.reason = f"changed since the interview was made ({since}): {what}{hint}{note}"
        return
    body = {"position_id": record.id_to_send, **{k: p.body[k] for k in sendable}}
    try:
        p.body = InterviewUpdateRequest.model_validate(body).to_json()
    except ValidationError as exc:  # pragma: no cover - the create model checked the values
        p.status, p.action, p.reason = Status.INVALID, None, "; ".join(format_validation_error(exc))
        return
    p.action = Action.UPDATE
    p.reason = f"changed: {', '.join(sendable)}{note}"
    # What the ledger will hold once sent: the new digests of what is sent, the old
    # ones of what an update cannot change (so it is reported again, not forgotten).
    p.digests = {**{k: v for k, v in record.digests.items() if k in fixed}, **{
        k: v for k, v in p.digests.items() if k not in fixed
    }}  # fmt: skip


def digests(body: Mapping[str, Any]) -> dict[str, str]:
    """A short digest of each field of a body, to notice a change without storing it."""
    return {
        name: hashlib.sha256(
            json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]
        for name, value in body.items()
    }


__all__ = [
    "DEFAULT_STATUS",
    "DEFAULT_TYPE",
    "DEFAULT_VISIBILITY",
    "PLACEHOLDER_TEMPLATE",
    "Action",
    "Defaults",
    "PlannedJob",
    "adopt",
    "digests",
    "plan_jobs",
]
