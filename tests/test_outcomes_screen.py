"""The outcomes as a person meets them: at a terminal, ``sync.screen``'s outcomes screen
(enrolments by interview status, what was written, the results apart, the files, every
text printed as data); without one, the last log line says the same. ``run
--with-outcomes`` shows them after the run's own outcome, or says why there are none."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SANDBOX_TOKEN
from helpers import Cli, write_applicants

from sync.outcomes.run import OutcomeReport
from sync.run import SyncReport, run_sync
from sync.sandbox import RunningSandbox
from sync.screen import Screen, console

ESC = "\x1b"


def shown(draw: Any) -> str:
    """What ``draw(screen)`` prints on a 100-column console, as text."""
    buffer = io.StringIO()
    draw(Screen(console(file=buffer, width=100, soft_wrap=True)))
    return buffer.getvalue()


def outcome_report(tmp_path: Path, **changes: Any) -> OutcomeReport:
    values: dict[str, Any] = {
        "run_id": "20261130T060000Z-ab12",
        "exit_code": 0,
        "counts": {
            "enrolments": 6,
            "written": 2,
            "changed": 2,
            "not_started": 3,
            "started": 1,
            "completed": 2,
            "unmatched": 1,
        },
        "outcomes_path": tmp_path / "o.xlsx",
        "ledger_path": tmp_path / "l.sqlite",
        "files": [tmp_path / "o.xlsx", tmp_path / "o_lever_import.csv"],
        "layout": "auto",
        "changed_since": "last-run",
    }
    values.update(changes)
    return OutcomeReport(**values)


def sync_report(tmp_path: Path, **changes: Any) -> SyncReport:
    values: dict[str, Any] = {
        "run_id": "20261130T055900Z-cd34", "exit_code": 0, "counts": {"ai_accept": 6},
        "results_path": tmp_path / "results.xlsx", "ledger_path": tmp_path / "l.sqlite",
        "mapping": "lever", "dry_run": False, "rows": 6,
    }  # fmt: skip
    values.update(changes)
    return SyncReport(**values)


class TestOutcomesScreen:
    """The screen counts the enrolments by interview status and names every file."""

    def test_counts_what_was_written_the_results_apart_and_the_files(self, tmp_path: Path) -> None:
        text = shown(lambda screen: screen.outcomes(outcome_report(tmp_path)))
        lines = [" ".join(line.split()) for line in text.splitlines()]
        assert "outcomes 20261130T060000Z-ab12" in lines
        assert "not started yet 3 invited, not begun" in lines
        assert "started 1 begun, not finished" in lines
        assert "completed 2 score and decision on the sheet" in lines
        assert "total 6" in lines
        assert "2 lines written: what changed since the last outcomes run" in lines
        assert any(line.startswith("not matched: 1 results of candidates") for line in lines)
        assert f"outcomes: {tmp_path / 'o_lever_import.csv'}" in lines
        assert not any(line.startswith("exit") for line in lines)  # exit 0 says nothing

    def test_a_stop_and_its_exit_code_are_said(self, tmp_path: Path) -> None:
        report = outcome_report(tmp_path, exit_code=3, aborted="token refused (401)")
        text = shown(lambda screen: screen.outcomes(report))
        assert "stopped: token refused (401)" in text
        assert "exit 3: stopped: the results could not all be read" in text

    def test_file_names_are_printed_as_data(self, tmp_path: Path) -> None:
        hostile = tmp_path / f"o{ESC}]8;;https://evil.example{ESC}\\[bold]x[/bold].xlsx"
        text = shown(lambda screen: screen.outcomes(outcome_report(tmp_path, files=[hostile])))
        assert ESC not in text  # no escape sequence reaches the terminal
        assert "[bold]x[/bold]" in text  # markup printed as typed, not applied

    def test_a_run_with_outcomes_shows_them_after_its_own_outcome(self, tmp_path: Path) -> None:
        report = sync_report(tmp_path, outcomes=outcome_report(tmp_path))
        text = shown(lambda screen: screen.outcome(report))
        assert text.index("results: ") < text.index("outcomes 20261130T060000Z-ab12")
        assert "2 lines written" in text

    def test_a_run_whose_outcomes_failed_says_why(self, tmp_path: Path) -> None:
        report = sync_report(
            tmp_path, exit_code=3, outcomes_note="none written: the results could not be read"
        )
        text = shown(lambda screen: screen.outcome(report))
        assert "outcomes: none written: the results could not be read" in text
        assert "exit 3:" in text


@pytest.fixture
def enrolled(sandbox: RunningSandbox, tmp_path: Path) -> Path:
    """Four candidates enrolled in the sandbox by a real run; the ledger's path."""
    ledger = tmp_path / "l.sqlite"
    report = run_sync(
        applicants=write_applicants(tmp_path / "applicants.csv", 4),
        mapping="generic",
        out=tmp_path / "first.xlsx",
        ledger=ledger,
        base_url=sandbox.base_url,
        token=SANDBOX_TOKEN,
        yes=True,
    )
    assert report.exit_code == 0
    return ledger


def last_log_line(stderr: str) -> dict[str, Any]:
    return dict(json.loads(stderr.strip().splitlines()[-1]))


class TestWithoutATerminal:
    """Without a terminal (cron), the last log line is the outcome, with the files."""

    def test_the_outcomes_command_ends_with_one_log_line(
        self, cli: Cli, sandbox: RunningSandbox, enrolled: Path, tmp_path: Path
    ) -> None:
        env = {"JOBMOJITO_TOKEN": SANDBOX_TOKEN, "JOBMOJITO_BASE_URL": sandbox.base_url}
        done = cli("--log-format", "json", "outcomes", "--ledger", str(enrolled),
                   "--out", "o.csv", env=env)  # fmt: skip
        assert done.exit_code == 0, done.stderr
        last = last_log_line(done.stderr)
        assert last["event"] == "outcomes"
        assert last["headline"] == "4 lines written: every enrolment"
        assert last["files"][0] == "o.csv" and last["not_matched"] == 0
        assert SANDBOX_TOKEN not in done.stderr and "person000@" not in done.stderr

    def test_run_with_outcomes_sends_with_yes_and_names_the_outcomes(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", 3)
        env = {"JOBMOJITO_TOKEN": SANDBOX_TOKEN, "JOBMOJITO_BASE_URL": sandbox.base_url}
        done = cli("--log-format", "json", "run", "--applicants", "applicants.csv",
                   "--mapping", "generic", "--out", "r.xlsx", "--with-outcomes", "--yes",
                   env=env)  # fmt: skip
        assert done.exit_code == 0, done.stderr
        last = last_log_line(done.stderr)
        assert last["event"] == "outcome" and last["outcomes"] == ["r.outcomes.xlsx"]
        assert (tmp_path / "r.outcomes.xlsx").is_file()
