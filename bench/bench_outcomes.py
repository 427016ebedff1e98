"""Outcomes back at scale: reading the results list, matching it, writing the sheet.

``RESULTS`` enrolled candidates are put into the sandbox's state directly (no
enrolment requests: this measures the outcomes, not sending), the clock is moved
on so most have a result, and then:

- **read**: every page of ``merchant-result-list`` through the real client and
  dispatcher (pages of 1,000, the API's most; the sandbox in this process, where
  building every row for each page is most of the time), and what the client
  spends on one page: parsing 1,000 results into the models;
- **match**: every result to its enrolment, and a line per enrolment (pure);
- **write**: the outcomes XLSX of every line, and the Lever import CSV.

Run alone with ``python -m bench.bench_outcomes``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path

import structlog

from sync.dispatch import DispatchSettings
from sync.jobmojito import ApiClient, TokenSource
from sync.jobmojito.models import MerchantResult, MerchantResultList
from sync.ledger import EnrolledCandidate
from sync.outcomes.fetch import Reader
from sync.outcomes.layouts import LEVER
from sync.outcomes.lines import OutcomeLine
from sync.outcomes.match import match_results
from sync.outcomes.sheets import write_outcomes
from sync.sandbox import SandboxConfig, run_sandbox
from sync.sandbox._progress import Taker

TOKEN = "bench-outcomes-token"
RESULTS = 20_000


def _candidates(n: int) -> tuple[list[Taker], list[EnrolledCandidate]]:
    takers, candidates = [], []
    for i in range(n):
        email, pid, name = f"c{i}@example.com", f"00000000-0000-4000-8000-{i:012d}", f"C {i}"
        takers.append(Taker(pid, email, name, f"C-{i}", "pos-1", "Engineer", "def-1",
                            "ai_accept", 0.0))  # fmt: skip
        candidates.append(
            EnrolledCandidate(
                identity=f"{email}/ext:E-1",
                status="ai_accept",
                interview_url=f"https://x/{i}",
                run_id="r",
                enrolled_at="2026-11-01T00:00:00Z",
                profile_interview_id=pid,
                candidate_name=name,
                candidate_email=email,
                position="Engineer (E-1)",
                position_name="Engineer",
                candidate_external_id=f"C-{i}",
                position_external_id="E-1",
                mapping="lever",
            )
        )
    return takers, candidates


def bench_outcomes(n: int = RESULTS) -> dict[str, float]:
    logging.disable(logging.INFO)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    takers, candidates = _candidates(n)
    figures: dict[str, float] = {}
    with run_sandbox(SandboxConfig(token=TOKEN, progress_seconds=0)) as sandbox:
        for taker in takers:
            sandbox.state.progress.enrolled(taker)

        async def read() -> list[MerchantResult]:
            tokens = TokenSource(TOKEN)
            settings = DispatchSettings(rate=1000.0, concurrency=4, timeout=60.0)
            async with ApiClient(sandbox.base_url, tokens, timeout=60.0, concurrency=4) as client:
                reading = await Reader(client, settings).results(1000)
            return list(reading.results)

        started = time.perf_counter()
        results = asyncio.run(read())
        seconds = time.perf_counter() - started
    figures["results read"] = len(results)
    figures["read: seconds"] = seconds
    figures["read: results per second"] = len(results) / seconds
    page = json.dumps(
        {"data": [r.model_dump() for r in results[:1000]],
         "pagination": {"total": n, "limit": 1000, "offset": 0, "has_more": True}}
    )  # fmt: skip
    started = time.perf_counter()
    for _ in range(10):
        MerchantResultList.model_validate_json(page)
    figures["parse one page of 1,000: ms"] = (time.perf_counter() - started) * 100

    started = time.perf_counter()
    matching = match_results(candidates, results)
    lines = [OutcomeLine.of(c, matching.results.get(c.identity)) for c in candidates]
    seconds = time.perf_counter() - started
    figures["match + lines: seconds"] = seconds
    figures["match + lines: enrolments per second"] = n / seconds

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_outcomes(Path(folder) / "o.xlsx", lines, matching.unmatched, [], details=False,
                       imports={LEVER: lines}, run_id="bench")  # fmt: skip
        seconds = time.perf_counter() - started
    figures["write xlsx + lever csv: seconds"] = seconds
    figures["write: lines per second"] = n / seconds
    return figures


if __name__ == "__main__":
    for key, value in bench_outcomes().items():
        print(f"{key:<40} {value:>12,.2f}")
