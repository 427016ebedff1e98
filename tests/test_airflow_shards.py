"""The real Apache Airflow runs a sharded DAG (``make_dag(shards=3, ledger_conn_id=…)``)
against the sandbox, with the ledger in the suite's PostgreSQL server.

As a deployment with several workers would: the ledger comes from an Airflow
Connection of type Postgres; the sync task is mapped over three shards (dynamic
task mapping), then one task writes the run group's results sheet. Before the
DAG runs, a worker running shard 2 of the same DAG run dies (``kill -9`` of a
process that started it): Airflow's run of that shard, on another worker, finds
its run dead, resends what it left in flight (the sandbox answers
``already-applied``) and sends the rest. The proof: every task succeeds, the one
merged sheet has every sample row once, and the sandbox enrolled each candidate
exactly once. Uses tests/test_airflow.py's cached Airflow (``RUN_AIRFLOW_TEST=0``
skips it).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import new_schema_url
from helpers import process_env, read_sheet, sync_command
from test_airflow import SAMPLES, AirflowHome, _tail, airflow_bin  # noqa: F401 (a fixture)

from sync.ledger import PostgresURL, open_existing
from sync.records import Status
from sync.sandbox import RunningSandbox, SandboxConfig

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

DAG_ID = "jobmojito_sync_sharded"
DATE = "2026-11-22"
GROUP = f"{DAG_ID}-{DATE}"  # the DAG run's run group (sync.airflow.options.dag_run_group)
SAMPLE_ROWS = 37

DAG_FILE = '''\
"""Written by tests/test_airflow_shards.py: the sample data in three shards."""

from datetime import UTC, datetime, timedelta

from sync.airflow import make_dag

dag = make_dag(
    {dag_id!r},
    applicants={samples!r} + "/applicants.csv",
    jobs={samples!r} + "/jobs.csv",
    mapping="generic",
    out_dir={out!r},
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    retries=2,
    retry_delay=timedelta(seconds=1),
    fail_on_problems=0.5,
    shards=3,
    ledger_conn_id="jobmojito_ledger",
    concurrency=4,
    rate=30.0,
)
'''


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(token="sandbox-token", seed=3)


def connection(url: PostgresURL) -> dict[str, Any]:
    """The Airflow Connection (as AIRFLOW_CONN_* JSON) of a PostgreSQL ledger."""
    parts = urlsplit(url.url)
    extra = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return {
        "conn_type": "postgres", "host": parts.hostname, "port": parts.port,
        "login": parts.username, "password": parts.password,
        "schema": parts.path.lstrip("/"), "extra": extra,
    }  # fmt: skip


class ShardedHome(AirflowHome):
    ledger: PostgresURL

    def env(self) -> dict[str, str]:
        return {**super().env(), "AIRFLOW_CONN_JOBMOJITO_LEDGER": json.dumps(
            connection(self.ledger))}  # fmt: skip


@pytest.fixture(scope="module")
def home(
    airflow_bin: Path,  # noqa: F811 (the fixture)
    sandbox_server: RunningSandbox,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str,
) -> ShardedHome:
    return ShardedHome.migrated(
        tmp_path_factory.mktemp("airflow-shards"), DAG_FILE, airflow_bin, sandbox_server,
        dag_file=f"{DAG_ID}.py", dag_id=DAG_ID,
        attributes={"ledger": new_schema_url(postgres_url, "airflow")},
    )  # fmt: skip


def kill_a_worker_mid_shard(home: ShardedHome) -> int:
    """Shard 2 of the DAG run, started as a worker would and killed with SIGKILL after
    its first enrolments; how many it enrolled."""
    sb = home.sandbox
    sb.configure(latency_ms=150)
    env = process_env(JOBMOJITO_TOKEN="sandbox-token", JOBMOJITO_LEDGER_URL=home.ledger.url)
    cmd = sync_command(
        "--log-format", "json", "run", "--applicants", str(SAMPLES / "applicants.csv"),
        "--jobs", str(SAMPLES / "jobs.csv"), "--mapping", "generic",
        "--out", str(home.out / "killed.xlsx"), "--base-url", sb.base_url, "--yes",
        "--shard", "2/3", "--group", GROUP, "--rate", "5",
    )  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while sb.stats()["enrolments_created"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    sb.configure(latency_ms=0)
    return int(sb.stats()["enrolments_created"])


def task_states(home: ShardedHome) -> dict[tuple[str, int], tuple[str, int]]:
    """(task_id, map_index) -> (state, try_number) of the DAG's newest run."""
    with contextlib.closing(sqlite3.connect(home.home / "airflow.db")) as db:
        rows = db.execute(
            "SELECT task_id, map_index, state, try_number FROM task_instance WHERE dag_id = ?",
            (DAG_ID,),
        ).fetchall()
    return {(t, m): (s, n) for t, m, s, n in rows}


@pytest.fixture(scope="module")
def ran(home: ShardedHome) -> tuple[Any, int]:
    """The DAG run (after a dead worker of shard 2), and what that worker enrolled."""
    killed_at = kill_a_worker_mid_shard(home)
    code, output, seconds = home.airflow("dags", "test", DAG_ID, DATE)
    print(f"\nsharded airflow dags test: {seconds}s")
    return (code, output), killed_at


class TestShardedDag:
    """Three mapped shards and the group's sheet, after a worker died mid-shard."""

    def test_every_task_succeeds(self, ran: tuple[Any, int], home: ShardedHome) -> None:
        (code, output), killed_at = ran
        assert 0 < killed_at < SAMPLE_ROWS
        assert code == 0, _tail(output, 80)
        states = task_states(home)
        assert {k: v[0] for k, v in states.items()} == {
            ("jobmojito_sync", 0): "success",
            ("jobmojito_sync", 1): "success",
            ("jobmojito_sync", 2): "success",
            ("jobmojito_sync_results", -1): "success",
        }, _tail(output, 80)

    def test_one_merged_sheet_every_row_once(self, ran: tuple[Any, int], home: ShardedHome) -> None:
        lines = read_sheet(home.out / f"results_{DATE}.xlsx")
        assert [int(ln["source_row"]) for ln in lines] == list(range(2, SAMPLE_ROWS + 2))
        assert not any(ln["status"] == Status.OTHER_SHARD.value for ln in lines)
        for i in (1, 2, 3):  # and each shard's own sheet beside it
            assert (home.out / f"results_{DATE}.shard-{i}-of-3.xlsx").is_file()

    def test_the_sandbox_enrolled_each_candidate_once(
        self, ran: tuple[Any, int], home: ShardedHome
    ) -> None:
        lines = read_sheet(home.out / f"results_{DATE}.xlsx")
        taken = [
            ln for ln in lines if Status(ln["status"]).is_enrolled or ln["status"] == "skipped"
        ]
        stats = home.sandbox.stats()
        assert stats["enrolments_created"] == len(taken) > 20
        assert len({ln["interview_url"] for ln in taken}) == len(taken)

    def test_the_dead_workers_run_was_killed_and_redone(
        self, ran: tuple[Any, int], home: ShardedHome
    ) -> None:
        with open_existing(home.ledger) as ledger:
            runs = ledger.group_runs(GROUP)
        by_shard = sorted((r.shard, r.state) for r in runs)
        assert by_shard == [(1, "finished"), (2, "finished"), (2, "killed"), (3, "finished")]

    def test_no_secret_in_the_logs(self, ran: tuple[Any, int], home: ShardedHome) -> None:
        (_, output), _ = ran
        password = urlsplit(home.ledger.url).password
        assert password and password not in output
        assert "sandbox-token" not in output
