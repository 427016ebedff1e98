"""``make demo``: a live sync of sample_data/ against the sandbox, in-process.

Starts the sandbox on a free loopback port, runs the real ``run_sync`` over
real HTTP, writes ``results.xlsx`` (and its ledger under ``demo-out/``), then
runs again to show that the ledger skips everyone already enrolled, and ends
with ``outcomes.xlsx``: who took the interview and how they scored, once the
sandbox's clock has let the candidates take their interviews.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sync.logs import configure_logging
from sync.outcomes.run import OutcomeReport, run_outcomes
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


def main() -> int:
    configure_logging("console" if sys.stderr.isatty() else "json")
    out = Path("results.xlsx")
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
        )
        first = run_sync(out=out, **common)
        stats = sandbox.stats()
        second = run_sync(out=Path("demo-out") / "results-second-run.xlsx", **common)
        outcomes = _outcomes(sandbox, common)
    print()
    print(f"first run  {first.run_id}: exit {first.exit_code}, {first.counts}")
    print(f"           results: {out.resolve()}")
    print(f"           sandbox: {stats.get('enrolments_created')} enrolments created")
    print(f"second run {second.run_id}: exit {second.exit_code}, {second.counts}")
    print("           (the ledger skips every candidate enrolled by the first run)")
    print(f"outcomes   {outcomes.run_id}: exit {outcomes.exit_code}, {outcomes.counts}")
    print(f"           outcomes: {outcomes.outcomes_path.resolve()}")
    # Exit 1 is expected: the sample data holds deliberately bad rows.
    return 0 if first.exit_code in (0, 1) and second.exit_code in (0, 1) else first.exit_code


def _outcomes(sandbox: RunningSandbox, common: dict[str, Any]) -> OutcomeReport:
    """The last step: a day passes in the sandbox, then the outcomes sheet, with assessments."""
    sandbox.advance(24 * 3600)
    keep = ("ledger", "base_url", "token", "concurrency", "rate")
    return run_outcomes(
        outcomes_out=Path("outcomes.xlsx"), details=True, **{k: common[k] for k in keep}
    )


if __name__ == "__main__":
    sys.exit(main())
