"""What a ledger is, whatever stores it: the interface, its records, the values it writes.

``Ledger`` is the small interface the run uses; ``Enrolment`` and ``RunInfo``
are what it hands back. Every store (SQLite today, a PostgreSQL one for sharded
Airflow runs later, docs/design.md "The ledger") writes its values by the same rules,
kept here so that a second store reuses them: UTC timestamps (``utc_now``),
run ids that sort in start order (``new_run_id``), and free text with secrets
redacted and its length capped (``stored_text``), so that the ledger never
holds the API token or a whole API body.

One live run, in the order the calls happen::

    with open_ledger(path) as ledger:
        known = ledger.enrolled(identities)
        run_id = ledger.start_run(...)      # run lock; marks runs left 'running' as 'killed'
        ledger.record_plan(run_id, lines, pending)
        for each row sent:
            a = ledger.begin_attempt(run_id, i)     # committed before the request leaves
            ledger.finish_attempt(a, http_status=..., outcome=...)
            ledger.record_outcome(run_id, i, line)
        ledger.record_problems(run_id)      # the run's problem fingerprints, remembered
        ledger.finish_run(run_id, exit_code=..., counts=...)

``known_problems`` tells a dry run which of its problems earlier runs reported;
``result_lines`` marks them on any run's sheet (``ResultLine.known_since``).
``last_settled_run`` is the run ``--since last-run`` goes by.

An outcomes run (``sync.outcomes``) reads the enrolments and remembers what it saw::

    run_id = ledger.start_outcome_run(...)  # the same run lock
    for each enrolment in ledger.enrolled_candidates(): ...   # with the outcome last seen
    ledger.record_outcomes(run_id, seen)    # after its sheet is written
    ledger.finish_run(run_id, exit_code=..., counts=...)

Positions (``jobmojito-sync positions``, and every enrolment that names its
position): ``ledger.positions()`` is every job the ledger knows a position
for, ``ledger.record_position(run_id, known)`` remembers one (or what changed
of it).
"""

from __future__ import annotations

import abc
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sync.records import ResultLine
from sync.redact import redact
from sync.shards import Shard

MAX_TEXT = 2000  # reasons and details longer than this are cut: never a whole API body

#: A run group's shared pace as the ledger stores it (``sync.ledger.groups.PACE_COLUMNS``).
PaceRow = Mapping[str, float | None]


@dataclass(frozen=True, slots=True)
class Enrolment:
    """An enrolment the API confirmed in an earlier run (what ``plan`` skips).

    ``status`` and ``interview_url`` are what the API said last (the URL is never
    blanked by a later answer without one); ``run_id`` and ``enrolled_at`` name the
    run that first recorded the enrolment.
    """

    identity: str
    status: str
    interview_url: str
    run_id: str
    enrolled_at: str
    first_status: str = ""
    last_run_id: str = ""
    updated_at: str = ""


@dataclass(frozen=True, slots=True)
class KnownPosition:
    """A position the ledger knows for a job (``key``: the job key, see ``sync.positions``).

    ``origin`` says how it became known: ``created`` (job-interview-create),
    ``from-array`` (job-interview-create-from-array), ``adopted`` (found by its
    code in merchant-interview-list) or ``enrolment`` (the ``position_def_set_id``
    an enrolment answered). ``digests`` holds a digest of each interview field as
    last sent (empty when the ledger never sent it), ``link`` the recruiters'
    signed link. ``run_id`` and ``created_at`` name the run that first recorded it.
    """

    key: str
    origin: str
    interview_def_set_id: str = ""
    position_def_set_id: str = ""
    name: str = ""
    code: str = ""
    digests: Mapping[str, str] = field(default_factory=dict)
    link: str = ""
    run_id: str = ""
    created_at: str = ""
    last_run_id: str = ""
    updated_at: str = ""

    @property
    def id_to_send(self) -> str:
        """The ``position_def_set_id`` an enrolment names: the one an enrolment answered,
        else the interview's (a single-stage interview is its own position)."""
        return self.position_def_set_id or self.interview_def_set_id


@dataclass(frozen=True, slots=True)
class SeenOutcome:
    """The interview outcome an outcomes run saw for one enrolment, as the ledger keeps it.

    ``fingerprint`` stands for everything the outcomes sheet shows of it (progress,
    decision, scores, ...): a change of fingerprint is a change. ``changed_at`` is
    when the outcome first looked as it does now; ``seen_at`` and ``run_id`` name
    the outcomes run that saw it last. No names, e-mails or assessment text.
    """

    identity: str
    fingerprint: str
    progress: str  # "not started yet", "started", "completed", ...
    decision: str = ""
    score: float | None = None
    result_id: str = ""  # the API's interview_result_id
    changed_at: str = ""
    seen_at: str = ""
    run_id: str = ""


@dataclass(frozen=True, slots=True)
class EnrolledCandidate:
    """An enrolment with who it is, where it came from and the outcome last seen.

    What an outcomes run needs of it: the ATS's own candidate and job ids as the
    export had them (``candidate_external_id``, ``position_external_id``), the
    display columns of its row, the API's ids, and ``mapping``, the mapping of the
    run that enrolled it (which ATS it came from). ``last`` is ``None`` until an
    outcomes run has seen it.
    """

    identity: str
    status: str
    interview_url: str
    run_id: str
    enrolled_at: str
    position_def_set_id: str = ""
    profile_interview_id: str = ""
    candidate_name: str = ""
    candidate_email: str = ""
    position: str = ""  # the results sheet's label
    position_name: str = ""
    candidate_external_id: str = ""
    position_external_id: str = ""
    source_file: str = ""
    source_row: int | None = None
    mapping: str = ""
    last: SeenOutcome | None = None


@dataclass(slots=True)
class RunInfo:
    """One run as ``jobmojito-sync history`` shows it."""

    run_id: str
    started_at: str  # ISO 8601, UTC
    finished_at: str | None
    state: str  # running / finished / killed
    dry_run: bool
    mapping: str
    inputs: list[tuple[str, str]]  # (path, sha256)
    results_path: str
    exit_code: int | None
    counts: dict[str, int] = field(default_factory=dict)
    tool_version: str = ""
    pid: int | None = None
    host: str = ""
    kind: str = "sync"  # "sync", or "outcomes" for a run of ``jobmojito-sync outcomes``
    group: str = ""  # the run group of a sharded run (``--shard``), else ""
    shard: int | None = None  # its shard, 1 to ``shards``
    shards: int | None = None


class Ledger(abc.ABC):
    """The durable store of runs; a context manager that closes itself.

    Every writing method commits before it returns. Implementations must make
    ``start_run`` refuse a second overlapping run (``LedgerLockedError``) and
    release that refusal when the holding process dies.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abc.abstractmethod
    def start_run(
        self,
        *,
        inputs: list[tuple[str, str]],
        mapping: str,
        dry_run: bool,
        tool_version: str,
        results_path: str,
        kind: str = "sync",
        group: str | None = None,
        shard: Shard | None = None,
    ) -> str:
        """Take the run lock, mark abandoned runs 'killed', and return a new run id.

        ``kind`` is ``sync`` for a run that sends, ``outcomes`` for an outcomes run.
        With ``shard`` the run is that shard of the run ``group``: it runs beside
        the group's other shards (``sync.ledger.groups``)."""

    @abc.abstractmethod
    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        """Store every input row of the run; ``pending[i]`` rows are to be sent.

        A row ``skipped`` as already enrolled refreshes its enrolment's name, e-mail,
        position, ATS ids and export row (a blank never erases a value)."""

    @abc.abstractmethod
    def enrolled(self, identities: Iterable[str]) -> dict[str, Enrolment]:
        """The enrolments recorded in earlier runs for these identities."""

    @abc.abstractmethod
    def begin_attempt(self, run_id: str, row_index: int) -> int:
        """Journal an attempt 'in_flight' (committed) and return its id."""

    @abc.abstractmethod
    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        """Record how an attempt ended ('ok', 'retry', 'rejected', 'failed', 'auth', ...)."""

    @abc.abstractmethod
    def record_outcome(self, run_id: str, row_index: int, line: ResultLine) -> None:
        """Record a row's final outcome; an API decision also records the enrolment,
        with who it is (name, e-mail, position, ATS ids, export row)."""

    @abc.abstractmethod
    def record_problems(self, run_id: str) -> None:
        """Remember the fingerprints of ``run_id``'s problem rows (first and last run seen)."""

    @abc.abstractmethod
    def known_problems(self, fingerprints: Iterable[str]) -> dict[str, str]:
        """Fingerprint -> when a run first reported it, for those a run has reported."""

    @abc.abstractmethod
    def positions(self) -> dict[str, KnownPosition]:
        """Every position the ledger knows, by job key."""

    @abc.abstractmethod
    def record_position(self, run_id: str, position: KnownPosition) -> None:
        """Remember a job's position, or update it: non-empty values replace stored ones;
        the first ``origin``, run and time are kept."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        """Mark the run finished and release the run lock."""

    @abc.abstractmethod
    def result_lines(self, run_id: str) -> list[ResultLine]:
        """The results sheet of any run (also a killed one), in input order; a problem an
        earlier run reported first carries ``known_since``."""

    @abc.abstractmethod
    def runs(self, limit: int = 50) -> list[RunInfo]:
        """The last ``limit`` runs, newest first."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> RunInfo:
        """One run; ``LedgerError`` naming the last runs when it is unknown."""

    @abc.abstractmethod
    def group_runs(self, group: str) -> list[RunInfo]:
        """Every run of a run group, newest first."""

    @abc.abstractmethod
    def group_lines(self, group: str) -> tuple[list[ResultLine], list[RunInfo]]:
        """A run group's sheet (each row from its shard's latest run), and those runs."""

    @abc.abstractmethod
    def clock(self) -> float:
        """Seconds on the clock every shard of a group reads (the pace's times)."""

    @abc.abstractmethod
    def update_pace(self, group: str, change: Callable[[PaceRow | None], PaceRow]) -> None:
        """Read a group's pace (``None``: none yet) and store ``change(row)``, atomically."""

    @abc.abstractmethod
    def read_pace(self, group: str) -> PaceRow | None:
        """A group's pace as it stands (``None``: none yet)."""

    @abc.abstractmethod
    def last_run_id(self, kind: str = "sync") -> str | None:
        """The newest run's id of this ``kind``, or ``None`` when there is none."""

    # ------------------------------------------------------------ outcomes runs

    def start_outcome_run(self, *, tool_version: str, results_path: str, layout: str) -> str:
        """Take the run lock and return a new run id of kind ``outcomes`` (no inputs; the
        layout stands where a sync run names its mapping)."""
        return self.start_run(
            inputs=[],
            mapping=layout,
            dry_run=False,
            tool_version=tool_version,
            results_path=results_path,
            kind="outcomes",
        )

    @abc.abstractmethod
    def enrolled_candidates(self) -> list[EnrolledCandidate]:
        """Every enrolment, oldest first, with the outcome last seen (``last``)."""

    @abc.abstractmethod
    def record_outcomes(self, run_id: str, seen: Sequence[SeenOutcome]) -> None:
        """Remember these outcomes (one transaction): the last outcome seen per identity."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the run lock (a run left 'running' becomes 'killed') and close."""


#: Statuses that leave a row for a later run to deal with: a run that has none settled.
UNSETTLED = frozenset({"invalid", "rejected", "failed", "not_sent"})


def last_settled_run(ledger: Ledger, *, look_back: int = 1000) -> RunInfo | None:
    """The newest run that finished with every row settled: exit code 0 and no row
    invalid, rejected, failed or not sent (so no row of an earlier day is still owed a
    try), among the last ``look_back`` runs; ``None`` when there is none."""
    for run in ledger.runs(limit=look_back):
        if run.state != "finished" or run.exit_code != 0 or run.dry_run:
            continue
        if not any(run.counts.get(status) for status in UNSETTLED):
            return run
    return None


# --------------------------------------------------------------------------- values stored


def utc_now() -> str:
    """The time of a record: ISO 8601 in UTC to the second, ``2026-11-22T21:30:00Z``."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_run_id() -> str:
    """A run id like ``20261122T213000Z-3f9a``: the UTC start, then a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


def stored_text(text: str) -> str:
    """Free text (a reason, an attempt's detail) as the ledger keeps it: secrets
    redacted, cut after ``MAX_TEXT`` characters."""
    text = redact(text or "")
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "… [cut]"
    return text
