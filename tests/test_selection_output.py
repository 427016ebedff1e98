"""What a person and a log see of the selection and of known problems: the preview screen,
the log line without a screen, the outcome screen, the workbook's Statuses, Problems and
Summary sheets, and where the options' defaults are resolved."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import APPLICANT_COLUMNS, Cli, applicant, write_applicants, write_export
from openpyxl import load_workbook
from test_results import line, summary

from sync.errors import UsageError
from sync.options import SyncOptions
from sync.records import Status
from sync.resolve import resolve_options
from sync.results import write_results
from sync.run import prepare
from sync.sandbox import RunningSandbox
from sync.screen import Screen, console

CONDITION = "status not in rejected, hired, withdrawn, archived, disqualified"


def export(path: Path, rows: list[tuple[str, str]]) -> Path:
    """Generic columns plus ``status``: one (name, status) per row."""
    header = [*APPLICANT_COLUMNS, "status"]
    cells = [[*applicant(n, f"{n.lower()}@example.com"), s] for n, s in rows]
    return write_export(path, header, cells)


def screen_text(draw: Any) -> str:
    out = io.StringIO()
    draw(Screen(console(file=out, width=100, soft_wrap=True)))
    return out.getvalue()


@pytest.fixture
def token(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JOBMOJITO_TOKEN", sandbox.token)
    return sandbox.token


class TestPreviewScreen:
    """The preview says what the selection kept and each condition's rows, before the plan's
    counts; a run without a condition says nothing of a selection."""

    def test_selection_before_the_rows(self, tmp_path: Path) -> None:
        path = export(tmp_path / "a.csv", [("Ana", "active"), ("Bo", "Hired"), ("Cy", "rejected")])
        prepared = prepare(SyncOptions(applicants=path, mapping="generic", dry_run=True))
        text = screen_text(lambda screen: screen.preview(prepared))
        assert "selection: 1 of 3 rows selected, 2 excluded" in text
        assert f"      2  {CONDITION}" in text
        assert "rows: 3 in a.csv — 2 excluded by condition, 1 would be sent (dry run" in text
        assert text.index("selection:") < text.index("rows:")

    def test_no_condition_no_selection_line(self, tmp_path: Path) -> None:
        path = write_applicants(tmp_path / "a.csv", names=["Ana"])  # no status column
        prepared = prepare(SyncOptions(applicants=path, mapping="generic", dry_run=True))
        text = screen_text(lambda screen: screen.preview(prepared))
        assert "selection:" not in text and "rows: 1 in a.csv" in text


class TestWithoutAScreen:
    """Cron has no screen: the selection is a log line of its own, and the outcome line's
    headline counts the excluded rows."""

    @pytest.mark.usefixtures("token")
    def test_a_live_run_logs_the_selection(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        export(tmp_path / "a.csv", [("Ana", "active"), ("Bo", "hired")])
        done = cli("run", "--applicants", "a.csv", "--mapping", "generic", "--out", "r.xlsx",
                   "--base-url", sandbox.base_url, "--yes")  # fmt: skip
        assert done.exit_code == 0, done.stderr[-2000:]
        events = {e["event"]: e for e in map(json.loads, done.stderr.splitlines())}
        selection = events["selection"]
        assert (selection["selected"], selection["of"]) == (1, 2)
        assert selection["excluded_by_condition"] == {CONDITION: 1}
        assert "1 excluded by condition" in events["outcome"]["headline"]


class TestOutcomeScreen:
    """The outcome says how many problems an earlier run reported, and whether they count."""

    @pytest.mark.usefixtures("token")
    def test_a_dry_run_after_a_night_names_the_known_problem(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "a.csv", names=["Ana"], bad=1)
        common = ("--applicants", "a.csv", "--mapping", "generic", "--ledger", "l.sqlite")
        first = cli("run", *common, "--out", "r.xlsx", "--base-url", sandbox.base_url, "--yes")
        assert first.exit_code == 1
        again = cli("run", *common, "--out", "d.xlsx", "--dry-run", "--fail-on", "new")
        assert again.exit_code == 0, again.stderr[-2000:]
        assert (
            "known: 1 of the problem rows was reported by an earlier run (--fail-on new: only"
            " new ones make the exit code 1)"
        ) in " ".join(again.stderr.split())


class TestWorkbook:
    """The workbook's own sheets know the excluded status and the known problem."""

    def test_statuses_sheet_explains_excluded_in_its_colour(self, tmp_path: Path) -> None:
        lines = [line(0), line(1, Status.EXCLUDED, reason="status is 'Hired'")]
        out = write_results(tmp_path / "r.xlsx", lines, summary(exit_code=0))
        rows = list(load_workbook(out)["Statuses"].iter_rows())
        [excluded] = [r for r in rows if r[0].value == "excluded"]
        assert [c.value for c in excluded[1:3]] == ["no", 1]
        assert "select:" in excluded[3].value and "not a problem" in excluded[3].value
        assert excluded[0].fill.fgColor.rgb == "FFF2F2F2"
        head = load_workbook(out)["Summary"]["A2"].value
        assert "1 excluded by condition" in head

    def test_a_known_problem_is_amber_on_results_and_problems(self, tmp_path: Path) -> None:
        known = line(0, Status.INVALID, reason="candidate_email: bad", known_since="2026-11-29T01")
        new = line(1, Status.INVALID, reason="candidate_email: bad")
        out = write_results(tmp_path / "r.xlsx", [known, new], summary())
        book = load_workbook(out)
        for sheet in ("Results", "Problems"):
            rows = list(book[sheet].iter_rows())
            col = [c.value for c in rows[0]].index("status")
            cells = {r[col].value: r[col].fill.fgColor.rgb for r in rows[1:]}
            assert cells == {"invalid (known since 2026-11-29)": "FFFFEB9C", "invalid": "FFFFC7CE"}

    def test_results_problems_still_counts_every_row(self, tmp_path: Path) -> None:
        lines = [line(0), line(1, Status.EXCLUDED), line(2, Status.DUPLICATE, reason="row 2")]
        out = write_results(tmp_path / "r.xlsx", lines, summary(results="problems"))
        book = load_workbook(out)
        assert [r[0] for r in book["Results"].iter_rows(min_row=2, values_only=True)] == [
            "applicants.csv"
        ]  # the duplicate only: it needs a person, as on the Problems sheet
        assert book["Problems"].max_row == 2
        statuses = {r[0]: r[2] for r in book["Statuses"].iter_rows(min_row=2, values_only=True)}
        assert (statuses["ai_accept"], statuses["excluded"], statuses["duplicate"]) == (1, 1, 1)


class TestResolve:
    """sync.resolve decides what the model leaves open: --fail-on's default and the
    environment's JSON list of conditions."""

    @pytest.fixture
    def applicants(self, tmp_path: Path) -> Path:
        return write_applicants(tmp_path / "a.csv", names=["Ana"])

    @pytest.mark.parametrize(
        ("arguments", "scheduled", "expected"),
        [
            ({}, False, "any"),  # by hand
            ({"out_dir": "out"}, False, "new"),  # cron
            ({}, True, "new"),  # the Airflow task
            ({"out_dir": "out", "fail_on": "any"}, True, "any"),  # said: kept
        ],
    )
    def test_fail_on_default(
        self, applicants: Path, arguments: dict[str, Any], scheduled: bool, expected: str
    ) -> None:
        options = resolve_options({"applicants": applicants, **arguments}, scheduled=scheduled)
        assert options.fail_on == expected

    def test_a_broken_json_list_names_the_variable(
        self, applicants: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("JOBMOJITO_WHERE", '["Stage = A", ')
        with pytest.raises(UsageError, match=r"^environment JOBMOJITO_WHERE: not a JSON list"):
            resolve_options({"applicants": applicants})

    def test_a_bad_condition_in_the_list_is_one_line(
        self, applicants: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("JOBMOJITO_WHERE", '["Stage = A", "Stage ?? B"]')
        with pytest.raises(UsageError, match=r"^environment JOBMOJITO_WHERE: ") as caught:
            resolve_options({"applicants": applicants})
        assert "\n" not in str(caught.value) and "Value error" not in str(caught.value)
