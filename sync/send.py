"""The live part of a run: pre-flight, then every planned row dispatched and journaled.

``send_rows`` opens the API client, reads merchant-status (the pre-flight),
sends the rows through the dispatcher with the ledger as its journal, records
each outcome as it comes back, and stops cleanly on SIGINT/SIGTERM. It returns
the abort when the run stopped mid-way; the lifecycle (``sync.run``) renders
the results from the ledger either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator

import structlog

from sync import __version__
from sync.dispatch import DispatchSettings, RowOutcome, dispatch, preflight
from sync.errors import AbortError, Interrupted
from sync.jobmojito import ApiClient, TokenSource
from sync.ledger import Ledger
from sync.options import SyncOptions
from sync.plan import problem_fingerprint, result_line
from sync.progress import LogProgress, Progress
from sync.records import PlannedRow, ResultLine, Status

log = structlog.get_logger("sync")


def send_rows(
    options: SyncOptions,
    rows: list[PlannedRow],
    ledger: Ledger,
    run_id: str,
    progress: Progress | None,
) -> AbortError | None:
    """Pre-flight and dispatch; returns the abort, if the run stopped mid-way.

    Rows beyond ``--limit`` stay pending in the ledger and render as ``not_sent``.
    """
    if not rows:
        # Everything was decided before sending (skipped, invalid, duplicate):
        # a rerun on a file already synced needs no network at all.
        return None
    bar = progress if progress is not None else LogProgress()

    def on_outcome(p: PlannedRow, outcome: RowOutcome) -> None:
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
                    )
            finally:
                bar.close()
            if result.aborted is None and seen:
                return Interrupted(f"interrupted ({', '.join(seen)})")
            return result.aborted

    return asyncio.run(main())


def api_client(options: SyncOptions) -> ApiClient:
    """The API client a run uses (open it with ``async with``): the run's base URL,
    token (and token command), timeout and pool of ``concurrency`` connections."""
    return ApiClient(
        options.base_url,
        TokenSource(options.token, options.token_command),
        timeout=options.timeout,
        concurrency=options.concurrency,
        user_agent=f"jobmojito-sync/{__version__}",
        allow_insecure_http=options.allow_insecure_http,
    )


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


__all__ = ["api_client", "outcome_line", "send_rows", "stop_on_signals"]
