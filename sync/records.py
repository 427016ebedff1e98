"""The records that flow between the steps of a sync.

read -> ``Row`` (in a ``Table``) -> map -> ``MappedRow`` -> validate + plan
-> ``PlannedRow`` -> dispatch -> ``ResultLine`` -> results sheet.

These are plain frozen dataclasses so that every step stays a pure function of
its inputs; nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sync.text import file_name


class Status(enum.StrEnum):
    """The outcome of one input row (the results column ``status``)."""

    # The API's own decision, copied as returned (the row was sent).
    AI_ACCEPT = "ai_accept"
    RECRUITER_ACCEPT = "recruiter_accept"
    RECRUITER_ACTION = "recruiter_action"
    AI_REJECT = "ai_reject"
    RECRUITER_REJECT = "recruiter_reject"
    ALREADY_APPLIED = "already-applied"
    # Decided by jobmojito-sync.
    INVALID = "invalid"  # failed validation, not sent
    DUPLICATE = "duplicate"  # same candidate+position earlier in this input
    SKIPPED = "skipped"  # the ledger shows it enrolled in an earlier run
    EXCLUDED = "excluded"  # not selected: a select: condition, --where or --since
    REJECTED = "rejected"  # the API answered a permanent 4xx
    FAILED = "failed"  # retries exhausted; safe to retry next run
    NOT_SENT = "not_sent"  # the run stopped before this row
    DRY_RUN = "dry_run"  # valid, would be sent
    OTHER_SHARD = "other_shard"  # another shard of the run group sends it (--shard)
    # A job's interview (``jobmojito-sync positions``), besides the shared ones above.
    CREATED = "created"  # made by job-interview-create or -from-array
    ADOPTED = "adopted"  # an interview with the job's code existed: taken, not made
    UPDATED = "updated"  # the job changed and --update sent the change
    CHANGED = "changed"  # the job changed since its interview was made; not updated
    GONE = "gone"  # no longer in the jobs export; the interview is kept

    def __str__(self) -> str:
        return self.value

    @property
    def is_enrolled(self) -> bool:
        """The API holds an enrolment for this candidate and position."""
        return self in API_DECISIONS

    @property
    def is_problem(self) -> bool:
        """Rows that make the run finish with exit code 1."""
        return self in (Status.INVALID, Status.REJECTED, Status.FAILED)

    @property
    def is_position_outcome(self) -> bool:
        """An outcome only a job's line has (a positions run)."""
        return self in POSITION_OUTCOMES


API_DECISIONS = frozenset(
    {
        Status.AI_ACCEPT,
        Status.RECRUITER_ACCEPT,
        Status.RECRUITER_ACTION,
        Status.AI_REJECT,
        Status.RECRUITER_REJECT,
        Status.ALREADY_APPLIED,
    }
)


#: How the ledger's ``runs.mapping`` marks a positions run (one line per job).
POSITIONS_RUN = " (positions)"

POSITION_OUTCOMES = frozenset(
    {Status.CREATED, Status.ADOPTED, Status.UPDATED, Status.CHANGED, Status.GONE}
)

NO_LINKS: Mapping[str, str] = MappingProxyType({})  # shared by every row without links


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of an input file, every cell as text.

    ``values`` is keyed by the header exactly as it appears in the file (BOM and
    surrounding white space removed). Empty cells are ``""``, never ``None``.
    ``line`` is the row number the user sees when opening the file in Excel
    (the header row of a plain CSV is row 1, so its first data row is row 2).
    """

    source: str  # file name as given by the user (not necessarily absolute)
    line: int
    values: dict[str, str]
    # header -> the URL a cell links to (an XLSX hyperlink whose text is not the URL)
    links: Mapping[str, str] = field(default_factory=lambda: NO_LINKS)
    # what is wrong with the row as read (more cells than the header): it is invalid
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MappedRow:
    """A row after the mapping: the payload it produced and what went wrong.

    ``problems`` holds messages such as ``"candidate_resume: file 'cv.pdf' not
    found in resumes.zip"``; a row with problems is ``invalid`` and is not sent.
    ``notes`` says where each derived value came from (``country from phone
    +49``), and ``sources`` names those sources for the run's counts.
    """

    row: Row
    payload: dict[str, Any]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(slots=True)
class PlannedRow:
    """A row after validation and planning.

    ``status`` is ``None`` when the row is to be sent; otherwise it is the final
    outcome decided before sending (invalid, duplicate, skipped, excluded, dry_run).
    ``payload`` is the JSON body to send (validated, ``None`` fields dropped); an
    excluded row's holds only what the sheet shows (name, e-mail, position).
    ``fingerprint`` identifies an invalid row's problem across runs (``sync.plan``).
    """

    index: int  # position in the input, 0-based, across all applicant rows
    row: Row
    payload: dict[str, Any]
    identity: str  # "same candidate, same position" key (docs/design.md)
    status: Status | None = None
    reason: str = ""
    interview_url: str = ""
    notes: str = ""  # where derived values came from ("; "-separated)
    fingerprint: str = ""


@dataclass(slots=True)
class ResultLine:
    """One line of the results sheet: exactly one per input row, in input order."""

    source_file: str
    source_row: int
    candidate_name: str
    candidate_email: str
    position: str  # the position's title (position_name); its id is ``position_id``
    status: Status
    reason: str = ""
    interview_url: str = ""
    position_def_set_id: str = ""
    profile_interview_id: str = ""
    http_status: int | None = None
    attempts: int = 0
    identity: str = ""
    notes: str = ""  # where derived values came from: "country from phone +49; …"
    # A problem's fingerprint (invalid, rejected), and the day an earlier run first
    # reported the same problem ("" while it is new): ``invalid (known since …)``.
    fingerprint: str = ""
    known_since: str = ""
    # Not on the sheet: what the ledger keeps of an enrolment to write outcomes back
    # to the ATS (its own candidate and job ids, as the export had them).
    candidate_external_id: str = ""
    position_external_id: str = ""
    position_name: str = ""

    @property
    def shown_status(self) -> str:
        """The status as the sheet shows it: ``invalid (known since 2026-11-29)``."""
        if self.known_since:
            return f"{self.status} (known since {self.known_since[:10]})"
        return str(self.status)

    @property
    def position_id(self) -> str:
        """The id that identified the position: its ``position_def_set_id`` or
        ``position_external_id`` (e.g. the ATS job id), read from ``identity``
        (``<e-mail>/def:<id>``, ``<e-mail>/ext:<id>``); ``""`` for a position known
        by name, location and country only."""
        at = self.identity.find("@")
        cut = self.identity.find("/", at + 1)  # a domain holds no "/"
        kind, _, ref = self.identity[cut + 1 :].partition(":")
        return ref if cut >= 0 and kind in ("def", "ext") else ""


@dataclass(slots=True)
class RunSummary:
    """What the Summary sheet and the closing log line say about a run."""

    run_id: str
    tool_version: str
    mapping: str
    inputs: list[tuple[str, str]]  # (path, sha256)
    started_at: str  # ISO 8601, UTC
    finished_at: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)  # status value -> rows
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)
    # where derived values came from -> rows ("resume: id in a file name" -> 40)
    sources: dict[str, int] = field(default_factory=dict)
    # condition -> rows it excluded ("Status not in Rejected, Hired" -> 120)
    selection: dict[str, int] = field(default_factory=dict)
    known_problems: int = 0  # problem rows an earlier run already reported
    fail_on: str = "any"  # which problems made exit code 1: "new", "any" ("": not known)
    results: str = "all"  # which lines the Results sheet shows: problems, selected, all
    positions: bool = False  # a positions run: one line per job


@dataclass(frozen=True, slots=True)
class Table:
    """A whole input file read as text: what ``sync.readers.read_table`` returns.

    ``headers`` are the header cells as they appear in the file (BOM and
    surrounding white space removed), in file order. ``header_line`` is the
    Excel row number of the header row (1 unless title rows sit above it).
    """

    path: str  # as given by the user
    format: str  # "csv", "xlsx", "xls", "ods"
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    sha256: str  # of the file's bytes
    header_line: int = 1
    sheet: str | None = None  # the sheet read (spreadsheets only)
    encoding: str | None = None  # the encoding used (CSV only)
    delimiter: str | None = None  # the delimiter used (CSV only)
    notes: tuple[str, ...] = ()  # e.g. "decoded as cp1252 (not valid UTF-8)"

    @property
    def name(self) -> str:
        """The file name shown in messages and in the results' source_file column."""
        return file_name(self.path)
