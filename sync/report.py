"""What a run did: the report every entry point gets, and the results sheet it ends with.

``SyncReport`` is the value ``run_sync`` returns (and ``jobmojito-sync
positions`` too: one line per job); ``finish_report`` writes the results sheet
(``sync.results``) and makes the report, the last step of every run;
``exit_code_for`` is the one rule from outcome counts to exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.errors import EXIT_ABORTED, AbortError
from sync.records import ResultLine, RunSummary, Status
from sync.results import count_statuses, write_results

log = structlog.get_logger("sync")


@dataclass(slots=True)
class SyncReport:
    """What a run did. ``as_dict()`` is the small summary Airflow pushes to XCom;
    ``lines`` holds the results sheet's lines (one per input row, in input order)."""

    run_id: str
    exit_code: int
    counts: dict[str, int]
    results_path: Path
    ledger_path: Path | None
    mapping: str
    dry_run: bool
    rows: int
    aborted: str = ""
    notes: list[str] = field(default_factory=list)
    lines: list[ResultLine] = field(default_factory=list, repr=False)
    positions: SyncReport | None = None  # run --create-positions: the positions step

    @property
    def problems(self) -> int:
        """Rows that are invalid, rejected or failed."""
        return sum(self.counts.get(s.value, 0) for s in Status if s.is_problem)

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
            "results_path": str(self.results_path),
            "ledger_path": str(self.ledger_path) if self.ledger_path else None,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "aborted": self.aborted,
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
    ledger_path: Path | None = None,
    positions: bool = False,
) -> SyncReport:
    """Write the results sheet ``out`` and make the report (``positions``: one line per job)."""
    counts = count_statuses(lines)
    code = exit_code_for(counts, aborted=aborted is not None)
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
        positions=positions,
    )
    write_results(out, lines, summary)
    log.info("run finished", run_id=run_id, dry_run=dry_run, exit_code=code, counts=counts)
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
    )


def exit_code_for(counts: dict[str, int], aborted: bool) -> int:
    """The run's exit code from its outcome counts (``sync.errors.EXIT_MEANINGS``)."""
    if aborted:
        return EXIT_ABORTED
    if any(counts.get(s.value, 0) for s in Status if s.is_problem):
        return 1
    return 0


def now() -> str:
    """The time of a run's start or end: ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = ["SyncReport", "exit_code_for", "finish_report", "now"]
