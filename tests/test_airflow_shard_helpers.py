"""sync.airflow's sharded DAG without Airflow: what make_dag(shards=N) wires, how each
shard's task names its results and run group, and how a shard's outcome is judged.

The real Airflow runs the sharded DAG in tests/test_airflow_shards.py.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from sync import airflow as af
from sync.airflow.options import check_shards, dag_run_group, shard_list
from sync.errors import UsageError


class Mapped:
    """What ``task(...)(fn).partial(...).expand(...)`` returns: it records the wiring."""

    def __init__(self, recorder: Recorder, task_id: str, fn: Any, partial: dict[str, Any]) -> None:
        self.recorder, self.task_id, self.fn, self.partial = recorder, task_id, fn, partial
        self.expand: dict[str, Any] = {}

    def __rshift__(self, other: Any) -> Any:
        self.recorder.edges.append((self.task_id, other.task_id))
        return other


class Called:
    def __init__(self, task_id: str, kwargs: dict[str, Any]) -> None:
        self.task_id, self.kwargs = task_id, kwargs


class Recorder:
    """Stand-ins for ``airflow.sdk.dag`` and ``task``, with partial/expand and ``>>``."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.mapped: list[Mapped] = []
        self.called: list[Called] = []
        self.edges: list[tuple[str, str]] = []

    def dag(self, **settings: Any) -> Any:
        return lambda body: lambda: body()

    def task(self, **settings: Any) -> Any:
        task_id = settings["task_id"]
        self.tasks[task_id] = settings
        recorder = self

        class Decorated:
            def __init__(self, fn: Any) -> None:
                self.fn = fn

            def __call__(self, **kwargs: Any) -> Called:
                recorder.called.append(Called(task_id, kwargs))
                return recorder.called[-1]

            def partial(self, **kwargs: Any) -> Any:
                mapped = Mapped(recorder, task_id, self.fn, kwargs)
                recorder.mapped.append(mapped)

                def expand(**over: Any) -> Mapped:
                    mapped.expand = over
                    return mapped

                return types.SimpleNamespace(expand=expand)

        return Decorated


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    found = Recorder()
    root, sdk = types.ModuleType("airflow"), types.ModuleType("airflow.sdk")
    sdk.dag = found.dag  # type: ignore[attr-defined]
    sdk.task = found.task  # type: ignore[attr-defined]
    root.sdk = sdk  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airflow", root)
    monkeypatch.setitem(sys.modules, "airflow.sdk", sdk)
    return found


class TestShardedDag:
    """make_dag(shards=N): the sync task mapped over N shards, then the group's sheet."""

    def test_the_task_is_mapped_over_the_shards_then_merged(
        self, recorder: Recorder, tmp_path: Path
    ) -> None:
        af.make_dag("nightly", applicants="a.csv", out_dir=tmp_path, shards=4,
                    ledger_conn_id="jobmojito_ledger", rate=20,
                    task_kwargs={"pool": "jobmojito"})  # fmt: skip
        (mapped,) = recorder.mapped
        assert mapped.task_id == "jobmojito_sync"
        assert mapped.expand == {"shard": ["1/4", "2/4", "3/4", "4/4"]}
        assert mapped.partial["dag_name"] == "nightly"
        assert mapped.partial["ledger_conn_id"] == "jobmojito_ledger"
        assert mapped.partial["options"] == {"rate": 20}
        (merge,) = recorder.called
        assert merge.task_id == "jobmojito_sync_results"
        assert merge.kwargs["ledger_conn_id"] == "jobmojito_ledger"
        assert recorder.tasks["jobmojito_sync_results"]["trigger_rule"] == "all_done"
        assert recorder.tasks["jobmojito_sync_results"]["pool"] == "jobmojito"
        assert recorder.edges == [("jobmojito_sync", "jobmojito_sync_results")]

    def test_one_shard_is_the_plain_dag(self, recorder: Recorder, tmp_path: Path) -> None:
        af.make_dag("nightly", applicants="a.csv", out_dir=tmp_path, shards=1)
        assert not recorder.mapped and [c.task_id for c in recorder.called] == ["jobmojito_sync"]

    @pytest.mark.usefixtures("recorder")
    @pytest.mark.parametrize("bad", [0, -1, 2.5, True, 100_000])
    def test_a_bad_number_of_shards_fails_at_parse_time(self, bad: Any, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="shards="):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, shards=bad)

    @pytest.mark.usefixtures("recorder")
    def test_shard_and_group_are_the_dags_to_give(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="gives each task its shard"):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, shards=2, shard="1/2")


class TestAShardsTask:
    """Each mapped task: its shard, the DAG run's group, its own results file."""

    def test_the_task_body_passes_shard_and_group(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        seen: list[dict[str, Any]] = []
        monkeypatch.setattr(af.task, "sync_task", lambda **kw: seen.append(kw) or {})
        common: dict[str, Any] = {
            "applicants": "a.csv", "out_dir": str(tmp_path), "jobs": None, "mapping": "auto",
            "ledger": None, "fail_on_problems": 0.05, "token_conn_id": None,
            "token_variable": None, "results_name": af.RESULTS_NAME, "options": {"rate": 5},
        }  # fmt: skip
        af.dag._dag_task(**common, ds="2026-11-22", shard="2/3", dag_name="nightly")
        af.dag._dag_task(**common, ds=None, run_id="manual__x", shard="3/3", dag_name="nightly")
        assert [(s["shard"], s["group"], s["rate"]) for s in seen] == [
            ("2/3", "nightly-2026-11-22", 5), ("3/3", "nightly-manual__x", 5)]  # fmt: skip

    def test_a_shards_results_file(self, tmp_path: Path) -> None:
        flags = af.task_options(applicants="a.csv", out_dir=tmp_path, run_date="2026-11-22",
                                shard="2/4")  # fmt: skip
        assert flags["out"] == tmp_path / "results_2026-11-22.shard-2-of-4.xlsx"
        assert af.results_file_name("d", shard=None) == "results_d.xlsx"

    def test_a_shard_is_judged_on_its_own_rows(self) -> None:
        """30 of the shard's 100 rows failed: 30 %, not 30 of 400."""
        summary = {"exit_code": 1, "rows": 400, "problems": 30,
                   "counts": {"failed": 30, "ai_accept": 70, "other_shard": 300}}  # fmt: skip
        verdict = af.task_verdict(summary, 0.05)
        assert verdict is not None and "30 of 100 rows (30.0%)" in verdict

    def test_the_run_group_is_one_per_dag_run(self) -> None:
        assert dag_run_group("d", "2026-11-22", "scheduled__x") == "d-2026-11-22"
        assert dag_run_group("d", None, "manual__x") == "d-manual__x"
        assert shard_list(3) == ["1/3", "2/3", "3/3"] and check_shards(None) == 1
