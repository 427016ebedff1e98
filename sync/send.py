"""The live part of a run: pre-flight, then every planned row dispatched and journaled.

``send_rows`` opens the API client, reads merchant-status (the pre-flight),
sends the rows through the dispatcher with the ledger as its journal, records
each outcome as it comes back, and stops cleanly on SIGINT/SIGTERM. It returns
the abort when the run stopped mid-way; the lifecycle (``sync.run``) renders
the results from the ledger either way. Positions the ledger knows are named
by their id, and a job's first enrolment goes before its others
(``sync.positions.book``); an answer that names a new position is remembered.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import structlog

from sync import __version__
from sync.dispatch import DispatchSettings, Endpoint, RowOutcome, dispatch, preflight
from sync.dispatch.group import GroupLimiter
from sync.dispatch.pacing import AimdLimiter
from sync.errors import AbortError, Interrupted
from sync.jobmojito import ApiClient, TokenSource
from sync.ledger import Ledger
from sync.options import SyncOptions
from sync.plan import problem_fingerprint, result_line
from sync.positions.book import PositionBook, default_job_key
from sync.progress import LogProgress, Progress
from sync.records import PlannedRow, ResultLine, Status

log = structlog.get_logger("sync")


def send_rows(
    options: SyncOptions,
    rows: list[PlannedRow],
    ledger: Ledger,
    run_id: str,
    progress: Progress | None,
    job_key: Callable[[PlannedRow], str] = default_job_key,
    *,
    group: str | None = None,
) -> AbortError | None:
    """Pre-flight and dispatch; returns the abort, if the run stopped mid-way.

    Rows beyond ``--limit`` stay pending in the ledger and render as ``not_sent``.
    ``job_key`` names a row's job (``sync.positions.book.job_key_reader``).
    A shard of a run ``group`` paces with the group (``GroupLimiter``): ``--rate``
    is the group's, shared through the ledger.
    """
    if not rows:
        # Everything was decided before sending (skipped, invalid, duplicate):
        # a rerun on a file already synced needs no network at all.
        return None
    bar = progress if progress is not None else LogProgress()
    book = PositionBook(ledger.positions(), job_key)

    def on_outcome(p: PlannedRow, outcome: RowOutcome) -> None:
        learned = book.learn(p, outcome)
        if learned is not None:
            ledger.record_position(run_id, learned)
        line = outcome_line(p, outcome)
        ledger.record_outcome(run_id, p.index, line)
        bar.advance(line)

    async def main() -> AbortError | None:
        async with api_client(options) as client:
            try:
                pre = await preflight(client, len(rows), ignore_credits=options.ignore_credits)
            except AbortError as exc:
                for p in rows:
                    on_outcome(p, RowOutcome(Status.NOT_SENT, reason=f"not sent: {exc}"))
                return exc
            for warning in pre.warnings:
                log.warning("pre-flight", detail=warning)
            if pre.message:
                log.info("pre-flight", detail=pre.message)
            return await dispatch_journaled(
                options,
                client,
                rows,
                ledger,
                run_id,
                on_outcome,
                bar,
                book.endpoint(),
                limiter=_group_pace(options, ledger, group),
            )

    return asyncio.run(main())


def _group_pace(options: SyncOptions, ledger: Ledger, group: str | None) -> AimdLimiter | None:
    """The pacer of a shard: the group's pace, kept in the ledger; else the default."""
    if group is None or not math.isfinite(options.rate):
        return None
    return GroupLimiter(options.rate, ledger, group)


def api_client(options: SyncOptions, *, concurrency: int | None = None) -> ApiClient:
    """The API client a run uses (open it with ``async with``): the run's base URL,
    token (and token command), timeout and pool of ``concurrency`` connections (the
    run's unless given)."""
    return ApiClient(
        options.base_url,
        TokenSource(options.token, options.token_command),
        timeout=options.timeout,
        concurrency=concurrency or options.concurrency,
        user_agent=f"jobmojito-sync/{__version__}",
        allow_insecure_http=options.allow_insecure_http,
    )


async def dispatch_journaled(
    options: SyncOptions,
    client: ApiClient,
    rows: list[PlannedRow],
    ledger: Ledger,
    run_id: str,
    on_outcome: Callable[[PlannedRow, RowOutcome], None],
    bar: Progress,
    endpoint: Endpoint[Any, PlannedRow, RowOutcome],
    *,
    limiter: AimdLimiter | None = None,
) -> AbortError | None:
    """Dispatch ``rows`` to ``endpoint``, journaled in the ledger, stopping cleanly on
    SIGINT/SIGTERM; the abort, if the run stopped mid-way. ``limiter``: the pace to
    keep (default: the run's own, from its options)."""
    stop = asyncio.Event()
    bar.start(len(rows))
    try:
        with stop_on_signals(stop, asyncio.get_running_loop()) as seen:
            result = await dispatch(
                rows,
                client=client,
                settings=DispatchSettings.from_options(options),
                journal=ledger,
                run_id=run_id,
                on_outcome=on_outcome,
                stop=stop,
                endpoint=endpoint,
                limiter=limiter,
            )
    finally:
        bar.close()
    if result.aborted is None and seen:
        return Interrupted(f"interrupted ({', '.join(seen)})")
    return result.aborted


def outcome_line(p: PlannedRow, outcome: RowOutcome) -> ResultLine:
    """The results line of a row the dispatcher sent (or stopped before sending)."""
    line = result_line(p)
    line.status = outcome.status
    line.reason = outcome.reason
    line.interview_url = outcome.interview_url
    line.http_status = outcome.http_status
    line.attempts = outcome.attempts
    line.position_def_set_id = outcome.position_def_set_id
    line.profile_interview_id = outcome.profile_interview_id
    if outcome.status is Status.REJECTED:  # the same refusal next night is a known problem
        line.fingerprint = problem_fingerprint(
            Status.REJECTED, p.payload, [f"HTTP {outcome.http_status}"]
        )
    return line


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event, loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """Set ``stop`` on SIGINT/SIGTERM (main thread only); yields the signal names seen.

    The handlers in place before (``sync.interrupts``' for the whole run) are put
    back afterwards: asyncio would leave the defaults.
    """
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
            previous = signal.getsignal(sig)
            loop.add_signal_handler(sig, handler, sig)
            installed.append((sig, previous))
    try:
        yield seen
    finally:
        for sig, previous in installed:
            loop.remove_signal_handler(sig)
            if previous is not None:
                signal.signal(sig, previous)


__all__ = ["api_client", "dispatch_journaled", "outcome_line", "send_rows", "stop_on_signals"]
