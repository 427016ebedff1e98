"""The real Apache Airflow runs the DAG of ``make_dag`` against the sandbox.

Airflow is installed once into a virtual environment cached outside the clone
(``~/.cache/jobmojito-sync/airflow-<version>-py311``; ``JOBMOJITO_SYNC_CACHE``
moves the cache), beside the project's own dependencies; the clone itself is
put on ``PYTHONPATH``, so a fresh clone reuses the venv. When Airflow cannot be
installed (no network, resolver conflict) the tests are skipped with pip's last
lines as the reason. ``RUN_AIRFLOW_TEST=0`` skips them on purpose.

Then the tests do what a deployment does: a fresh ``AIRFLOW_HOME``,
``airflow db migrate``, the DAG file in its dags folder, and
``airflow dags test <dag_id> <date>`` (in Airflow 3 an in-process ``dag.test()``
on a DAG that was never serialized fails; the CLI serializes it first).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import pytest

from sync.records import API_DECISIONS, Status
from sync.sandbox import RunningSandbox, SandboxConfig

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

AIRFLOW_VERSION = "3.3.2"  # verified: installs beside pandas 3 and runs these tests
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
PY = f"py{sys.version_info.major}{sys.version_info.minor}"
CACHE = Path(os.environ.get("JOBMOJITO_SYNC_CACHE") or Path.home() / ".cache" / "jobmojito-sync")
VENV = CACHE / f"airflow-{AIRFLOW_VERSION}-{PY}"
STAMP = VENV / ".jobmojito-sync-complete"
INSTALL_TIMEOUT = 1800  # seconds; a cold install takes about a minute on 2 cores
COMMAND_TIMEOUT = 300

DAG_ID = "jobmojito_sync_test"
BAD_DAG_ID = "jobmojito_sync_bad_token"
TASK_ID = "jobmojito_sync"
BAD_TOKEN = "wrong-token-4f9c1e"
ENROLLED = {s.value for s in API_DECISIONS}
SUMMARY_KEYS = {
    "run_id",
    "exit_code",
    "counts",
    "rows",
    "problems",
    "new_problems",
    "fail_on",
    "results_path",
    "ledger_path",
    "mapping",
    "dry_run",
    "aborted",
}


# --------------------------------------------------------------------------- the venv


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [f"apache-airflow=={AIRFLOW_VERSION}", *project["dependencies"]]


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _venv_works(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run([python, "-c", "import airflow"], capture_output=True, timeout=120)
    return probe.returncode == 0


def _install(requirements: list[str]) -> str | None:
    """Create or update the cached venv; the reason it failed, or None."""
    python = VENV / "bin" / "python"
    stamp = json.loads(STAMP.read_text()) if STAMP.exists() else None
    if stamp is not None and stamp.get("requirements") == requirements and _venv_works(python):
        return None
    if stamp is None or not python.exists():  # half-made or absent: start afresh
        shutil.rmtree(VENV, ignore_errors=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", VENV], capture_output=True, text=True, timeout=300
        )
        if made.returncode != 0:
            return f"python -m venv {VENV} failed:\n{_tail(made.stdout + made.stderr)}"
    STAMP.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        pip = subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
             "--progress-bar", "off", *requirements],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"pip install apache-airflow=={AIRFLOW_VERSION} took over {INSTALL_TIMEOUT}s"
    if pip.returncode != 0:
        return (
            f"pip install apache-airflow=={AIRFLOW_VERSION} into {VENV} failed:\n"
            f"{_tail(pip.stdout + pip.stderr)}"
        )
    seconds = round(time.monotonic() - started, 1)
    STAMP.write_text(json.dumps({"requirements": requirements, "install_seconds": seconds}))
    return None


@pytest.fixture(scope="session")
def airflow_bin() -> Path:
    """The ``bin`` folder of the cached venv holding Apache Airflow."""
    if os.environ.get("RUN_AIRFLOW_TEST") == "0":
        pytest.skip("RUN_AIRFLOW_TEST=0: the real-Airflow tests are switched off")
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        pytest.skip(f"Apache Airflow is not available: cannot create the cache {CACHE}: {exc}")
    with (CACHE / f"{VENV.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time across sessions
        reason = _install(_requirements())
    if reason is not None:
        pytest.skip(f"Apache Airflow is not available: {reason}")
    return VENV / "bin"


# --------------------------------------------------------------------- one Airflow home

DAG_FILE = '''\
"""Written by tests/test_airflow.py: the sample data against the sandbox."""

from datetime import UTC, datetime, timedelta

from sync.airflow import make_dag

SAMPLES = {samples!r}
OUT = {out!r}

common = dict(
    applicants=SAMPLES + "/applicants.csv",
    jobs=SAMPLES + "/jobs.csv",
    mapping="generic",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    retry_delay=timedelta(seconds=1),
    concurrency=4,
    rate=100.0,
)

# The sample data holds deliberately bad rows (invalid, duplicate): allow them.
nightly = make_dag({dag_id!r}, out_dir=OUT + "/nightly", fail_on_problems=0.5, **common)

# A token the sandbox refuses, from an Airflow Connection: exit 3, retried once.
bad_token = make_dag(
    {bad_dag_id!r},
    out_dir=OUT + "/bad",
    token_conn_id="jobmojito_bad",
    retries=1,
    fail_on_problems=0.5,
    **common,
)
'''


@dataclass
class Run:
    """One ``airflow dags test``: its output, the task's state and XCom, and timings."""

    returncode: int
    output: str
    seconds: float
    state: str | None
    try_number: int | None
    summary: dict[str, Any] | None


@dataclass
class AirflowHome:
    home: Path
    out: Path
    bin: Path
    sandbox: RunningSandbox
    migrate_seconds: float

    def env(self) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "JOBMOJITO_", "PYTHON", "VIRTUAL_ENV"))
        }
        return {
            **keep,
            "PATH": f"{self.bin}{os.pathsep}{keep.get('PATH', '')}",
            "PYTHONPATH": str(ROOT),  # this clone's code, not a copy in the cached venv
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.home / "dags"),
            "AIRFLOW_CONN_JOBMOJITO_BAD": json.dumps(
                {"conn_type": "generic", "password": BAD_TOKEN}
            ),
            "JOBMOJITO_TOKEN": "sandbox-token",
            "JOBMOJITO_BASE_URL": self.sandbox.base_url,
            "NO_COLOR": "1",
        }

    @classmethod
    def migrated(
        cls,
        base: Path,
        dag_template: str,
        airflow_bin: Path,
        sandbox: RunningSandbox,
        *,
        dag_file: str,
        attributes: dict[str, Any] | None = None,
        **keys: str,
    ) -> Self:
        """A migrated AIRFLOW_HOME under ``base`` whose dags folder holds ``dag_template``
        (formatted with ``samples``, ``out`` and ``keys``) as ``dag_file``; ``attributes``
        are set before ``airflow db migrate`` runs (a subclass's ``env`` may need them)."""
        home, out = base / "home", base / "out"
        (home / "dags").mkdir(parents=True)
        out.mkdir()
        (home / "dags" / dag_file).write_text(
            dag_template.format(samples=str(SAMPLES), out=str(out), **keys), encoding="utf-8"
        )
        made = cls(home, out, airflow_bin, sandbox, 0.0)
        for name, value in (attributes or {}).items():
            setattr(made, name, value)
        code, output, made.migrate_seconds = made.airflow("db", "migrate")
        assert code == 0, f"airflow db migrate failed:\n{_tail(output, 40)}"
        return made

    def airflow(self, *args: str) -> tuple[int, str, float]:
        started = time.monotonic()
        try:
            proc = subprocess.run(
                [self.bin / "airflow", *args],
                cwd=self.home,  # no stray jobmojito-sync.toml from the caller's folder
                env=self.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=COMMAND_TIMEOUT,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
            pytest.fail(f"airflow {' '.join(args)} took over {COMMAND_TIMEOUT}s:\n{_tail(out, 40)}")
        return proc.returncode, proc.stdout, round(time.monotonic() - started, 1)

    def dags_test(self, dag_id: str, date: str) -> Run:
        code, output, seconds = self.airflow("dags", "test", dag_id, date)
        state, tries, summary = self._task_record(dag_id)
        return Run(code, output, seconds, state, tries, summary)

    def _task_record(
        self, dag_id: str, task_id: str = TASK_ID
    ) -> tuple[str | None, int | None, dict[str, Any] | None]:
        """The newest run's task state, try number and XCom ``return_value``."""
        with contextlib.closing(sqlite3.connect(self.home / "airflow.db")) as db:
            ti = db.execute(
                "SELECT state, try_number, run_id FROM task_instance WHERE dag_id = ?"
                " AND task_id = ? ORDER BY start_date DESC LIMIT 1",
                (dag_id, task_id),
            ).fetchone()
            if ti is None:
                return None, None, None
            row = db.execute(
                "SELECT value FROM xcom WHERE dag_id = ? AND task_id = ? AND run_id = ?"
                " AND key = 'return_value'",
                (dag_id, task_id, ti[2]),
            ).fetchone()
        summary = None
        if row is not None:
            summary = json.loads(row[0])
            while isinstance(summary, str | bytes):  # JSON in JSON, depending on version
                summary = json.loads(summary)
        return ti[0], ti[1], summary


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """The module's sandbox (conftest's ``sandbox_server``), never reset: the runs here
    follow each other, and the tests compare its counts across them."""
    return SandboxConfig(token="sandbox-token", seed=3)


@pytest.fixture(scope="module")
def af(
    airflow_bin: Path, sandbox_server: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> AirflowHome:
    """A migrated AIRFLOW_HOME whose dags folder holds the test DAG file."""
    return AirflowHome.migrated(
        tmp_path_factory.mktemp("airflow"), DAG_FILE, airflow_bin, sandbox_server,
        dag_file="jobmojito_sync_test.py", dag_id=DAG_ID, bad_dag_id=BAD_DAG_ID,
    )  # fmt: skip


@pytest.fixture(scope="module")
def first(af: AirflowHome) -> Run:
    run = af.dags_test(DAG_ID, "2026-11-22")
    print(f"\nairflow db migrate: {af.migrate_seconds}s; first dags test: {run.seconds}s")
    return run


@pytest.fixture(scope="module")
def second(af: AirflowHome, first: Run) -> tuple[Run, dict[str, Any]]:
    """The next day's run, with the sandbox's stats from before it."""
    before = af.sandbox.stats()
    return af.dags_test(DAG_ID, "2026-11-23"), before


def _enrolled(summary: dict[str, Any]) -> int:
    return sum(n for status, n in summary["counts"].items() if status in ENROLLED)


# --------------------------------------------------------------------------- the tests


class TestFirstRun:
    """`airflow dags test` runs the sync to completion and reports it small."""

    def test_task_succeeds(self, first: Run) -> None:
        """Bad sample rows stay under fail_on_problems=0.5: the task and the run succeed."""
        assert first.returncode == 0, _tail(first.output, 60)
        assert first.state == "success", _tail(first.output, 60)
        assert first.try_number == 1
        assert f"DagRun Finished: dag_id={DAG_ID}" in first.output
        assert first.summary is not None
        assert first.summary["exit_code"] == 1  # the deliberately bad rows

    def test_xcom_is_the_small_summary(self, first: Run) -> None:
        """XCom holds counts, ids and paths: no rows, no e-mail addresses, no token."""
        summary = first.summary
        assert summary is not None
        assert set(summary) == SUMMARY_KEYS
        text = json.dumps(summary)
        assert len(text) < 2000
        assert "@" not in text
        assert "sandbox-token" not in text
        assert sum(summary["counts"].values()) == summary["rows"] == 37
        assert summary["counts"].get(Status.INVALID.value, 0) >= 1
        assert summary["counts"].get(Status.DUPLICATE.value, 0) >= 1

    def test_sandbox_enrolled_each_candidate_once(self, first: Run, af: AirflowHome) -> None:
        """Every row the summary counts as enrolled is one enrolment in the sandbox."""
        assert first.summary is not None
        enrolled = _enrolled(first.summary)
        assert enrolled >= 25
        assert af.sandbox.stats()["enrolments_created"] == enrolled

    def test_results_file_and_stable_ledger(self, first: Run, af: AirflowHome) -> None:
        """The results sheet is dated by ds; the ledger is one stable file in out_dir."""
        assert first.summary is not None
        results = Path(first.summary["results_path"])
        assert results == af.out / "nightly" / "results_2026-11-22.xlsx"
        assert results.is_file() and results.stat().st_size > 0
        ledger = Path(first.summary["ledger_path"])
        assert ledger == af.out / "nightly" / "jobmojito-sync.ledger.sqlite"
        assert ledger.is_file()

    def test_logs_hold_no_token_and_no_email(self, first: Run) -> None:
        """The task log is JSON lines of the sync, with e-mails masked and no token."""
        assert '"event": "run finished"' in first.output
        assert '"event": "progress"' in first.output
        assert '"event": "row"' not in first.output  # counts, not a line per row
        assert "sandbox-token" not in first.output
        assert "ana.silva@example.com" not in first.output


class TestSecondRun:
    """A later run of the same DAG sends nothing already enrolled (the ledger)."""

    def test_nobody_enrolled_twice(self, second: tuple[Run, dict[str, Any]], first: Run,
                                   af: AirflowHome) -> None:  # fmt: skip
        """The sandbox sees no new enrolment; every earlier enrolment is `skipped`."""
        run, before = second
        assert run.returncode == 0, _tail(run.output, 60)
        assert run.state == "success"
        assert run.summary is not None and first.summary is not None
        after = af.sandbox.stats()
        assert after["enrolments_created"] == before["enrolments_created"]
        assert after["duplicates_answered"] == before["duplicates_answered"]
        assert run.summary["counts"].get(Status.SKIPPED.value, 0) == _enrolled(first.summary)
        assert _enrolled(run.summary) == 0
        assert run.summary["ledger_path"] == first.summary["ledger_path"]
        assert Path(run.summary["results_path"]).name == "results_2026-11-23.xlsx"
        assert Path(run.summary["results_path"]).is_file()


class TestAbortedRun:
    """A refused token aborts the run (exit 3): the task is retried, then fails."""

    def test_retried_then_failed(self, af: AirflowHome, first: Run) -> None:
        """Two tries, no enrolment, no XCom, and the Connection's password never logged."""
        before = af.sandbox.stats()["enrolments_created"]
        run = af.dags_test(BAD_DAG_ID, "2026-11-22")
        assert run.returncode != 0
        assert run.state == "failed", _tail(run.output, 60)
        assert run.try_number == 2  # retries=1: the exit-3 failure is retryable
        assert run.summary is None
        assert "run aborted (exit 3)" in run.output
        assert af.sandbox.stats()["enrolments_created"] == before
        assert BAD_TOKEN not in run.output


class TestExampleDag:
    """examples/airflow_dag.py, the file users copy, builds its DAG under real Airflow."""

    def test_example_parses(self, af: AirflowHome) -> None:
        script = (
            "import runpy, sys\n"
            f"ns = runpy.run_path({str(ROOT / 'examples' / 'airflow_dag.py')!r})\n"
            "dag = ns['dag']\n"
            "print(dag.dag_id, [t.task_id for t in dag.tasks], dag.max_active_runs,"
            " dag.catchup, dag.default_args['retries'])\n"
        )
        proc = subprocess.run(
            [af.bin / "python", "-c", script],
            cwd=af.home, env=af.env(), capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
        )  # fmt: skip
        assert proc.returncode == 0, _tail(proc.stdout + proc.stderr, 30)
        assert (
            proc.stdout.strip().splitlines()[-1]
            == "jobmojito_sync_nightly ['jobmojito_sync'] 1 False 2"
        )
