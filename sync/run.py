"""One run, from options to report: the lifecycle every entry point shares.

``run_sync(...)`` is the only way in: the CLI, the Airflow task and scripts
all call it, and it resolves its options the same way for all of them (config
file < environment < arguments, ``sync.options``). A run, top to bottom::

    options → read (each input read and hashed once; the mapping chosen)
            → map → validate → plan              (``prepare``: nothing is sent)
            → dry run: results → report
            → live: ledger + run lock → plan against earlier enrolments
                    → confirm → pre-flight → dispatch (journaled) → results → report

Configuration and input errors raise ``SyncError`` before anything is sent.
Once sending has begun, every stop (token refused, circuit open, SIGINT or
SIGTERM) still writes the results sheet and the report carries exit code 3.
The ledger is the durable truth: the sheet of a live run is rendered from it,
so ``jobmojito-sync report`` can render it again after a crash.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.errors import EXIT_ABORTED, AbortError, ConfigError, SyncError, UsageError
from sync.inputs import Inputs, read_inputs
from sync.ledger import open_ledger
from sync.mapping import MappingFile, bind, map_rows
from sync.options import SyncOptions, resolve_options
from sync.outcomes.run import bring_outcomes
from sync.plan import plan_rows, result_line
from sync.progress import Progress
from sync.readers import ResumeStore
from sync.readers.frames import is_frame
from sync.records import PlannedRow, ResultLine, RunSummary, Status, Table
from sync.redact import register_secret
from sync.results import count_statuses, write_results
from sync.send import send_rows

log = structlog.get_logger("sync")

Confirm = Callable[["Prepared"], bool]
OnPrepared = Callable[["Prepared"], None]


# --------------------------------------------------------------------------- values


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
    outcomes: Any = None  # --with-outcomes: its OutcomeReport (sync.outcomes.run)

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


@dataclass(slots=True)
class Prepared:
    """Everything known before sending: the outcome of read + map + validate + plan."""

    options: SyncOptions
    inputs: Inputs
    planned: list[PlannedRow]
    warnings: list[str]

    @property
    def mapping(self) -> MappingFile:
        return self.inputs.mapping

    @property
    def mapping_reason(self) -> str:
        return self.inputs.mapping_reason

    @property
    def applicants(self) -> Table:
        return self.inputs.applicants

    @property
    def jobs(self) -> Table | None:
        return self.inputs.jobs

    @property
    def pending(self) -> list[PlannedRow]:
        """Valid rows not decided before sending (new, or not yet enrolled)."""
        return [p for p in self.planned if p.status is None]

    @property
    def to_send(self) -> list[PlannedRow]:
        """The rows this run will really send (``--limit`` applied)."""
        pending = self.pending
        limit = self.options.limit
        return pending[:limit] if limit is not None else pending

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.planned:
            key = p.status.value if p.status else "to_send"
            out[key] = out.get(key, 0) + 1
        return out


# --------------------------------------------------------------------------- the run


def run_sync(
    options: SyncOptions | None = None,
    /,
    *,
    config: Path | str | None = None,
    confirm: Confirm | None = None,
    on_prepared: OnPrepared | None = None,
    progress: Progress | None = None,
    **arguments: Any,
) -> SyncReport:
    """Run one sync and return its report. Never raises for row-level problems.

    Options are resolved exactly as the CLI resolves them: the config file
    (``config``, else ``$JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml``)
    < ``JOBMOJITO_*`` environment variables < the arguments given here (the
    fields of ``options`` that were set, then keyword arguments)::

        report = run_sync(applicants="applicants.csv", mapping="greenhouse",
                          out="results.xlsx", dry_run=True)

    ``applicants`` (and ``jobs``) may be a pandas DataFrame instead of a file, e.g.
    the result of a warehouse query; ``report.to_dataframe()`` gives the results
    back as one. ``on_prepared`` sees the plan; ``confirm`` (the CLI's question) is asked
    after planning, before sending: returning False ends the run with nothing
    sent. Raises ``SyncError`` (exit 2) for configuration and input problems
    found before sending.
    """
    given: dict[str, Any] = {}
    frames = {k: arguments.pop(k) for k in ("applicants", "jobs") if is_frame(arguments.get(k))}
    for key in frames:  # a value for the options; the table itself comes from the frame
        given[key] = f"{key} (DataFrame)"
    if options is not None:
        given.update(options.model_dump(include=options.model_fields_set - {"config_file"}))
    given.update(arguments)
    resolved = resolve_options(given, config=Path(config) if config is not None else None)
    return execute(
        resolved, confirm=confirm, on_prepared=on_prepared, progress=progress, frames=frames
    )


def execute(
    options: SyncOptions,
    *,
    confirm: Confirm | None = None,
    on_prepared: OnPrepared | None = None,
    progress: Progress | None = None,
    frames: Mapping[str, Any] | None = None,
) -> SyncReport:
    """Run with options already resolved (``run_sync`` resolves them, then calls this).

    ``frames`` holds pandas DataFrames that stand for the applicants or jobs file."""
    started = _now()
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    if options.out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--out {options.out}: the results file must end in .xlsx or .csv")
    inputs = read_inputs(options, frames)
    log.info(
        "run options",
        config=str(options.config_file) if options.config_file else None,
        base_url=options.base_url,
        mapping=inputs.mapping.name,
        dry_run=options.dry_run,
    )
    if options.dry_run:
        return _dry_run(options, inputs, started, on_prepared)
    report = _live_run(options, inputs, started, confirm, on_prepared, progress)
    return bring_outcomes(options, report)  # --with-outcomes: the nightly job's last step


def prepare(
    options: SyncOptions,
    *,
    inputs: Inputs | None = None,
    enrolled: Any = None,
    resumes: ResumeStore | None = None,
) -> Prepared:
    """Read (unless ``inputs`` are given), map, validate and plan. Sends nothing.

    ``enrolled`` is the ledger's look-up (``Ledger.enrolled``) or ``None``.
    """
    if inputs is None:
        inputs = read_inputs(options)
    bound = bind(inputs.mapping, inputs.applicants, inputs.jobs)
    warnings = [*bound.warnings, *inputs.applicants.notes]
    if inputs.jobs is not None:
        warnings.extend(inputs.jobs.notes)
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
    return Prepared(options=options, inputs=inputs, planned=planned, warnings=warnings)


def _dry_run(
    options: SyncOptions, inputs: Inputs, started: str, on_prepared: OnPrepared | None
) -> SyncReport:
    ledger_path = options.ledger_path()
    # An existing ledger tells which candidates a live run would skip; none is created.
    with open_ledger(ledger_path) if ledger_path.exists() else contextlib.nullcontext() as ledger:
        enrolled = ledger.enrolled if ledger is not None else None
        prepared = prepare(options, inputs=inputs, enrolled=enrolled)
    if on_prepared is not None:
        on_prepared(prepared)
    run_id = "dry-run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [result_line(p) for p in prepared.planned]
    notes = [*prepared.warnings, "dry run: nothing was sent", inputs.mapping_reason]
    return _finish(options, inputs, lines, run_id=run_id, started=started, notes=notes)


def _live_run(
    options: SyncOptions,
    inputs: Inputs,
    started: str,
    confirm: Confirm | None,
    on_prepared: OnPrepared | None,
    progress: Progress | None,
) -> SyncReport:
    if options.token is None and not options.token_command:
        raise ConfigError(
            "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
            " config file, or token_command); nothing was sent"
        )
    ledger_path = options.ledger_path()
    with open_ledger(ledger_path) as ledger:
        # The run lock before planning: two overlapping runs must not both plan to send.
        run_id = ledger.start_run(
            inputs=inputs.hashes,
            mapping=inputs.mapping.name,
            dry_run=False,
            tool_version=__version__,
            results_path=str(options.out),
        )
        try:
            prepared = prepare(options, inputs=inputs, enrolled=ledger.enrolled)
            if on_prepared is not None:
                on_prepared(prepared)
            if confirm is not None and prepared.to_send and not confirm(prepared):
                raise SyncError("cancelled at the prompt; nothing was sent")
            log.info(
                "run started",
                run_id=run_id,
                mapping=inputs.mapping.name,
                rows=len(prepared.planned),
                to_send=len(prepared.to_send),
                ledger=str(ledger_path),
            )
            ledger.record_plan(
                run_id,
                [result_line(p) for p in prepared.planned],
                [p.status is None for p in prepared.planned],
            )
            aborted = send_rows(options, prepared.to_send, ledger, run_id, progress)
        except SyncError as exc:
            ledger.finish_run(run_id, exit_code=exc.exit_code, counts={})
            raise
        lines = ledger.result_lines(run_id)
        notes = [*prepared.warnings, inputs.mapping_reason]
        if aborted is not None:
            notes.insert(0, f"run aborted: {aborted}")
        report = _finish(
            options,
            inputs,
            lines,
            run_id=run_id,
            started=started,
            notes=notes,
            aborted=aborted,
            ledger_path=ledger_path,
        )
        ledger.finish_run(run_id, exit_code=report.exit_code, counts=report.counts)
    return report


def _finish(
    options: SyncOptions,
    inputs: Inputs,
    lines: Sequence[ResultLine],
    *,
    run_id: str,
    started: str,
    notes: list[str],
    aborted: AbortError | None = None,
    ledger_path: Path | None = None,
) -> SyncReport:
    """Write the results sheet and make the report: the end of every run."""
    counts = count_statuses(lines)
    code = exit_code_for(counts, aborted=aborted is not None)
    summary = RunSummary(
        run_id=run_id,
        tool_version=__version__,
        mapping=inputs.mapping.name,
        inputs=inputs.hashes,
        started_at=started,
        finished_at=_now(),
        dry_run=options.dry_run,
        counts=counts,
        exit_code=code,
        notes=notes,
    )
    write_results(options.out, lines, summary)
    log.info("run finished", run_id=run_id, dry_run=options.dry_run, exit_code=code, counts=counts)
    return SyncReport(
        run_id=run_id,
        exit_code=code,
        counts=counts,
        results_path=options.out,
        ledger_path=ledger_path,
        mapping=inputs.mapping.name,
        dry_run=options.dry_run,
        rows=len(lines),
        aborted=str(aborted) if aborted else "",
        notes=notes,
        lines=list(lines),
    )


# --------------------------------------------------------------------------- helpers


def exit_code_for(counts: dict[str, int], aborted: bool) -> int:
    """The run's exit code from its outcome counts (``sync.errors.EXIT_MEANINGS``)."""
    if aborted:
        return EXIT_ABORTED
    if any(counts.get(s.value, 0) for s in Status if s.is_problem):
        return 1
    return 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = [
    "Prepared",
    "SyncReport",
    "execute",
    "exit_code_for",
    "prepare",
    "result_line",
    "run_sync",
]
