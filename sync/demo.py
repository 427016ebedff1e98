"""``make demo``: a live sync of sample_data/ against the sandbox, in-process.

Starts the sandbox on a free loopback port, runs the real ``run_sync`` over
real HTTP with ``create_positions``: one interview per sample job first
(``positions.xlsx``; two jobs get the questions of ``questions.csv``), then the
enrolments, which name those interviews (``results.xlsx``; the ledger under
``demo-out/``). Then it runs again to show that the ledger skips every job and
every candidate already done.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sync.logs import configure_logging
from sync.run import run_sync
from sync.sandbox import SandboxConfig, run_sandbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


def main() -> int:
    configure_logging("console" if sys.stderr.isatty() else "json")
    out = Path("results.xlsx")
    positions = Path("positions.xlsx")
    ledger = Path("demo-out") / "demo.ledger.sqlite"
    for stale in ledger.parent.glob(ledger.name + "*") if ledger.parent.exists() else []:
        stale.unlink()
    config = SandboxConfig(port=0, token="sandbox-token", latency_ms=30, seed=7)  # noqa: S106 (the sandbox's fake token)
    with run_sandbox(config) as sandbox:
        common: dict[str, Any] = dict(
            applicants=SAMPLES / "applicants.csv",
            jobs=SAMPLES / "jobs.csv",
            mapping="generic",
            ledger=ledger,
            base_url=sandbox.base_url,
            token=SecretStr("sandbox-token"),
            yes=True,
            concurrency=4,
            rate=20.0,
            create_positions=True,
            questions=SAMPLES / "questions.csv",
            template="Emma — Interviewer (English)",
        )
        first = run_sync(out=out, positions_out=positions, **common)
        stats = sandbox.stats()
        second = run_sync(
            out=Path("demo-out") / "results-second-run.xlsx",
            positions_out=Path("demo-out") / "positions-second-run.xlsx",
            **common,
        )
    print()
    first_jobs = first.positions.counts if first.positions else {}
    print(f"first run  {first.run_id}: exit {first.exit_code}, {first.counts}")
    print(f"           positions: {first_jobs} -> {positions.resolve()}")
    print(f"           results: {out.resolve()}")
    print(
        f"           sandbox: {stats.get('positions_created')} positions and"
        f" {stats.get('enrolments_created')} enrolments created"
    )
    print(f"second run {second.run_id}: exit {second.exit_code}, {second.counts}")
    print(f"           positions: {second.positions.counts if second.positions else {}}")
    print("           (the ledger skips every job and every candidate the first run did)")
    # Exit 1 is expected: the sample data holds deliberately bad rows.
    return 0 if first.exit_code in (0, 1) and second.exit_code in (0, 1) else first.exit_code


if __name__ == "__main__":
    sys.exit(main())
