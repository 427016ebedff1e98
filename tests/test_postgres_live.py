"""Live runs against the sandbox with the ledger in PostgreSQL (a real server).

The same proofs as tests/test_live.py gives for the SQLite ledger, on both
sides (the sandbox's counters and the tool's sheets): every row enrolled exactly
once, a rerun sends nothing, a run killed with SIGKILL and run again loses
nothing and enrols nobody twice, a second run on the same ledger is refused, and
the database's password appears in no output, sheet or ledger.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import SANDBOX_TOKEN, new_schema_url
from helpers import process_env, read_sheet, sync_command, write_applicants
from pydantic import SecretStr
from test_live import enrolled

from sync.ledger import PostgresURL, open_ledger
from sync.records import Status
from sync.run import run_sync
from sync.sandbox import RunningSandbox

TOKEN = SANDBOX_TOKEN


@pytest.fixture()
def ledger_url(postgres_url: str) -> PostgresURL:
    """A fresh ledger on the session's PostgreSQL server."""
    return new_schema_url(postgres_url, "live")


def password(url: PostgresURL) -> str:
    found = urlsplit(url.url).password
    assert found
    return found


def env_for(url: PostgresURL) -> dict[str, str]:
    """The CLI's environment: the token, and the ledger's URL (password and all)."""
    env = process_env(JOBMOJITO_TOKEN=TOKEN, JOBMOJITO_LEDGER_URL=url.url)
    return {k: v for k, v in env.items() if not k.startswith("PG")}


def cli(sb: RunningSandbox, tmp_path: Path, *extra: str) -> list[str]:
    return sync_command("--log-format", "json", "run",
                        "--applicants", str(tmp_path / "applicants.csv"), "--mapping", "generic",
                        "--out", str(tmp_path / "results.csv"), "--base-url", sb.base_url,
                        "--yes", *extra)  # fmt: skip


def test_every_row_enrolled_exactly_once_and_a_rerun_sends_nothing(
    sandbox: RunningSandbox, tmp_path: Path, ledger_url: PostgresURL
) -> None:
    """Through faults and a server rate limit; the ledger in PostgreSQL."""
    n = 40
    write_applicants(tmp_path / "applicants.csv", n, bad=1)
    sandbox.configure(faults={"500": 0.05, "503": 0.05, "drop": 0.02}, rate=40.0, burst=5,
                      retry_after_seconds=0)  # fmt: skip
    common: dict[str, Any] = {
        "applicants": tmp_path / "applicants.csv", "mapping": "generic",
        "ledger_url": SecretStr(ledger_url.url), "base_url": sandbox.base_url,
        "token": SecretStr(TOKEN), "yes": True, "rate": 60.0, "timeout": 2.0,
        "max_attempts": 10,
    }  # fmt: skip
    report = run_sync(**common, out=tmp_path / "results.csv")
    stats = sandbox.stats()
    lines = read_sheet(tmp_path / "results.csv")
    assert stats["enrolments_created"] == n
    assert sum(stats["faults"].values()) > 0
    assert len(lines) == n + 1 and len(enrolled(lines)) == n
    assert report.exit_code == 1  # the one bad row
    assert str(report.ledger_path) == str(ledger_url) and "***" in str(report.ledger_path)

    before = sandbox.stats()["requests"]
    again = run_sync(**common, out=tmp_path / "again.csv")
    assert sandbox.stats()["requests"] == before  # not even merchant-status
    assert [ln["status"] for ln in read_sheet(tmp_path / "again.csv")].count("skipped") == n
    with open_ledger(ledger_url) as ledger:
        runs = ledger.runs()
    assert [r.state for r in runs] == ["finished", "finished"]
    assert runs[0].run_id == again.run_id and runs[1].counts == report.counts


def test_sigkill_then_rerun_loses_nothing_and_enrols_nobody_twice(
    sandbox: RunningSandbox, tmp_path: Path, ledger_url: PostgresURL
) -> None:
    """kill -9 mid-run (its lock goes with its session), run again; history and report
    read the PostgreSQL ledger from JOBMOJITO_LEDGER_URL."""
    n = 30
    write_applicants(tmp_path / "applicants.csv", n)
    sandbox.configure(latency_ms=40)
    env = env_for(ledger_url)
    outputs = ""
    proc = subprocess.Popen(cli(sandbox, tmp_path, "--rate", "15"), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while sandbox.stats()["enrolments_created"] < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.kill()
    out, err = proc.communicate(timeout=30)
    outputs += out + err
    killed_at = sandbox.stats()["enrolments_created"]
    assert 0 < killed_at < n

    done = subprocess.run(cli(sandbox, tmp_path), env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    outputs += done.stdout + done.stderr
    assert done.returncode == 0, done.stderr[-2000:]
    assert sandbox.stats()["enrolments_created"] == n  # each once, across both runs
    lines = read_sheet(tmp_path / "results.csv")
    assert len(lines) == n and all(ln["interview_url"] for ln in lines)
    assert all(Status(ln["status"]).is_enrolled or ln["status"] == "skipped" for ln in lines)

    history = subprocess.run(sync_command("history", "--json"), env=env,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    outputs += history.stdout + history.stderr
    runs = [json.loads(line) for line in history.stdout.splitlines() if line.strip()]
    assert [r["state"] for r in runs] == ["finished", "killed"], history.stderr
    report = subprocess.run(sync_command("report", "--run", runs[1]["run_id"],
                                         "--out", str(tmp_path / "killed.csv")), env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    outputs += report.stdout + report.stderr
    rebuilt = read_sheet(tmp_path / "killed.csv")
    assert len(rebuilt) == n and 0 < len(enrolled(rebuilt)) <= killed_at
    assert "Traceback" not in outputs
    assert password(ledger_url) not in outputs


def test_a_second_run_on_the_same_ledger_is_refused(
    sandbox: RunningSandbox, tmp_path: Path, ledger_url: PostgresURL
) -> None:
    """Two processes, one PostgreSQL ledger: the second is refused, naming the first."""
    write_applicants(tmp_path / "applicants.csv", 40)
    sandbox.configure(latency_ms=100)
    env = env_for(ledger_url)
    first = subprocess.Popen(cli(sandbox, tmp_path, "--rate", "10"), env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while sandbox.stats()["enrolments_created"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run(cli(sandbox, tmp_path, "--out", str(tmp_path / "other.csv")),
                                env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
        assert second.returncode == 2, second.stderr[-2000:]
        assert f"another jobmojito-sync run (pid {first.pid} on host " in second.stderr
        assert f"holds the ledger {ledger_url}" in second.stderr
        assert password(ledger_url) not in second.stderr + second.stdout
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 3, err[-2000:]
    assert password(ledger_url) not in out + err


def test_the_password_is_refused_on_the_command_line(
    sandbox: RunningSandbox, tmp_path: Path, ledger_url: PostgresURL
) -> None:
    """ps shows a command line to everyone: a URL with its password is refused there,
    and the refusal does not repeat the password."""
    write_applicants(tmp_path / "applicants.csv", 2)
    env = env_for(ledger_url)
    del env["JOBMOJITO_LEDGER_URL"]
    done = subprocess.run(cli(sandbox, tmp_path, "--ledger", ledger_url.url), env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "carries a password" in done.stderr and "JOBMOJITO_LEDGER_URL" in done.stderr
    assert password(ledger_url) not in done.stderr + done.stdout
    assert sandbox.stats()["requests"] == 0
