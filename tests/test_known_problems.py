"""Known problems do not alarm every night: the ledger remembers each problem row's
fingerprint, and with ``--fail-on new`` only a problem no earlier run reported exits 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Store
from helpers import APPLICANT_COLUMNS, Cli, applicant, read_sheet, write_applicants, write_export
from openpyxl import load_workbook

from sync.airflow.options import task_verdict
from sync.dispatch.settings import RowOutcome
from sync.ledger import Ledger, open_ledger
from sync.ledger import schema as ledger_schema
from sync.options import SyncOptions
from sync.plan import problem_fingerprint
from sync.records import PlannedRow, ResultLine, Row, Status
from sync.results import rebuild_results
from sync.run import prepare
from sync.sandbox import RunningSandbox
from sync.send import outcome_line


@pytest.fixture
def token(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JOBMOJITO_TOKEN", sandbox.token)
    return sandbox.token


def statuses(sheet: Path) -> dict[str, str]:
    return {line["candidate_name"]: line["status"] for line in read_sheet(sheet)}


class Nights:
    """Nightly runs into one --out-dir (one ledger), each with its own sheet."""

    def __init__(self, cli: Cli, sandbox: RunningSandbox, folder: Path) -> None:
        self.cli, self.sandbox, self.folder = cli, sandbox, folder
        self.out = folder / "out"

    def run(self, *flags: str, bad: int = 1, dry_run: bool = False) -> tuple[int, Path]:
        write_applicants(self.folder / "a.csv", names=["Ana", "Bo"], bad=bad)
        before = set(self.out.glob("results-*.xlsx")) if self.out.exists() else set()
        done = self.cli("run", "--applicants", "a.csv", "--mapping", "generic", "--out-dir",
                        str(self.out), "--base-url", self.sandbox.base_url, "--yes",
                        *(["--dry-run"] if dry_run else []), *flags)  # fmt: skip
        assert done.exit_code in (0, 1), done.stderr
        (sheet,) = set(self.out.glob("results-*.xlsx")) - before
        return done.exit_code, sheet


@pytest.fixture
def nights(cli: Cli, sandbox: RunningSandbox, tmp_path: Path, token: str) -> Nights:
    return Nights(cli, sandbox, tmp_path)


def summary_of(sheet: Path) -> dict[Any, Any]:
    rows = load_workbook(sheet)["Summary"].iter_rows(values_only=True)
    return {r[0]: r[1] for r in rows if r[0]}


class TestNights:
    """The same bad row two nights running pages once; a new bad row pages again."""

    def test_first_night_1_second_night_0_new_bad_row_1(
        self, nights: Nights, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """On either ledger store (a URL with its password goes in the environment)."""
        ledger: tuple[str, ...] = ("--ledger", store.argv)
        if store.kind == "postgresql":
            monkeypatch.setenv("JOBMOJITO_LEDGER_URL", store.argv)
            ledger = ()
        code, first = nights.run(*ledger)
        assert code == 1
        assert statuses(first)["Bad 0"] == "invalid"

        code, second = nights.run(*ledger)
        assert code == 0  # --out-dir: --fail-on new by default
        shown = statuses(second)
        assert shown["Bad 0"].startswith("invalid (known since 20")
        assert shown["Ana"] == shown["Bo"] == "skipped"
        summary = summary_of(second)
        assert summary["problems earlier runs reported"] == 1
        assert summary["invalid"] == 1  # still counted as what it is
        assert summary["exit meaning"].startswith("finished; the only problems are ones earlier")

        code, third = nights.run(*ledger, bad=2)
        assert code == 1
        shown = statuses(third)
        assert shown["Bad 0"].startswith("invalid (known since")
        assert shown["Bad 1"] == "invalid"
        assert store.peek("SELECT runs FROM problems ORDER BY runs") == [(1,), (3,)]
        assert not (nights.out / "jobmojito-sync.ledger.sqlite").exists()

    def test_fail_on_any_pages_every_night(self, nights: Nights) -> None:
        assert nights.run()[0] == 1
        code, second = nights.run("--fail-on", "any")
        assert code == 1
        assert statuses(second)["Bad 0"].startswith("invalid (known since")

    def test_a_run_by_hand_fails_on_any_problem(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path, token: str
    ) -> None:
        write_applicants(tmp_path / "a.csv", names=["Ana"], bad=1)
        args = ("run", "--applicants", "a.csv", "--mapping", "generic", "--out", "r.xlsx",
                "--base-url", sandbox.base_url, "--yes")  # fmt: skip
        assert cli(*args).exit_code == 1
        assert cli(*args).exit_code == 1
        assert statuses(tmp_path / "r.xlsx")["Bad 0"].startswith("invalid (known since")
        assert cli(*args, "--fail-on", "new").exit_code == 0

    def test_a_dry_run_knows_the_ledgers_problems(self, nights: Nights) -> None:
        nights.run()
        code, sheet = nights.run(dry_run=True)
        assert code == 0
        assert statuses(sheet)["Bad 0"].startswith("invalid (known since")

    def test_the_report_rebuilt_from_the_ledger_keeps_the_mark(
        self, nights: Nights, tmp_path: Path
    ) -> None:
        nights.run()
        nights.run()
        ledger = nights.out / "jobmojito-sync.ledger.sqlite"
        with open_ledger(ledger) as opened:
            first, second = [r.run_id for r in reversed(opened.runs())]
        rebuilt = rebuild_results(ledger, tmp_path / "second.csv", run_id=second)
        assert statuses(rebuilt)["Bad 0"].startswith("invalid (known since")
        rebuilt = rebuild_results(ledger, tmp_path / "first.csv", run_id=first)
        assert statuses(rebuilt)["Bad 0"] == "invalid"  # it was new that night


class TestFingerprints:
    """The same problem has the same fingerprint wherever its row moves; another does not."""

    def prepare(self, folder: Path, rows: list[list[str]], extra: list[str]) -> dict[str, str]:
        path = write_export(folder / "a.csv", [*APPLICANT_COLUMNS, "Days in current phase"],
                            [[*r, e] for r, e in zip(rows, extra, strict=True)])  # fmt: skip
        opts = SyncOptions(applicants=path, mapping="generic", dry_run=True)
        return {
            str(p.payload.get("candidate_name")): p.fingerprint
            for p in prepare(opts).planned
            if p.status is Status.INVALID
        }

    def test_moves_and_unread_columns_do_not_change_it(self, tmp_path: Path) -> None:
        bad = applicant("Bad", "bad@")
        good = applicant("Ana", "ana@example.com")
        first = self.prepare(tmp_path, [bad, good], ["3", "3"])
        again = self.prepare(tmp_path, [good, good, bad], ["4", "4", "4"])  # a day later
        assert first == again and first["Bad"]

    def test_another_problem_is_another_fingerprint(self, tmp_path: Path) -> None:
        bad = applicant("Bad", "bad@")
        first = self.prepare(tmp_path, [bad], ["3"])
        bad_country = [*bad[:2], "Atlantis", *bad[3:]]
        other = self.prepare(tmp_path, [bad_country], ["3"])
        assert first["Bad"] != other["Bad"]

    def test_a_rejection_has_one(self) -> None:
        row = PlannedRow(0, Row("a.csv", 2, {}), {"candidate_email": "a@b.c"}, "a@b.c/x")
        line = outcome_line(row, RowOutcome(Status.REJECTED, reason="422", http_status=422))
        assert line.fingerprint == problem_fingerprint(Status.REJECTED, row.payload, ["HTTP 422"])
        ok = outcome_line(row, RowOutcome(Status.AI_ACCEPT, http_status=200))
        assert ok.fingerprint == ""


def invalid(fingerprint: str) -> ResultLine:
    return ResultLine("a.csv", 2, "A", "a@x", "", Status.INVALID, "bad", fingerprint=fingerprint)


def start(ledger: Ledger) -> str:
    return ledger.start_run(inputs=[], mapping="m", dry_run=False, tool_version="0",
                            results_path="r.xlsx")  # fmt: skip


class TestLedger:
    """Schema version 3 remembers problems, in both stores (the queries are written once);
    an older ledger is migrated in place."""

    def test_a_version_2_ledger_is_migrated(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(ledger_schema, "MIGRATIONS", ledger_schema.MIGRATIONS[:2])
        monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", 2)
        store.open().close()
        store.peek(
            "INSERT INTO rows (run_id, row_index, source_file, source_row, candidate_name,"
            " candidate_email, position, identity, state) VALUES ('old', 0, 'a.csv', 2, 'A',"
            " 'a@x', '', '', 'done')"
        )
        monkeypatch.undo()
        with store.open() as ledger:
            assert ledger.known_problems(["abc"]) == {}
        (version,) = store.peek("SELECT value FROM meta WHERE key = 'schema_version'")[0]
        assert int(version) == ledger_schema.SCHEMA_VERSION
        assert store.peek("SELECT candidate_name, fingerprint FROM rows") == [("A", "")]
        assert store.peek("SELECT count(*) FROM problems") == [(0,)]

    def test_problems_are_remembered_once_per_run(self, store: Store) -> None:
        with store.open() as ledger:
            first = start(ledger)
            ledger.record_plan(first, [invalid("f1"), invalid("f1")], [False, False])
            ledger.record_problems(first)
            ledger.record_problems(first)
            ledger.finish_run(first, exit_code=1, counts={"invalid": 2})
            known = ledger.known_problems(["f1", "f2", ""])
            assert list(known) == ["f1"]
            assert [ln.known_since for ln in ledger.result_lines(first)] == ["", ""]
            second = start(ledger)
            ledger.record_plan(second, [invalid("f1"), invalid("f2")], [False, False])
            ledger.record_problems(second)
            lines = ledger.result_lines(second)
            assert [ln.known_since for ln in lines] == [known["f1"], ""]
            assert [ln.fingerprint for ln in lines] == ["f1", "f2"]
            ledger.finish_run(second, exit_code=1, counts={"invalid": 2})
        remembered = store.peek(
            "SELECT fingerprint, runs, first_run_id, last_run_id FROM problems ORDER BY fingerprint"
        )
        assert remembered == [("f1", 2, first, second), ("f2", 1, second, second)]

    def test_an_outcome_keeps_its_fingerprint(self, store: Store) -> None:
        """A row refused by the API gets its fingerprint when its outcome is recorded."""
        pending = ResultLine("a.csv", 2, "A", "a@x", "", Status.NOT_SENT, identity="a@x/p")
        with store.open() as ledger:
            run = start(ledger)
            ledger.record_plan(run, [pending], [True])
            attempt = ledger.begin_attempt(run, 0)
            ledger.finish_attempt(attempt, http_status=422, outcome="rejected")
            refused = ResultLine("a.csv", 2, "A", "a@x", "", Status.REJECTED, "HTTP 422",
                                 http_status=422, identity="a@x/p", fingerprint="r1")  # fmt: skip
            ledger.record_outcome(run, 0, refused)
            ledger.record_problems(run)
            ledger.finish_run(run, exit_code=1, counts={"rejected": 1})
            assert list(ledger.known_problems(["r1"])) == ["r1"]
            [line] = ledger.result_lines(run)
        assert (line.status, line.fingerprint, line.known_since) == (Status.REJECTED, "r1", "")


class TestAirflowVerdict:
    """The task fails on new problems only when it runs with fail_on new (its default)."""

    @staticmethod
    def report(problems: int, new: int, fail_on: str) -> dict[str, Any]:
        return {"exit_code": 1, "rows": 100, "problems": problems, "new_problems": new,
                "fail_on": fail_on, "counts": {"invalid": problems}}  # fmt: skip

    def test_new_problems_under_the_share(self) -> None:
        assert task_verdict(self.report(problems=30, new=2, fail_on="new"), 0.05) is None

    def test_new_problems_over_the_share(self) -> None:
        verdict = task_verdict(self.report(problems=30, new=10, fail_on="new"), 0.05)
        assert verdict is not None and "10 of 100 rows (10.0%) are newly invalid" in verdict

    def test_any_counts_every_problem(self) -> None:
        verdict = task_verdict(self.report(problems=30, new=2, fail_on="any"), 0.05)
        assert verdict is not None and "30 of 100 rows" in verdict
