"""Plan: decide, before anything is sent, what happens to every mapped row.

validate -> identity -> in-input duplicates -> ledger look-up -> dry run.

Pure apart from the ``enrolled`` look-up the caller passes in (the ledger's).
Every input row comes out as exactly one ``PlannedRow``, in input order; a row
whose ``status`` is ``None`` is to be sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from sync.jobmojito.validate import validate_candidate
from sync.records import MappedRow, PlannedRow, ResultLine, Status
from sync.text import file_name

_SPACES = re.compile(r"\s+")


class EnrolmentLike(Protocol):
    """What the plan needs to know of an earlier enrolment (the ledger's record)."""

    @property
    def status(self) -> str: ...
    @property
    def interview_url(self) -> str: ...
    @property
    def run_id(self) -> str: ...


EnrolledLookup = Callable[[Iterable[str]], Mapping[str, EnrolmentLike]]


def _norm(value: Any) -> str:
    return _SPACES.sub(" ", str(value or "")).strip().casefold()


def position_identity(payload: Mapping[str, Any]) -> str:
    """The position's identity: its def-set id, else its external id, else
    its normalised name + location + country (docs/design.md)."""
    if payload.get("position_def_set_id"):
        return "def:" + str(payload["position_def_set_id"]).strip()
    if payload.get("position_external_id"):
        return "ext:" + str(payload["position_external_id"]).strip()
    parts = (
        payload.get("position_name"),
        payload.get("position_location"),
        payload.get("position_country_code"),
    )
    return "pos:" + "|".join(_norm(p) for p in parts)


def row_identity(payload: Mapping[str, Any]) -> str:
    """ "Same candidate, same position": lower-cased trimmed e-mail + position identity."""
    email = str(payload.get("candidate_email") or "").strip().lower()
    return f"{email}/{position_identity(payload)}"


def position_label(payload: Mapping[str, Any]) -> str:
    """How the results sheet names the position: what the user will recognise."""
    name = str(payload.get("position_name") or "").strip()
    ref = str(payload.get("position_external_id") or payload.get("position_def_set_id") or "")
    ref = ref.strip()
    if name and ref:
        return f"{name} ({ref})"
    return name or ref


def plan_rows(
    mapped: Iterable[MappedRow],
    *,
    enrolled: EnrolledLookup | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> list[PlannedRow]:
    """Validate each mapped row and decide its fate before sending.

    - mapping or validation problems -> ``invalid`` (every problem in ``reason``);
    - the same identity earlier in this input -> ``duplicate`` (naming that row);
    - already enrolled in an earlier run (``enrolled`` look-up) -> ``skipped``
      with the recorded ``interview_url``, unless ``force``;
    - otherwise ``dry_run`` when ``dry_run``, else ``None`` (to send).
    """
    planned: list[PlannedRow] = []
    first_seen: dict[str, PlannedRow] = {}
    for index, m in enumerate(mapped):
        checked = validate_candidate(m.payload)
        problems = (*m.problems, *checked.problems)
        if problems:
            planned.append(
                PlannedRow(
                    index=index,
                    row=m.row,
                    payload=dict(m.payload),
                    identity=row_identity(m.payload),
                    status=Status.INVALID,
                    reason="; ".join(problems),
                )
            )
            continue
        body = checked.body
        identity = row_identity(body)
        earlier = first_seen.get(identity)
        if earlier is not None:
            planned.append(
                PlannedRow(
                    index=index,
                    row=m.row,
                    payload=body,
                    identity=identity,
                    status=Status.DUPLICATE,
                    reason=(
                        f"same candidate and position as row {earlier.row.line}"
                        f" of {file_name(earlier.row.source)}"
                    ),
                )
            )
            continue
        row = PlannedRow(index=index, row=m.row, payload=body, identity=identity)
        first_seen[identity] = row
        planned.append(row)

    if enrolled is not None and not force:
        pending = [p for p in planned if p.status is None]
        known = enrolled(p.identity for p in pending)
        for p in pending:
            record = known.get(p.identity)
            if record is not None:
                p.status = Status.SKIPPED
                p.interview_url = record.interview_url
                p.reason = (
                    f"already enrolled in run {record.run_id} ({record.status});"
                    " use --force to send again"
                )
    if dry_run:
        for p in planned:
            if p.status is None:
                p.status = Status.DRY_RUN
                p.reason = "valid; would be sent"
    return planned


def result_line(p: PlannedRow) -> ResultLine:
    """The results line of a row decided before sending (or still pending)."""
    payload = p.payload
    return ResultLine(
        source_file=file_name(p.row.source),
        source_row=p.row.line,
        candidate_name=str(payload.get("candidate_name") or ""),
        candidate_email=str(payload.get("candidate_email") or ""),
        position=position_label(payload),
        status=p.status if p.status is not None else Status.NOT_SENT,
        reason=p.reason,
        interview_url=p.interview_url,
        identity=p.identity,
        candidate_external_id=str(payload.get("candidate_external_id") or "").strip(),
        position_external_id=str(payload.get("position_external_id") or "").strip(),
        position_name=str(payload.get("position_name") or "").strip(),
    )
