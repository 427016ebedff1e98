"""Live sync end to end against the sandbox over loopback (issue 4's proofs).

Each test asserts on both sides: the sandbox's own counters (what was really
enrolled) and the results sheet / ledger (what the tool reports).
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import SecretStr

from sync.errors import PreflightError
from sync.records import Status
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

TOKEN = "live-test-token-8d1f0c2b"  # the sandbox's, grepped for below
ROOT = Path(__file__).resolve().parent.parent

HEADER = ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
          "position_name", "position_location", "position_country_code",
          "mojito_language_code"]  # fmt: skip


def write_applicants(path: Path, n: int, *, bad: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            job = ("Backend Engineer", "Berlin", "DE") if i % 2 else ("Analyst", "Lisbon", "PT")
            writer.writerow([f"Person {i:03d}", f"person{i:03d}@example.com", "PT",
                             f"Resume of person {i}\nPython, SQL", *job, "en"])  # fmt: skip
        for i in range(bad):
            writer.writerow([f"Bad {i}", f"bad{i}@", "PT", "cv", "Analyst", "Lisbon", "PT", "en"])
    return path


def read_results(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    ws = load_workbook(path, read_only=True)["Results"]
    rows = [[c if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)]
    return [dict(zip(rows[0], map(str, r), strict=True)) for r in rows[1:]]


def enrolled(lines: list[dict[str, str]]) -> list[dict[str, str]]:
    return [ln for ln in lines if Status(ln["status"]).is_enrolled]


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=3)) as sb:
        yield sb


def options(sb: RunningSandbox, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "applicants": tmp_path / "applicants.csv",
        "mapping": "generic",
        "out": tmp_path / "results.csv",
        "ledger": tmp_path / "sync.ledger.sqlite",
        "base_url": sb.base_url,
        "token": SecretStr(TOKEN),
        "yes": True,
        "concurrency": 8,
        "rate": 200.0,
        "timeout": 2.0,
    }
    values.update(extra)
    return values


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMOJITO")}
    env.update({"JOBMOJITO_TOKEN": TOKEN, **extra})
    return env


def cli_args(sb: RunningSandbox, tmp_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sync", "--log-format", "json", "run",
            "--applicants", str(tmp_path / "applicants.csv"),
            "--mapping", "generic", "--out", str(tmp_path / "results.csv"),
            "--ledger", str(tmp_path / "sync.ledger.sqlite"), "--base-url", sb.base_url,
            "--yes", *extra]  # fmt: skip


def test_every_row_enrolled_exactly_once_through_faults(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """5% 500 + 5% 503 + 2% slower than the timeout + 1% dropped, under a server rate limit."""
    n = 60
    write_applicants(tmp_path / "applicants.csv", n)
    sandbox.configure(
        faults={"500": 0.05, "503": 0.05, "slow": 0.02, "drop": 0.01},
        slow_seconds=1.2, rate=40.0, burst=5, retry_after_seconds=0,
    )  # fmt: skip
    report = run_sync(**options(sandbox, tmp_path, rate=60.0, timeout=0.8, max_attempts=10))
    stats = sandbox.stats()
    lines = read_results(tmp_path / "results.csv")

    assert stats["enrolments_created"] == n  # never twice, never missing
    assert sum(stats["faults"].values()) > 0 and stats["by_status"].get("429", 0) > 0
    assert len(lines) == n and len(enrolled(lines)) == n, [
        (ln["status"], ln["reason"]) for ln in lines if not Status(ln["status"]).is_enrolled
    ]
    assert len({ln["candidate_email"] for ln in lines}) == n
    assert all(ln["interview_url"].startswith("https://") for ln in lines)
    assert report.exit_code == 0


def test_second_run_skips_everyone_without_a_request_and_force_resends(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 12, bad=1)
    first = run_sync(**options(sandbox, tmp_path))
    urls = {
        ln["candidate_email"]: ln["interview_url"] for ln in read_results(tmp_path / "results.csv")
    }
    before = sandbox.stats()

    second = run_sync(**options(sandbox, tmp_path, out=tmp_path / "second.csv"))
    lines = read_results(tmp_path / "second.csv")
    assert sandbox.stats()["requests"] == before["requests"]  # not even merchant-status
    assert [ln["status"] for ln in lines].count("skipped") == 12
    assert all(
        ln["interview_url"] == urls[ln["candidate_email"]]
        for ln in lines
        if ln["status"] == "skipped"
    )
    assert (first.exit_code, second.exit_code) == (1, 1)  # the bad row stays invalid

    run_sync(**options(sandbox, tmp_path, out=tmp_path / "forced.csv", force=True))
    forced = read_results(tmp_path / "forced.csv")
    assert sandbox.stats()["enrolments_created"] == 12  # --force sends, nobody enrolled twice
    assert [ln["status"] for ln in forced].count("already-applied") == 12


def test_bad_token_stops_at_the_first_401(sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", 10)
    done = subprocess.run(cli_args(sandbox, tmp_path), env=cli_env(JOBMOJITO_TOKEN="wrong-token"),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    stats = sandbox.stats()
    assert done.returncode == 3, done.stderr[-2000:]
    assert stats["by_status"] == {"401": 1} and stats["enrolments_created"] == 0
    assert "401" in done.stderr or "token" in done.stderr.lower()
    lines = read_results(tmp_path / "results.csv")
    assert len(lines) == 10 and {ln["status"] for ln in lines} == {"not_sent"}
    assert "wrong-token" not in done.stderr + done.stdout


def test_a_second_concurrent_run_is_refused(sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", 40)
    sandbox.configure(latency_ms=100)
    first = subprocess.Popen(cli_args(sandbox, tmp_path, "--rate", "10"), env=cli_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while sandbox.stats()["enrolments_created"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run(
            cli_args(sandbox, tmp_path, "--out", str(tmp_path / "other.csv")),
            env=cli_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 2, second.stderr[-2000:]
        assert "run" in second.stderr and "ledger" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)


def test_sigterm_finishes_in_flight_marks_the_rest_not_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 40)
    sandbox.configure(latency_ms=50)
    proc = subprocess.Popen(cli_args(sandbox, tmp_path, "--rate", "10"), env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while sandbox.stats()["enrolments_created"] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err[-2000:]
    lines = read_results(tmp_path / "results.csv")
    created = sandbox.stats()["enrolments_created"]
    assert len(lines) == 40
    assert len(enrolled(lines)) == created  # every request that enrolled is reported
    not_sent = [ln for ln in lines if ln["status"] == "not_sent"]
    assert len(not_sent) == 40 - created > 0
    assert all("interrupted" in ln["reason"] for ln in not_sent)


def test_sigkill_then_rerun_enrols_everyone_once_and_report_rebuilds_the_killed_run(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    n = 30
    write_applicants(tmp_path / "applicants.csv", n)
    sandbox.configure(latency_ms=40)
    ledger = tmp_path / "sync.ledger.sqlite"
    proc = subprocess.Popen(cli_args(sandbox, tmp_path, "--rate", "15"), env=cli_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    kill_after = random.Random(11).randint(3, n - 5)  # enrolments before the kill
    deadline = time.monotonic() + 30
    while sandbox.stats()["enrolments_created"] < kill_after and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.wait(timeout=30)
    killed_at = sandbox.stats()["enrolments_created"]
    assert 0 < killed_at < n

    done = subprocess.run(cli_args(sandbox, tmp_path), env=cli_env(), capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert sandbox.stats()["enrolments_created"] == n  # each once, across both runs
    lines = read_results(tmp_path / "results.csv")
    assert len(lines) == n and len({ln["candidate_email"] for ln in lines}) == n
    assert all(Status(ln["status"]).is_enrolled or ln["status"] == "skipped" for ln in lines)
    assert all(ln["interview_url"] for ln in lines)

    history = subprocess.run([sys.executable, "-m", "sync", "history", "--ledger", str(ledger),
                              "--json"], capture_output=True, text=True, timeout=60)  # fmt: skip
    runs = [json.loads(line) for line in history.stdout.splitlines() if line.strip()]
    assert len(runs) == 2
    killed = runs[-1]["run_id"]  # newest first
    out = tmp_path / "killed.csv"
    report = subprocess.run([sys.executable, "-m", "sync", "report", "--ledger", str(ledger),
                             "--run", killed, "--out", str(out)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert report.returncode in (0, 1, 3), report.stderr
    rebuilt = read_results(out)
    assert len(rebuilt) == n
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The killed run's sheet shows what it got done; nothing it never sent shows as enrolled.
    assert 0 < len(enrolled(rebuilt)) <= killed_at


def test_the_token_appears_nowhere(sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", 6, bad=1)
    logs = ""
    for fmt, out in (("json", "results.xlsx"), ("console", "results.csv")):
        args = cli_args(sandbox, tmp_path, "--out", str(tmp_path / out))
        args[args.index("--log-format") + 1] = fmt
        args.insert(args.index("run"), "--debug")
        done = subprocess.run(args, env=cli_env(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr[-2000:]
        logs += done.stdout + done.stderr
    assert TOKEN not in logs
    names = {p.name for p in tmp_path.iterdir()}
    assert {"results.xlsx", "results.csv", "sync.ledger.sqlite"} <= names
    for path in tmp_path.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path.name  # sheets, ledger, -wal, -shm


def test_credits_preflight_stops_before_the_first_enrolment(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 8)
    sandbox.configure(credits=0)
    with pytest.raises(PreflightError) as err:  # a SyncError: the CLI's exit code 2
        run_sync(**options(sandbox, tmp_path))
    assert err.value.exit_code == 2
    assert "only 0 invitations are left this period for 8 rows" in str(err.value)
    assert "Nothing was sent" in str(err.value) and "--ignore-credits" in str(err.value)
    assert sandbox.stats()["by_endpoint"] == {"merchant-status": 1}  # no create request

    run_sync(**options(sandbox, tmp_path, out=tmp_path / "forced.csv", ignore_credits=True))
    assert sum(sandbox.stats()["by_endpoint"].values()) > 2  # --ignore-credits sent them


def test_unreadable_merchant_status_warns_and_goes_on(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 4)
    sandbox.configure(faults={"500": 1.0}, fault_paths=("merchant-status",))
    report = run_sync(**options(sandbox, tmp_path, max_attempts=2))
    assert sandbox.stats()["enrolments_created"] == 4
    assert report.exit_code == 0


def test_report_refuses_an_unknown_run_and_a_missing_ledger(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 3)
    run_sync(**options(sandbox, tmp_path))
    ledger = tmp_path / "sync.ledger.sqlite"
    base = [sys.executable, "-m", "sync", "report", "--out", str(tmp_path / "r.xlsx")]
    unknown = subprocess.run([*base, "--ledger", str(ledger), "--run", "no-such-run"],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert unknown.returncode == 2 and "no-such-run" in unknown.stderr
    missing = subprocess.run([*base, "--ledger", str(tmp_path / "nope.sqlite")],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode == 2 and "nope.sqlite" in missing.stderr
    latest = subprocess.run([*base, "--ledger", str(ledger)], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert latest.returncode == 0, latest.stderr
    assert len(read_results(tmp_path / "r.xlsx")) == 3
    assert "Traceback" not in unknown.stderr + missing.stderr
