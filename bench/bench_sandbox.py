"""How many requests a second the sandbox answers on loopback, faults off.

The server runs in its own process (as ``jobmojito-sync sandbox`` would) and the
load comes from ``CLIENTS`` other processes, each sending pre-encoded requests
over one keep-alive ``httpx.HTTPTransport``. That keeps the load generator from
being what is measured on a 2-core machine: ``httpx.Client.post(json=...)``
costs about twice the CPU per request of the bare transport, and one
``httpx.AsyncClient`` with 32 connections tops out at a few hundred requests a
second (its pool scans every connection per request). Run alone with
``python -m bench.bench_sandbox``.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

import httpx

from sync.sandbox import SandboxConfig, run_sandbox

REQUESTS = 3000  # per phase
CLIENTS = 2
TOKEN = "bench-token"
ENDPOINT = "job-interview-create-for-candidate-with-token"
RESUME = "Curriculum Vitae: ten years of Python, async HTTP and SQL. " * 20


def _serve_child(conn: Connection) -> None:
    with run_sandbox(SandboxConfig(token=TOKEN, credits=10**9)) as sandbox:
        conn.send(sandbox.base_url)
        conn.recv()  # until the parent says stop
        conn.send(sandbox.stats())


def _payload(i: int) -> dict[str, Any]:
    return {
        "candidate_name": f"Bench Candidate {i}",
        "candidate_email": f"bench.{i}@example.com",
        "candidate_country_code": "SK",
        "candidate_resume": RESUME,
        "candidate_external_id": f"C-{i}",
        "position_external_id": f"JOB-{i % 7}",
        "position_name": f"Backend Engineer {i % 7}",
        "position_location": "remote",
        "position_country_code": "SK",
        "mojito_language_code": "en",
    }


def _client_child(base_url: str, indices: range, start: Event, conn: Connection) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    url = base_url + ENDPOINT
    requests = [
        httpx.Request("POST", url, headers=headers, content=json.dumps(_payload(i)).encode())
        for i in indices
    ]
    latencies: list[float] = []
    with httpx.HTTPTransport() as transport:
        for _ in range(20):  # warm up the connection and the code paths
            warm = httpx.Request("GET", base_url + "merchant-status", headers=headers)
            transport.handle_request(warm).read()
        conn.send("ready")
        start.wait()
        began = time.perf_counter()
        for request in requests:
            sent = time.perf_counter()
            response = transport.handle_request(request)
            response.read()
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                conn.send(f"unexpected {response.status_code}: {response.text}")
                return
        conn.send((began, time.perf_counter(), latencies))


def _phase(ctx: Any, base_url: str, requests: int, clients: int) -> tuple[float, list[float]]:
    """Send ``requests`` enrolments from ``clients`` processes; (seconds, latencies)."""
    start = ctx.Event()
    children = []
    for k in range(clients):
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=_client_child,
            args=(base_url, range(k, requests, clients), start, child),
            daemon=True,
        )
        process.start()
        children.append((process, parent))
    for _, parent in children:
        parent.recv()  # ready
    start.set()
    results = [parent.recv() for _, parent in children]
    for process, _ in children:
        process.join(timeout=10)
    for result in results:
        if isinstance(result, str):
            raise RuntimeError(result)
    seconds = max(r[1] for r in results) - min(r[0] for r in results)
    return seconds, [lat for r in results for lat in r[2]]


def bench_sandbox(requests: int = REQUESTS, clients: int = CLIENTS) -> dict[str, float]:
    """Send ``requests`` new enrolments, then the same again (answered
    ``already-applied``); return requests per second and latency percentiles."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve_child, args=(child,), daemon=True)
    server.start()
    try:
        base_url = parent.recv()
        new_s, new_lat = _phase(ctx, base_url, requests, clients)
        dup_s, dup_lat = _phase(ctx, base_url, requests, clients)
        parent.send("stop")
        stats = parent.recv()
    finally:
        server.join(timeout=10)
        if server.is_alive():  # pragma: no cover
            server.kill()
            server.join()
    if stats["enrolments_created"] != requests or stats["duplicates_answered"] != requests:
        raise RuntimeError(f"the sandbox counted wrongly: {stats}")
    both = sorted(new_lat + dup_lat)
    return {
        "new enrolments, req/s": requests / new_s,
        "already-applied resends, req/s": requests / dup_s,
        "overall, req/s": 2 * requests / (new_s + dup_s),
        "latency p50, ms": 1000 * statistics.median(both),
        "latency p99, ms": 1000 * both[int(0.99 * (len(both) - 1))],
    }


if __name__ == "__main__":
    for key, value in bench_sandbox().items():
        print(f"{key:<40} {value:>10,.1f}")
