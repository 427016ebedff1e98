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
        ledger.finish_run(run_id, exit_code=..., counts=...)
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
        group: str | None = None,
        shard: Shard | None = None,
    ) -> str:
        """Take the run lock, mark abandoned runs 'killed', and return a new run id.

        With ``shard`` the run is that shard of the run ``group``: it runs beside
        the group's other shards (``sync.ledger.groups``)."""

    @abc.abstractmethod
    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        """Store every input row of the run; ``pending[i]`` rows are to be sent."""

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
        """Record a row's final outcome; an API decision also records the enrolment."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        """Mark the run finished and release the run lock."""

    @abc.abstractmethod
    def result_lines(self, run_id: str) -> list[ResultLine]:
        """The results sheet of any run (also a killed one), in input order."""

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
    def last_run_id(self) -> str | None:
        """The newest run's id, or ``None`` for an empty ledger."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the run lock (a run left 'running' becomes 'killed') and close."""


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
