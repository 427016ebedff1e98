"""The positions step keeps every rule an enrolment run keeps.

Nothing is sent without a yes (no terminal and no ``--yes``: exit 2; a "no":
exit 4), for ``positions`` and for ``run --create-positions`` alike, and a
declined positions step enrols nobody. The positions live in whichever ledger
the run uses, SQLite or PostgreSQL (the suite's real server). The positions
sheet is a workbook like the results sheet: its Statuses sheet and headline in
a job's words, the previous sheet kept, the recruiter links left out on request.
An output that would overwrite another is refused before anything is sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Store
from helpers import SAMPLES, Cli, read_sheet
from openpyxl import load_workbook
from pydantic import SecretStr

from sync.errors import Declined
from sync.positions.run import PositionsHooks, sync_positions
from sync.results.sheets import POSITION_COLUMNS
from sync.results.statuses import JOB_GUIDE
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig

TOKEN = "positions-rules-token-77c1"
TEMPLATE = "Emma — Interviewer (English)"


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(token=TOKEN, seed=11)


def positions_args(sandbox: RunningSandbox, tmp_path: Path, *more: str) -> list[str]:
    return ["positions", "--jobs", str(SAMPLES / "jobs.csv"), "--mapping", "generic",
            "--template", TEMPLATE, "--base-url", sandbox.base_url,
            "--ledger", str(tmp_path / "l.sqlite"), *more]  # fmt: skip


def run_args(sandbox: RunningSandbox, tmp_path: Path, *more: str) -> list[str]:
    return ["run", "--applicants", str(SAMPLES / "applicants.csv"), "--jobs",
            str(SAMPLES / "jobs.csv"), "--mapping", "generic", "--create-positions",
            "--template", TEMPLATE, "--base-url", sandbox.base_url,
            "--out", str(tmp_path / "results.xlsx"), *more]  # fmt: skip


def options(sandbox: RunningSandbox, tmp_path: Path, **more: Any) -> dict[str, Any]:
    return {
        "applicants": SAMPLES / "applicants.csv",
        "jobs": SAMPLES / "jobs.csv",
        "mapping": "generic",
        "base_url": sandbox.base_url,
        "token": SecretStr(TOKEN),
        "template": TEMPLATE,
        "out": tmp_path / "results.xlsx",
        "rate": 500.0,
        **more,
    }


class TestNothingSentUnasked:
    """No terminal and no --yes stops before the first interview; a "no" sends nothing."""

    def test_positions_without_yes_and_without_a_terminal(self, sandbox, tmp_path, cli: Cli):
        done = cli(*positions_args(sandbox, tmp_path), env={"JOBMOJITO_TOKEN": TOKEN})
        assert done.exit_code == 2, done.output
        assert "nothing sent: 6 interviews are ready to send to" in done.stderr
        assert "add --yes" in done.stderr
        assert sandbox.stats()["positions_created"] == 0

    def test_run_create_positions_without_yes_stops_at_the_positions_step(
        self, sandbox, tmp_path, cli: Cli
    ):
        done = cli(*run_args(sandbox, tmp_path), env={"JOBMOJITO_TOKEN": TOKEN})
        assert done.exit_code == 2, done.output
        assert "6 interviews are ready" in done.stderr
        stats = sandbox.stats()
        assert stats["positions_created"] == 0 and stats["enrolments_created"] == 0

    def test_a_declined_positions_step_enrols_nobody(self, sandbox, tmp_path):
        asked: list[int] = []

        def no(prepared: Any) -> bool:
            asked.append(len(prepared.to_send))
            return False

        with pytest.raises(Declined, match="nothing sent"):
            run_sync(
                **options(sandbox, tmp_path, create_positions=True, yes=True),
                positions=PositionsHooks(confirm=no),
            )
        assert asked == [6]
        stats = sandbox.stats()
        assert stats["positions_created"] == 0 and stats["enrolments_created"] == 0

    def test_with_yes_both_steps_run_and_the_log_tells_both(self, sandbox, tmp_path, cli: Cli):
        done = cli(
            "--log-format", "json", *run_args(sandbox, tmp_path, "--yes"),
            env={"JOBMOJITO_TOKEN": TOKEN},
        )  # fmt: skip
        assert done.exit_code == 1, done.output  # the samples hold bad rows on purpose
        events = [json.loads(ln) for ln in done.stderr.splitlines() if ln.startswith("{")]
        (outcome,) = [e for e in events if e["event"] == "outcome"]
        assert outcome["positions"] == "6 interviews made: 6 created"
        assert outcome["positions_sheet"] == str(tmp_path / "results.positions.xlsx")
        assert outcome["headline"].startswith("32 sent:")
        stats = sandbox.stats()
        assert stats["positions_created"] == 6
        assert stats["positions_found_by"] == {"position_def_set_id": 32}


class TestEitherLedger:
    """The positions a run makes are in its ledger, SQLite or PostgreSQL, and reused."""

    def test_made_once_then_reused(self, sandbox, tmp_path, store: Store):
        first = run_sync(**options(sandbox, tmp_path, create_positions=True, yes=True,
                                   ledger=store.argv))  # fmt: skip
        assert first.positions is not None and first.positions.counts == {"created": 6}
        with store.open() as ledger:
            known = ledger.positions()
        assert sorted(known) == [f"JOB-{n}" for n in range(101, 107)]
        assert all(p.interview_def_set_id and p.link for p in known.values())
        second = run_sync(**options(sandbox, tmp_path, create_positions=True, yes=True,
                                    ledger=store.argv, out=tmp_path / "again.xlsx"))  # fmt: skip
        assert second.positions is not None and second.positions.counts == {"skipped": 6}
        assert sandbox.stats()["positions_created"] == 6
        assert store.peek("SELECT count(*) FROM positions") == [(6,)]


class TestThePositionsWorkbook:
    """One line per job, and the guide, the headline and the kept sheet of a results sheet."""

    def test_sheets_in_a_jobs_words(self, sandbox, tmp_path):
        out = tmp_path / "positions.xlsx"
        common = options(sandbox, tmp_path, yes=True, ledger=tmp_path / "l.sqlite")
        del common["applicants"], common["out"]
        sync_positions(out=out, **common)
        book = load_workbook(out, read_only=True)
        try:
            assert book.sheetnames == ["Results", "Problems", "Summary", "Statuses"]
            header = next(book["Results"].iter_rows(values_only=True))
            assert header == tuple(h for h, _ in POSITION_COLUMNS)
            statuses = [r[0] for r in book["Statuses"].iter_rows(min_row=2, values_only=True)]
            assert statuses == [s.value for s in JOB_GUIDE]
            summary = [r[0] for r in book["Summary"].iter_rows(max_row=2, values_only=True)]
            assert summary[1] == "6 interviews made: 6 created"
        finally:
            book.close()

        again = sync_positions(out=out, interview_links="omit", **common)
        assert again.counts == {"skipped": 6}
        assert again.previous_results == tmp_path / "positions.1.xlsx"
        assert read_sheet(tmp_path / "positions.1.xlsx")[0]["status"] == "created"
        lines = read_sheet(out)
        assert "recruiter_link" not in lines[0] and lines[0]["interview_def_set_id"]


class TestOutputsChecked:
    """Sheets that would overwrite each other or an input are refused before sending."""

    def test_positions_out_equal_to_out_is_refused(self, sandbox, tmp_path, cli: Cli):
        same = str(tmp_path / "results.xlsx")
        done = cli(
            *run_args(sandbox, tmp_path, "--yes", "--positions-out", same),
            env={"JOBMOJITO_TOKEN": TOKEN},
        )
        assert done.exit_code == 2, done.output
        assert "would overwrite each other" in done.stderr
        assert sandbox.stats()["positions_created"] == 0

    def test_positions_out_equal_to_the_jobs_export_is_refused(self, sandbox, tmp_path, cli: Cli):
        jobs = tmp_path / "jobs.csv"
        jobs.write_bytes((SAMPLES / "jobs.csv").read_bytes())
        args = positions_args(sandbox, tmp_path, "--yes", "--out", str(jobs))
        args[args.index("--jobs") + 1] = str(jobs)
        done = cli(*args, env={"JOBMOJITO_TOKEN": TOKEN})
        assert done.exit_code == 2, done.output
        assert "the run would overwrite its own input" in done.stderr
        assert jobs.read_bytes() == (SAMPLES / "jobs.csv").read_bytes()


class TestTheDemoScreen:
    """``make demo``'s golden screen (tests/test_demo_screen.py) shows the positions first."""

    def test_positions_before_the_candidates_and_in_the_outcome(self) -> None:
        text = (Path(__file__).parent / "golden" / "demo_screen.txt").read_text(encoding="utf-8")
        assert text.index("positions: 6 jobs in jobs.csv") < text.index("rows: 37 in applicants")
        assert "positions: 6 interviews made: 6 created — positions.xlsx" in text
        assert "sandbox: 6 positions and 32 enrolments created by the first run" in text
        assert "positions: no interview made; 6 made by an earlier run (skipped)" in text
