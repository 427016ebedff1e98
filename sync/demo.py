"""``make demo``: a live sync of sample_data/ against the sandbox, in-process.

Starts the sandbox on a free loopback port, runs the real ``run_sync`` over
real HTTP with ``create_positions``: one interview per sample job first
(``positions.xlsx``; two jobs get the questions of ``questions.csv``), then the
enrolments, which name those interviews (``results.xlsx``; an earlier one is
kept as ``results.1.xlsx``; the ledger goes under ``demo-out/``). Then it runs
again to show that the ledger skips every job and every candidate already done,
and ends with ``outcomes.xlsx``: who took the interview and how they scored,
once a day has passed on the sandbox's clock and the candidates have taken
their interviews.

At a terminal it looks like a manual run (``sync.screen``): the jobs' preview,
the candidates' preview, the progress bar, the outcome table (the positions
step in its first line) and the run in one sentence, then the outcomes by
interview status, with logs kept to warnings. Elsewhere (CI, a pipe) the logs
are JSON lines and the last lines say the same in plain text.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sync.logs import configure_logging
from sync.outcomes.run import OutcomeReport, run_outcomes
from sync.positions.run import PositionsHooks
from sync.positions.screens import preview_jobs
from sync.report import SyncReport
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
TOKEN = "sandbox-token"  # noqa: S105 (the sandbox's fake token)


def main() -> int:
    at_terminal = sys.stderr.isatty()
    configure_logging(
        "console" if at_terminal else "json",
        level=logging.WARNING if at_terminal else logging.INFO,
    )
    out = Path("results.xlsx")
    positions = Path("positions.xlsx")
    ledger = Path("demo-out") / "demo.ledger.sqlite"
    for stale in ledger.parent.glob(ledger.name + "*") if ledger.parent.exists() else []:
        stale.unlink()
    config = SandboxConfig(port=0, token=TOKEN, latency_ms=30, seed=7)
    screen: Any = None
    progress: Any = None
    if at_terminal:
        from sync.progress import RichProgress
        from sync.screen import Screen

        screen = Screen()
        progress = RichProgress(console=screen.out)
    with run_sandbox(config) as sandbox:
        common: dict[str, Any] = dict(
            applicants=SAMPLES / "applicants.csv",
            jobs=SAMPLES / "jobs.csv",
            mapping="generic",
            ledger=ledger,
            base_url=sandbox.base_url,
            token=SecretStr(TOKEN),
            yes=True,
            concurrency=4,
            rate=20.0,
            create_positions=True,
            questions=SAMPLES / "questions.csv",
            template="Emma — Interviewer (English)",
        )
        if screen is not None:
            screen.out.print(
                "make demo: sample_data/ sent to a local sandbox; it answers yes by itself,"
                " and the sample holds deliberately bad rows"
            )
        first = run_sync(
            out=out,
            positions_out=positions,
            on_prepared=screen.preview if screen is not None else None,
            progress=progress,
            positions=PositionsHooks(
                on_prepared=functools.partial(preview_jobs, screen) if screen else None
            ),
            **common,
        )
        if screen is not None:
            screen.outcome(first)
        stats = sandbox.stats()
        created = (stats.get("positions_created"), stats.get("enrolments_created"))
        second = run_sync(
            out=Path("demo-out") / "results-second-run.xlsx",
            positions_out=Path("demo-out") / "positions-second-run.xlsx",
            overwrite=True,
            **common,
        )
        outcomes = _outcomes(sandbox, common)
    _tell(screen, first, second, created)
    if screen is not None:
        screen.outcomes(outcomes)
    else:
        from sync.screen import outcomes_sentence

        print(f"outcomes: {outcomes_sentence(outcomes)}; sheet: {outcomes.outcomes_path}")
    # Exit 1 is expected: the sample data holds deliberately bad rows.
    codes = (first.exit_code, second.exit_code, outcomes.exit_code)
    return 0 if all(code in (0, 1) for code in codes) else max(codes)


def _outcomes(sandbox: RunningSandbox, common: dict[str, Any]) -> OutcomeReport:
    """The last step: a day passes in the sandbox, then the outcomes sheet, with assessments."""
    sandbox.advance(24 * 3600)
    keep = ("ledger", "base_url", "token", "concurrency", "rate")
    return run_outcomes(
        outcomes_out=Path("outcomes.xlsx"), details=True, **{k: common[k] for k in keep}
    )


def _tell(screen: Any, first: SyncReport, second: SyncReport, created: Any) -> None:
    """The demo's last lines: what the sandbox saw, and what the second run did."""
    from sync.results import headline
    from sync.screen import results_sentence

    made = first.positions
    jobs = second.positions
    lines = [
        ("sandbox", f"{created[0]} positions and {created[1]} enrolments created by the first run"),
        ("second run", headline(second.counts)),
        ("positions", headline(jobs.counts, jobs=True) if jobs else "not run"),
        ("", "the ledger skips every job and every candidate the first run did"),
        ("results", results_sentence(second)),
    ]
    if screen is None and made is not None:
        print(f"positions: {headline(made.counts, jobs=True)}; sheet: {results_sentence(made)}")
    if screen is not None:
        screen.out.print()
        for name, text in lines:
            if name:
                screen.say(name, text)
            else:
                screen.out.print(f"  ({text})")
        return
    print(f"first run: {headline(first.counts)}; results: {results_sentence(first)}")
    for name, text in lines:
        print(f"{name}: {text}" if name else f"  ({text})")


if __name__ == "__main__":
    sys.exit(main())
