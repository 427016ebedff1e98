"""One outcomes run, from options to the outcomes sheet: the lifecycle every entry point shares.

``run_outcomes(...)`` (the ``outcomes`` command, ``run --with-outcomes``, the
Airflow task and scripts) resolves its options as ``run_sync`` does, without an
export, then ``execute_outcomes``::

    options → the ledger (it must exist) + its run lock → every enrolment, with the
            outcome last written
            → read every result (merchant-result-list, paged) → match them
            → one line per enrolment; the results matching none apart
            → only what changed (--changed-since) → the AI assessment of completed
              interviews among them (--details)
            → write the sheet and the import files → remember what was written → report

Nothing is remembered unless the sheet is written, and a result list that could
not be read whole writes no sheet (``ResultsIncomplete``, exit 3): a later run
with ``--changed-since last-run`` then still holds every change. A line whose
assessment could not be read is written with a note and not remembered, so the
next "what's new" sheet brings it again (exit 1).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import structlog

from sync import __version__
from sync.checks import check_outputs, check_sending
from sync.dispatch import DispatchSettings, RowOutcome
from sync.errors import (
    EXIT_ABORTED,
    ConfigError,
    LedgerError,
    SyncError,
)
from sync.interrupts import deferred, interrupts
from sync.ledger import Ledger, Location, PostgresURL, find_ledger
from sync.ledger.base import EnrolledCandidate, utc_now
from sync.options import SyncOptions
from sync.outcomes import summary
from sync.outcomes.assessment import assessment_of
from sync.outcomes.fetch import Reader
from sync.outcomes.layouts import choose_layouts
from sync.outcomes.lines import (
    OutcomeLine,
    UnmatchedLine,
    outcome_columns,
    select_lines,
)
from sync.outcomes.match import Matching, match_results
from sync.outcomes.sheets import write_outcomes
from sync.outcomes.summary import Gathered
from sync.redact import register_secret
from sync.resolve import resolve_options
from sync.results.tables import sheet_suffix
from sync.send import api_client, stop_on_signals

__all__ = [
    "OutcomeReport",
    "bring_outcomes",
    "execute_outcomes",
    "run_outcomes",
]

log = structlog.get_logger("sync.outcomes")


@dataclass(slots=True)
class OutcomeReport:
    """What an outcomes run did. ``as_dict()`` is the small summary for XCom (counts,
    paths; no names, e-mails or scores); ``lines`` are the sheet's lines."""

    run_id: str
    exit_code: int
    counts: dict[str, int]
    outcomes_path: Path
    ledger_path: Location  # a file, or a PostgreSQL URL (str() masks its password)
    files: list[Path]
    layout: str
    changed_since: str | None
    aborted: str = ""
    notes: list[str] = field(default_factory=list)
    lines: list[OutcomeLine] = field(default_factory=list, repr=False)
    unmatched: list[UnmatchedLine] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (no row data, no personal data)."""
        return {
            "run_id": self.run_id,
            "exit_code": self.exit_code,
            "counts": dict(self.counts),
            "outcomes_path": str(self.outcomes_path),
            "files": [str(p) for p in self.files],
            "ledger_path": str(self.ledger_path),
            "layout": self.layout,
            "changed_since": self.changed_since,
            "aborted": self.aborted,
        }

    def to_dataframe(self) -> Any:
        """The Outcomes sheet as a pandas DataFrame, one row per line written."""
        import pandas as pd

        details = any(line.ai_summary or line.reasons_to_hire for line in self.lines)
        columns = outcome_columns(details=details)
        rows = [line.values(details=details) for line in self.lines]
        return pd.DataFrame(rows, columns=list(columns))


def run_outcomes(
    options: SyncOptions | None = None,
    /,
    *,
    config: Path | str | None = None,
    **arguments: Any,
) -> OutcomeReport:
    """Bring the interview outcomes of a ledger's enrolments back; the report.

    Options resolve as for ``run_sync`` (config file < ``JOBMOJITO_*`` < these
    arguments), with no export needed::

        report = run_outcomes(ledger="nightly.ledger.sqlite", outcomes_out="outcomes.xlsx",
                              changed_since="last-run", details=True)

    Raises ``SyncError`` for configuration problems (exit 2) and for a result list
    that could not be read whole, a refused token or a signal (exit 3).
    """
    given: dict[str, Any] = {}
    if options is not None:
        given.update(options.model_dump(include=options.model_fields_set - {"config_file"}))
    given.update(arguments)
    resolved = resolve_options(
        given,
        config=Path(config) if config is not None else None,
        require=(),
    )
    return execute_outcomes(resolved)


class _SyncReport(Protocol):
    """What ``bring_outcomes`` reads and sets of ``sync.run.SyncReport``."""

    exit_code: int
    aborted: str
    notes: list[str]
    outcomes: Any
    outcomes_note: str


_ReportT = TypeVar("_ReportT", bound=_SyncReport)


def bring_outcomes(options: SyncOptions, report: _ReportT) -> _ReportT:
    """``run --with-outcomes``, after a live run: its outcomes, their exit code folded into
    the run's (the run's own exit code stays in the ledger). Not after a run that stopped
    (the API would refuse again); a dry run asks the API nothing, so it never gets here."""
    if not options.with_outcomes:
        return report
    if report.aborted:
        report.outcomes_note = f"none read: the run stopped ({report.aborted})"
        report.notes.append(f"--with-outcomes: {report.outcomes_note}")
        return report
    try:
        report.outcomes = execute_outcomes(options)
    except SyncError as exc:  # the run's own sheet is written: say why, exit non-zero
        log.error("outcomes not written", error=str(exc))
        report.outcomes_note = f"none written: {exc}"
        report.notes.append(f"--with-outcomes: {report.outcomes_note}")
        report.exit_code = max(report.exit_code, exc.exit_code)
        return report
    report.exit_code = max(report.exit_code, report.outcomes.exit_code)
    return report


def execute_outcomes(options: SyncOptions) -> OutcomeReport:
    """Run with options already resolved (``run_outcomes`` resolves them, then calls this)."""
    started = utc_now()
    if options.token is not None:
        register_secret(options.token.get_secret_value())
    if options.ledger_url is not None:
        register_secret(PostgresURL(options.ledger_url.get_secret_value()).password)
    layout = options.outcomes_layout
    out = options.outcomes_path()
    sheet_suffix(out, "outcomes")  # before anything is read, not after
    if options.token is None and not options.token_command:
        raise ConfigError(
            "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
            " config file, or token_command); nothing was read"
        )
    check_sending(options)  # a token a header can carry, a URL it may travel to
    check_outputs(options, sheets=[("the outcomes sheet", out)])  # never an input, writable
    where = options.ledger_location()
    found = find_ledger(where)  # reading never creates a ledger
    if found is None:
        raise LedgerError(
            f"no ledger at {where}: give --ledger, the ledger your runs write; nothing was read"
        )
    with found as ledger:
        run_id = ledger.start_outcome_run(
            tool_version=__version__, results_path=str(out), layout=layout
        )
        try:
            report = _run(options, ledger, run_id, out, layout, started)
        except SyncError as exc:
            ledger.finish_run(run_id, exit_code=exc.exit_code, counts={})
            raise
        ledger.finish_run(run_id, exit_code=report.exit_code, counts=report.counts)
    log.info("outcomes finished", run_id=run_id, exit_code=report.exit_code, **report.counts)
    return report


async def _gather(
    options: SyncOptions, candidates: Sequence[EnrolledCandidate], since: str | None
) -> Gathered:
    async with api_client(options) as client:
        stop = asyncio.Event()
        with stop_on_signals(stop, asyncio.get_running_loop()):
            reader = Reader(client, DispatchSettings.from_options(options), stop=stop)
            reading = await reader.results(options.outcomes_page_size)
            log.info(
                "results read",
                results=len(reading.results),
                pages=reading.pages,
                requests=reader.requests,
                throttled=reader.throttled,
            )
            matching = match_results(candidates, reading.results)
            lines = [OutcomeLine.of(c, matching.results.get(c.identity)) for c in candidates]
            gathered = Gathered(lines, select_lines(lines, since), matching, reading)
            if options.details:
                await _add_assessments(reader, gathered)
            gathered.requests, gathered.throttled = reader.requests, reader.throttled
    return gathered


async def _add_assessments(reader: Reader, gathered: Gathered) -> None:
    """The AI assessment of every completed interview among the lines to write."""
    wanted = [line for line in gathered.written if line.outcome.completed]
    ids = list(dict.fromkeys(line.outcome.result_id for line in wanted if line.outcome.result_id))
    answers, gathered.aborted = await reader.details(ids)
    for line in wanted:
        answer = answers.get(line.outcome.result_id)
        if answer is None:
            line.note = "AI assessment not read: the API gave no interview_result_id"
            gathered.unread.add(line.identity)
        elif isinstance(answer, RowOutcome):
            line.note = f"AI assessment not read: {answer.reason}"
            gathered.unread.add(line.identity)
        else:
            line.ai_summary, line.reasons_to_hire, line.reasons_not_to_hire = assessment_of(answer)


def _run(
    options: SyncOptions,
    ledger: Ledger,
    run_id: str,
    out: Path,
    layout: str,
    started: str,
) -> OutcomeReport:
    since = options.changed_since
    candidates = ledger.enrolled_candidates()
    notes: list[str] = []
    if candidates:
        gathered = asyncio.run(_gather(options, candidates, since))
    else:  # nothing enrolled yet: nothing to ask the API about
        gathered = Gathered([], [], Matching())
        notes.append("the ledger holds no enrolments yet: nothing was read from the API")
    if gathered.reading is not None:
        notes += gathered.reading.notes
    notes += summary.since_notes(since, candidates)
    if gathered.unread:
        notes.append(
            f"{len(gathered.unread)} completed interviews without their AI assessment (see"
            " note); the next run with --changed-since last-run brings them again"
        )
    if gathered.aborted is not None:
        notes.insert(0, f"stopped while reading assessments: {gathered.aborted}")
    exit_code = EXIT_ABORTED if gathered.aborted else 1 if gathered.unread else 0
    imports = choose_layouts(layout, gathered.written, mappings=(c.mapping for c in candidates))
    counts = summary.counts(gathered)
    sections = summary.sections(
        options, run_id, layout, started, exit_code, gathered, imports, out, notes
    )
    # The sheet, then what it holds remembered: a Ctrl-C in between would write a sheet the
    # ledger does not know, so signals wait for both (and are said afterwards).
    with interrupts(), deferred() as held:
        files = write_outcomes(
            out,
            gathered.written,
            gathered.matching.unmatched,
            sections,
            details=options.details,
            imports=imports,
            run_id=run_id,
        )
        now = utc_now()
        ledger.record_outcomes(
            run_id,
            [
                line.seen(now=now)
                for line in gathered.written
                if line.identity not in gathered.unread
            ],
        )
    if held:
        log.warning("signal held until the outcomes were written", signals=list(held))
    return OutcomeReport(
        run_id=run_id,
        exit_code=exit_code,
        counts=counts,
        outcomes_path=out,
        ledger_path=options.ledger_location(),
        files=files,
        layout=layout,
        changed_since=since,
        aborted=str(gathered.aborted) if gathered.aborted else "",
        notes=notes,
        lines=gathered.written,
        unmatched=gathered.matching.unmatched,
    )
