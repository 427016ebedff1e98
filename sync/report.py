"""What a run did: the report every entry point gets, and the results sheet it ends with.

``SyncReport`` is the value ``run_sync`` returns (and ``jobmojito-sync
positions`` too: one line per job); ``finish_report`` writes the results sheet
(``sync.results``: the previous one kept unless ``--overwrite``, the writing
shielded from signals) and makes the report, the last step of every run, its
exit code by ``sync.results.exit_code_for`` (the one rule from outcome counts to
exit code, which a sheet rebuilt from the ledger uses too). Both lifecycles
(``sync.run``, ``sync.positions.run``) end here, so neither imports the other's
module for it; they also share how a live run opens its ledger
(``open_for_run``: a failure of the machine is a one-line error) and records
its end when it stops on an error (``RunEnd``, ``record_end``: if the ledger still
can).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.errors import AbortError, SyncError
from sync.failures import OPERATIONAL, operational
from sync.interrupts import deferred
from sync.ledger import Ledger, Location, open_ledger
from sync.options import SyncOptions
from sync.records import POSITIONS_RUN, ResultLine, RunSummary, Status
from sync.results import (
    count_known_problems,
    count_statuses,
    exit_code_for,
    keep_previous,
    write_results,
)

log = structlog.get_logger("sync")


@dataclass(slots=True)
class SyncReport:
    """What a run did. ``as_dict()`` is the small summary Airflow pushes to XCom;
    ``lines`` holds the results sheet's lines (one per input row, in input order;
    a positions run: one per job)."""

    run_id: str
    exit_code: int
    counts: dict[str, int]
    results_path: Path
    ledger_path: Location | None  # a file, or a PostgreSQL URL (str() masks its password)
    mapping: str
    dry_run: bool
    rows: int
    aborted: str = ""
    notes: list[str] = field(default_factory=list)
    lines: list[ResultLine] = field(default_factory=list, repr=False)
    sources: dict[str, int] = field(default_factory=dict)  # where derived values came from
    previous_results: Path | None = None  # where the sheet ``results_path`` replaced was kept
    selection: dict[str, int] = field(default_factory=dict)  # condition -> rows excluded
    known_problems: int = 0  # problem rows an earlier run already reported
    fail_on: str = "any"  # "new": only problems no earlier run reported make exit 1
    outcomes: Any = None  # --with-outcomes: its OutcomeReport (sync.outcomes.run)
    outcomes_note: str = ""  # --with-outcomes: why no outcomes were written, if none were
    positions: SyncReport | None = None  # run --create-positions: the positions step
    group: str = ""  # a sharded run's run group (``--shard``), else ""
    shard: str = ""  # its shard, "I/N"

    @property
    def problems(self) -> int:
        """Rows that are invalid, rejected or failed."""
        return sum(self.counts.get(s.value, 0) for s in Status if s.is_problem)

    @property
    def own_rows(self) -> int:
        """The rows this run answered for: all of them, or a shard's own."""
        return self.rows - self.counts.get(Status.OTHER_SHARD.value, 0)

    @property
    def new_problems(self) -> int:
        """Problem rows no earlier run on this ledger reported."""
        return self.problems - self.known_problems

    @property
    def of_jobs(self) -> bool:
        """A positions run's report: one line per job."""
        return self.mapping.endswith(POSITIONS_RUN)

    def to_dataframe(self) -> Any:
        """The results sheet as a pandas DataFrame: one row per input row, in input order."""
        from sync.results.frames import lines_to_frame

        return lines_to_frame(self.lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (no row data, no personal data)."""
        return {
            "run_id": self.run_id,
            "exit_code": self.exit_code,
            "counts": dict(self.counts),
            "rows": self.rows,
            "problems": self.problems,
            "new_problems": self.new_problems,
            "fail_on": self.fail_on,
            "results_path": str(self.results_path),
            "ledger_path": str(self.ledger_path) if self.ledger_path else None,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "aborted": self.aborted,
            **({"group": self.group, "shard": self.shard} if self.shard else {}),
        }


def finish_report(
    out: Path,
    lines: Sequence[ResultLine],
    *,
    run_id: str,
    started: str,
    mapping: str,
    inputs: list[tuple[str, str]],
    dry_run: bool,
    notes: list[str],
    aborted: AbortError | None = None,
    ledger_path: Location | None = None,
    sources: dict[str, int] | None = None,
    selection: dict[str, int] | None = None,
    options: SyncOptions,
    positions: bool = False,
    group: str | None = None,
) -> SyncReport:
    """Write the results sheet ``out`` and make the report (``positions``: one line per
    job). ``options`` say the rest: an existing sheet is kept as ``<stem>.1<ext>``
    unless ``--overwrite``; ``--interview-links omit`` leaves the interview (or
    recruiter) links out; with ``--fail-on new`` a problem an earlier run reported
    (``ResultLine.known_since``) does not make the exit code 1; ``--results`` picks
    the lines the Results sheet lists. ``group``: the run group of a shard (``--shard``),
    whose shard ``options`` name."""
    counts = count_statuses(lines)
    fail_on = options.fail_on or "any"  # sync.resolve fills it in
    known = count_known_problems(lines)
    forgiven = known if fail_on == "new" else 0
    code = exit_code_for(counts, aborted=aborted is not None, forgiven=forgiven)
    summary = RunSummary(
        run_id=run_id,
        tool_version=__version__,
        mapping=mapping,
        inputs=inputs,
        started_at=started,
        finished_at=now(),
        dry_run=dry_run,
        counts=counts,
        exit_code=code,
        notes=notes,
        sources=dict(sources or {}),
        selection=dict(selection or {}),
        known_problems=known,
        fail_on=fail_on,
        results=options.results,
        positions=positions,
    )
    kept = None if options.overwrite else keep_previous(out)
    links = options.interview_links == "include"
    with deferred():  # a signal now would leave the run without its sheet
        write_results(out, lines, summary, links=links)
    log.info(
        "run finished",
        run_id=run_id,
        dry_run=dry_run,
        exit_code=code,
        counts=counts,
        kept=str(kept or ""),
    )
    return SyncReport(
        run_id=run_id,
        exit_code=code,
        counts=counts,
        results_path=out,
        ledger_path=ledger_path,
        mapping=mapping,
        dry_run=dry_run,
        rows=len(lines),
        aborted=str(aborted) if aborted else "",
        notes=notes,
        lines=list(lines),
        sources=dict(sources or {}),
        previous_results=kept,
        selection=dict(selection or {}),
        known_problems=known,
        fail_on=fail_on,
        group=group or "",
        shard=(options.shard or "") if group else "",
    )


def open_for_run(where: Location) -> Ledger:
    """A live run's ledger, opened (created if need be); a failure of the machine (a full
    disk, a damaged file) is the one-line ``SyncError`` that says nothing was sent."""
    try:
        return open_ledger(where)
    except OPERATIONAL as exc:
        raise operational(exc, sending_began=False) or exc from None


def record_end(ledger: Ledger, run_id: str, exit_code: int) -> None:
    """Record the end of a run that stopped on an error, if the ledger still can (it may
    be what failed)."""
    with contextlib.suppress(*OPERATIONAL, SyncError):
        ledger.finish_run(run_id, exit_code=exit_code, counts={})


class RunEnd:
    """How a live run's errors end it, in both lifecycles (``with RunEnd(...) as end:``
    around everything after the run started). A ``SyncError`` is recorded as the run's
    end and raised; a failure of the machine (a full disk, a damaged ledger) becomes
    its one-line ``SyncError``, once sending began (``end.sending``) an abort saying
    that ``jobmojito-sync report`` writes the ``sheet`` again, recorded if the ledger
    still can. Anything else goes up as it is (a bug: exit 70)."""

    def __init__(self, ledger: Ledger, run_id: str, where: Location, sheet: str) -> None:
        self.ledger, self.run_id, self.where, self.sheet = ledger, run_id, where, sheet
        self.sending = False  # set once the run starts sending

    def __enter__(self) -> RunEnd:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        if isinstance(exc, SyncError):
            record_end(self.ledger, self.run_id, exc.exit_code)
            return
        if not isinstance(exc, OPERATIONAL):
            return
        error = operational(exc, sending_began=self.sending)
        if error is None:
            return
        if self.sending:
            error = AbortError(
                f"{error}. The {self.sheet} was not written: `jobmojito-sync report"
                f" --ledger {self.where}` writes it again from the ledger"
            )
        record_end(self.ledger, self.run_id, error.exit_code)
        raise error from None


def now() -> str:
    """The time of a run's start or end: ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = [
    "RunEnd",
    "SyncReport",
    "exit_code_for",
    "finish_report",
    "now",
    "open_for_run",
    "record_end",
]
