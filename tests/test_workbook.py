"""The results workbook a recruiter forwards (issue 14): Statuses and Problems sheets, column
widths, every status coloured, a plain-words Summary without local paths, the position's
title and id apart, links left out on request, and a previous sheet never overwritten."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import SecretStr
from test_results import line as results_line
from test_results import summary as results_summary

from sync.records import ResultLine, RunSummary, Status
from sync.results import STATUS_GUIDE, keep_previous, read_results, write_results
from sync.results.guides import NO_PROBLEMS, PROBLEM_COLUMNS, STATUS_COLUMNS
from sync.results.sheets import MAX_WIDTH, STATUS_COLOURS
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
TOKEN = "workbook-test-token-77a1"
URL = "https://app.jobmojito.com/interview/6f1c2a9e-6d0b-4e8a-9a57-0c2b1f3e4d5a?token=Zx8"


def line(i: int, status: Status = Status.AI_ACCEPT, **changes: Any) -> ResultLine:
    """test_results' line, for a Lever-like position: a title, and a job id in the identity."""
    lever = {
        "position": "Senior Backend Engineer",
        "interview_url": URL + str(i),
        "identity": f"c{i}@example.com/ext:b1f40120-0000-4000-8000-00000000000{i % 10}",
        "position_def_set_id": "",
        "profile_interview_id": "",
    }
    return results_line(i, status, **{**lever, **changes})


def summary(**changes: Any) -> RunSummary:
    """test_results' summary, its inputs and notes naming local folders."""
    local = {
        "inputs": [("/home/ana/Downloads/applicants.csv", "ab" * 32)],
        "notes": ["rebuilt from the ledger /home/ana/runs/results.ledger.sqlite; run state: done"],
        "mapping": "lever",
    }
    return results_summary(**{**local, **changes})


def rows_of(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    wb = load_workbook(path)
    try:
        return [tuple(c for c in row) for row in wb[sheet].iter_rows()]
    finally:
        wb.close()


def widths(path: Path, sheet: str) -> dict[str, float]:
    """Column letter -> width, ranges of equal columns expanded (``<col min=7 max=8>``)."""
    wb = load_workbook(path)
    out: dict[str, float] = {}
    for dim in wb[sheet].column_dimensions.values():
        for index in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
            out[get_column_letter(index)] = dim.width
    wb.close()
    return out


def all_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))


BAD_EMAIL_1 = "candidate_email: 'ann@' is not a valid e-mail address (there must be more)"
BAD_EMAIL_2 = "candidate_email: 'bo@@x' is not a valid e-mail address (only one @-sign)"
NO_FILE = "candidate_resume: file 'cv4.pdf' not found in cvs.zip"
NO_ANSWER = "HTTP 503 after 6 attempts; not enrolled — the next run sends it again"


def problem_lines() -> list[ResultLine]:
    return [
        line(0),
        line(1, Status.INVALID, reason=BAD_EMAIL_1),
        line(2, Status.RECRUITER_ACTION),
        line(3, Status.INVALID, reason=BAD_EMAIL_2),
        line(4, Status.INVALID, reason=NO_FILE),
        line(5, Status.FAILED, reason=NO_ANSWER),
        line(6, Status.DUPLICATE, reason="same candidate and position as row 2 of applicants.csv"),
        line(7, Status.AI_REJECT),
    ]


class TestStatusesSheet:
    """Every status in plain words: sent or not, what it means, what to do, and its count."""

    def test_every_status_explained_once(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", problem_lines(), summary())
        rows = rows_of(out, "Statuses")
        assert tuple(c.value for c in rows[0]) == STATUS_COLUMNS
        by_status = {r[0].value: r for r in rows[1:]}
        # A candidates' workbook explains a candidate's statuses (a job's: JOB_GUIDE).
        assert list(by_status) == [s.value for s in Status if not s.is_position_outcome]
        for status, row in by_status.items():
            guide = STATUS_GUIDE[Status(status)]
            assert row[1].value == ("yes" if guide.sent else "no")
            assert row[3].value == guide.meaning and len(guide.meaning) > 30
            assert row[4].value == guide.todo and row[4].alignment.wrap_text
        assert by_status["invalid"][2].value == 3
        assert by_status["dry_run"][2].value == 0

    def test_the_questions_a_recruiter_asks_are_answered(self) -> None:
        assert "Do not send the interview_url" in STATUS_GUIDE[Status.AI_REJECT].todo
        assert "recruiter" in STATUS_GUIDE[Status.RECRUITER_ACTION].meaning
        assert "Run again" in STATUS_GUIDE[Status.FAILED].todo
        assert "already-applied" in STATUS_GUIDE[Status.FAILED].todo


class TestProblemsSheet:
    """Only the rows that need a person, grouped by cause (largest first), with the fix."""

    def test_grouped_rows_with_cause_and_fix(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", problem_lines(), summary())
        rows = rows_of(out, "Problems")
        assert tuple(c.value for c in rows[0]) == PROBLEM_COLUMNS
        got = [dict(zip(PROBLEM_COLUMNS, (c.value for c in r), strict=True)) for r in rows[1:]]
        assert [g["source_row"] for g in got] == [3, 5, 6, 7, 8]  # the e-mail pair first
        assert {g["status"] for g in got} == {"invalid", "failed", "duplicate"}
        email = [g for g in got if g["source_row"] in (3, 5)]
        assert {g["cause"] for g in email} == {"candidate_email is not a valid e-mail address"}
        assert "e-mail address" in str(email[0]["what to do"])
        resume = next(g for g in got if g["source_row"] == 6)
        assert resume["cause"] == "candidate_resume: file '…' not found in cvs.zip"
        assert "--resumes" in str(resume["what to do"])
        failed = next(g for g in got if g["source_row"] == 7)
        assert failed["cause"] == "no answer: HTTP 503" and "Run again" in str(failed["what to do"])
        assert all(g["reason"] for g in got if g["status"] != "duplicate") and all(
            g["what to do"] for g in got
        )

    def test_a_clean_run_says_so(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", [line(0), line(1)], summary(exit_code=0))
        rows = rows_of(out, "Problems")
        assert rows[1][0].value == NO_PROBLEMS and len(rows) == 2


class TestColumnsAndColours:
    """Columns are as wide as their content (within a cap); every status has its colour."""

    def test_columns_fit_their_content(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", problem_lines(), summary())
        header = [c.value for c in rows_of(out, "Results")[0]]
        dims = widths(out, "Results")
        for index, name in enumerate(header, start=1):
            assert dims[get_column_letter(index)] >= len(name) + 3, name  # header + filter
        url = dims[get_column_letter(header.index("interview_url") + 1)]
        assert url >= MAX_WIDTH - 1  # long links get the room they need, not Excel's 13
        name = dims[get_column_letter(header.index("candidate_name") + 1)]
        assert len("Candidate 0") + 2 <= name <= len("candidate_name") + 6
        for sheet in ("Problems", "Summary", "Statuses"):
            assert all(w > 8 for w in widths(out, sheet).values()), sheet

    def test_every_status_is_coloured(self, tmp_path: Path) -> None:
        assert set(STATUS_COLOURS) == {s.value for s in Status}
        lines = [line(i, status) for i, status in enumerate(Status)]
        out = write_results(tmp_path / "r.xlsx", lines, summary())
        rows = rows_of(out, "Results")
        col = [c.value for c in rows[0]].index("status")
        fills = {r[col].value: r[col].fill.fgColor.rgb for r in rows[1:]}
        assert all(fill not in (None, "00000000") for fill in fills.values()), fills
        assert fills["ai_reject"] != fills["invalid"]  # a decision is not a problem
        assert fills["duplicate"] != fills["skipped"] != fills["dry_run"]
        statuses = {r[0].value: r[0].fill.fgColor.rgb for r in rows_of(out, "Statuses")[1:]}
        jobs_only = {s.value for s in Status if s.is_position_outcome}  # not in its legend
        assert statuses == {k: v for k, v in fills.items() if k not in jobs_only}


class TestSummary:
    """The Summary opens with the run in one sentence and names no local path."""

    def test_headline_and_only_what_happened(self, tmp_path: Path) -> None:
        lines = [line(i) for i in range(20)]
        lines += [line(20 + i, Status.RECRUITER_ACTION) for i in range(5)]
        lines += [line(25 + i, Status.AI_REJECT) for i in range(7)]
        lines += [line(32 + i, Status.INVALID, reason="candidate_email: 'x' is not a valid"
                       " e-mail address") for i in range(4)]  # fmt: skip
        lines += [line(36, Status.DUPLICATE, reason="same candidate")]
        out = write_results(tmp_path / "r.xlsx", lines, summary())
        cells = [[c.value for c in r] for r in rows_of(out, "Summary")]
        assert cells[1][0] == (
            "32 sent: 20 accepted by the AI, 5 wait for a recruiter, 7 rejected by the AI;"
            " 5 need attention"
        )
        firsts = [r[0] for r in cells]
        start = firsts.index("Rows by status")
        listed = firsts[start + 1 : firsts.index("total")]
        assert listed == ["ai_accept", "recruiter_action", "ai_reject", "invalid", "duplicate"]

    @pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
    def test_no_absolute_local_path_anywhere(self, tmp_path: Path, suffix: str) -> None:
        missing = line(1, Status.INVALID, reason="candidate_resume: file 'cv.pdf' not found in"
                       " /home/ana/Downloads/cvs.zip or /home/ana/Downloads")  # fmt: skip
        out = write_results(tmp_path / f"r{suffix}", [line(0), missing], summary())
        if suffix == ".xlsx":
            text = all_text(out)
        else:
            text = out.read_text(encoding="utf-8-sig") + (tmp_path / "r.summary.txt").read_text()
        assert "/home/ana" not in text
        assert "applicants.csv" in text and "results.ledger.sqlite" in text
        assert "not found in cvs.zip or Downloads" in text

    def test_a_real_dry_run_names_no_local_folder(self, tmp_path: Path) -> None:
        report = run_sync(applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv",
                          mapping="generic", out=tmp_path / "r.xlsx", dry_run=True)  # fmt: skip
        text = all_text(report.results_path)
        assert str(SAMPLES) not in text and str(tmp_path) not in text
        assert "dry run: 32 would be sent; 5 need attention" in text

    def test_the_csv_summary_too(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.csv", problem_lines(), summary())
        text = (tmp_path / "r.summary.txt").read_text(encoding="utf-8")
        assert "/home/ana" not in text and str(out.parent) not in text
        assert (
            "4 sent: 1 accepted by the AI, 1 waits for a recruiter, 1 rejected by the AI," in text
        )
        assert "1 got no answer; 5 need attention" in text


class TestPosition:
    """The position shows its title; its id has a column of its own."""

    def test_title_and_id_apart(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", [line(0)], summary())
        (row,) = read_results(out)
        assert row["position"] == "Senior Backend Engineer"
        assert row["position_id"] == "b1f40120-0000-4000-8000-000000000000"

    @pytest.mark.parametrize(
        ("identity", "expected"),
        [
            ("ann@example.com/def:pds-9", "pds-9"),
            ("ann@example.com/ext:JOB/12", "JOB/12"),
            ("a/b@example.com/ext:7", "7"),  # a "/" in the e-mail's local part
            ("ann@example.com/pos:analyst|lisbon|pt", ""),
            ("", ""),
        ],
    )
    def test_id_read_from_the_identity(self, identity: str, expected: str) -> None:
        assert line(0, identity=identity).position_id == expected

    def test_a_dry_run_of_an_export_with_job_ids(self, tmp_path: Path) -> None:
        report = run_sync(applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv",
                          mapping="generic", out=tmp_path / "r.csv", dry_run=True)  # fmt: skip
        first = read_results(report.results_path)[0]
        assert (first["position"], first["position_id"]) == ("Backend Engineer", "JOB-101")


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=3)) as sb:
        yield sb


class TestInterviewLinksOmitted:
    """--interview-links omit: the tokenised links (credentials) are nowhere in the sheet."""

    @pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
    def test_live_run_without_links(
        self, sandbox: RunningSandbox, tmp_path: Path, suffix: str
    ) -> None:
        out = tmp_path / f"results{suffix}"
        report = run_sync(applicants=SAMPLES / "applicants.csv", jobs=SAMPLES / "jobs.csv",
                          mapping="generic", out=out, base_url=sandbox.base_url,
                          token=SecretStr(TOKEN), yes=True,
                          interview_links="omit")  # fmt: skip
        assert any(ln.interview_url for ln in report.lines)  # the run has them ...
        rows = read_results(out)
        assert rows and "interview_url" not in rows[0]  # ... the sheet does not
        text = all_text(out) if suffix == ".xlsx" else out.read_text(encoding="utf-8-sig")
        assert "token=" not in text and "/interview/" not in text
        side = text if suffix == ".xlsx" else (tmp_path / "results.summary.txt").read_text()
        assert "interview links left out" in side

    def test_the_config_key_and_the_flag(self, tmp_path: Path) -> None:
        from sync.resolve import resolve_options

        config = tmp_path / "jobmojito-sync.toml"
        config.write_text('interview_links = "omit"\n', encoding="utf-8")
        options = resolve_options({"applicants": SAMPLES / "applicants.csv"}, config=config)
        assert options.interview_links == "omit"


class TestPreviousSheetKept:
    """An existing sheet is kept as results.1.xlsx, .2, …; never overwritten silently."""

    def test_numbers_count_up_and_nothing_is_lost(self, tmp_path: Path) -> None:
        target = tmp_path / "results.xlsx"
        assert keep_previous(target) is None
        contents = []
        for i in range(3):
            write_results(target, [line(i)], summary(run_id=f"run-{i}"))
            contents.append(target.read_bytes())
            if i < 2:
                assert keep_previous(target) == tmp_path / f"results.{i + 1}.xlsx"
        assert (tmp_path / "results.1.xlsx").read_bytes() == contents[0]
        assert (tmp_path / "results.2.xlsx").read_bytes() == contents[1]

    def test_a_csv_keeps_its_summary_with_it(self, tmp_path: Path) -> None:
        target = tmp_path / "results.csv"
        write_results(target, [line(0)], summary())
        (tmp_path / "results.1.summary.txt").write_text("a summary whose sheet is gone")
        kept = keep_previous(target)
        assert kept == tmp_path / "results.2.csv"  # number 1 is taken by a stray summary
        assert (tmp_path / "results.2.summary.txt").exists()
        with kept.open(encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == 1

    def test_run_sync_keeps_or_overwrites(self, tmp_path: Path) -> None:
        args: dict[str, Any] = dict(applicants=SAMPLES / "applicants.csv", mapping="generic",
                                    jobs=SAMPLES / "jobs.csv", out=tmp_path / "r.xlsx",
                                    dry_run=True)  # fmt: skip
        assert run_sync(**args).previous_results is None
        second = run_sync(**args)
        assert second.previous_results == tmp_path / "r.1.xlsx"
        assert run_sync(**args, overwrite=True).previous_results is None
        assert sorted(p.name for p in tmp_path.glob("r*.xlsx")) == ["r.1.xlsx", "r.xlsx"]

    def test_without_hard_links_a_private_copy(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import os
        import stat

        target = tmp_path / "results.xlsx"
        write_results(target, [line(0)], summary())
        target.chmod(0o600)

        def no_links(*args: object) -> None:
            raise PermissionError("this file system has no hard links")

        monkeypatch.setattr(os, "link", no_links)
        kept = keep_previous(target)
        assert kept == tmp_path / "results.1.xlsx"
        assert kept.read_bytes() == target.read_bytes()
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600


class TestHeadline:
    """A run in one sentence: only what happened, in the words of each status."""

    def test_every_part_a_candidates_run_can_have(self) -> None:
        from sync.results import headline

        counts = {"ai_accept": 3, "recruiter_action": 2, "skipped": 4, "excluded": 5,
                  "not_sent": 1, "other_shard": 6, "invalid": 2}  # fmt: skip
        assert headline(counts) == (
            "5 sent: 3 accepted by the AI, 2 wait for a recruiter; 4 enrolled by an earlier"
            " run (skipped); 5 excluded by condition; 1 not sent yet (run again); 6 other"
            " shards' (--shard); 2 need attention"
        )
        assert headline({"dry_run": 2}, dry_run=True) == "dry run: 2 would be sent"
        assert headline({"skipped": 6}, jobs=True) == (
            "no interview made; 6 made by an earlier run (skipped)"
        )
