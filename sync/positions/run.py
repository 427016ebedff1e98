"""One positions run, from options to report: ``jobmojito-sync positions``.

The same lifecycle as an enrolment run (``sync.run``), one line per job::

    options → read the jobs export (and the questions sheet) → map → validate
            → plan against the ledger (skipped, changed, gone, to send)
            → dry run: results → report
            → live: ledger + run lock → confirm → pre-flight, template, adoption
                    → dispatch (journaled) → links → results → report

It keeps the enrolment run's rules: configuration and input errors raise
``SyncError`` before anything is sent, and so do the checks that come first
(the token and base URL of a live run, the positions sheet writable:
``sync.checks``); nothing is sent without a yes (``PositionsHooks.confirm``; a
"no" is ``Declined``, exit 4); SIGINT or SIGTERM anywhere (``sync.interrupts``)
and every stop once sending has begun still write the sheet (exit 3); a failure
of the machine is a one-line ``SyncError`` (``sync.failures``). The sheet of a
live run is rendered from the ledger (SQLite or PostgreSQL), like an enrolment
run's, and the previous sheet is kept unless ``--overwrite``.
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
from sync.checks import check_outputs, check_sending
from sync.errors import AbortError, Declined, Interrupted, MappingError, UsageError
from sync.failures import OPERATIONAL, operational
from sync.inputs import read_input
from sync.interrupts import Signalled, interrupted, interrupts
from sync.ledger import KnownPosition, Ledger, Location, PostgresURL, find_ledger
from sync.mapping import MappingFile, load_mapping
from sync.mapping.positions import bind_positions, map_jobs
from sync.options import SyncOptions
from sync.positions.plan import PLACEHOLDER_TEMPLATE, Defaults, PlannedJob, plan_jobs
from sync.positions.questions import Questions, parse_questions
from sync.positions.send import send_jobs
from sync.positions.templates import looks_like_id
from sync.progress import Progress
from sync.records import POSITIONS_RUN, ResultLine, Status, Table
from sync.redact import register_secret
from sync.report import RunEnd, SyncReport, finish_report, now, open_for_run
from sync.resolve import resolve_options
from sync.text import file_name

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
            key = p.status.value if p.status else p.action.planned if p.action else "to send"
            out[key] = out.get(key, 0) + 1
        return out


ConfirmJobs = Callable[[PreparedJobs], bool]


@dataclass(frozen=True, slots=True)
class PositionsHooks:
    """What a person sees of the positions step: its plan, the question before
    sending (False: ``Declined``, nothing sent), its progress. The CLI fills them."""

    on_prepared: Callable[[PreparedJobs], None] | None = None
    confirm: ConfirmJobs | None = None
    progress: Progress | None = None  # the step's own bar (run --create-positions)


def sync_positions(
    *,
    config: Path | str | None = None,
    confirm: ConfirmJobs | None = None,
    on_prepared: Callable[[PreparedJobs], None] | None = None,
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
    hooks = PositionsHooks(on_prepared=on_prepared, confirm=confirm)
    return run_positions(options, hooks=hooks, progress=progress)


def run_positions(
    options: SyncOptions,
    *,
    mapping: MappingFile | None = None,
    hooks: PositionsHooks | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Make (or find) one interview per job of ``options.jobs``; the report of the run.

    ``mapping`` is the mapping already chosen (``run --create-positions``, whose
    checks of the token, URL and outputs have run); else ``options.mapping`` names
    it (``auto`` cannot: detection reads applicants exports). The results go to
    ``options.positions_path()``.
    """
    started = now()
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    if options.ledger_url is not None:
        register_secret(PostgresURL(options.ledger_url.get_secret_value()).password)
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
        if not options.dry_run:
            check_sending(options)
        check_outputs(options, sheets=[("the positions sheet", out)])
        mapping = load_mapping(options.mapping)
    if mapping.positions is None:
        raise MappingError(
            f"mapping '{mapping.name}' has no positions: section, so it cannot make interviews"
            ' from a jobs export; see README "Positions and interview questions"'
        )
    with interrupts():
        try:
            return _read_and_run(options, mapping, started, hooks or PositionsHooks(), progress)
        except Signalled as exc:  # between the steps that say what they were doing
            raise interrupted(exc, "; nothing more was done") from None


def _read_and_run(
    options: SyncOptions,
    mapping: MappingFile,
    started: str,
    hooks: PositionsHooks,
    progress: Progress | None,
) -> SyncReport:
    assert options.jobs is not None
    try:
        expect = mapping.referenced_columns()
        jobs = read_input(options, options.jobs, sheet=options.jobs_sheet, expect=expect)
        questions = _questions(options)
    except (Interrupted, Signalled) as exc:
        raise interrupted(exc, " while reading the jobs export; nothing was sent") from None
    except OPERATIONAL as exc:
        raise operational(exc, sending_began=False) or exc from None
    if options.dry_run:
        return _dry_run(options, mapping, jobs, questions, started, hooks)
    return _live_run(options, mapping, jobs, questions, started, hooks, progress)


def _dry_run(
    options: SyncOptions,
    mapping: MappingFile,
    jobs: Table,
    questions: Questions | None,
    started: str,
    hooks: PositionsHooks,
) -> SyncReport:
    run_id = "dry-run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        # An existing ledger tells which jobs are known; none is created.
        with find_ledger(options.ledger_location()) or contextlib.nullcontext() as ledger:
            prepared = _prepare(options, mapping, jobs, questions, ledger)
        if hooks.on_prepared is not None:
            hooks.on_prepared(prepared)
    except (Interrupted, Signalled) as exc:
        aborted = interrupted(exc, " while planning")
        lines = _unplanned(jobs, f"not sent: {aborted}")
        notes = ["dry run: nothing was sent"]
        return _finish(options, mapping, jobs, questions, lines, run_id, started, notes, aborted)
    except OPERATIONAL as exc:
        raise operational(exc, sending_began=False) or exc from None
    notes = [*prepared.warnings, "dry run: nothing was sent"]
    lines = [p.line() for p in prepared.planned]
    return _finish(options, mapping, jobs, questions, lines, run_id, started, notes)


def _live_run(
    options: SyncOptions,
    mapping: MappingFile,
    jobs: Table,
    questions: Questions | None,
    started: str,
    hooks: PositionsHooks,
    progress: Progress | None,
) -> SyncReport:
    where = options.ledger_location()
    with open_for_run(where) as ledger:
        run_id = ledger.start_run(
            inputs=_hashes(jobs, questions),
            mapping=mapping.name + POSITIONS_RUN,
            dry_run=False,
            tool_version=__version__,
            results_path=str(options.positions_path()),
        )
        with RunEnd(ledger, run_id, where, "positions sheet") as end:
            try:
                prepared = _prepare(options, mapping, jobs, questions, ledger)
                if hooks.on_prepared is not None:
                    hooks.on_prepared(prepared)
                if hooks.confirm is not None and prepared.to_send and not hooks.confirm(prepared):
                    raise Declined("nothing sent: declined at the confirmation question")
            except (Interrupted, Signalled) as exc:
                aborted: AbortError | None = interrupted(exc, " before anything was sent")
                unplanned = _unplanned(jobs, f"not sent: {aborted}")
                ledger.record_plan(run_id, unplanned, [False] * len(unplanned))
                notes: list[str] = []
            else:
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
                    ledger=str(where),
                )
                end.sending = bool(prepared.to_send)
                aborted, sent_notes = send_jobs(options, planned, ledger, run_id, progress)
                notes = [*prepared.warnings, *sent_notes]
            if aborted is not None:
                notes.insert(0, f"run aborted: {aborted}")
            lines = ledger.result_lines(run_id)
            report = _finish(
                options, mapping, jobs, questions, lines, run_id, started, notes, aborted, where
            )
        ledger.finish_run(run_id, exit_code=report.exit_code, counts=report.counts)
    return report


def _questions(options: SyncOptions) -> Questions | None:
    if options.questions is None:
        return None
    return parse_questions(read_input(options, options.questions, sheet=options.questions_sheet))


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


def _unplanned(jobs: Table, reason: str) -> list[ResultLine]:
    """A ``not_sent`` line per jobs row, for a run stopped before its plan was made."""
    where = file_name(jobs.path)
    return [
        ResultLine(where, row.line, "", "", "", Status.NOT_SENT, reason=reason) for row in jobs.rows
    ]


def _hashes(jobs: Table, questions: Questions | None) -> list[tuple[str, str]]:
    return [(jobs.path, jobs.sha256)] + ([(questions.path, questions.sha256)] if questions else [])


def _finish(
    options: SyncOptions,
    mapping: MappingFile,
    jobs: Table,
    questions: Questions | None,
    lines: Sequence[ResultLine],
    run_id: str,
    started: str,
    notes: list[str],
    aborted: AbortError | None = None,
    ledger_path: Location | None = None,
) -> SyncReport:
    return finish_report(
        options.positions_path(),
        lines,
        run_id=run_id,
        started=started,
        mapping=mapping.name + POSITIONS_RUN,
        inputs=_hashes(jobs, questions),
        dry_run=options.dry_run,
        notes=notes,
        aborted=aborted,
        ledger_path=ledger_path,
        options=options,
        positions=True,
    )


__all__ = [
    "ConfirmJobs",
    "PositionsHooks",
    "PreparedJobs",
    "run_positions",
    "sync_positions",
]
