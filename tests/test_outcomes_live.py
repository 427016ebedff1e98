"""Outcomes back, end to end against the sandbox over loopback (issue 17's proofs).

Candidates are enrolled by a real ``run_sync``; the sandbox's clock is moved on
(``advance``) so they take their interviews without the tests sleeping; then
the outcomes are read back with the real client. Each test checks both sides:
what the sandbox serves, and what the sheet, the ledger and the logs hold.

``progress_seconds`` is large (hours), so a clock moving on by the few
milliseconds between a read of the tool and a read of the test changes nothing.
"""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import candidate, process_env, read_sheet, run_process, write_export
from openpyxl import load_workbook
from pydantic import SecretStr

from sync.errors import ResultsIncomplete, UsageError
from sync.jobmojito.models import MerchantResult, MerchantResultList
from sync.ledger import open_ledger
from sync.outcomes import NOT_STARTED, run_outcomes
from sync.outcomes import run as outcomes_run
from sync.outcomes.lines import outcome_of
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig

TOKEN = "outcomes-test-token-51c7e2a9"  # grepped for below
DELAY = 10_000.0  # the sandbox's progress_seconds: starts within it, finishes within another
HEADER = ["candidate_external_id", "candidate_name", "candidate_email", "candidate_country_code",
          "candidate_resume", "position_external_id", "position_name", "position_location",
          "position_country_code", "mojito_language_code"]  # fmt: skip
JOBS = [("JOB-1", "Backend Engineer", "Berlin", "DE"), ("JOB-2", "Analyst", "Lisbon", "PT")]


def write_applicants(path: Path, n: int) -> Path:
    """A generic-mapping export of ``n`` people with the ATS's own candidate and job ids."""
    rows = [
        [f"C-{i:04d}", f"Person {i:03d}", f"person{i:03d}@example.com", "PT",
         f"Resume of person {i}\nPython, SQL", *JOBS[i % 2], "en"]
        for i in range(n)
    ]  # fmt: skip
    return write_export(path, HEADER, rows)


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """conftest's ``sandbox`` (reset before each test, its clock too) with these settings."""
    return SandboxConfig(token=TOKEN, seed=5, progress_seconds=DELAY)


def api(sb: RunningSandbox, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "ledger": tmp_path / "sync.ledger.sqlite",
        "base_url": sb.base_url,
        "token": SecretStr(TOKEN),
        "rate": 500.0,
        "timeout": 2.0,
    }
    values.update(extra)
    return values


def enrol(sb: RunningSandbox, tmp_path: Path, n: int) -> int:
    """Enrol ``n`` candidates with a real run; how many the API enrolled."""
    write_applicants(tmp_path / "applicants.csv", n)
    report = run_sync(
        applicants=tmp_path / "applicants.csv",
        mapping="generic",
        out=tmp_path / "results.csv",
        yes=True,
        **api(sb, tmp_path),
    )
    assert report.exit_code == 0
    return sb.stats()["enrolments_created"]


def served(sb: RunningSandbox) -> dict[str, dict[str, Any]]:
    """Every result the sandbox serves now, by profile_interview_id (the test's own read)."""
    answer = httpx.get(
        sb.base_url + "merchant-result-list",
        params={"limit": 1000},
        headers=sb.auth_headers,
        timeout=10,
    )
    body = MerchantResultList.model_validate(answer.json())
    return {r.profile_interview_id or "": r.model_dump() for r in body.data}


def sheet(path: Path, name: str = "Outcomes") -> list[dict[str, Any]]:
    rows = list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def workbook_text(path: Path) -> str:
    """Every XML part of an XLSX as text: what a grep of the file would find."""
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(name).decode("utf-8", "replace") for name in zf.namelist())


class TestOneLinePerEnrolment:
    """After enrolling and letting the sandbox progress, every enrolment has one line with
    the sandbox's status and scores, read over several pages of a small forced size."""

    def test_lines_carry_the_sandboxs_statuses_and_scores(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrolled = enrol(sandbox, tmp_path, 24)
        sandbox.advance(1.2 * DELAY)  # some have started, some finished, some never will
        report = run_outcomes(outcomes_out=tmp_path / "outcomes.xlsx", outcomes_page_size=4,
                              **api(sandbox, tmp_path))  # fmt: skip
        truth = served(sandbox)
        lines = sheet(tmp_path / "outcomes.xlsx")

        assert len(lines) == enrolled == 24
        assert len({ln["candidate_email"] for ln in lines}) == 24
        pages = sandbox.stats()["by_endpoint"]["merchant-result-list"] - 1  # the test's own
        assert pages == math.ceil(len(truth) / 4) >= 3
        progress = {ln["interview_status"] for ln in lines}
        assert {NOT_STARTED, "started", "completed"} <= progress
        for line in lines:
            row = truth.get(line["profile_interview_id"])
            expected = outcome_of(MerchantResult.model_validate(row) if row else None)
            assert line["interview_status"] == expected.progress
            assert line["score"] == expected.score
            assert line["decision"] == (expected.decision or None)
            assert line["started"] == ("yes" if expected.started else "no")
            assert line["completed"] == ("yes" if expected.completed else "no")
            assert line["ats_candidate_id"] == "C-" + line["candidate_email"][6:9].zfill(4)
            assert line["ats_job_id"] in ("JOB-1", "JOB-2")
            assert line["interview_url"].startswith("https://sandbox.jobmojito.local/")
        completed = [ln for ln in lines if ln["completed"] == "yes" and ln["score"] is not None]
        assert completed and all(ln["score_sentiment"] is not None for ln in completed)
        assert report.counts["enrolments"] == 24 and report.counts["unmatched"] == 0
        assert report.exit_code == 0

    def test_not_started_yet_for_everyone_before_the_clock_moves(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 6)
        report = run_outcomes(outcomes_out=tmp_path / "o.csv", **api(sandbox, tmp_path))
        lines = read_sheet(tmp_path / "o.csv")
        assert [ln["interview_status"] for ln in lines] == [NOT_STARTED] * 6
        assert {ln["started"] for ln in lines} == {"no"}
        assert report.counts["not_started"] == 6
        assert (tmp_path / "o.unmatched.csv").is_file()
        assert (
            (tmp_path / "o.summary.txt")
            .read_text(encoding="utf-8")
            .startswith("jobmojito-sync outcomes summary")
        )


class TestChangedSinceLastRun:
    """--changed-since last-run writes only what changed since each line was last written."""

    def test_a_second_call_returns_only_the_changes(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 20)
        sandbox.advance(0.6 * DELAY)
        first = run_outcomes(outcomes_out=tmp_path / "first.xlsx", changed_since="last-run",
                             outcomes_page_size=5, **api(sandbox, tmp_path))  # fmt: skip
        before = served(sandbox)
        assert len(first.lines) == 20  # no earlier outcomes run: every line is new
        assert {ln.change for ln in first.lines} == {"new"}

        sandbox.advance(0.8 * DELAY)
        second = run_outcomes(outcomes_out=tmp_path / "second.xlsx", changed_since="last-run",
                              outcomes_page_size=5, **api(sandbox, tmp_path))  # fmt: skip
        after = served(sandbox)

        def shown(rows: dict[str, Any], pid: str) -> str:
            row = rows.get(pid)
            return outcome_of(MerchantResult.model_validate(row) if row else None).fingerprint()

        pids = {ln.profile_interview_id for ln in first.lines}
        changed = {pid for pid in pids if shown(before, pid) != shown(after, pid)}
        assert changed, "the clock moved: some interviews progressed"
        assert {ln.profile_interview_id for ln in second.lines} == changed
        assert all(ln.change not in ("", "new") for ln in second.lines)
        assert len(sheet(tmp_path / "second.xlsx")) == len(changed)
        assert second.counts["written"] == second.counts["changed"] == len(changed)

        third = run_outcomes(outcomes_out=tmp_path / "third.xlsx", changed_since="last-run",
                             **api(sandbox, tmp_path))  # fmt: skip
        assert third.lines == [] and sheet(tmp_path / "third.xlsx") == []

    def test_a_failed_read_remembers_nothing(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        """A page that cannot be read writes no sheet; the next run still has every change."""
        enrol(sandbox, tmp_path, 8)
        sandbox.advance(2 * DELAY)
        sandbox.configure(faults={"503": 1.0}, fault_paths=("merchant-result-list",),
                          retry_after_seconds=0)  # fmt: skip
        with pytest.raises(ResultsIncomplete) as failed:
            run_outcomes(outcomes_out=tmp_path / "o.xlsx", changed_since="last-run",
                         max_attempts=2, **api(sandbox, tmp_path))  # fmt: skip
        assert failed.value.exit_code == 3 and "offset 0" in str(failed.value)
        assert not (tmp_path / "o.xlsx").exists()
        sandbox.configure(faults={})
        again = run_outcomes(outcomes_out=tmp_path / "o.xlsx", changed_since="last-run",
                             **api(sandbox, tmp_path))  # fmt: skip
        assert len(again.lines) == 8 and {ln.change for ln in again.lines} == {"new"}
        with open_ledger(tmp_path / "sync.ledger.sqlite") as ledger:
            kinds = [(r.kind, r.exit_code) for r in ledger.runs()]
        assert kinds[:2] == [("outcomes", 0), ("outcomes", 3)]


class TestResultsOfOtherEnrolments:
    """Results that match no enrolment of the ledger are listed apart, never mixed in."""

    def test_listed_apart(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        enrol(sandbox, tmp_path, 4)
        # Someone enrols two more candidates another way (the admin portal, a script).
        for i, email in enumerate(["walk.in+completed@example.com", "other+started@example.com"]):
            body = candidate(email, candidate_name=f"Walk In {i}", candidate_country_code="DE")
            answer = httpx.post(sandbox.base_url + "job-interview-create-for-candidate-with-token",
                                json=body, headers=sandbox.auth_headers, timeout=10)  # fmt: skip
            assert answer.status_code == 200
        sandbox.advance(3 * DELAY)
        report = run_outcomes(outcomes_out=tmp_path / "o.xlsx", **api(sandbox, tmp_path))

        lines, apart = sheet(tmp_path / "o.xlsx"), sheet(tmp_path / "o.xlsx", "Not matched")
        assert len(lines) == 4
        assert {row["candidate_email"] for row in apart} == {
            "walk.in+completed@example.com", "other+started@example.com"
        }  # fmt: skip
        assert not {row["candidate_email"] for row in apart} & {
            ln["candidate_email"] for ln in lines
        }
        assert all("another way" in row["why"] for row in apart)
        assert {row["interview_status"] for row in apart} == {"completed", "started"}
        assert report.counts["unmatched"] == 2


class TestFaultsDuringPaging:
    """Faults and 429s while paging lose nothing: the sheet equals a clean read."""

    def test_faults_and_throttling_lose_nothing(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 30)
        sandbox.advance(1.5 * DELAY)
        clean = run_outcomes(outcomes_out=tmp_path / "clean.xlsx", outcomes_page_size=3,
                             **api(sandbox, tmp_path))  # fmt: skip
        sandbox.configure(
            faults={"500": 0.05, "503": 0.15, "drop": 0.1, "malformed": 0.1},
            fault_paths=("merchant-result-list",), rate=40.0, burst=3, retry_after_seconds=0,
            seed=11,
        )  # fmt: skip
        before = sandbox.stats()
        rough = run_outcomes(outcomes_out=tmp_path / "rough.xlsx", outcomes_page_size=3,
                             concurrency=6, max_attempts=12, **api(sandbox, tmp_path))  # fmt: skip
        stats = sandbox.stats()

        def key(lines: list[Any]) -> list[tuple[Any, ...]]:  # what changed aside
            return sorted((ln.identity, ln.outcome, ln.changed_at) for ln in lines)

        assert sum(stats["faults"].values()) > sum(before["faults"].values())
        assert stats["by_status"].get("429", 0) > before["by_status"].get("429", 0)
        assert key(rough.lines) == key(clean.lines)
        assert len(rough.lines) == 30 and rough.exit_code == 0
        assert {ln.change for ln in rough.lines} == {""}  # unchanged since the clean read
        unchanged = [{**row, "change": None} for row in sheet(tmp_path / "clean.xlsx")]
        assert sheet(tmp_path / "rough.xlsx") == unchanged


class TestDetails:
    """--details adds the AI assessment of completed interviews, never the transcript."""

    def test_assessment_of_completed_interviews_only(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 16)
        sandbox.advance(3 * DELAY)
        report = run_outcomes(outcomes_out=tmp_path / "o.xlsx", details=True,
                              **api(sandbox, tmp_path))  # fmt: skip
        lines = sheet(tmp_path / "o.xlsx")
        done = [ln for ln in lines if ln["completed"] == "yes"]
        assert done and all(ln["ai_summary"] and "structured answers" in ln["ai_summary"]
                            for ln in done)  # fmt: skip
        assert all(ln["reasons_to_hire"] for ln in done)
        assert not any(ln["ai_summary"] for ln in lines if ln["completed"] == "no")
        asked = sandbox.stats()["by_endpoint"]["job-interview-details"]
        assert asked == len(done) == report.counts["completed"]
        assert "(transcript)" not in workbook_text(tmp_path / "o.xlsx")

    def test_a_details_failure_is_a_note_and_comes_again(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 12)
        sandbox.advance(3 * DELAY)
        sandbox.configure(faults={"503": 1.0}, fault_paths=("job-interview-details",),
                          retry_after_seconds=0)  # fmt: skip
        report = run_outcomes(outcomes_out=tmp_path / "o.xlsx", details=True, max_attempts=2,
                              changed_since="last-run", **api(sandbox, tmp_path))  # fmt: skip
        done = [ln for ln in report.lines if ln.outcome.completed]
        assert done and all(ln.note.startswith("AI assessment not read: 503") for ln in done)
        assert report.exit_code == 1 and len(report.lines) == 12
        sandbox.configure(faults={})
        again = run_outcomes(outcomes_out=tmp_path / "again.xlsx", details=True,
                             changed_since="last-run", **api(sandbox, tmp_path))  # fmt: skip
        assert {ln.identity for ln in again.lines} == {ln.identity for ln in done}
        assert all(ln.ai_summary for ln in again.lines) and again.exit_code == 0


class TestImportLayout:
    """The Lever layout: its template's headings, its candidate id column, one note each."""

    def test_lever_import_file(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        enrol(sandbox, tmp_path, 6)
        sandbox.advance(3 * DELAY)
        report = run_outcomes(outcomes_out=tmp_path / "Outcomes Nov.xlsx",
                              outcomes_layout="lever", **api(sandbox, tmp_path))  # fmt: skip
        target = tmp_path / "outcomes_nov_lever_import.csv"
        assert target in report.files
        raw = target.read_text(encoding="utf-8-sig")
        header = next(csv.reader([raw.splitlines()[0]]))
        assert header[:3] == ["Lever Profile ID", "Full Name", "Email"]
        assert header[-4:] == ["DateNote-0", "UserNote-0", "IsSecretNote-0", "Note-0"]
        rows = read_sheet(target)
        assert sorted(r["Lever Profile ID"] for r in rows) == [f"C-{i:04d}" for i in range(6)]
        assert all(r["Note-0"].startswith("JobMojito AI interview: interview ") for r in rows)
        assert all(r["IsSecretNote-0"] == "no" and r["Stage"] == "" for r in rows)

    def test_generic_mapping_gets_no_import_file(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        enrol(sandbox, tmp_path, 2)
        report = run_outcomes(outcomes_out=tmp_path / "o.xlsx", **api(sandbox, tmp_path))
        assert report.files == [tmp_path / "o.xlsx"]


def test_the_token_and_signed_urls_appear_nowhere(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """The CLI end to end, the API leaking signed recording URLs: grep the sheet, the import
    file, the ledger's files and the logs for the token and for any signed URL."""
    enrol(sandbox, tmp_path, 10)
    sandbox.advance(3 * DELAY)
    sandbox.configure(signed_urls_always=True)
    done = run_process(
        "--log-format", "json", "--debug", "outcomes",
        "--ledger", str(tmp_path / "sync.ledger.sqlite"), "--out", str(tmp_path / "o.xlsx"),
        "--base-url", sandbox.base_url, "--details", "--layout", "lever", "--page-size", "3",
        env=process_env(JOBMOJITO_TOKEN=TOKEN),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    # The API did leak them: the tool saw signed URLs, in fields and in the summary text.
    leaked = httpx.get(
        sandbox.base_url + "job-interview-details",
        params={"interview_result_id": next(
            r["interview_result_id"] for r in served(sandbox).values()
            if r["coach_status"] == "completed")},
        headers=sandbox.auth_headers, timeout=10,
    ).json()  # fmt: skip
    assert "X-Amz-Signature=" in leaked["recording_url"]
    assert "X-Amz-Signature=" in leaked["ai_analysis_recruiter"]

    texts = {
        "sheet": workbook_text(tmp_path / "o.xlsx"),
        "import": (tmp_path / "o_lever_import.csv").read_text(encoding="utf-8-sig"),
        "logs": done.stdout + done.stderr,
    }
    for part in tmp_path.glob("sync.ledger.sqlite*"):
        texts[part.name] = part.read_bytes().decode("latin-1")
    assert "structured answers" in texts["sheet"]  # the assessment is there, its link is not
    for name, text in texts.items():
        assert TOKEN not in text, name
        assert "X-Amz-Signature" not in text, name
        assert "storage/v1/object/sign" not in text, name
        assert "(transcript)" not in text, name
    assert '"event": "outcomes finished"' in done.stderr


class TestNightlyJob:
    """run --with-outcomes ends the nightly run with the outcomes sheet; history shows both."""

    def test_run_with_outcomes_and_history(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", 5)
        report = run_sync(applicants=tmp_path / "applicants.csv", mapping="generic",
                          out=tmp_path / "results.xlsx", yes=True, with_outcomes=True,
                          **api(sandbox, tmp_path))  # fmt: skip
        assert report.outcomes is not None
        assert report.outcomes.outcomes_path == tmp_path / "results.outcomes.xlsx"
        assert len(sheet(tmp_path / "results.outcomes.xlsx")) == 5
        assert report.exit_code == 0

        done = run_process("history", "--ledger", str(tmp_path / "sync.ledger.sqlite"), "--json")
        runs = [json.loads(line) for line in done.stdout.splitlines()]
        assert [r["kind"] for r in runs] == ["outcomes", "sync"]
        assert runs[0]["counts"]["enrolments"] == 5 and runs[0]["mapping"] == "auto"

    def test_with_outcomes_waits_for_nothing_in_a_dry_run(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", 3)
        report = run_sync(applicants=tmp_path / "applicants.csv", mapping="generic",
                          out=tmp_path / "results.xlsx", dry_run=True, with_outcomes=True,
                          **api(sandbox, tmp_path))  # fmt: skip
        assert report.outcomes is None
        assert sandbox.stats()["requests"] == 0


class TestTheSheetAndTheLedgerAgree:
    """The outcomes sheet and what the ledger remembers of it are written together."""

    @pytest.mark.usefixtures("ctrl_c_at_its_default")
    def test_ctrl_c_while_writing_waits_for_both(
        self, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        enrol(sandbox, tmp_path, 4)
        sandbox.advance(2 * DELAY)
        real = outcomes_run.write_outcomes

        def interrupted_while_writing(*args: Any, **kwargs: Any) -> Any:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the sheet is being written
            return real(*args, **kwargs)

        monkeypatch.setattr(outcomes_run, "write_outcomes", interrupted_while_writing)
        first = run_outcomes(outcomes_out=tmp_path / "o.xlsx", changed_since="last-run",
                             **api(sandbox, tmp_path))  # fmt: skip
        assert len(sheet(tmp_path / "o.xlsx")) == len(first.lines) == 4
        monkeypatch.setattr(outcomes_run, "write_outcomes", real)
        again = run_outcomes(outcomes_out=tmp_path / "again.xlsx", changed_since="last-run",
                             **api(sandbox, tmp_path))  # fmt: skip
        assert again.lines == []  # the first sheet's lines were remembered

    def test_an_outcomes_sheet_that_is_an_input_or_the_results_is_refused(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        export = write_applicants(tmp_path / "applicants.csv", 2)
        before = export.read_bytes()
        for target, said in (
            (export, "is the --applicants"),
            (tmp_path / "results.csv", "would overwrite each other"),
        ):
            with pytest.raises(UsageError, match=said):
                run_sync(applicants=export, mapping="generic", out=tmp_path / "results.csv",
                         yes=True, with_outcomes=True, outcomes_out=target,
                         **api(sandbox, tmp_path))  # fmt: skip
        assert sandbox.stats()["requests"] == 0
        assert export.read_bytes() == before
