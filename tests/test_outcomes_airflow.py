"""The real Apache Airflow runs ``make_dag(with_outcomes=True)`` against the sandbox.

The Airflow machinery (the cached venv, an ``AIRFLOW_HOME``, ``airflow dags
test``) is ``tests/test_airflow.py``'s; ``RUN_AIRFLOW_TEST=0`` skips this too.
The outcomes task runs after the sync task, from its ledger, and pushes counts
and paths to XCom, never a name, an e-mail or the token.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_airflow import SAMPLES, AirflowHome, _tail, airflow_bin  # noqa: F401 (a fixture)

from sync.sandbox import RunningSandbox, SandboxConfig

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

DAG_ID = "jobmojito_outcomes_test"
OUTCOMES_TASK = "jobmojito_sync_outcomes"

DAG_FILE = '''\
"""Written by tests/test_outcomes_airflow.py: sync, then outcomes, against the sandbox."""

from datetime import UTC, datetime, timedelta

from sync.airflow import make_dag

dag = make_dag(
    {dag_id!r},
    applicants={samples!r} + "/applicants.csv",
    jobs={samples!r} + "/jobs.csv",
    mapping="generic",
    out_dir={out!r},
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    retry_delay=timedelta(seconds=1),
    fail_on_problems=0.5,
    rate=100.0,
    with_outcomes=True,
    outcomes_kwargs={{"details": True, "changed_since": "last-run"}},
)
'''


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """The module's sandbox (conftest's ``sandbox_server``), never reset: the second day
    reads what the first enrolled. Interviews progress at once."""
    return SandboxConfig(token="sandbox-token", seed=3, progress_seconds=0)


@pytest.fixture(scope="module")
def af(
    airflow_bin: Path,  # noqa: F811 (the fixture)
    sandbox_server: RunningSandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> AirflowHome:
    return AirflowHome.migrated(
        tmp_path_factory.mktemp("airflow-outcomes"), DAG_FILE, airflow_bin, sandbox_server,
        dag_file="outcomes_test.py", dag_id=DAG_ID,
    )  # fmt: skip


def task_record(af: AirflowHome, task_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """The newest run's state and XCom ``return_value`` of ``task_id``."""
    state, _, summary = af._task_record(DAG_ID, task_id)
    return state, summary


class TestOutcomesTask:
    """make_dag(with_outcomes=True): a second task writes outcomes_<ds>.xlsx, XCom counts."""

    def test_sync_then_outcomes(self, af: AirflowHome) -> None:
        code, output, _ = af.airflow("dags", "test", DAG_ID, "2026-11-22")
        assert code == 0, _tail(output, 60)
        state, summary = task_record(af, OUTCOMES_TASK)
        assert state == "success", _tail(output, 60)
        assert summary is not None and summary["exit_code"] == 0
        outcomes = Path(summary["outcomes_path"])
        assert outcomes == af.out / "outcomes_2026-11-22.xlsx" and outcomes.is_file()
        enrolled = af.sandbox.stats()["enrolments_created"]
        assert summary["counts"]["enrolments"] == summary["counts"]["written"] == enrolled
        rows = list(load_workbook(outcomes, read_only=True)["Outcomes"].iter_rows(values_only=True))
        assert len(rows) - 1 == enrolled
        text = json.dumps(summary)
        assert "@" not in text and "sandbox-token" not in text
        assert "sandbox-token" not in output and "ana.silva@example.com" not in output

        # The next day: nothing changed, so the "what's new" sheet is empty.
        code, output, _ = af.airflow("dags", "test", DAG_ID, "2026-11-23")
        assert code == 0, _tail(output, 60)
        state, summary = task_record(af, OUTCOMES_TASK)
        assert state == "success" and summary is not None
        assert summary["counts"]["written"] == 0
