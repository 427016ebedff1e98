"""Positions: a night of 5,000 applicants over 40 jobs, with and without positions known.

The issue's figure. The sandbox answers after ``LATENCY_MS`` (a real API is
farther than loopback) and runs in its own process (``bench.bench_dispatch``'s),
so that its CPU is not the run's. Whole live runs (``run_sync``: read, map, plan, pre-flight,
dispatch journaled in a fresh SQLite ledger, results sheet), each at
``CONCURRENCY`` requests at a time:

- **unknown beforehand**: no position exists; each job's first enrolment goes
  alone and its answer names the position the job's other rows then send by id
  (``sync.positions.book``), while other jobs' rows keep going;
- **created first** (``jobmojito-sync positions``, then ``run`` on the same
  ledger: what ``run --create-positions`` does in one command): the positions
  step makes the 40 interviews, then every enrolment names its position by id;
  each part's time is given apart.

Each line also says what the sandbox counted: positions created (40 in every
case: none twice) and how the enrolments found theirs. Run alone with
``python -m bench.bench_positions``.
"""

from __future__ import annotations

import csv
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import structlog
from pydantic import SecretStr

from bench.bench_dispatch import TOKEN, _control, _sandbox_process, _setup
from sync.positions.run import sync_positions
from sync.run import run_sync

APPLICANTS = 5_000
JOBS = 40
LATENCY_MS = 20.0
CONCURRENCY = 16
TEMPLATE = "Emma — Interviewer (English)"
RESUME = "Curriculum Vitae: ten years of Python, async HTTP and SQL. " * 10


def make_inputs(folder: Path) -> tuple[Path, Path]:
    """The jobs export (40 jobs) and the applicants export (5,000 rows over them)."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs, applicants = folder / "jobs.csv", folder / "applicants.csv"
    with jobs.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["position_external_id", "position_name", "position_location",
                    "position_country_code", "mojito_language_code",
                    "position_description"])  # fmt: skip
        for j in range(JOBS):
            w.writerow([f"JOB-{j:02d}", f"Engineer {j}", "Berlin", "DE", "en",
                        f"<p>Build and run service {j}.</p>"])  # fmt: skip
    with applicants.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["candidate_name", "candidate_email", "candidate_country_code",
                    "candidate_resume", "position_external_id"])  # fmt: skip
        for i in range(APPLICANTS):
            w.writerow([f"Bench Person {i}", f"p{i}@example.com", "PT", RESUME,
                        f"JOB-{i % JOBS:02d}"])  # fmt: skip
    return jobs, applicants


def _run(base_url: str, folder: Path, name: str, **options: Any) -> tuple[float, Any]:
    jobs, applicants = folder / "jobs.csv", folder / "applicants.csv"
    began = time.perf_counter()
    report = run_sync(
        applicants=applicants,
        jobs=jobs,
        mapping="generic",
        out=folder / f"{name}.csv",
        overwrite=True,
        base_url=base_url,
        token=SecretStr(TOKEN),
        template=TEMPLATE,
        yes=True,
        concurrency=CONCURRENCY,
        rate=10_000.0,
        **options,
    )
    return time.perf_counter() - began, report


def bench_positions() -> dict[str, str]:
    """Both nights; each as seconds, candidates per second and the sandbox's counts."""
    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-positions-") as tmp, _sandbox_process() as root:
        base_url = f"{root}/functions/v1/"
        folder = Path(tmp)
        jobs, _ = make_inputs(folder)
        _setup(root, latency_ms=LATENCY_MS)
        seconds, report = _run(base_url, folder, "unknown", ledger=folder / "unknown.sqlite")
        out["unknown beforehand"] = _said(seconds, report, _control(root, "stats"))

        _setup(root, latency_ms=LATENCY_MS)
        ledger = folder / "first.sqlite"
        began = time.perf_counter()
        sync_positions(
            jobs=jobs, mapping="generic", out=folder / "positions.csv", overwrite=True,
            ledger=ledger, base_url=base_url, token=SecretStr(TOKEN), template=TEMPLATE,
            yes=True, concurrency=CONCURRENCY, rate=10_000.0,
        )  # fmt: skip
        step = time.perf_counter() - began
        seconds, report = _run(base_url, folder, "first", ledger=ledger)
        out["created first (positions, then run)"] = _said(
            step + seconds, report, _control(root, "stats")
        )
        out["  the positions step alone"] = f"{step:6.2f} s for {JOBS} jobs"
        out["  the enrolments alone"] = f"{seconds:6.1f} s ({APPLICANTS / seconds:,.0f}/s)"
    return out


def _said(
    seconds: float, report: Any, stats: dict[str, Any], before: dict[str, Any] | None = None
) -> str:
    created = stats.get("positions_created", 0) - (before or {}).get("positions_created", 0)
    found = dict(stats.get("positions_found_by", {}))
    for key, n in (before or {}).get("positions_found_by", {}).items():
        found[key] = found.get(key, 0) - n
    by = ", ".join(f"{k} {v:,}" for k, v in sorted(found.items()) if v)
    sent = sum(n for s, n in report.counts.items() if s not in ("invalid", "duplicate"))
    return (
        f"{seconds:6.1f} s ({sent / seconds:,.0f} candidates/s); {created} positions created;"
        f" positions found by {by}"
    )


def main() -> None:
    print(
        f"positions: {APPLICANTS:,} applicants over {JOBS} jobs, sandbox latency"
        f" {LATENCY_MS:.0f} ms, concurrency {CONCURRENCY}:"
    )
    for key, value in bench_positions().items():
        print(f"  {key:<40} {value}")


if __name__ == "__main__":
    main()
