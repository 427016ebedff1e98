"""The Python API is the CLI: the same option sources, one read of each input, the chosen
mapping in the ledger, and DataFrames in and out."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import Cli

import sync.readers.tables
from sync.ledger import open_ledger
from sync.results import read_results, run_history
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
TOKEN = "api-test-token-5b2e9c71"


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(token=TOKEN, seed=5)


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Relative paths (the default results file, its ledger) land in the test's folder."""
    monkeypatch.chdir(tmp_path)


def statuses(path: Path) -> list[tuple[str, str]]:
    return [(row["source_row"], row["status"]) for row in read_results(path)]


class TestOptionSources:
    """run_sync resolves options exactly as the CLI does: file < environment < arguments."""

    def test_token_from_the_environment_alone(
        self, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
    ) -> None:
        monkeypatch.setenv("JOBMOJITO_TOKEN", TOKEN)
        monkeypatch.setenv("JOBMOJITO_BASE_URL", sandbox.base_url)
        common = ["--applicants", str(SAMPLES / "applicants.csv"), "--jobs",
                  str(SAMPLES / "jobs.csv"), "--mapping", "generic", "--yes"]  # fmt: skip
        cli_out, api_out = tmp_path / "cli.csv", tmp_path / "api.csv"
        done = cli("run", *common, "--out", str(cli_out))
        assert done.exit_code == 1, done.output  # the samples hold invalid rows on purpose
        report = run_sync(
            applicants=SAMPLES / "applicants.csv",
            jobs=SAMPLES / "jobs.csv",
            mapping="generic",
            out=api_out,
            yes=True,
        )
        assert report.exit_code == 1
        assert report.ledger_path == tmp_path / "api.ledger.sqlite"
        # The same rows get the same outcomes; the second run is answered already-applied.
        cli_lines, api_lines = statuses(cli_out), statuses(api_out)
        assert [row for row, _ in cli_lines] == [row for row, _ in api_lines]
        assert report.counts["already-applied"] == sandbox.stats()["enrolments_created"]
        for (_, first), (_, second) in zip(cli_lines, api_lines, strict=True):
            assert second == ("already-applied" if first not in ("invalid", "duplicate") else first)

    def test_config_file_token_file_glob_latest_and_out_dir(
        self, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        exports = tmp_path / "exports"
        exports.mkdir()
        shutil.copy(SAMPLES / "applicants.csv", exports / "applicants-1.csv")
        newest = exports / "applicants-2.csv"
        shutil.copy(SAMPLES / "applicants.csv", newest)
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN)
        token_file.chmod(0o600)
        config = tmp_path / "jobmojito-sync.toml"
        config.write_text(
            f'applicants = "exports/applicants-*.csv"\njobs = "{SAMPLES / "jobs.csv"}"\n'
            f'mapping = "generic"\nlatest = true\nout_dir = "out"\ntoken_file = "token"\n'
            f'base_url = "{sandbox.base_url}"\nyes = true\n'
        )
        monkeypatch.setenv("JOBMOJITO_SYNC_CONFIG", str(config))
        report = run_sync()
        assert report.exit_code == 1
        assert report.results_path.parent == tmp_path / "out"
        assert report.results_path.name.startswith("results-")
        assert report.ledger_path == tmp_path / "out" / "jobmojito-sync.ledger.sqlite"
        with open_ledger(report.ledger_path) as ledger:
            (path, _), _ = ledger.get_run(report.run_id).inputs
        assert Path(path) == newest  # the glob's newest match
        assert sandbox.stats()["enrolments_created"] == report.counts[
            "ai_accept"
        ] + report.counts.get("recruiter_action", 0) + report.counts.get("ai_reject", 0)

    def test_arguments_override_the_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("JOBMOJITO_MAPPING", "greenhouse")  # would refuse these headers
        report = run_sync(
            applicants=SAMPLES / "applicants.csv", mapping="generic", dry_run=True,
            out=tmp_path / "r.csv",
        )  # fmt: skip
        assert report.mapping == "generic"


class TestOneReadPerInput:
    """Each input file is read and hashed once per run, also with --mapping auto."""

    def test_the_applicants_file_is_read_once(
        self, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        reads: list[str] = []
        real = sync.readers.tables._read_bytes

        def counting(path: Path, source: str) -> bytes:
            reads.append(Path(path).name)
            return real(path, source)

        monkeypatch.setattr(sync.readers.tables, "_read_bytes", counting)
        report = run_sync(
            applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv", mapping="auto",
            out=tmp_path / "r.csv", base_url=sandbox.base_url, token=TOKEN, yes=True,
        )  # fmt: skip
        assert report.mapping == "generic"
        assert sorted(reads) == ["applicants.csv", "jobs.csv"]
        with open_ledger(tmp_path / "r.ledger.sqlite") as ledger:
            inputs = dict(ledger.get_run(report.run_id).inputs)
        expected = hashlib.sha256((SAMPLES / "applicants.csv").read_bytes()).hexdigest()
        assert inputs[str(SAMPLES / "applicants.csv")] == expected


class TestChosenMapping:
    """history and report name the mapping auto-detection chose, never 'auto'."""

    def test_history_and_report_show_the_chosen_mapping(
        self, sandbox: RunningSandbox, tmp_path: Path, cli: Cli
    ) -> None:
        report = run_sync(
            applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv",
            out=tmp_path / "r.xlsx", base_url=sandbox.base_url, token=TOKEN, yes=True,
        )  # fmt: skip
        assert report.mapping == "generic"
        ledger = tmp_path / "r.ledger.sqlite"
        assert [run["mapping"] for run in run_history(ledger)] == ["generic"]
        listed = cli("history", "--ledger", str(ledger), "--json")
        assert json.loads(listed.output.splitlines()[0])["mapping"] == "generic"
        rebuilt = tmp_path / "again.xlsx"
        done = cli("report", "--ledger", str(ledger), "--out", str(rebuilt))
        assert done.exit_code == 0, done.output
        from openpyxl import load_workbook

        summary = load_workbook(rebuilt, read_only=True)["Summary"]
        values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
        assert values["mapping"] == "generic"


class TestLogFormatFromTheConfigFile:
    """log_format set in the config file decides how the CLI logs."""

    @pytest.mark.parametrize(("fmt", "is_json"), [("json", True), ("console", False)])
    def test_config_log_format_takes_effect(
        self, tmp_path: Path, cli: Cli, fmt: str, is_json: bool
    ) -> None:
        config = tmp_path / "c.toml"
        config.write_text(f'log_format = "{fmt}"\n')
        done = cli("run", "--config", str(config), "--dry-run", "--mapping", "generic",
                   "--applicants", str(SAMPLES / "applicants.csv"),
                   "--out", str(tmp_path / "r.csv"))  # fmt: skip
        assert done.exit_code == 1, done.output
        log_lines = [ln for ln in done.stderr.splitlines() if "run finished" in ln]
        assert log_lines, done.stderr
        assert all(ln.startswith("{") for ln in log_lines) is is_json


class TestDataFrames:
    """A DataFrame stands for an export; the results come back as one."""

    def test_frame_in_frame_out(self, tmp_path: Path) -> None:
        frame = pd.read_csv(SAMPLES / "applicants.csv", dtype=str, keep_default_na=False)
        jobs = pd.read_csv(SAMPLES / "jobs.csv", dtype=str, keep_default_na=False)
        report = run_sync(
            applicants=frame, jobs=jobs, mapping="generic", dry_run=True, out=tmp_path / "r.csv"
        )
        from_file = run_sync(
            applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv", mapping="generic",
            dry_run=True, out=tmp_path / "f.csv",
        )  # fmt: skip
        assert report.counts == from_file.counts
        results = report.to_dataframe()
        assert isinstance(results, pd.DataFrame)
        assert len(results) == len(frame) == report.rows
        assert list(results["status"]) == [line.status.value for line in from_file.lines]
        assert set(results["source_file"]) == {"applicants (DataFrame)"}
        assert list(results["source_row"]) == [line.source_row for line in from_file.lines]

    def test_frame_cells_read_as_excel_shows_them(self, tmp_path: Path) -> None:
        frame = pd.DataFrame(
            {
                "candidate_name": ["Ana Silva", None],
                "candidate_email": ["ana@example.com", "bo@example.com"],
                "candidate_country_code": ["PT", "DE"],
                "candidate_resume": ["Python developer", "Go developer"],
                "position_name": ["Backend", "Backend"],
                "position_location": ["Berlin", "Berlin"],
                "position_country_code": ["DE", "DE"],
                "mojito_language_code": ["en", "en"],
                "interview_attempts": [2.0, float("nan")],
            }
        )
        report = run_sync(applicants=frame, mapping="generic", dry_run=True, out=tmp_path / "r.csv")
        first, second = report.lines
        assert first.status.value == "dry_run"
        assert second.status.value == "invalid" and "candidate_name" in second.reason
        assert report.lines[0].source_row == 2  # the header counts as row 1, as in a sheet

    def test_results_frame_keeps_missing_http_status_missing(self, tmp_path: Path) -> None:
        report = run_sync(
            applicants=SAMPLES / "applicants.csv", mapping="generic", dry_run=True,
            out=tmp_path / "r.csv",
        )  # fmt: skip
        frame: Any = report.to_dataframe()
        assert str(frame["http_status"].dtype) == "Int64"
        assert frame["http_status"].isna().all()
