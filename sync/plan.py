"""Plan: decide, before anything is sent, what happens to every mapped row.

validate -> identity -> in-input duplicates -> ledger look-up -> dry run.
A row the selection left out (``sync.mapping.select``) never reaches it:
``with_excluded`` puts it back in its place as ``excluded``.

Pure apart from the ``enrolled`` look-up the caller passes in (the ledger's).
Every input row comes out as exactly one ``PlannedRow``, in input order; a row
whose ``status`` is ``None`` is to be sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sync.jobmojito.validate import validate_candidate
from sync.mapping.model import MappingFile
from sync.records import MappedRow, PlannedRow, ResultLine, Row, Status, Table
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


def position_title(payload: Mapping[str, Any]) -> str:
    """How the results sheet names the position: its title, as people know it. The id
    goes in a column of its own (``ResultLine.position_id``, read from the identity)."""
    return str(payload.get("position_name") or "").strip()


#: What validation says of a position field when the position is not known at all.
_NEEDS_POSITION = "required when position_def_set_id is not given"


def root_causes(
    row: Row,
    mapped: Sequence[str],
    checked: Sequence[str],
    columns: Mapping[str, Sequence[str]],
) -> list[str]:
    """``row``'s problems, the root cause first and its consequences left out.

    ``mapped`` are the mapping's problems (a transform refused a value, a job key
    is not in the jobs file, a resume file is missing): they come first, as they
    explain the rest. ``checked`` are validation's; of those, a field's problem is
    dropped when the mapping already reported that field (``candidate_resume: file
    'cv.pdf' not found`` makes ``candidate_resume: required`` noise), and the
    position fields' "required" when the job itself was not found. A required
    field whose columns (``columns``: field -> the applicants headers it reads) are
    blank in the row says so: ``candidate_resume: required, but column 'Resume' is empty``.
    """
    reported = {problem.partition(":")[0] for problem in mapped}
    out = list(mapped)
    for problem in checked:
        field, _, message = problem.partition(": ")
        if field in reported:
            continue
        if "position" in reported and message == _NEEDS_POSITION:
            continue
        headers = columns.get(field, ())
        blank = headers and not any(row.values.get(h, "").strip() for h in headers)
        if message == "required" and blank:
            named = ", ".join(f"'{h}'" for h in headers)
            which = f"column {named} is" if len(headers) == 1 else f"columns {named} are"
            problem = f"{field}: required, but {which} empty"
        out.append(problem)
    return out


def plan_rows(
    mapped: Iterable[MappedRow],
    *,
    enrolled: EnrolledLookup | None = None,
    force: bool = False,
    dry_run: bool = False,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> list[PlannedRow]:
    """Validate each mapped row and decide its fate before sending.

    - mapping or validation problems -> ``invalid`` (``reason``: the root cause
      first, its consequences left out, see ``root_causes``; ``columns`` names the
      applicants columns each field reads, for "column 'Resume' is empty");
    - the same identity earlier in this input -> ``duplicate`` (naming that row);
    - already enrolled in an earlier run (``enrolled`` look-up) -> ``skipped``
      with the recorded ``interview_url``, unless ``force``;
    - otherwise ``dry_run`` when ``dry_run``, else ``None`` (to send).
    """
    planned: list[PlannedRow] = []
    first_seen: dict[str, PlannedRow] = {}
    for index, m in enumerate(mapped):
        checked = validate_candidate(m.payload)
        problems = checked.problems
        notes = "; ".join(m.notes)
        if m.problems or problems:
            problems = tuple(root_causes(m.row, m.problems, problems, columns or {}))
            planned.append(
                PlannedRow(
                    index=index,
                    row=m.row,
                    payload=dict(m.payload),
                    identity=row_identity(m.payload),
                    status=Status.INVALID,
                    reason="; ".join(problems),
                    notes=notes,
                    fingerprint=problem_fingerprint(Status.INVALID, m.payload, problems),
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
                    notes=notes,
                )
            )
            continue
        row = PlannedRow(index=index, row=m.row, payload=body, identity=identity, notes=notes)
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


def problem_fingerprint(status: Status, payload: Mapping[str, Any], causes: Iterable[str]) -> str:
    """What makes a problem row the same problem on another night: its status, the
    payload its row mapped to, and what is wrong (the fields an invalid row's problems
    name, the HTTP status of a rejection); never the row number, which moves as the
    export grows, nor columns the mapping does not read (``Days in current phase``).
    A SHA-256: the ledger keeps no personal data for it."""
    what = sorted({str(c).split(":", 1)[0].strip() for c in causes})
    text = json.dumps([str(status), what, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_excluded(
    rows: Sequence[Row],
    reasons: Sequence[str | None],
    planned: Iterable[PlannedRow],
    shown: Iterable[dict[str, Any]],
) -> list[PlannedRow]:
    """Every row of the file in order: ``planned`` for the rows the selection kept
    (``reasons[i]`` is ``None``), an ``excluded`` row for the others, with its reason and
    ``shown`` (its name, e-mail and position, in order). Indexes are the rows' places."""
    kept, payloads = iter(planned), iter(shown)
    out: list[PlannedRow] = []
    for index, (row, reason) in enumerate(zip(rows, reasons, strict=True)):
        if reason is None:
            p = next(kept)
        else:
            payload = next(payloads)
            p = PlannedRow(
                index=index,
                row=row,
                payload=payload,
                identity=row_identity(payload),
                status=Status.EXCLUDED,
                reason=reason,
            )
        p.index = index
        out.append(p)
    return out


def result_line(p: PlannedRow) -> ResultLine:
    """The results line of a row decided before sending (or still pending)."""
    payload = p.payload
    return ResultLine(
        source_file=file_name(p.row.source),
        source_row=p.row.line,
        candidate_name=str(payload.get("candidate_name") or ""),
        candidate_email=str(payload.get("candidate_email") or ""),
        position=position_title(payload),
        status=p.status if p.status is not None else Status.NOT_SENT,
        reason=p.reason,
        interview_url=p.interview_url,
        identity=p.identity,
        notes=p.notes,
        fingerprint=p.fingerprint,
        candidate_external_id=str(payload.get("candidate_external_id") or "").strip(),
        position_external_id=str(payload.get("position_external_id") or "").strip(),
        position_name=str(payload.get("position_name") or "").strip(),
    )


def unplanned_lines(table: Table, mapping: MappingFile, reason: str) -> list[ResultLine]:
    """One ``not_sent`` line per applicant row, for a run stopped before its plan was made.

    The name and e-mail come from the mapping's first column for them, when that
    column is in the file (the rows were never mapped).
    """

    def column(field: str) -> str | None:
        spec = mapping.fields.get(field)
        names = spec.column if spec is not None and spec.column else []
        return next((n for n in names if n in table.headers), None)

    name, email = column("candidate_name"), column("candidate_email")
    return [
        ResultLine(
            source_file=file_name(row.source),
            source_row=row.line,
            candidate_name=row.values.get(name, "") if name else "",
            candidate_email=row.values.get(email, "") if email else "",
            position="",
            status=Status.NOT_SENT,
            reason=reason,
        )
        for row in table.rows
    ]
