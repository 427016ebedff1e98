"""One run, from options to report: the lifecycle every entry point shares.

``run_sync(...)`` is the only way in: the CLI, the Airflow task and scripts
all call it, and it resolves its options the same way for all of them (config
file < environment < arguments, ``sync.options``). A run, top to bottom::

    options → read (each input read and hashed once; the mapping chosen)
            → select → map → validate → plan     (``prepare``: nothing is sent)
            → dry run: results → report
            → live: ledger + run lock → plan against earlier enrolments
                    → confirm → pre-flight → dispatch (journaled) → results → report

With ``--create-positions`` the positions step (``sync.positions.run``: one
interview per job, its own results sheet and question) runs first, once the
input is read; enrolments then name the positions it made
(``sync.positions.book``), and a job's first enrolment goes before its others.
If that step stops, no candidate is sent. ``SyncReport`` and the end of every
run (the sheet, the report) are ``sync.report``, shared with that step.

Configuration and input errors raise ``SyncError`` before anything is sent;
so do the checks that come first: the token and base URL of a live run, and
the outputs (writable, never an input: ``sync.checks``). A "no" at the
confirmation question is ``Declined`` (exit 4). SIGINT or SIGTERM anywhere in a
run (``sync.interrupts``), and every stop once sending has begun (token
refused, circuit open, a full disk), still write the results sheet and the
report carries exit code 3. A failure of the machine (disk full, out of
memory, a damaged ledger: ``sync.failures``) is a one-line ``SyncError``. The
ledger is the durable truth: the sheet of a live run is rendered from it, so
``jobmojito-sync report`` can render it again after a crash. It also
remembers every problem row's fingerprint, so that with ``--fail-on new`` a
night exits 1 only for a problem no earlier run reported.

Over 400 lines on purpose: the lifecycle reads top to bottom in one module, its
two values, its entry points and each phase with the ways it can stop.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.checks import check_outputs, check_sending
from sync.errors import AbortError, Declined, Interrupted, UsageError
from sync.failures import OPERATIONAL, operational
from sync.inputs import Inputs, read_inputs
from sync.interrupts import Signalled, interrupted, interrupts
from sync.ledger import Ledger, Location, PostgresURL, find_ledger
from sync.ledger.base import last_settled_run
from sync.mapping import MappingFile, applicant_columns, bind, map_rows
from sync.mapping.rows import shown_fields
from sync.mapping.select import Selection, Selector, SelectSettings
from sync.mapping.sources import DERIVED_FIELDS, open_sources
from sync.options import SyncOptions
from sync.outcomes.run import bring_outcomes
from sync.plan import plan_rows, result_line, unplanned_lines, with_excluded
from sync.positions.book import job_key_reader
from sync.positions.run import PositionsHooks, run_positions
from sync.progress import Progress
from sync.readers import ResumeStore
from sync.readers.frames import is_frame
from sync.records import PlannedRow, ResultLine, Status, Table
from sync.redact import register_secret
from sync.report import RunEnd, SyncReport, exit_code_for, finish_report, now, open_for_run
from sync.resolve import resolve_options
from sync.send import send_rows
from sync.shards import run_group, select_shard

log = structlog.get_logger("sync")

Confirm = Callable[["Prepared"], bool]
OnPrepared = Callable[["Prepared"], None]


# --------------------------------------------------------------------------- values


@dataclass(slots=True)
class Prepared:
    """Everything known before sending: the outcome of read + map + validate + plan."""

    options: SyncOptions
    inputs: Inputs
    planned: list[PlannedRow]
    warnings: list[str]
    sources: dict[str, int] = field(default_factory=dict)  # where derived values came from
    # what select:, --where and --since did: rows excluded by each condition
    selection: Selection = field(default_factory=Selection)

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
        """The rows this run will really send: ``prepare`` holds back those past ``--limit``."""
        return self.pending

    @property
    def held_back(self) -> list[PlannedRow]:
        """Valid rows ``--limit`` leaves for a later run (``not_sent``, planned so)."""
        return [p for p in self.planned if p.status is Status.NOT_SENT]


# --------------------------------------------------------------------------- the run


def run_sync(
    options: SyncOptions | None = None,
    /,
    *,
    config: Path | str | None = None,
    confirm: Confirm | None = None,
    on_prepared: OnPrepared | None = None,
    progress: Progress | None = None,
    positions: PositionsHooks | None = None,
    **arguments: Any,
) -> SyncReport:
    """Run one sync and return its report. Never raises for row-level problems.

    Options are resolved exactly as the CLI resolves them: the config file
    (``config``, else ``$JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml``)
    < ``JOBMOJITO_*`` environment variables < the arguments given here (the
    fields of ``options`` that were set, then keyword arguments)::

        report = run_sync(applicants="applicants.csv", mapping="greenhouse",
                          out="results.xlsx", dry_run=True)

    ``applicants`` (and ``jobs``) may be a pandas DataFrame (a warehouse query, say);
    ``report.to_dataframe()`` gives the results back as one. ``on_prepared`` sees the
    plan; ``confirm`` (the CLI's question) is asked after planning, before sending:
    False raises ``Declined`` (exit 4), nothing sent. ``positions`` does the same for
    the positions step of ``create_positions=True``.
    Raises ``SyncError`` (exit 2) for configuration and input problems found before sending.
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
        resolved,
        confirm=confirm,
        on_prepared=on_prepared,
        progress=progress,
        frames=frames,
        positions=positions,
    )


def execute(
    options: SyncOptions,
    *,
    confirm: Confirm | None = None,
    on_prepared: OnPrepared | None = None,
    progress: Progress | None = None,
    frames: Mapping[str, Any] | None = None,
    positions: PositionsHooks | None = None,
) -> SyncReport:
    """Run with options already resolved (``run_sync`` resolves them, then calls this).

    ``frames`` holds pandas DataFrames that stand for the applicants or jobs file.
    With ``create_positions`` the positions step goes first, showing its plan and
    asking through ``positions`` (the CLI's screens); its report is ``report.positions``."""
    started = now()
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    if options.ledger_url is not None:
        register_secret(PostgresURL(options.ledger_url.get_secret_value()).password)
    if options.out.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"--out {options.out}: the results file must end in .xlsx or .csv")
    if not options.dry_run:
        check_sending(options)
    check_outputs(options, frames=frames or {})
    with interrupts():
        try:
            return _read_and_run(
                options, started, confirm, on_prepared, progress, frames, positions
            )
        except Signalled as exc:  # between the steps that say what they were doing
            raise interrupted(exc, "; nothing more was done") from None


def _read_and_run(
    options: SyncOptions,
    started: str,
    confirm: Confirm | None,
    on_prepared: OnPrepared | None,
    progress: Progress | None,
    frames: Mapping[str, Any] | None,
    hooks: PositionsHooks | None = None,
) -> SyncReport:
    try:
        inputs = read_inputs(options, frames)
    except (Interrupted, Signalled) as exc:
        raise interrupted(exc, " while reading the input; nothing was sent") from None
    except OPERATIONAL as exc:
        raise operational(exc, sending_began=False) or exc from None
    # Which config file and API the run uses (a ./jobmojito-sync.toml may set them),
    # once the input is read: a bad file stays a one-line error.
    log.info(
        "run options",
        config=str(options.config_file) if options.config_file else None,
        base_url=options.base_url,
        mapping=inputs.mapping.name,
        dry_run=options.dry_run,
    )
    positions = None
    if options.create_positions:
        positions = _positions_first(options, inputs, hooks)
        if positions.aborted:  # stopped (token refused, interrupted): enrol nobody
            positions.notes.insert(0, "the positions step stopped; no candidate was sent")
            return positions
    if options.dry_run:
        report = _dry_run(options, inputs, started, on_prepared)
    else:
        report = _live_run(options, inputs, started, confirm, on_prepared, progress)
        report = bring_outcomes(options, report)  # --with-outcomes: the nightly job's last step
    if positions is not None:
        report.positions = positions
        report.exit_code = max(report.exit_code, positions.exit_code)
        counts = ", ".join(f"{k}={v}" for k, v in positions.counts.items())
        report.notes.append(f"positions first: {counts} ({positions.results_path})")
    return report


def _positions_first(
    options: SyncOptions, inputs: Inputs, hooks: PositionsHooks | None
) -> SyncReport:
    """``--create-positions``: one interview per job of the jobs export, before enrolling."""
    if options.jobs is None or inputs.jobs is None:
        raise UsageError("--create-positions needs --jobs: the jobs export, one interview per job")
    progress = hooks.progress if hooks is not None else None
    return run_positions(options, mapping=inputs.mapping, hooks=hooks, progress=progress)


def prepare(
    options: SyncOptions,
    *,
    inputs: Inputs | None = None,
    enrolled: Any = None,
    resumes: ResumeStore | None = None,
    last_run: date | None = None,
    today: date | None = None,
) -> Prepared:
    """Read (unless ``inputs`` are given), select, map, validate and plan. Sends nothing.

    ``enrolled`` is the ledger's look-up (``Ledger.enrolled``) or ``None``;
    ``last_run`` the first day ``--since last-run`` selects (``since_last_run``);
    ``today`` (default: today in UTC) what ``--since 7d`` counts back from.
    """
    if inputs is None:
        inputs = read_inputs(options)
    bound = bind(inputs.mapping, inputs.applicants, inputs.jobs, derived=DERIVED_FIELDS)
    settings = SelectSettings(
        today=today or datetime.now(UTC).date(),
        where=tuple(options.where),
        since=options.since,
        last_run=last_run,
    )
    split = Selector(bound, settings).split()
    selection = split.selection
    if selection.conditions:  # the screen shows it too; this is for cron's and Airflow's logs
        log.info(
            "selection",
            selected=selection.selected,
            of=selection.total,
            excluded_by_condition=selection.counts(),
        )
    warnings = [*bound.warnings, *inputs.notes, *selection.notes]
    with open_sources(bound, options, store=resumes) as sources:
        warnings.extend(sources.warnings)
        kept = plan_rows(
            map_rows(bound, resumes=sources.store, sources=sources, rows=split.rows),
            enrolled=enrolled,
            force=options.force,
            dry_run=options.dry_run,
            columns=applicant_columns(bound),
        )
        warnings.extend(sources.summary(selection.excluded))
    excluded = [row for row, why in zip(bound.applicants.rows, split.reasons, strict=True) if why]
    planned = with_excluded(
        bound.applicants.rows, split.reasons, kept, shown_fields(bound, excluded)
    )
    if (shard := options.shard_of_run()) is not None:
        select_shard(planned, shard)  # the other shards' rows: other_shard
    if options.limit is not None and not options.dry_run:  # the rest wait for a later run
        for p in [p for p in planned if p.status is None][options.limit :]:
            p.status, p.reason = Status.NOT_SENT, f"held back by --limit {options.limit}"
    return Prepared(options, inputs, planned, warnings, sources.source_counts(), selection)


def since_last_run(ledger: Ledger | None) -> date | None:
    """The first day ``--since last-run`` selects: the day before the last run on this
    ledger that finished with every row settled (``last_settled_run``) started; a day's
    margin for exports written before that run and for time zones (the ledger skips who
    was enrolled). ``None`` when there is no such run: every date is selected."""
    run = last_settled_run(ledger) if ledger is not None else None
    if run is None:
        return None
    return date.fromisoformat(run.started_at[:10]) - timedelta(days=1)


def _dry_run(
    options: SyncOptions, inputs: Inputs, started: str, on_prepared: OnPrepared | None
) -> SyncReport:
    run_id = "dry-run-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        # An existing ledger tells which candidates a live run would skip; none is created.
        with find_ledger(options.ledger_location()) or contextlib.nullcontext() as ledger:
            enrolled = ledger.enrolled if ledger is not None else None
            last_run = since_last_run(ledger) if options.since == "last-run" else None
            prepared = prepare(options, inputs=inputs, enrolled=enrolled, last_run=last_run)
            lines = [result_line(p) for p in prepared.planned]
            known = ledger.known_problems(ln.fingerprint for ln in lines) if ledger else {}
        for line in lines:
            line.known_since = known.get(line.fingerprint, "")
        if on_prepared is not None:
            on_prepared(prepared)
    except (Interrupted, Signalled) as exc:
        aborted = interrupted(exc, " while planning")
        lines = unplanned_lines(inputs.applicants, inputs.mapping, f"not sent: {aborted}")
        notes = ["dry run: nothing was sent", inputs.mapping_reason]
        return _finish(
            options, inputs, lines, run_id=run_id, started=started, notes=notes, aborted=aborted
        )
    except OPERATIONAL as exc:
        raise operational(exc, sending_began=False) or exc from None
    notes = [*prepared.warnings, "dry run: nothing was sent", inputs.mapping_reason]
    return _finish(
        options, inputs, lines, run_id=run_id, started=started, notes=notes, prepared=prepared
    )


def _live_run(
    options: SyncOptions,
    inputs: Inputs,
    started: str,
    confirm: Confirm | None,
    on_prepared: OnPrepared | None,
    progress: Progress | None,
) -> SyncReport:
    ledger_path = options.ledger_location()
    shard = options.shard_of_run()
    group = run_group(shard, options.group, [h for _, h in inputs.hashes], inputs.mapping.name)
    with open_for_run(ledger_path) as ledger:
        # The run lock before planning: two overlapping runs must not both plan to send.
        run_id = ledger.start_run(
            inputs=inputs.hashes,
            mapping=inputs.mapping.name,
            dry_run=False,
            tool_version=__version__,
            results_path=str(options.out),
            group=group,
            shard=shard,
        )
        with RunEnd(ledger, run_id, ledger_path, "results sheet") as end:
            try:
                last_run = since_last_run(ledger) if options.since == "last-run" else None
                prepared = prepare(
                    options, inputs=inputs, enrolled=ledger.enrolled, last_run=last_run
                )
                if on_prepared is not None:
                    on_prepared(prepared)
                if confirm is not None and prepared.to_send and not confirm(prepared):
                    raise Declined("nothing sent: declined at the confirmation question")
            except (Interrupted, Signalled) as exc:
                aborted: AbortError | None = interrupted(exc, " before anything was sent")
                unplanned = unplanned_lines(
                    inputs.applicants, inputs.mapping, f"not sent: {aborted}"
                )
                ledger.record_plan(run_id, unplanned, [False] * len(unplanned))
                notes = [inputs.mapping_reason]
                planned: Prepared | None = None
            else:
                log.info(
                    "run started",
                    run_id=run_id,
                    mapping=inputs.mapping.name,
                    rows=len(prepared.planned),
                    to_send=len(prepared.to_send),
                    held_back=len(prepared.held_back),
                    ledger=str(ledger_path),
                )
                ledger.record_plan(
                    run_id,
                    [result_line(p) for p in prepared.planned],
                    [p.status is None for p in prepared.planned],
                )
                notes = [*prepared.warnings, inputs.mapping_reason]
                planned = prepared
                end.sending = bool(prepared.to_send)
                job_key = job_key_reader(inputs.mapping, inputs.applicants)
                aborted = _send(options, prepared.to_send, ledger, run_id, progress, job_key, group)
            ledger.record_problems(run_id)  # before the lines: they say which are known
            lines = ledger.result_lines(run_id)
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
                prepared=planned,
                group=group,
            )
        ledger.finish_run(run_id, exit_code=report.exit_code, counts=report.counts)
    return report


def _send(
    options: SyncOptions,
    rows: list[PlannedRow],
    ledger: Ledger,
    run_id: str,
    progress: Progress | None,
    job_key: Callable[[PlannedRow], str],
    group: str | None,
) -> AbortError | None:
    """``send_rows``; a signal before it took them over, or a failure of the machine
    (a full disk under the ledger), is the run's abort: the sheet is still written."""
    try:
        return send_rows(options, rows, ledger, run_id, progress, job_key, group=group)
    except (Interrupted, Signalled) as exc:
        return interrupted(exc)
    except OPERATIONAL as exc:
        error = operational(exc, sending_began=True)
        if not isinstance(error, AbortError):
            raise
        log.error("stopping", reason=str(error))
        return error


def _finish(
    options: SyncOptions,
    inputs: Inputs,
    lines: Sequence[ResultLine],
    *,
    run_id: str,
    started: str,
    notes: list[str],
    aborted: AbortError | None = None,
    ledger_path: Location | None = None,
    prepared: Prepared | None = None,
    group: str | None = None,
) -> SyncReport:
    """Write the results sheet and make the report: the end of every run (``prepared``:
    the plan, when the run got that far: where values came from, what was excluded)."""
    return finish_report(
        options.out,
        lines,
        run_id=run_id,
        started=started,
        mapping=inputs.mapping.name,
        inputs=inputs.hashes,
        dry_run=options.dry_run,
        notes=notes,
        aborted=aborted,
        ledger_path=ledger_path,
        sources=prepared.sources if prepared is not None else {},
        selection=prepared.selection.counts() if prepared is not None else {},
        options=options,
        group=group,
    )


__all__ = [
    "Prepared",
    "SyncReport",
    "execute",
    "exit_code_for",
    "prepare",
    "result_line",
    "run_sync",
    "since_last_run",
]
