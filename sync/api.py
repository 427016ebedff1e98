"""The Python API: ``run_sync(...) -> SyncReport``.

The CLI and the Airflow helper are thin layers over this. One run:

    read -> map -> validate + plan -> (ledger, pre-flight, dispatch) -> results

Configuration and input errors raise ``SyncError`` before anything is sent.
Once sending has begun, every stop (auth refused, circuit open, SIGINT/SIGTERM)
still writes the results sheet; the report carries exit code 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.config import SyncOptions
from sync.errors import AbortError, Interrupted, SyncError, UsageError
from sync.logs import register_secret
from sync.mapping import Mapping, bind, load_mapping, map_rows
from sync.plan import plan_rows, position_label
from sync.readers import read_table
from sync.records import PlannedRow, ResultLine, RunSummary, Status, Table
from sync.results import count_statuses, write_results
from sync.resumes import ResumeStore

log = structlog.get_logger("sync")

EXIT_MEANINGS = {
    0: "every row reached a final outcome; nothing invalid, rejected or failed",
    1: "finished, but some rows are invalid, rejected or failed (see the sheet)",
    2: "usage or configuration error; nothing was sent",
    3: "aborted mid-run; unsent rows are not_sent",
}


@dataclass(slots=True)
class SyncReport:
    """What a run did: the small summary Airflow pushes to XCom."""

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

    @property
    def problems(self) -> int:
        """Rows that are invalid, rejected or failed."""
        return sum(self.counts.get(s.value, 0) for s in Status if s.is_problem)

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


@dataclass(slots=True)
class Prepared:
    """The outcome of read + map + validate + plan: everything known before sending."""

    options: SyncOptions
    mapping: Mapping
    applicants: Table
    jobs: Table | None
    planned: list[PlannedRow]
    warnings: list[str]
    mapping_reason: str = ""

    @property
    def to_send(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.status is None]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.planned:
            key = p.status.value if p.status else "to_send"
            out[key] = out.get(key, 0) + 1
        return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _resolve_mapping(
    options: SyncOptions, header_probe: Callable[[], Table]
) -> tuple[Mapping, str]:
    if options.mapping != "auto":
        return load_mapping(options.mapping), f"mapping '{options.mapping}' chosen with --mapping"
    from sync.detect import choose_mapping

    table = header_probe()
    choice = choose_mapping(table.headers, file_name=table.name)
    return choice.mapping, choice.reason


def prepare(
    options: SyncOptions, *, enrolled: Any = None, resumes: ResumeStore | None = None
) -> Prepared:
    """Read, map, validate and plan. Pure with respect to the API: sends nothing.

    ``enrolled`` is the ledger's look-up (``Ledger.enrolled``) or ``None``.
    """
    probe: dict[str, Table] = {}

    def read_for_detection() -> Table:
        from sync.detect import all_signature_columns

        probe["t"] = read_table(
            options.applicants,
            sheet=options.sheet,
            encoding=options.encoding,
            delimiter=options.delimiter,
            expect=all_signature_columns(),
        )
        return probe["t"]

    mapping, reason = _resolve_mapping(options, read_for_detection)
    expect = mapping.referenced_columns()
    applicants = read_table(
        options.applicants,
        sheet=options.sheet,
        encoding=options.encoding,
        delimiter=options.delimiter,
        expect=expect,
    )
    jobs = None
    if options.jobs is not None:
        jobs = read_table(
            options.jobs,
            sheet=options.jobs_sheet,
            encoding=options.encoding,
            delimiter=options.delimiter,
            expect=expect,
        )
    bound = bind(mapping, applicants, jobs)
    warnings = list(bound.warnings)
    for note in (*applicants.notes, *(jobs.notes if jobs else ())):
        warnings.append(note)
    own_store = resumes is None
    if resumes is None:
        folders = [Path(options.applicants).resolve().parent]
        resumes = ResumeStore([*([options.resumes] if options.resumes else []), *folders])
    try:
        planned = plan_rows(
            map_rows(bound, resumes=resumes),
            enrolled=enrolled,
            force=options.force,
            dry_run=options.dry_run,
        )
    finally:
        if own_store:
            resumes.close()  # the PDF/DOCX worker process
    return Prepared(
        options=options,
        mapping=mapping,
        applicants=applicants,
        jobs=jobs,
        planned=planned,
        warnings=warnings,
        mapping_reason=reason,
    )


def result_line(p: PlannedRow) -> ResultLine:
    """The results line of a row decided before sending (or still pending)."""
    payload = p.payload
    return ResultLine(
        source_file=p.row.source.replace("\\", "/").rsplit("/", 1)[-1],
        source_row=p.row.line,
        candidate_name=str(payload.get("candidate_name") or ""),
        candidate_email=str(payload.get("candidate_email") or ""),
        position=position_label(payload),
        status=p.status if p.status is not None else Status.NOT_SENT,
        reason=p.reason,
        interview_url=p.interview_url,
        identity=p.identity,
    )


def exit_code_for(counts: dict[str, int], aborted: bool) -> int:
    """DESIGN.md's exit codes from the outcome counts."""
    if aborted:
        return 3
    if any(counts.get(s.value, 0) for s in Status if s.is_problem):
        return 1
    return 0


def _write(
    options: SyncOptions,
    prepared: Prepared,
    lines: Sequence[ResultLine],
    *,
    run_id: str,
    started: str,
    exit_code: int,
    notes: list[str],
) -> dict[str, int]:
    counts = count_statuses(lines)
    inputs = [(prepared.applicants.path, prepared.applicants.sha256)]
    if prepared.jobs is not None:
        inputs.append((prepared.jobs.path, prepared.jobs.sha256))
    summary = RunSummary(
        run_id=run_id,
        tool_version=__version__,
        mapping=prepared.mapping.name,
        inputs=inputs,
        started_at=started,
        finished_at=_now(),
        dry_run=options.dry_run,
        counts=counts,
        exit_code=exit_code,
        notes=notes,
    )
    write_results(options.out, lines, summary)
    return counts


def run_sync(
    options: SyncOptions | None = None,
    *,
    confirm: Callable[[Prepared], bool] | None = None,
    on_prepared: Callable[[Prepared], None] | None = None,
    progress: Any = None,
    **kwargs: Any,
) -> SyncReport:
    """Run one sync and return its report. Never raises for row-level problems.

    Pass a ``SyncOptions`` or its fields as keyword arguments::

        report = run_sync(applicants="applicants.csv", mapping="greenhouse",
                          out="results.xlsx", dry_run=True)

    ``confirm`` (the CLI's prompt) is asked after planning, before sending;
    returning False ends the run with nothing sent (exit code 2).
    Raises ``SyncError`` (exit 2) for configuration and input problems found
    before sending.
    """
    if options is None:
        options = SyncOptions(**kwargs)
    elif kwargs:
        options = options.model_copy(update=kwargs)
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    started = _now()
    out_suffix = options.out.suffix.lower()
    if out_suffix not in (".xlsx", ".csv"):
        raise UsageError(f"--out {options.out}: the results file must end in .xlsx or .csv")

    if options.dry_run:
        return _dry_run(options, started, confirm=confirm, on_prepared=on_prepared)
    from sync.live import live_run

    return live_run(options, started, confirm=confirm, on_prepared=on_prepared, progress=progress)


def _dry_run(
    options: SyncOptions,
    started: str,
    *,
    confirm: Callable[[Prepared], bool] | None,
    on_prepared: Callable[[Prepared], None] | None,
) -> SyncReport:
    from sync.ledger import open_ledger

    ledger_path = options.ledger_path()
    enrolled = None
    ledger_cm: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if ledger_path.exists():
        ledger_cm = open_ledger(ledger_path)
    with ledger_cm as ledger:
        if ledger is not None:
            enrolled = ledger.enrolled
        prepared = prepare(options, enrolled=enrolled)
    if on_prepared is not None:
        on_prepared(prepared)
    run_id = "dry-run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [result_line(p) for p in prepared.planned]
    counts = count_statuses(lines)
    code = exit_code_for(counts, aborted=False)
    notes = [*prepared.warnings, "dry run: nothing was sent", prepared.mapping_reason]
    counts = _write(
        options, prepared, lines, run_id=run_id, started=started, exit_code=code, notes=notes
    )
    log.info("run finished", run_id=run_id, dry_run=True, exit_code=code, counts=counts)
    return SyncReport(
        run_id=run_id,
        exit_code=code,
        counts=counts,
        results_path=options.out,
        ledger_path=None,
        mapping=prepared.mapping.name,
        dry_run=True,
        rows=len(lines),
        notes=notes,
    )


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event, loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Set ``stop`` on SIGINT/SIGTERM (main thread only); yields the signal names seen."""
    seen: list[str] = []
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        yield seen
        return

    def handler(sig: signal.Signals) -> None:
        seen.append(sig.name)
        stop.set()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, handler, sig)
            installed.append(sig)
    try:
        yield seen
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


__all__ = [
    "EXIT_MEANINGS",
    "AbortError",
    "Interrupted",
    "Prepared",
    "SyncError",
    "SyncReport",
    "exit_code_for",
    "prepare",
    "result_line",
    "run_sync",
]
