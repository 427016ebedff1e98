"""The dispatcher against the sandbox on loopback, each figure beside a plain loop.

Three workloads, each bounded to about ``WINDOW`` seconds:

- **rate limit**: the sandbox allows ``LIMIT`` req/s (token bucket, one second of
  burst) and answers after ``LATENCY_MS``; the dispatcher is asked for more
  (``CEILING`` req/s) and must find the limit itself. Reported: successful
  requests per second after the first second, as a fraction of the limit
  (target >= 0.95), and 429s as a share of the requests after the first second
  (target < 2%). The same figures with a small burst (a tenth of a second),
  where the limiter gets no slack from the server's bucket.
- **raw**: no limit, no latency, ``RAW_ROWS`` enrolments at ``RAW_CONCURRENCY``
  (target >= 500 req/s on a 2-core machine, the sandbox included), with no
  journal and with the real ledger journaling every attempt: SQLite, and
  PostgreSQL (a throwaway server on loopback, the test suite's
  tests/postgres_server.py).
- each next to a **plain sequential httpx loop** (one ``httpx.Client``, one
  request after the other) over the same sandbox settings, in the same run.

The sandbox runs in its own process so that its CPU is not the dispatcher's.
Run alone with ``python -m bench.bench_dispatch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import structlog

from sync.dispatch import AttemptJournal, DispatchSettings, NullJournal, RowOutcome, dispatch
from sync.jobmojito import ApiClient, TokenSource
from sync.records import PlannedRow, ResultLine, Row, Status
from sync.sandbox import SandboxConfig, run_sandbox

TOKEN = "bench-dispatch-token"
ENDPOINT = "job-interview-create-for-candidate-with-token"
LIMIT = 50.0  # the sandbox's rate limit, req/s
LATENCY_MS = 100.0
CEILING = 80.0  # what the dispatcher is asked for: above the limit
LIMITED_CONCURRENCY = 24  # covers 80 req/s x 100 ms, plus rows waiting out a Retry-After
WINDOW = 10.0  # seconds per rate-limited measurement
RAW_ROWS = 3000
RAW_CONCURRENCY = (32, 8)  # httpcore scans its whole pool per request: fewer is faster here
RESUME = "Curriculum Vitae: ten years of Python, async HTTP and SQL. " * 10


def _serve_child(conn: Connection) -> None:
    with run_sandbox(SandboxConfig(token=TOKEN, credits=10**9)) as sandbox:
        conn.send(sandbox.url)
        conn.recv()  # until the parent says stop


@contextlib.contextmanager
def _sandbox_process() -> Iterator[str]:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve_child, args=(child,), daemon=True)
    server.start()
    try:
        yield parent.recv()
        parent.send("stop")
    finally:
        server.join(timeout=10)
        if server.is_alive():  # pragma: no cover
            server.kill()
            server.join()


def _control(root: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{root}/__sandbox/{name}"
    with httpx.Client(timeout=10) as http:
        response = http.post(url, json=body or {}) if body is not None else http.get(url)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _setup(root: str, **config: Any) -> None:
    _control(root, "reset", {})
    if config:
        _control(root, "config", config)


def _payload(tag: str, i: int) -> dict[str, Any]:
    return {
        "candidate_name": f"Bench Candidate {i}",
        "candidate_email": f"{tag}.{i}@example.com",
        "candidate_country_code": "SK",
        "candidate_resume": RESUME,
        "candidate_external_id": f"C-{i}",
        "position_external_id": f"JOB-{i % 7}",
        "position_name": f"Backend Engineer {i % 7}",
        "position_location": "remote",
        "position_country_code": "SK",
        "mojito_language_code": "en",
    }


def _rows(tag: str, n: int) -> list[PlannedRow]:
    return [
        PlannedRow(
            index=i,
            row=Row("bench.csv", i + 2, {}),
            payload=_payload(tag, i),
            identity=f"{tag}.{i}@example.com|JOB-{i % 7}",
        )
        for i in range(n)
    ]


class _Window:
    """Counts what the sandbox answered between ``skip`` seconds after the start and the end."""

    def __init__(self, root: str, skip: float) -> None:
        self.root = root
        self.skip = skip
        self.first: dict[str, int] = {}
        self.began = self.marked = self.ended = 0.0
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        self.began = time.perf_counter()
        self._timer = threading.Timer(self.skip, self._mark)
        self._timer.start()

    def _mark(self) -> None:
        self.marked = time.perf_counter()
        self.first = _control(self.root, "stats")["by_status"]

    def finish(self) -> dict[str, float]:
        self.ended = time.perf_counter()
        if self._timer is not None:
            self._timer.join()
        last = _control(self.root, "stats")["by_status"]
        delta = {k: last.get(k, 0) - self.first.get(k, 0) for k in last}
        seconds = self.ended - self.marked
        requests = sum(delta.values())
        return {
            "ok_per_s": delta.get("200", 0) / seconds,
            "share_429": delta.get("429", 0) / requests if requests else 0.0,
            "requests": float(requests),
        }


async def _dispatch(
    base_url: str,
    rows: list[PlannedRow],
    *,
    rate: float,
    concurrency: int,
    seconds: float | None = None,
    journal: AttemptJournal | None = None,
    run_id: str = "bench",
    on_outcome: Any = None,
) -> tuple[float, int]:
    """Dispatch ``rows`` (stopping after ``seconds`` if given); (elapsed, rows done)."""
    done = 0

    def count(row: PlannedRow, outcome: RowOutcome) -> None:
        nonlocal done
        done += outcome.status.is_enrolled
        if on_outcome is not None:
            on_outcome(row, outcome)

    stop = asyncio.Event()
    settings = DispatchSettings(concurrency=concurrency, rate=rate, timeout=10)
    async with ApiClient(
        base_url, TokenSource(TOKEN), timeout=10, concurrency=concurrency
    ) as client:
        if seconds is not None:
            asyncio.get_running_loop().call_later(seconds, stop.set)
        began = time.perf_counter()
        await dispatch(
            rows,
            client=client,
            settings=settings,
            journal=journal or NullJournal(),
            run_id=run_id,
            on_outcome=count,
            stop=stop,
        )
        return time.perf_counter() - began, done


def _sequential(
    base_url: str, rows: list[PlannedRow], *, seconds: float | None = None
) -> tuple[float, int]:
    """The plain loop: one ``httpx.Client``, one request after the other, no retries."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    done = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        began = time.perf_counter()
        for row in rows:
            if seconds is not None and time.perf_counter() - began >= seconds:
                break
            response = http.post(ENDPOINT, json=row.payload)
            done += response.status_code == 200
        return time.perf_counter() - began, done


def _limited(root: str, base_url: str, *, burst: int | None, tag: str) -> dict[str, float]:
    config: dict[str, Any] = {"rate": LIMIT, "latency_ms": LATENCY_MS}
    if burst is not None:
        config["burst"] = burst
    rows = _rows(tag, int(CEILING * WINDOW * 2))
    _setup(root, **config)
    window = _Window(root, 1.0)
    window.start()
    asyncio.run(
        _dispatch(base_url, rows, rate=CEILING, concurrency=LIMITED_CONCURRENCY, seconds=WINDOW)
    )
    dispatcher = window.finish()
    _setup(root, **config)
    window = _Window(root, 1.0)
    window.start()
    _sequential(base_url, _rows(tag + "-seq", len(rows)), seconds=WINDOW)
    plain = window.finish()
    return {
        "dispatcher": dispatcher["ok_per_s"] / LIMIT,
        "dispatcher_429": dispatcher["share_429"],
        "plain": plain["ok_per_s"] / LIMIT,
        "plain_429": plain["share_429"],
    }


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server (the test suite's own), durable as in
    production: fsync and synchronous commit on."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from postgres_server import postgres_server  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as cache, postgres_server(Path(cache), durable=True) as url:
        yield url


def _ledger_journal(where: Path | str, rows: list[PlannedRow]) -> tuple[Any, str, Any]:
    from sync.ledger import open_ledger

    ledger = open_ledger(where)
    run_id = ledger.start_run(
        inputs=[], mapping="bench", dry_run=False, tool_version="bench", results_path="bench.xlsx"
    )
    lines = [
        ResultLine(
            source_file="bench.csv",
            source_row=r.row.line,
            candidate_name=r.payload["candidate_name"],
            candidate_email=r.payload["candidate_email"],
            position=r.payload["position_external_id"],
            status=Status.NOT_SENT,
            identity=r.identity,
        )
        for r in rows
    ]
    ledger.record_plan(run_id, lines, [True] * len(rows))

    def record(row: PlannedRow, outcome: RowOutcome) -> None:
        line = lines[row.index]
        line.status, line.reason, line.interview_url = (
            outcome.status,
            outcome.reason,
            outcome.interview_url,
        )
        line.http_status, line.attempts = outcome.http_status, outcome.attempts
        ledger.record_outcome(run_id, row.index, line)

    return ledger, run_id, record


def _journaled(root: str, base_url: str, where: Path | str, tag: str) -> float:
    """Requests per second with no limit, every attempt journaled in the ledger at ``where``."""
    _setup(root)
    rows = _rows(f"ledger-{tag}", RAW_ROWS)
    ledger, run_id, record = _ledger_journal(where, rows)
    with ledger:
        seconds, done = asyncio.run(
            _dispatch(
                base_url,
                rows,
                rate=math.inf,
                concurrency=RAW_CONCURRENCY[-1],
                journal=ledger,
                run_id=run_id,
                on_outcome=record,
            )
        )
    _check(done)
    return done / seconds


def bench_dispatch() -> dict[str, float]:
    """Run the three workloads; return the figures, named as ``make bench`` prints them."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    try:
        with _sandbox_process() as root:
            base_url = root + "/functions/v1/"
            big = _limited(root, base_url, burst=None, tag="big")
            small = _limited(root, base_url, burst=5, tag="small")

            raw: dict[int, float] = {}
            for concurrency in RAW_CONCURRENCY:
                _setup(root)
                rows = _rows(f"raw{concurrency}", RAW_ROWS)
                seconds, done = asyncio.run(
                    _dispatch(base_url, rows, rate=math.inf, concurrency=concurrency)
                )
                _check(done)
                raw[concurrency] = done / seconds
            with tempfile.TemporaryDirectory() as folder:
                ledgered = _journaled(root, base_url, Path(folder) / "bench.ledger.sqlite", "sq")
            with _postgres() as url:
                postgres = _journaled(root, base_url, url + "?ledger_schema=bench", "pg")
            _setup(root)
            seq_s, seq_done = _sequential(base_url, _rows("seq", RAW_ROWS // 2))
    finally:
        structlog.reset_defaults()
    return {
        f"limit {LIMIT:g}/s, {LATENCY_MS:g} ms: achieved/limit": big["dispatcher"],
        "  429s/requests after the first second": big["dispatcher_429"],
        "  plain sequential loop: achieved/limit": big["plain"],
        "burst 0.1 s: achieved/limit": small["dispatcher"],
        "  burst 0.1 s: 429s/requests after 1 s": small["dispatcher_429"],
        "  burst 0.1 s, plain loop: achieved/limit": small["plain"],
        **{f"no limit, concurrency {c}: req/s": raw[c] for c in RAW_CONCURRENCY},
        f"  concurrency {RAW_CONCURRENCY[-1]} + SQLite ledger: req/s": ledgered,
        f"  concurrency {RAW_CONCURRENCY[-1]} + PostgreSQL ledger: req/s": postgres,
        "  plain sequential loop: req/s": seq_done / seq_s,
    }


def _check(done: int) -> None:
    if done != RAW_ROWS:
        raise RuntimeError(f"the raw workload enrolled {done} of {RAW_ROWS} rows")


if __name__ == "__main__":
    for key, value in bench_dispatch().items():
        print(f"{key:<46} {value:>10,.3f}")
