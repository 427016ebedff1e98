"""One positions run, from options to report: ``jobmojito-sync positions``.

The same lifecycle as an enrolment run (``sync.run``), one line per job::

    options → read the jobs export (and the questions sheet) → map → validate
            → plan against the ledger (skipped, changed, gone, to send)
            → dry run: results → report
            → live: ledger + run lock → confirm → pre-flight, template, adoption
                    → dispatch (journaled) → links → results → report

Configuration and input errors raise ``SyncError`` before anything is sent;
once sending has begun every stop still writes the sheet (exit 3). The sheet
of a live run is rendered from the ledger, like an enrolment run's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.errors import AbortError, ConfigError, MappingError, SyncError, UsageError
from sync.ledger import KnownPosition, Ledger, open_ledger
from sync.mapping import MappingFile, load_mapping
from sync.mapping.positions import bind_positions, map_jobs
from sync.options import SyncOptions, resolve_options
from sync.positions.plan import PLACEHOLDER_TEMPLATE, Defaults, PlannedJob, plan_jobs
from sync.positions.questions import Questions, parse_questions
from sync.positions.send import send_jobs
from sync.positions.templates import looks_like_id
from sync.progress import Progress
from sync.readers import read_table
from sync.records import POSITIONS_RUN, ResultLine, Table
from sync.redact import register_secret
from sync.report import SyncReport, finish_report, now

log = structlog.get_logger("sync.positions")


@dataclass(slots=True)
class PreparedJobs:
    """Everything known before sending: one planned job per line of the sheet."""

    options: SyncOptions
    mapping: MappingFile
    jobs: Table
    questions: Questions | None
    planned: list[PlannedJob]
    warnings: list[str]

    @property
    def to_send(self) -> list[PlannedJob]:
        return [p for p in self.planned if p.status is None]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.planned:
            key = p.status.value if p.status else f"to {p.action}"
            out[key] = out.get(key, 0) + 1
        return out


ConfirmJobs = Callable[[PreparedJobs], bool]


def sync_positions(
    *,
    config: Path | str | None = None,
    confirm: ConfirmJobs | None = None,
    progress: Progress | None = None,
    **arguments: Any,
) -> SyncReport:
    """``jobmojito-sync positions`` as a call, options resolved as ``run_sync`` does
    (config file < ``JOBMOJITO_*`` environment < arguments); ``out`` is the positions
    sheet::

        report = sync_positions(jobs="jobs.xlsx", mapping="greenhouse",
                                questions="questions.xlsx", out="positions.xlsx")
    """
    if "out" in arguments:
        arguments["positions_out"] = arguments.pop("out")
    options = resolve_options(
        arguments, config=Path(config) if config is not None else None, require=("jobs",)
    )
    return run_positions(options, confirm=confirm, progress=progress)


def run_positions(
    options: SyncOptions,
    *,
    mapping: MappingFile | None = None,
    confirm: ConfirmJobs | None = None,
    on_prepared: Callable[[PreparedJobs], None] | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Make (or find) one interview per job of ``options.jobs``; the report of the run.

    ``mapping`` is the mapping already chosen (``run --create-positions``); else
    ``options.mapping`` names it (``auto`` cannot: detection reads applicants
    exports). The results go to ``options.positions_path()``.
    """
    started = now()
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    out = options.positions_path()
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--out {out}: the positions sheet must end in .xlsx or .csv")
    if options.jobs is None:
        raise UsageError("--jobs: required: the jobs export, one interview per row")
    if mapping is None:
        if options.mapping == "auto":
            raise UsageError(
                "--mapping: name the mapping (its positions: section maps the jobs export);"
                " 'auto' detects applicants exports only"
            )
        mapping = load_mapping(options.mapping)
    if mapping.positions is None:
        raise MappingError(
            f"mapping '{mapping.name}' has no positions: section, so it cannot make interviews"
            ' from a jobs export; see README "Positions and interview questions"'
        )
    jobs = read_table(
        options.jobs,
        sheet=options.jobs_sheet,
        encoding=options.encoding,
        delimiter=options.delimiter,
        expect=mapping.referenced_columns(),
    )
    questions = _questions(options)
    ledger_path = options.ledger_path()
    if options.dry_run:
        # An existing ledger tells which jobs are known; none is created.
        with open_ledger(ledger_path) if ledger_path.exists() else contextlib.nullcontext() as led:
            prepared = _prepare(options, mapping, jobs, questions, led)
        if on_prepared is not None:
            on_prepared(prepared)
        notes = [*prepared.warnings, "dry run: nothing was sent"]
        run_id = "dry-run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        lines = [p.line() for p in prepared.planned]
        return _finish(options, prepared, lines, run_id, started, notes)
    if options.token is None and not options.token_command:
        raise ConfigError(
            "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
            " config file, or token_command); nothing was sent"
        )
    with open_ledger(ledger_path) as ledger:
        run_id = ledger.start_run(
            inputs=_hashes(jobs, questions),
            mapping=mapping.name + POSITIONS_RUN,
            dry_run=False,
            tool_version=__version__,
            results_path=str(out),
        )
        try:
            prepared = _prepare(options, mapping, jobs, questions, ledger)
            if on_prepared is not None:
                on_prepared(prepared)
            if confirm is not None and prepared.to_send and not confirm(prepared):
                raise SyncError("cancelled at the prompt; nothing was sent")
            _note_fields(ledger, run_id, prepared.planned)
            planned = prepared.planned
            ledger.record_plan(
                run_id, [p.line() for p in planned], [p.status is None for p in planned]
            )
            log.info(
                "positions run started",
                run_id=run_id,
                jobs=len(planned),
                to_send=len(prepared.to_send),
            )
            aborted, sent_notes = send_jobs(options, planned, ledger, run_id, progress)
        except SyncError as exc:
            ledger.finish_run(run_id, exit_code=exc.exit_code, counts={})
            raise
        notes = [*prepared.warnings, *sent_notes]
        if aborted is not None:
            notes.insert(0, f"run aborted: {aborted}")
        report = _finish(
            options,
            prepared,
            ledger.result_lines(run_id),
            run_id,
            started,
            notes,
            aborted,
            ledger_path,
        )
        ledger.finish_run(run_id, exit_code=report.exit_code, counts=report.counts)
    return report


def _questions(options: SyncOptions) -> Questions | None:
    if options.questions is None:
        return None
    table = read_table(
        options.questions,
        sheet=options.questions_sheet,
        encoding=options.encoding,
        delimiter=options.delimiter,
    )
    return parse_questions(table)


def _prepare(
    options: SyncOptions,
    mapping: MappingFile,
    jobs: Table,
    questions: Questions | None,
    ledger: Ledger | None,
) -> PreparedJobs:
    """Map, validate and plan every job against what the ledger knows. Sends nothing."""
    bound = bind_positions(mapping, jobs)
    template = options.template
    defaults = Defaults(
        template_id=template.strip()
        if template and looks_like_id(template)
        else PLACEHOLDER_TEMPLATE,
        status=options.position_status,
        type=options.position_type,
        visibility=options.position_visibility,
        update=options.update,
        dry_run=options.dry_run,
    )
    known = ledger.positions() if ledger is not None else {}
    planned = plan_jobs(map_jobs(bound), known=known, questions=questions, defaults=defaults)
    warnings = [*bound.warnings, *jobs.notes]
    if options.dry_run and any(
        p.body.get("interview_template_id") == PLACEHOLDER_TEMPLATE for p in planned
    ):
        warnings.append(
            "interview template: chosen when sending (--template names one; with a single"
            " active template, that one)"
        )
    return PreparedJobs(options, mapping, jobs, questions, planned, warnings)


def _note_fields(ledger: Ledger, run_id: str, planned: list[PlannedJob]) -> None:
    """Jobs the ledger knew without their fields (learned from an enrolment, adopted):
    their fields as they are now, so that a later change is noticed."""
    for p in planned:
        if p.known is not None and not p.known.digests and p.digests and p.status is not None:
            ledger.record_position(run_id, KnownPosition(p.key, p.known.origin, digests=p.digests))


def _hashes(jobs: Table, questions: Questions | None) -> list[tuple[str, str]]:
    return [(jobs.path, jobs.sha256)] + ([(questions.path, questions.sha256)] if questions else [])


def _finish(
    options: SyncOptions,
    prepared: PreparedJobs,
    lines: Sequence[ResultLine],
    run_id: str,
    started: str,
    notes: list[str],
    aborted: AbortError | None = None,
    ledger_path: Path | None = None,
) -> SyncReport:
    return finish_report(
        options.positions_path(),
        lines,
        run_id=run_id,
        started=started,
        mapping=prepared.mapping.name + POSITIONS_RUN,
        inputs=_hashes(prepared.jobs, prepared.questions),
        dry_run=options.dry_run,
        notes=notes,
        aborted=aborted,
        ledger_path=ledger_path,
        positions=True,
    )


__all__ = ["ConfirmJobs", "PreparedJobs", "run_positions", "sync_positions"]
