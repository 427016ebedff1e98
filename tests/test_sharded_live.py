"""Sharded runs for real: N processes share one export and one ledger against the sandbox.

The proofs, on both sides (the sandbox's counters and the tool's sheets), with
the ledger in PostgreSQL (the suite's own server) and in an SQLite file on this
machine: four shards started at once enrol every row exactly once, and the
sandbox never sees more requests in a second than the group's ``--rate``; the
group's sheet has every input row once, in input order; a shard killed with
SIGKILL and run again loses nothing and enrols nobody twice; a DataFrame input
shards like a file.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SANDBOX_TOKEN, new_schema_url
from helpers import process_env, read_sheet, sync_command, write_applicants

from sync.airflow.options import LEDGER_NAME
from sync.ledger import open_existing
from sync.records import Status
from sync.run import run_sync
from sync.sandbox import RunningSandbox

TOKEN = SANDBOX_TOKEN
ROWS = 120
RATE = 20.0  # the group's --rate: well under what the sandbox could take


@pytest.fixture(params=["postgresql", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The ledger every shard uses: a PostgreSQL URL (password and all, given in the
    environment, as a password never goes on a command line) or a file."""
    if request.param == "postgresql":
        return new_schema_url(request.getfixturevalue("postgres_url"), "shards").url
    return str(tmp_path / "ledger.sqlite")


def env(ledger: str) -> dict[str, str]:
    extra = {"JOBMOJITO_LEDGER_URL": ledger} if ledger.startswith("postgresql:") else {}
    found = process_env(JOBMOJITO_TOKEN=TOKEN, **extra)
    return {k: v for k, v in found.items() if not k.startswith("PG")}


def ledger_flag(ledger: str) -> list[str]:
    return [] if ledger.startswith("postgresql:") else ["--ledger", ledger]


def shard_command(
    sb: RunningSandbox | SandboxApart, tmp: Path, ledger: str, shard: str
) -> list[str]:
    index = shard.split("/")[0]
    return sync_command(
        "--log-format", "json", "run", "--applicants", str(tmp / "applicants.csv"),
        "--mapping", "generic", "--out", str(tmp / f"shard{index}.csv"), *ledger_flag(ledger),
        "--base-url", sb.base_url, "--yes", "--shard", shard, "--rate", str(RATE),
    )  # fmt: skip


def start(cmd: list[str], ledger: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd, env=env(ledger), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def group_sheet(tmp: Path, ledger: str, group: str) -> list[dict[str, str]]:
    out = tmp / "group.csv"
    done = subprocess.run(
        sync_command("report", *ledger_flag(ledger), "--group", group, "--out", str(out)),
        env=env(ledger), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return read_sheet(out)


def the_group(ledger: str) -> str:
    with open_existing(ledger) as opened:
        groups = {r.group for r in opened.runs()}
    assert len(groups) == 1
    return groups.pop()


def busiest_api_second(stats: dict[str, Any]) -> int:
    return int(stats["busiest_second"])


class SandboxApart:
    """The sandbox in a process of its own (the real ``python -m sync.sandbox``), for
    the rate proof: its clock of arrivals must not stall. In the test process, late in
    the suite, a garbage collection of pytest's large heap can hold the sandbox's
    thread for most of a second and let a second's requests in the next one."""

    def __init__(self, latency_ms: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync.sandbox", "--port", "0", "--token", TOKEN,
             "--latency-ms", str(latency_ms)],
            env=process_env(PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        banner = self.process.stdout.readline()
        assert banner.startswith("JobMojito sandbox serving http://127.0.0.1:"), banner
        self.base_url = banner.split()[-1]
        self.root = self.base_url[: self.base_url.index("/functions/")]

    def stats(self) -> dict[str, Any]:
        found = httpx.get(f"{self.root}/__sandbox/stats", timeout=10)
        found.raise_for_status()
        return found.json()  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=10)


@pytest.fixture
def sandbox_apart() -> Iterator[SandboxApart]:
    running = SandboxApart(latency_ms=30)
    try:
        yield running
    finally:
        running.stop()


class TestFourShardsAtOnce:
    """Four processes, one export, one ledger: every row once, the group's rate held."""

    def test_every_row_enrolled_exactly_once_and_the_rate_held(
        self, sandbox_apart: SandboxApart, tmp_path: Path, ledger: str
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", ROWS, bad=2)
        sandbox = sandbox_apart
        procs = [
            start(shard_command(sandbox, tmp_path, ledger, f"{i}/4"), ledger) for i in range(1, 5)
        ]
        outputs = [p.communicate(timeout=180) for p in procs]
        for proc, (_, err) in zip(procs, outputs, strict=True):
            assert proc.returncode in (0, 1), err[-3000:]  # 1: the shard of a bad row
        stats = sandbox.stats()
        assert stats["enrolments_created"] == ROWS
        assert stats["duplicates_answered"] == 0
        # The sandbox's view: never more requests in a second than the group's rate
        # (each shard's one merchant-status look-up aside).
        creates = stats["by_endpoint"]["job-interview-create-for-candidate-with-token"]
        assert creates == ROWS
        assert busiest_api_second(stats) <= RATE + 4 + 1

        shards = [read_sheet(tmp_path / f"shard{i}.csv") for i in range(1, 5)]
        for lines in shards:  # each shard's sheet: every row, the others' other_shard
            assert len(lines) == ROWS + 2
            own = [ln for ln in lines if ln["status"] != Status.OTHER_SHARD.value]
            assert 0 < len(own) < ROWS
        owners = [
            [i for i, lines in enumerate(shards) if lines[n]["status"] != "other_shard"]
            for n in range(ROWS + 2)
        ]
        assert all(len(o) == 1 for o in owners)  # every row is exactly one shard's

        group = group_sheet(tmp_path, ledger, the_group(ledger))
        assert [int(ln["source_row"]) for ln in group] == list(range(2, ROWS + 4))
        assert sum(Status(ln["status"]).is_enrolled for ln in group) == ROWS
        assert [ln["status"] for ln in group].count("invalid") == 2
        assert len({ln["interview_url"] for ln in group if ln["interview_url"]}) == ROWS


class TestAShardKilled:
    """kill -9 of one shard mid-run, then that shard again: nothing lost, nobody twice."""

    def test_sigkill_then_rerun_loses_nothing(
        self, sandbox: RunningSandbox, tmp_path: Path, ledger: str
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", ROWS)
        sandbox.configure(latency_ms=60)
        procs = {
            i: start(shard_command(sandbox, tmp_path, ledger, f"{i}/3"), ledger) for i in (1, 2, 3)
        }
        deadline = time.monotonic() + 60
        while sandbox.stats()["enrolments_created"] < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        procs[2].send_signal(signal.SIGKILL)
        procs[2].communicate(timeout=60)
        for i in (1, 3):
            _, err = procs[i].communicate(timeout=180)
            assert procs[i].returncode == 0, err[-3000:]
        assert sandbox.stats()["enrolments_created"] < ROWS  # shard 2's rest is not sent

        group = the_group(ledger)
        partial = group_sheet(tmp_path, ledger, group)
        assert len(partial) == ROWS  # every row once, also now
        assert any(ln["status"] in ("failed", "not_sent") for ln in partial)

        again = subprocess.run(shard_command(sandbox, tmp_path, ledger, "2/3"), env=env(ledger),
                               capture_output=True, text=True, timeout=180)  # fmt: skip
        assert again.returncode == 0, again.stderr[-3000:]
        stats = sandbox.stats()
        assert stats["enrolments_created"] == ROWS  # each once, across both runs of shard 2
        lines = group_sheet(tmp_path, ledger, group)
        assert [int(ln["source_row"]) for ln in lines] == list(range(2, ROWS + 2))
        assert all(ln["interview_url"] for ln in lines)
        assert all(Status(ln["status"]).is_enrolled or ln["status"] == "skipped" for ln in lines)
        with open_existing(ledger) as opened:
            states = sorted((r.shard, r.state) for r in opened.group_runs(group))
        assert states == [(1, "finished"), (2, "finished"), (2, "killed"), (3, "finished")]


class TestADataFrameShards:
    """A DataFrame input (a warehouse query) splits like a file: same rows, same group."""

    def test_frame_shards_cover_every_row_once(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        pandas = pytest.importorskip("pandas")
        write_applicants(tmp_path / "applicants.csv", 30)
        frame = pandas.read_csv(tmp_path / "applicants.csv", dtype=str)
        common: dict[str, Any] = {
            "mapping": "generic", "base_url": sandbox.base_url, "token": TOKEN, "yes": True,
            "ledger": tmp_path / "ledger.sqlite", "rate": 50.0,
        }  # fmt: skip
        reports = [
            run_sync(applicants=frame, out=tmp_path / f"s{i}.csv", shard=f"{i}/2", **common)
            for i in (1, 2)
        ]
        assert reports[0].group == reports[1].group
        assert reports[0].as_dict()["shard"] == "1/2"
        assert sandbox.stats()["enrolments_created"] == 30
        own = [r.own_rows for r in reports]
        assert sum(own) == 30 and all(own)
        frames = [r.to_dataframe() for r in reports]
        sent = [set(f.index[f["status"] != "other_shard"]) for f in frames]
        assert not sent[0] & sent[1] and len(sent[0] | sent[1]) == 30


class TestWhatAShardLeavesToTheWholeGroup:
    """Steps that take the whole ledger are refused with --shard before anything is
    read or sent: the other shards would hold the ledger then."""

    @pytest.mark.parametrize(
        ("flag", "said"),
        [
            ("--create-positions", "run `jobmojito-sync positions` once before the shards"),
            ("--with-outcomes", "once the group's shards have finished"),
        ],
    )
    def test_refused_with_a_shard(self, cli: Any, tmp_path: Path, flag: str, said: str) -> None:
        write_applicants(tmp_path / "applicants.csv", 3)
        done = cli(
            "run", "--applicants", str(tmp_path / "applicants.csv"), "--mapping", "generic",
            "--shard", "1/2", flag, "--yes", "--out", str(tmp_path / "r.csv"),
        )  # fmt: skip
        assert done.exit_code == 2
        assert said in done.stderr
        assert not (tmp_path / "r.csv").exists()

    def test_a_sharded_dag_refuses_create_positions_at_parse_time(self, tmp_path: Path) -> None:
        from sync import airflow as af
        from sync.errors import UsageError

        with pytest.raises(UsageError, match="every shard would make the positions"):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, shards=2, create_positions=True)


class TestTheGroupsLastTask:
    """``merge_results`` (a sharded DAG's last task): the group's one sheet from the
    ledger, and a ledger mistake as the task's failure, as every task of the DAG says it."""

    def test_one_sheet_for_the_group_then_an_unknown_group_fails_the_task(
        self, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from sync.airflow import task

        class Fail(Exception):
            pass

        class Retry(Exception):
            pass

        monkeypatch.setattr(task, "_exceptions", lambda: (Fail, Retry))
        out_dir = tmp_path / "out"
        write_applicants(tmp_path / "applicants.csv", 12)
        for i in (1, 2):
            run_sync(applicants=tmp_path / "applicants.csv", mapping="generic", yes=True,
                     out=tmp_path / f"s{i}.csv", ledger=out_dir / LEDGER_NAME,
                     base_url=sandbox.base_url, token=TOKEN, shard=f"{i}/2",
                     group="nightly-2026-11-30")  # fmt: skip
        merged = task.merge_results(out_dir=out_dir, group="nightly-2026-11-30",
                                    run_date="2026-11-30")  # fmt: skip
        assert merged["rows"] == 12 and merged["counts"].get("other_shard", 0) == 0
        assert Path(merged["results_path"]) == out_dir / "results_2026-11-30.xlsx"
        with pytest.raises(Fail, match="no run group 'elsewhere'"):
            task.merge_results(out_dir=out_dir, group="elsewhere", run_date="2026-11-30")
