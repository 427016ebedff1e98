"""Four shards beside one run: real ``jobmojito-sync run`` processes against one limit.

The sandbox (its own process) allows ``LIMIT`` req/s with ``LATENCY_MS`` per
answer; every run is asked for four times more (``--rate 200``: the limit is
unknown to it). One run sends the whole export; then four processes, started
at once, each send ``--shard I/4`` of it, sharing one ledger (an SQLite file
on this machine, then a throwaway PostgreSQL server, as several machines
would) and so one pace: ``--rate`` is the group's. Reported for each: the
requests the server took per second over ``WINDOW`` seconds once the limit is
found (from ``SETTLE`` seconds after the first request, while every process
still sends), as a fraction of the limit, and 429s as a share of the requests
in that window; and the 429s of the whole run, finding the limit included.
Run alone with ``python -m bench.bench_shards``.
"""

from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import structlog

from bench.bench_dispatch import (
    LATENCY_MS,
    LIMIT,
    SETTLE,
    TOKEN,
    WINDOW,
    _postgres,
    _sandbox_process,
)
from bench.bench_dispatch import _control as control
from bench.bench_dispatch import _setup as setup

CEILING = 4 * LIMIT
ROWS = int(LIMIT * (SETTLE + WINDOW + 4))  # every process still sends past the window
CONCURRENCY = 16  # per process: one shard alone could carry the whole limit
ROOT = Path(__file__).resolve().parents[1]
COLUMNS = [
    "candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
    "position_name", "position_location", "position_country_code", "mojito_language_code",
]  # fmt: skip


def _export(path: Path, tag: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for i in range(ROWS):
            writer.writerow([f"Bench {i}", f"{tag}.{i}@example.com", "SK", "Python, SQL. " * 20,
                             f"Engineer {i % 7}", "Remote", "SK", "en"])  # fmt: skip
    return path


def _command(base_url: str, export: Path, out: Path, ledger: str, *extra: str) -> list[str]:
    flag = [] if ledger.startswith("postgresql:") else ["--ledger", ledger]
    return [
        sys.executable, "-m", "sync", "--quiet", "run", "--applicants", str(export),
        "--mapping", "generic", "--out", str(out), *flag, "--base-url", base_url, "--yes",
        "--rate", str(CEILING), "--concurrency", str(CONCURRENCY), "--no-progress", *extra,
    ]  # fmt: skip


def _env(ledger: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBMOJITO_", "PG"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["JOBMOJITO_TOKEN"] = TOKEN
    if ledger.startswith("postgresql:"):
        env["JOBMOJITO_LEDGER_URL"] = ledger
    return env


def _measure(root: str, commands: list[list[str]], env: dict[str, str]) -> dict[str, float]:
    """Run ``commands`` at once; what the sandbox answered in the window."""
    setup(root, rate=LIMIT, latency_ms=LATENCY_MS)
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for cmd in commands
    ]
    try:
        while control(root, "stats")["requests"] == 0:
            time.sleep(0.02)
        time.sleep(SETTLE)
        first = control(root, "stats")
        began = time.perf_counter()
        time.sleep(WINDOW)
        last = control(root, "stats")
        seconds = time.perf_counter() - began
    finally:
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"a run failed (exit {proc.returncode}): {err[-2000:]!r}")
    delta = {k: v - first["by_status"].get(k, 0) for k, v in last["by_status"].items()}
    total = sum(delta.values())
    whole = control(root, "stats")["by_status"]
    return {
        "achieved": delta.get("200", 0) / seconds / LIMIT,
        "share_429": delta.get("429", 0) / total if total else 0.0,
        "whole_429": whole.get("429", 0) / max(1, sum(whole.values())),
    }


def bench_shards() -> dict[str, float]:
    """One run, then four shards (SQLite, then PostgreSQL): the figures ``make bench`` prints."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    found: dict[str, dict[str, float]] = {}
    try:
        with _sandbox_process() as root, tempfile.TemporaryDirectory() as folder:
            base_url, tmp = root + "/functions/v1/", Path(folder)
            export = _export(tmp / "one.csv", "one")
            ledger = str(tmp / "one.ledger.sqlite")
            found["one run"] = _measure(
                root, [_command(base_url, export, tmp / "one.csv.out.csv", ledger)], _env(ledger)
            )
            export = _export(tmp / "four.csv", "four")
            ledger = str(tmp / "four.ledger.sqlite")
            shards = [
                _command(base_url, export, tmp / f"s{i}.csv", ledger, "--shard", f"{i}/4")
                for i in range(1, 5)
            ]
            found["4 shards, SQLite"] = _measure(root, shards, _env(ledger))
            with _postgres() as url:
                ledger = url + "?ledger_schema=bench_shards"
                export = _export(tmp / "pg.csv", "pg")
                shards = [
                    _command(base_url, export, tmp / f"p{i}.csv", ledger, "--shard", f"{i}/4")
                    for i in range(1, 5)
                ]
                found["4 shards, PostgreSQL"] = _measure(root, shards, _env(ledger))
    finally:
        structlog.reset_defaults()
    out: dict[str, float] = {}
    for name, figures in found.items():
        out[f"{name}: achieved/limit"] = figures["achieved"]
        out[f"  {name}: 429s/requests"] = figures["share_429"]
        out[f"  {name}: 429s/requests, whole run"] = figures["whole_429"]
    return out


def main() -> Any:
    print(f"limit {LIMIT:g}/s unknown to the runs (--rate {CEILING:g}), {LATENCY_MS:g} ms:")
    for key, value in bench_shards().items():
        print(f"  {key:<48} {value:>10,.3f}")


if __name__ == "__main__":
    main()
