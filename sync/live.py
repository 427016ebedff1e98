"""A live run: ledger, pre-flight, dispatch, results.

The ledger is the durable truth. The run lock is taken before planning (so
two overlapping runs cannot both decide to send the same candidate), every
input row is recorded before the first request, and the results sheet is
rendered from the ledger at the end, so ``jobmojito-sync report`` can render
it again after a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog

from sync import __version__
from sync.api import (
    Prepared,
    SyncReport,
    _write,
    exit_code_for,
    prepare,
    result_line,
    stop_on_signals,
)
from sync.client import ApiClient, TokenSource
from sync.config import SyncOptions
from sync.dispatch import DispatchSettings, RowOutcome, dispatch, preflight
from sync.errors import AbortError, ConfigError, Interrupted, SyncError
from sync.ledger import Ledger, open_ledger
from sync.progress import LogProgress, Progress
from sync.records import PlannedRow, ResultLine
from sync.results import count_statuses

log = structlog.get_logger("sync")


def live_run(
    options: SyncOptions,
    started: str,
    *,
    confirm: Callable[[Prepared], bool] | None,
    on_prepared: Callable[[Prepared], None] | None,
    progress: Progress | None,
) -> SyncReport:
    if options.token is None or not options.token.get_secret_value().strip():
        raise ConfigError(
            "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
            " config file); nothing was sent"
        )
    ledger_path = options.ledger_path()
    with open_ledger(ledger_path) as ledger:
        # The run lock first: two overlapping runs must not both plan to send.
        inputs = [(str(p), file_sha256(p)) for p in (options.applicants, options.jobs) if p]
        run_id = ledger.start_run(
            inputs=inputs,
            mapping=options.mapping,
            dry_run=False,
            tool_version=__version__,
            results_path=str(options.out),
        )
        try:
            prepared = prepare(options, enrolled=ledger.enrolled)
            if on_prepared is not None:
                on_prepared(prepared)
            if confirm is not None and prepared.to_send and not confirm(prepared):
                raise SyncError("cancelled at the prompt; nothing was sent")
            log.info(
                "run started",
                run_id=run_id,
                mapping=prepared.mapping.name,
                rows=len(prepared.planned),
                to_send=len(prepared.to_send),
                ledger=str(ledger_path),
            )
            ledger.record_plan(
                run_id,
                [result_line(p) for p in prepared.planned],
                [p.status is None for p in prepared.planned],
            )
            aborted = _send(options, prepared, ledger, run_id, progress)
        except SyncError as exc:
            ledger.finish_run(run_id, exit_code=exc.exit_code, counts={})
            raise
        lines = ledger.result_lines(run_id)
        counts = count_statuses(lines)
        code = exit_code_for(counts, aborted=aborted is not None)
        notes = [*prepared.warnings, prepared.mapping_reason]
        if aborted is not None:
            notes.insert(0, f"run aborted: {aborted}")
        counts = _write(
            options, prepared, lines, run_id=run_id, started=started, exit_code=code, notes=notes
        )
        ledger.finish_run(run_id, exit_code=code, counts=counts)
    log.info("run finished", run_id=run_id, exit_code=code, counts=counts)
    return SyncReport(
        run_id=run_id,
        exit_code=code,
        counts=counts,
        results_path=options.out,
        ledger_path=ledger_path,
        mapping=prepared.mapping.name,
        dry_run=False,
        rows=len(lines),
        aborted=str(aborted) if aborted else "",
        notes=notes,
    )


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (unreadable files are reported by the reader)."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _outcome_line(p: PlannedRow, outcome: RowOutcome) -> ResultLine:
    line = result_line(p)
    line.status = outcome.status
    line.reason = outcome.reason
    line.interview_url = outcome.interview_url
    line.http_status = outcome.http_status
    line.attempts = outcome.attempts
    line.position_def_set_id = outcome.position_def_set_id
    line.profile_interview_id = outcome.profile_interview_id
    return line


def _send(
    options: SyncOptions,
    prepared: Prepared,
    ledger: Ledger,
    run_id: str,
    progress: Progress | None,
) -> AbortError | None:
    """Pre-flight and dispatch; returns the abort, if the run stopped mid-way."""
    rows = prepared.to_send
    if options.limit is not None:
        rows = rows[: options.limit]
    bar = progress if progress is not None else LogProgress()

    def on_outcome(p: PlannedRow, outcome: RowOutcome) -> None:
        line = _outcome_line(p, outcome)
        ledger.record_outcome(run_id, p.index, line)
        bar.advance(line)

    if not rows:
        # Everything was decided before sending (skipped, invalid, duplicate):
        # a rerun on a file already synced needs no network at all.
        return None

    async def main() -> AbortError | None:
        tokens = TokenSource(options.token, options.token_command)
        async with ApiClient(
            options.base_url,
            tokens,
            timeout=options.timeout,
            concurrency=options.concurrency,
            user_agent=f"jobmojito-sync/{__version__}",
        ) as client:
            try:
                pre = await preflight(client, len(rows), ignore_credits=options.ignore_credits)
            except AbortError as exc:
                _mark_not_sent(rows, exc, on_outcome)
                return exc
            for warning in getattr(pre, "warnings", ()):
                log.warning("pre-flight", detail=warning)
            if getattr(pre, "message", ""):
                log.info("pre-flight", detail=pre.message)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            bar.start(len(rows))
            try:
                with stop_on_signals(stop, loop) as seen:
                    result = await dispatch(
                        rows,
                        client=client,
                        settings=DispatchSettings.from_options(options),
                        journal=ledger,
                        run_id=run_id,
                        on_outcome=on_outcome,
                        stop=stop,
                    )
            finally:
                bar.close()
            aborted = result.aborted
            if aborted is None and seen:
                aborted = Interrupted(f"interrupted ({', '.join(seen)})")
            return aborted

    aborted = asyncio.run(main())
    # Rows beyond --limit stay pending in the ledger and render as not_sent.
    return aborted


def _mark_not_sent(
    rows: list[PlannedRow], exc: AbortError, on_outcome: Callable[[PlannedRow, Any], None]
) -> None:
    from sync.records import Status

    for p in rows:
        on_outcome(
            p,
            RowOutcome(
                status=Status.NOT_SENT,
                reason=f"not sent: {exc}",
                interview_url="",
                http_status=None,
                attempts=0,
                position_def_set_id="",
                profile_interview_id="",
            ),
        )
