"""Live sync end to end against the sandbox over loopback (issue 4's proofs).

Each test asserts on both sides: the sandbox's own counters (what was really
enrolled) and the results sheet / ledger (what the tool reports).
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import Cli, process_env, read_sheet, sync_command, write_applicants
from pydantic import SecretStr

from sync.errors import PreflightError
from sync.records import Status
from sync.run import run_sync
from sync.sandbox import RunningSandbox


def enrolled(lines: list[dict[str, str]]) -> list[dict[str, str]]:
    return [ln for ln in lines if Status(ln["status"]).is_enrolled]


def options(sb: RunningSandbox, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "applicants": tmp_path / "applicants.csv",
        "mapping": "generic",
        "out": tmp_path / "results.csv",
        "ledger": tmp_path / "sync.ledger.sqlite",
        "base_url": sb.base_url,
        "token": SecretStr(sb.token),
        "yes": True,
        "concurrency": 8,
        "rate": 200.0,
        "timeout": 2.0,
    }
    values.update(extra)
    return values


def run_args(sb: RunningSandbox, tmp_path: Path, *extra: str) -> list[str]:
    """``jobmojito-sync`` arguments for a live run of tmp_path/applicants.csv."""
    return ["--log-format", "json", "run",
            "--applicants", str(tmp_path / "applicants.csv"),
            "--mapping", "generic", "--out", str(tmp_path / "results.csv"),
            "--ledger", str(tmp_path / "sync.ledger.sqlite"), "--base-url", sb.base_url,
            "--yes", *extra]  # fmt: skip


def start_process(sb: RunningSandbox, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    """A real ``python -m sync`` live run, to be signalled."""
    return subprocess.Popen(
        sync_command(*run_args(sb, tmp_path, *extra)),
        env=process_env(JOBMOJITO_TOKEN=sb.token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
    lines = read_sheet(tmp_path / "results.csv")

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
        ln["candidate_email"]: ln["interview_url"] for ln in read_sheet(tmp_path / "results.csv")
    }
    before = sandbox.stats()

    second = run_sync(**options(sandbox, tmp_path, out=tmp_path / "second.csv"))
    lines = read_sheet(tmp_path / "second.csv")
    assert sandbox.stats()["requests"] == before["requests"]  # not even merchant-status
    assert [ln["status"] for ln in lines].count("skipped") == 12
    assert all(
        ln["interview_url"] == urls[ln["candidate_email"]]
        for ln in lines
        if ln["status"] == "skipped"
    )
    assert (first.exit_code, second.exit_code) == (1, 1)  # the bad row stays invalid

    run_sync(**options(sandbox, tmp_path, out=tmp_path / "forced.csv", force=True))
    forced = read_sheet(tmp_path / "forced.csv")
    assert sandbox.stats()["enrolments_created"] == 12  # --force sends, nobody enrolled twice
    assert [ln["status"] for ln in forced].count("already-applied") == 12


def test_bad_token_stops_at_the_first_401(
    cli: Cli, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 10)
    done = cli(*run_args(sandbox, tmp_path), env={"JOBMOJITO_TOKEN": "wrong-token"})
    stats = sandbox.stats()
    assert done.exit_code == 3, done.stderr[-2000:]
    assert stats["by_status"] == {"401": 1} and stats["enrolments_created"] == 0
    assert "401" in done.stderr or "token" in done.stderr.lower()
    lines = read_sheet(tmp_path / "results.csv")
    assert len(lines) == 10 and {ln["status"] for ln in lines} == {"not_sent"}
    assert "wrong-token" not in done.stderr + done.stdout


@pytest.mark.slow
def test_a_second_concurrent_run_is_refused(
    cli: Cli, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A run in another process holds the ledger; this one is refused (exit 2)."""
    write_applicants(tmp_path / "applicants.csv", 40)
    sandbox.configure(latency_ms=100)
    first = start_process(sandbox, tmp_path, "--rate", "10")
    try:
        deadline = time.monotonic() + 30
        while sandbox.stats()["enrolments_created"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cli(*run_args(sandbox, tmp_path, "--out", str(tmp_path / "other.csv")),
                     env={"JOBMOJITO_TOKEN": sandbox.token})  # fmt: skip
        assert second.exit_code == 2, second.stderr[-2000:]
        assert "run" in second.stderr and "ledger" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)


@pytest.mark.slow
def test_sigterm_finishes_in_flight_marks_the_rest_not_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 40)
    sandbox.configure(latency_ms=50)
    proc = start_process(sandbox, tmp_path, "--rate", "10")
    deadline = time.monotonic() + 30
    while sandbox.stats()["enrolments_created"] < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err[-2000:]
    lines = read_sheet(tmp_path / "results.csv")
    created = sandbox.stats()["enrolments_created"]
    assert len(lines) == 40
    assert len(enrolled(lines)) == created  # every request that enrolled is reported
    not_sent = [ln for ln in lines if ln["status"] == "not_sent"]
    assert len(not_sent) == 40 - created > 0
    assert all("interrupted" in ln["reason"] for ln in not_sent)


@pytest.mark.slow
def test_sigkill_then_rerun_enrols_everyone_once_and_report_rebuilds_the_killed_run(
    cli: Cli, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """A real process killed mid-run; the rerun and the report then in-process."""
    n = 30
    write_applicants(tmp_path / "applicants.csv", n)
    sandbox.configure(latency_ms=40)
    ledger = tmp_path / "sync.ledger.sqlite"
    proc = start_process(sandbox, tmp_path, "--rate", "15")
    kill_after = random.Random(11).randint(3, n - 5)  # enrolments before the kill
    deadline = time.monotonic() + 30
    while sandbox.stats()["enrolments_created"] < kill_after and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    proc.communicate(timeout=30)
    killed_at = sandbox.stats()["enrolments_created"]
    assert 0 < killed_at < n

    done = cli(*run_args(sandbox, tmp_path), env={"JOBMOJITO_TOKEN": sandbox.token})
    assert done.exit_code == 0, done.stderr[-2000:]
    assert sandbox.stats()["enrolments_created"] == n  # each once, across both runs
    lines = read_sheet(tmp_path / "results.csv")
    assert len(lines) == n and len({ln["candidate_email"] for ln in lines}) == n
    assert all(Status(ln["status"]).is_enrolled or ln["status"] == "skipped" for ln in lines)
    assert all(ln["interview_url"] for ln in lines)

    history = cli("history", "--ledger", str(ledger), "--json")
    runs = [json.loads(line) for line in history.stdout.splitlines() if line.strip()]
    assert len(runs) == 2
    killed = runs[-1]["run_id"]  # newest first
    out = tmp_path / "killed.csv"
    report = cli("report", "--ledger", str(ledger), "--run", killed, "--out", str(out))
    assert report.exit_code in (0, 1, 3), report.stderr
    rebuilt = read_sheet(out)
    assert len(rebuilt) == n
    with sqlite3.connect(ledger) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The killed run's sheet shows what it got done; nothing it never sent shows as enrolled.
    assert 0 < len(enrolled(rebuilt)) <= killed_at


def test_the_token_appears_nowhere(cli: Cli, sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", 6, bad=1)
    logs = ""
    for fmt, out in (("json", "results.xlsx"), ("console", "results.csv")):
        args = run_args(sandbox, tmp_path, "--out", str(tmp_path / out))
        args[args.index("--log-format") + 1] = fmt
        args.insert(args.index("run"), "--debug")
        done = cli(*args, env={"JOBMOJITO_TOKEN": sandbox.token})
        assert done.exit_code == 1, done.stderr[-2000:]
        logs += done.stdout + done.stderr
    assert sandbox.token not in logs
    names = {p.name for p in tmp_path.iterdir()}
    assert {"results.xlsx", "results.csv", "sync.ledger.sqlite"} <= names
    for path in tmp_path.iterdir():
        assert sandbox.token.encode() not in path.read_bytes(), (
            path.name
        )  # sheets, ledger, -wal, -shm


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
    cli: Cli, sandbox: RunningSandbox, tmp_path: Path
) -> None:
    write_applicants(tmp_path / "applicants.csv", 3)
    run_sync(**options(sandbox, tmp_path))
    ledger = tmp_path / "sync.ledger.sqlite"
    base = ["report", "--out", str(tmp_path / "r.xlsx")]
    unknown = cli(*base, "--ledger", str(ledger), "--run", "no-such-run")
    assert unknown.exit_code == 2 and "no-such-run" in unknown.stderr
    missing = cli(*base, "--ledger", str(tmp_path / "nope.sqlite"))
    assert missing.exit_code == 2 and "nope.sqlite" in missing.stderr
    latest = cli(*base, "--ledger", str(ledger))
    assert latest.exit_code == 0, latest.stderr
    assert len(read_sheet(tmp_path / "r.xlsx")) == 3
    assert "Traceback" not in unknown.stderr + missing.stderr
