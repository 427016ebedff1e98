"""sync.airflow without Airflow: the pure decisions, the DAG wiring, and the task
run end to end against the sandbox with stand-ins for Airflow's exceptions.

The real Airflow runs in tests/test_airflow.py (marker ``airflow``).
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from helpers import write_applicants
from structlog.testing import capture_logs

from sync import airflow as af
from sync.errors import (
    AuthError,
    ConfigError,
    InputError,
    Interrupted,
    LedgerLockedError,
    UsageError,
)
from sync.records import Status
from sync.sandbox import RunningSandbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
MISSING = "Apache Airflow is not installed: pip install 'jobmojito-sync[airflow]'"


def summary(
    code: int, rows: int = 100, problems: int = 0, aborted: str = "", **counts: int
) -> dict[str, Any]:
    return {
        "run_id": "r1",
        "exit_code": code,
        "counts": counts,
        "rows": rows,
        "problems": problems,
        "new_problems": problems,
        "fail_on": "any",
        "results_path": "/out/results_2026-11-22.xlsx",
        "ledger_path": "/out/jobmojito-sync.ledger.sqlite",
        "mapping": "generic",
        "dry_run": False,
        "aborted": aborted,
    }


class TestTaskVerdict:
    """task_verdict: which reports fail the task, and the message it fails with."""

    @pytest.mark.parametrize(
        ("report", "share", "fails"),
        [
            (summary(0, ai_accept=100), 0.05, False),
            (summary(1, problems=5, invalid=5), 0.05, False),  # exactly 5 %: not above
            (summary(1, problems=6, invalid=6), 0.05, True),
            (summary(1, problems=1, failed=1), 0.0, True),  # 0: any problem fails
            (summary(1, problems=100, rejected=100), 1.0, False),  # 1: never on exit 1
            (summary(1, problems=0), 0.0, False),
            (summary(1, rows=0, problems=1, invalid=1), 0.5, True),
            (summary(2), 1.0, True),
            (summary(3, not_sent=40), 1.0, True),
            (summary(7), 1.0, True),
        ],
    )
    def test_table(self, report: dict[str, Any], share: float, fails: bool) -> None:
        """Exit 0 passes, exit 1 fails only above the share, exit 2 and 3 always fail."""
        assert (af.task_verdict(report, share) is not None) is fails

    def test_exit1_message_names_the_counts(self) -> None:
        """The failure says how many rows, which kinds, the threshold and the sheet."""
        report = summary(1, rows=37, problems=3, invalid=2, rejected=1, duplicate=1)
        assert af.task_verdict(report, 0.05) == (
            "3 of 37 rows (8.1%) are invalid, rejected or failed (invalid=2, rejected=1),"
            " above fail_on_problems=5.0%; see /out/results_2026-11-22.xlsx"
        )

    def test_exit3_message_says_a_retry_is_safe(self) -> None:
        """An abort names its cause and the rows left unsent."""
        message = af.task_verdict(summary(3, not_sent=12, aborted="401 token refused"), 0.05)
        assert message is not None
        assert message.startswith("run aborted (exit 3): 401 token refused; 12 rows not sent")
        assert "a retry is safe" in message

    @pytest.mark.parametrize("share", [-0.1, 1.5, "0.05", True, None])
    def test_threshold_must_be_a_share(self, share: Any) -> None:
        """fail_on_problems outside 0..1 (or not a number) is a usage error."""
        with pytest.raises(UsageError, match="fail_on_problems="):
            af.task_verdict(summary(0), share)


class TestTaskOptions:
    """task_options: a per-run results file, one stable ledger, the task's own settings."""

    def test_ledger_is_stable_and_results_are_per_run(self, tmp_path: Path) -> None:
        """Two run dates share the ledger in out_dir and get their own results sheet."""
        day1 = af.task_options(applicants="a.csv", out_dir=tmp_path, run_date="2026-11-22")
        day2 = af.task_options(applicants="a.csv", out_dir=tmp_path, run_date="2026-11-23")
        assert day1["ledger"] == day2["ledger"] == tmp_path / "jobmojito-sync.ledger.sqlite"
        assert day1["out"] == tmp_path / "results_2026-11-22.xlsx"
        assert day2["out"] == tmp_path / "results_2026-11-23.xlsx"

    def test_task_settings(self, tmp_path: Path) -> None:
        """No progress bar, JSON logs, no prompt; unset options are left to the config."""
        flags = af.task_options(
            applicants="a.csv", out_dir=tmp_path, ledger=tmp_path / "l.sqlite", rate=3
        )
        assert flags["progress"] is False
        assert flags["log_format"] == "json"
        assert flags["yes"] is True
        assert flags["rate"] == 3
        assert flags["ledger"] == tmp_path / "l.sqlite"
        assert "jobs" not in flags

    def test_token_is_refused(self, tmp_path: Path) -> None:
        """A token in the DAG would land in the DAG code and the rendered fields."""
        with pytest.raises(UsageError, match="do not put the API token in the DAG"):
            af.task_options(applicants="a.csv", out_dir=tmp_path, token="secret")

    def test_task_owned_options_are_refused(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match=r"^out, progress: the Airflow task sets these"):
            af.task_options(applicants="a.csv", out_dir=tmp_path, out="x.xlsx", progress=True)

    def test_unknown_option_suggests(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match=r"concurency \(did you mean concurrency\?\)"):
            af.task_options(applicants="a.csv", out_dir=tmp_path, concurency=4)


class TestResultsFileName:
    """results_file_name: a safe, dated file name."""

    def test_ds(self) -> None:
        assert af.results_file_name("2026-11-22") == "results_2026-11-22.xlsx"

    def test_timestamp_is_made_safe(self) -> None:
        name = af.results_file_name("2026-11-22T00:00:00+00:00")
        assert name == "results_2026-11-22T00-00-00-00-00.xlsx"

    def test_no_date_takes_utc_now(self) -> None:
        assert re.fullmatch(r"results_\d{4}-\d\d-\d\dT\d{6}Z\.xlsx", af.results_file_name(None))

    def test_pattern(self) -> None:
        assert af.results_file_name("d", pattern="jm_{ds}.csv") == "jm_d.csv"
        with pytest.raises(UsageError, match="must contain"):
            af.results_file_name("d", pattern="results.xlsx")
        with pytest.raises(UsageError, match=r"\.xlsx or \.csv"):
            af.results_file_name("d", pattern="results_{ds}.txt")


# ------------------------------------------------------------------ without / with Airflow


@pytest.fixture
def no_airflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import airflow`` fail, whatever is installed."""
    monkeypatch.setitem(sys.modules, "airflow", None)


class AirflowException(Exception):
    """Stand-in for Airflow's retryable task failure."""


class AirflowFailException(AirflowException):
    """Stand-in for Airflow's failure without retry (a subclass, as in Airflow)."""


class FakeConnection:
    passwords: ClassVar[dict[str, str]] = {}

    def __init__(self, password: str) -> None:
        self.password = password

    @classmethod
    def get(cls, conn_id: str) -> FakeConnection:
        if conn_id not in cls.passwords:
            raise LookupError(conn_id)
        return cls(cls.passwords[conn_id])


class DagRecorder:
    """Stand-ins for ``airflow.sdk.dag`` and ``task`` that record what make_dag asks."""

    def __init__(self) -> None:
        self.dag_settings: dict[str, Any] = {}
        self.task_settings: dict[str, Any] = {}
        self.calls: list[dict[str, Any]] = []

    def dag(self, **settings: Any) -> Any:
        self.dag_settings = settings

        def decorate(body: Any) -> Any:
            def build() -> DagRecorder:
                body()
                return self

            return build

        return decorate

    def task(self, **settings: Any) -> Any:
        self.task_settings = settings

        def decorate(fn: Any) -> Any:
            def call(**kwargs: Any) -> None:
                self.calls.append({"fn": fn, **kwargs})

            return call

        return decorate


@pytest.fixture
def fake_airflow(monkeypatch: pytest.MonkeyPatch) -> DagRecorder:
    """A fake ``airflow.sdk`` with the names sync.airflow uses."""
    recorder = DagRecorder()
    root = types.ModuleType("airflow")
    sdk = types.ModuleType("airflow.sdk")
    exceptions = types.ModuleType("airflow.sdk.exceptions")
    exceptions.AirflowException = AirflowException  # type: ignore[attr-defined]
    exceptions.AirflowFailException = AirflowFailException  # type: ignore[attr-defined]
    sdk.dag = recorder.dag  # type: ignore[attr-defined]
    sdk.task = recorder.task  # type: ignore[attr-defined]
    sdk.Connection = FakeConnection  # type: ignore[attr-defined]
    sdk.exceptions = exceptions  # type: ignore[attr-defined]
    root.sdk = sdk  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airflow", root)
    monkeypatch.setitem(sys.modules, "airflow.sdk", sdk)
    monkeypatch.setitem(sys.modules, "airflow.sdk.exceptions", exceptions)
    monkeypatch.setattr(FakeConnection, "passwords", {})
    return recorder


class TestWithoutAirflow:
    """The module imports without Airflow; what needs Airflow says how to get it."""

    def test_import_is_light(self) -> None:
        """Importing sync.airflow (a DAG file does, at every parse) pulls no heavy module."""
        code = (
            "import sys, sync.airflow\n"
            "heavy = {'airflow', 'pandas', 'httpx', 'openpyxl', 'sync.run'} & set(sys.modules)\n"
            "print(sorted(heavy))\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        assert proc.stdout.strip() == "[]"

    @pytest.mark.usefixtures("no_airflow")
    def test_make_dag_says_install_the_extra(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError) as info:
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path)
        assert str(info.value) == MISSING

    @pytest.mark.usefixtures("no_airflow")
    def test_sync_task_says_install_the_extra(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError) as info:
            af.sync_task(applicants="a.csv", out_dir=tmp_path)
        assert str(info.value) == MISSING


class TestMakeDag:
    """make_dag: one TaskFlow task, no catch-up, no overlap, retries, templated inputs."""

    def test_dag_settings(self, fake_airflow: DagRecorder, tmp_path: Path) -> None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        af.make_dag(
            "nightly",
            applicants="/data/applicants_{{ ds_nodash }}.csv",
            jobs=Path("/data/jobs.csv"),
            mapping="generic",
            out_dir=tmp_path,
            schedule="0 2 * * *",
            start_date=start,
            retries=3,
            retry_delay=timedelta(minutes=1),
            token_conn_id="jobmojito",
            task_kwargs={"pool": "jobmojito"},
            dag_kwargs={"default_args": {"owner": "recruiting-ops"}},
            rate=4,
            resumes=Path("/data/cv"),
        )
        s = fake_airflow.dag_settings
        assert s["dag_id"] == "nightly"
        assert s["schedule"] == "0 2 * * *"
        assert s["start_date"] == start
        assert s["catchup"] is False
        assert s["max_active_runs"] == 1
        assert s["default_args"] == {
            "retries": 3,
            "retry_delay": timedelta(minutes=1),
            "owner": "recruiting-ops",
        }
        assert fake_airflow.task_settings == {"task_id": "jobmojito_sync", "pool": "jobmojito"}
        (call,) = fake_airflow.calls
        assert call["applicants"] == "/data/applicants_{{ ds_nodash }}.csv"
        assert call["jobs"] == "/data/jobs.csv"
        assert call["out_dir"] == str(tmp_path)
        assert call["token_conn_id"] == "jobmojito"
        # not given: the DAG's task fails above 5 % problem rows, as documented
        share = call["fail_on_problems"]
        assert af.task_verdict(summary(1, rows=100, problems=5, invalid=5), share) is None
        assert af.task_verdict(summary(1, rows=100, problems=6, invalid=6), share) is not None
        assert call["options"] == {"rate": 4, "resumes": "/data/cv"}

    def test_task_body_names_results_by_ds_else_run_id(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A run without a logical date (Airflow 3 manual trigger) uses its run_id."""
        seen: list[Any] = []

        def fake_sync_task(**kwargs: Any) -> dict[str, Any]:
            seen.append(kwargs["run_date"])
            return {}

        monkeypatch.setattr(af.task, "sync_task", fake_sync_task)
        common: dict[str, Any] = {
            "applicants": "a.csv",
            "out_dir": str(tmp_path),
            "jobs": None,
            "mapping": "auto",
            "ledger": None,
            "fail_on_problems": 0.05,
            "token_conn_id": None,
            "token_variable": None,
            "results_name": af.RESULTS_NAME,
            "options": {},
        }
        af.dag._dag_task(**common, ds="2026-11-22", run_id="scheduled__2026-11-22")
        af.dag._dag_task(**common, ds=None, run_id="manual__2026-11-22T21:52:45+00:00")
        assert seen == ["2026-11-22", "manual__2026-11-22T21:52:45+00:00"]

    @pytest.mark.usefixtures("fake_airflow")
    def test_mistakes_fail_at_parse_time(self, tmp_path: Path) -> None:
        """A wrong option is a DAG import error, not a failure at 2 a.m."""
        with pytest.raises(UsageError, match="do not put the API token"):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, token="t0ken")
        with pytest.raises(UsageError, match="did you mean rate"):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, rates=3)
        with pytest.raises(UsageError, match="fail_on_problems="):
            af.make_dag("d", applicants="a.csv", out_dir=tmp_path, fail_on_problems=5)


# ------------------------------------------------------------------ the task, end to end


@pytest.fixture
def task_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sandbox: RunningSandbox,
    fake_airflow: DagRecorder,
) -> Path:
    """The environment aimed at the sandbox (no other JOBMOJITO_*: conftest); returns an
    empty out_dir."""
    monkeypatch.setenv("JOBMOJITO_TOKEN", sandbox.token)
    monkeypatch.setenv("JOBMOJITO_BASE_URL", sandbox.base_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "out"


def run_task(out_dir: Path, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "applicants": SAMPLES / "applicants.csv",
        "jobs": SAMPLES / "jobs.csv",
        "mapping": "generic",
        "out_dir": out_dir,
        "ds": "2026-11-22",
        "fail_on_problems": 0.5,
        "rate": 100.0,  # the sandbox has no rate limit here; keep the test quick
    }
    args.update(kwargs)
    return af.sync_task(**args)


class TestSyncTask:
    """sync_task runs the real sync and turns its exit code into the task's fate."""

    def test_success_returns_the_small_summary(
        self, task_env: Path, sandbox: RunningSandbox
    ) -> None:
        """Bad sample rows under the threshold: a summary without rows, one sheet per day."""
        before = sandbox.stats()["enrolments_created"]
        result = run_task(task_env)
        assert set(result) == set(summary(0))
        assert result["exit_code"] == 1
        assert "@" not in repr(result)
        assert Path(result["results_path"]) == task_env / "results_2026-11-22.xlsx"
        assert Path(result["results_path"]).is_file()
        assert Path(result["ledger_path"]) == task_env / "jobmojito-sync.ledger.sqlite"
        assert sandbox.stats()["enrolments_created"] > before

    def test_a_retry_or_the_next_run_sends_nobody_twice(
        self, task_env: Path, sandbox: RunningSandbox
    ) -> None:
        """The second run (a retry, or the next day) skips everyone enrolled by the first."""
        first = run_task(task_env)
        created = sandbox.stats()["enrolments_created"]
        second = run_task(task_env, ds="2026-11-23")
        assert sandbox.stats()["enrolments_created"] == created
        assert second["counts"].get("skipped", 0) >= 25
        assert second["ledger_path"] == first["ledger_path"]
        assert second["results_path"] != first["results_path"]

    def test_the_next_day_the_same_bad_rows_do_not_fail_the_task(self, task_env: Path) -> None:
        """fail_on new is the task's default: known problems exit 0; fail_on any says 1."""
        with pytest.raises(AirflowFailException, match=r"above fail_on_problems=5\.0%"):
            run_task(task_env, fail_on_problems=af.DEFAULT_FAIL_ON_PROBLEMS)
        second = run_task(task_env, ds="2026-11-23", fail_on_problems=af.DEFAULT_FAIL_ON_PROBLEMS)
        assert (second["exit_code"], second["fail_on"], second["new_problems"]) == (0, "new", 0)
        assert second["problems"] == second["counts"]["invalid"] > 0
        third = run_task(task_env, ds="2026-11-24", fail_on="any")
        assert third["exit_code"] == 1

    def test_problems_above_threshold_fail_without_retry(self, task_env: Path) -> None:
        with pytest.raises(AirflowFailException, match=r"above fail_on_problems=5\.0%"):
            run_task(task_env, fail_on_problems=af.DEFAULT_FAIL_ON_PROBLEMS)

    def test_input_error_fails_without_retry(self, task_env: Path) -> None:
        with pytest.raises(AirflowFailException, match=r"^jobmojito-sync \(exit 2\): "):
            run_task(task_env, applicants=task_env / "missing.csv")

    @pytest.mark.parametrize(
        ("bad", "fails"), [(2, False), (3, True)], ids=["4%-passes", "6%-fails"]
    )
    def test_by_default_more_than_5_percent_problem_rows_fail(
        self, task_env: Path, bad: int, fails: bool
    ) -> None:
        """Without fail_on_problems: 2 invalid rows of 50 (4 %) pass, 3 (6 %) fail, no retry."""
        applicants = write_applicants(task_env.parent / "a.csv", 50 - bad, bad=bad)
        run = functools.partial(
            af.sync_task, applicants=applicants, mapping="generic", out_dir=task_env,
            ds="2026-11-22", dry_run=True,
        )  # fmt: skip
        if fails:
            with pytest.raises(
                AirflowFailException, match=r"^jobmojito-sync: 3 of 50 rows \(6\.0%\)"
            ):
                run()
        else:
            result = run()
            assert (result["exit_code"], result["rows"], result["problems"]) == (1, 50, 2)

    @pytest.mark.parametrize(
        ("outcome", "retried"),
        [
            (InputError("applicants.csv: no such file"), False),
            (LedgerLockedError("another run holds the ledger"), True),
            (AuthError("401 token refused"), True),
            (Interrupted("SIGTERM"), True),
            (summary(3, not_sent=12, aborted="SIGTERM"), True),
            (summary(1, problems=90, invalid=90), False),
        ],
        ids=["exit2-raised", "ledger-held", "exit3-auth", "exit3-signal", "exit3-report",
             "exit1-over-threshold"],
    )  # fmt: skip
    def test_only_aborts_are_retried(
        self,
        task_env: Path,
        monkeypatch: pytest.MonkeyPatch,
        outcome: Exception | dict[str, Any],
        retried: bool,
    ) -> None:
        """Exit 3 (and a held ledger) raise Airflow's retryable exception; exit 1 and 2
        would fail the same way again, so they fail without a retry."""

        def execute(*args: Any, **kwargs: Any) -> Any:
            if isinstance(outcome, Exception):
                raise outcome
            return types.SimpleNamespace(as_dict=lambda: outcome)

        monkeypatch.setattr("sync.run.execute", execute)
        with pytest.raises(AirflowException) as info:
            run_task(task_env)
        assert (type(info.value) is AirflowException) is retried, info.value
        assert isinstance(info.value, AirflowFailException) is not retried

    def test_refused_token_is_retried(
        self, task_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Exit 3 raises the retryable exception, and the token never reaches the log."""
        monkeypatch.setenv("JOBMOJITO_TOKEN", "refused-token-77")
        with pytest.raises(AirflowException) as info:
            run_task(task_env)
        assert type(info.value) is AirflowException
        assert "run aborted (exit 3)" in str(info.value)
        assert "refused-token-77" not in capsys.readouterr().err + str(info.value)

    def test_held_ledger_is_retried(self, task_env: Path) -> None:
        """Another run holding the ledger's lock is transient: retry later."""
        from sync.ledger import open_ledger

        task_env.mkdir(parents=True)
        with open_ledger(task_env / af.LEDGER_NAME) as ledger:
            ledger.start_run(
                inputs=[], mapping="m", dry_run=False, tool_version="t", results_path="r.xlsx"
            )
            with pytest.raises(AirflowException) as info:
                run_task(task_env)
        assert type(info.value) is AirflowException

    def test_token_from_a_connection(
        self,
        task_env: Path,
        sandbox: RunningSandbox,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """token_conn_id: the Connection's password wins over the environment."""
        monkeypatch.setenv("JOBMOJITO_TOKEN", "stale-env-token")
        monkeypatch.setattr(FakeConnection, "passwords", {"jobmojito": sandbox.token})
        result = run_task(task_env, token_conn_id="jobmojito")
        assert result["exit_code"] == 1
        assert sandbox.token not in capsys.readouterr().err

    def test_missing_connection_fails_without_retry(self, task_env: Path) -> None:
        with pytest.raises(AirflowFailException, match="token_conn_id='nope': cannot read"):
            run_task(task_env, token_conn_id="nope")

    def test_logs_are_private_json_and_airflow_logging_is_restored(
        self, task_env: Path, sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """JSON lines with masked e-mails during the task; the old structlog config after."""
        import structlog

        before = structlog.get_config()
        run_task(task_env)
        assert structlog.get_config() == before
        err = capsys.readouterr().err
        assert '"event": "task summary"' in err
        assert "ana.silva@example.com" not in err
        assert sandbox.token not in err


class TestTaskProgress:
    """The task log gets a line of counts per tenth of the rows, not one per row."""

    @staticmethod
    def logs(rows: int, status: object) -> list[dict[str, Any]]:
        """What TaskProgress logs for ``rows`` rows that all end with ``status``."""
        line = types.SimpleNamespace(status=status)
        with capture_logs() as logs:
            progress = af.TaskProgress()
            progress.start(rows)
            for _ in range(rows):
                progress.advance(line)
            progress.close()
        return logs

    def test_ten_lines_for_many_rows(self) -> None:
        lines = [e for e in self.logs(1000, Status.AI_ACCEPT) if e["event"] == "progress"]
        assert [e["sent"] for e in lines] == [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
        assert lines[-1]["ai_accept"] == 1000

    def test_few_rows(self) -> None:
        logs = self.logs(3, "already-applied")
        assert [e.get("sent") for e in logs] == [None, 1, 2, 3]
        assert logs[-1]["already-applied"] == 3
