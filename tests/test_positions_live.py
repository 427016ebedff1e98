"""Positions end to end against the sandbox over loopback (issue 15's proofs).

Each test asserts on both sides: the sandbox's own counters (how many positions
were really created, how enrolments found theirs) and what the tool reports
(the results sheets, the ledger). The module's sandbox (tests/conftest.py) is
reset before each test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import ROOT, SAMPLES, process_env, run_process, write_export
from pydantic import SecretStr

from sync.errors import ConfigError
from sync.ledger import open_ledger
from sync.positions.run import sync_positions
from sync.records import Status
from sync.results import read_results
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig

TOKEN = "positions-test-token-5c2e9a"
TEMPLATE = "Emma — Interviewer (English)"
APPLICANT_HEADER = [
    "candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
    "position_external_id", "position_name", "position_location", "position_country_code",
    "mojito_language_code",
]  # fmt: skip


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(token=TOKEN, seed=5)


def common(sb: RunningSandbox, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "jobs": SAMPLES / "jobs.csv",
        "mapping": "generic",
        "ledger": tmp_path / "sync.ledger.sqlite",
        "base_url": sb.base_url,
        "token": SecretStr(TOKEN),
        "template": TEMPLATE,
        "yes": True,
        "rate": 500.0,
        "timeout": 2.0,
    }
    values.update(extra)
    return values


def positions(sb: RunningSandbox, tmp_path: Path, name: str = "positions.csv", **extra: Any):
    return sync_positions(out=tmp_path / name, **common(sb, tmp_path, **extra))


def write_applicants(path: Path, n: int, jobs: int) -> Path:
    """``n`` applicants spread over ``jobs`` jobs (JOB-0 …), each row naming its job."""
    rows = [
        [f"Person {i:03d}", f"person{i:03d}@example.com", "PT", f"Resume of person {i}",
         f"JOB-{i % jobs}", f"Job {i % jobs}", "Berlin", "DE", "en"]
        for i in range(n)
    ]  # fmt: skip
    return write_export(path, APPLICANT_HEADER, rows)


def write_jobs(path: Path, jobs: int, *, description: str = "Build things.") -> Path:
    header = ["position_external_id", "position_name", "position_location",
              "mojito_language_code", "position_description"]  # fmt: skip
    rows = [[f"JOB-{j}", f"Job {j}", "Berlin", "en", f"{description} ({j})"] for j in range(jobs)]
    return write_export(path, header, rows)


class TestOneInterviewPerJob:
    """The sample jobs: one interview each, and a second run creates none."""

    def test_first_run_creates_one_per_job_and_the_second_none(self, sandbox, tmp_path):
        first = positions(sandbox, tmp_path, questions=SAMPLES / "questions.csv")
        stats = sandbox.stats()
        assert first.exit_code == 0 and first.counts == {"created": 6}
        assert stats["positions_created"] == 6
        # The two jobs of the questions sheet got theirs; JobMojito wrote the others'.
        assert stats["positions_created_by"] == {
            "job-interview-create": 4,
            "job-interview-create-from-array": 2,
        }
        lines = read_results(tmp_path / "positions.csv")
        assert [ln["job"] for ln in lines] == [f"JOB-{n}" for n in range(101, 107)]
        ids = {ln["job"]: ln["interview_def_set_id"] for ln in lines}
        assert all(ids.values()) and len(set(ids.values())) == 6
        assert all(ln["recruiter_link"].startswith("https://") for ln in lines)

        second = positions(sandbox, tmp_path, "second.csv", questions=SAMPLES / "questions.csv")
        assert second.exit_code == 0 and second.counts == {"skipped": 6}
        assert sandbox.stats()["positions_created"] == 6  # none more
        again = read_results(tmp_path / "second.csv")
        assert {ln["job"]: ln["interview_def_set_id"] for ln in again} == ids  # with its id
        links = {ln["job"]: ln["recruiter_link"] for ln in lines}
        assert {ln["job"]: ln["recruiter_link"] for ln in again} == links  # and its link
        assert all("the interview exists" in ln["reason"] for ln in again)

    def test_the_questions_sheet_is_sent_in_order_with_follow_ups(self, sandbox, tmp_path):
        positions(sandbox, tmp_path, questions=SAMPLES / "questions.csv")
        state = sandbox.state
        (sales,) = [d for d in state.definitions.values() if d.code == "JOB-104"]
        texts = [q["question"] for q in sales.questions]
        assert texts[0].startswith("Tell us about a sales team") and len(texts) == 5
        crm = sales.questions[2]
        assert crm["is_multiple_choice"] and crm["is_without_scoring"]
        assert crm["question_alternatives"] == ["Salesforce", "HubSpot", "Pipedrive", "Another one"]
        assert sales.questions[4]["conditional_question_main_id"] == "q4"
        assert sales.questions[0]["duration"] == 180

    def test_an_interview_with_the_jobs_code_is_adopted_not_made_again(self, sandbox, tmp_path):
        made = httpx.post(
            sandbox.base_url + "job-interview-create",
            headers=sandbox.auth_headers,
            json={"name": "Backend (by a person)", "location": "Berlin", "code": "JOB-101",
                  "interview_template_id": "baa3bf7c-6926-46fd-9005-16738a31f72d",
                  "mojito_language_code": "de", "status": "active", "type": "interview",
                  "visibility": "merchant_invite"},
        ).json()  # fmt: skip
        report = positions(sandbox, tmp_path)
        assert report.counts == {"adopted": 1, "created": 5}
        assert sandbox.stats()["positions_created"] == 6  # the person's one, and five
        with open_ledger(tmp_path / "sync.ledger.sqlite") as ledger:
            known = ledger.positions()
        assert known["JOB-101"].interview_def_set_id == made["interview_def_set_id"]
        assert known["JOB-101"].origin == "adopted"

    def test_a_create_whose_answer_is_lost_is_found_not_made_twice(self, sandbox, tmp_path):
        sandbox.inject("drop")  # the first create happens, its answer never comes
        report = positions(sandbox, tmp_path, concurrency=1)
        assert sandbox.stats()["positions_created"] == 6
        assert sorted(report.counts.items()) == [("adopted", 1), ("created", 5)]
        (line,) = [
            ln for ln in read_results(tmp_path / "positions.csv") if ln["status"] == "adopted"
        ]
        assert "answer was lost" in line["reason"] and line["attempts"] == "2"

    def test_a_job_gone_from_the_export_is_reported_never_deleted(self, sandbox, tmp_path):
        positions(sandbox, tmp_path, jobs=write_jobs(tmp_path / "jobs.csv", 3))
        report = positions(
            sandbox, tmp_path, "second.csv", jobs=write_jobs(tmp_path / "jobs.csv", 2)
        )
        assert report.counts == {"skipped": 2, "gone": 1}
        (gone,) = [ln for ln in read_results(tmp_path / "second.csv") if ln["status"] == "gone"]
        assert gone["job"] == "JOB-2" and gone["interview_def_set_id"]
        assert len(sandbox.state.definitions) == 3  # nothing deleted

    def test_an_unknown_template_stops_before_anything_is_made(self, sandbox, tmp_path):
        with pytest.raises(
            ConfigError, match=r"no interview template has this name \(did you mean"
        ):
            positions(sandbox, tmp_path, template="Emma - Interviewer")
        assert sandbox.stats()["positions_created"] == 0


class TestChangedJob:
    """A changed description is reported, and sent only with --update."""

    def test_reported_then_updated_with_update_only(self, sandbox, tmp_path):
        jobs = tmp_path / "jobs.csv"
        positions(sandbox, tmp_path, jobs=write_jobs(jobs, 2))
        write_jobs(jobs, 2, description="Build and run things.")

        changed = positions(sandbox, tmp_path, "changed.csv", jobs=jobs)
        assert changed.counts == {"changed": 2} and changed.exit_code == 0
        line = read_results(tmp_path / "changed.csv")[0]
        assert "changed since the interview was made" in line["reason"]
        assert "description" in line["reason"] and "--update" in line["reason"]
        assert sandbox.stats()["interviews_updated"] == 0

        updated = positions(sandbox, tmp_path, "updated.csv", jobs=jobs, update=True)
        assert updated.counts == {"updated": 2}
        assert sandbox.stats()["interviews_updated"] == 2
        assert sandbox.stats()["positions_created"] == 2  # updated, not made again
        first = next(d for d in sandbox.state.definitions.values() if d.code == "JOB-0")
        assert first.stored["description"] == "Build and run things. (0)"

        settled = positions(sandbox, tmp_path, "settled.csv", jobs=jobs, update=True)
        assert settled.counts == {"skipped": 2}
        assert sandbox.stats()["interviews_updated"] == 2


class TestEnrolmentsUseTheKnownPosition:
    """300 applicants over 6 jobs: exactly 6 positions, at 16 requests at a time."""

    def test_never_created_beforehand(self, sandbox, tmp_path):
        write_applicants(tmp_path / "applicants.csv", 300, 6)
        report = run_sync(
            applicants=tmp_path / "applicants.csv", out=tmp_path / "results.csv",
            concurrency=16, **common(sandbox, tmp_path, jobs=None),
        )  # fmt: skip
        stats = sandbox.stats()
        assert report.rows == 300 and not report.problems
        assert stats["positions_created"] == 6
        # The first enrolment of each job described it; the 294 others named it.
        assert stats["positions_found_by"] == {"created": 6, "position_def_set_id": 294}
        with open_ledger(tmp_path / "sync.ledger.sqlite") as ledger:
            known = ledger.positions()
        assert sorted(known) == [f"JOB-{j}" for j in range(6)]
        assert {p.origin for p in known.values()} == {"enrolment"}

        again = tmp_path / "more.csv"
        write_applicants(again, 300, 6)
        again.write_text(again.read_text().replace("@example.com", "@example.org"))
        run_sync(applicants=again, out=tmp_path / "more-results.csv", concurrency=16,
                 **common(sandbox, tmp_path, jobs=None))  # fmt: skip
        stats = sandbox.stats()
        assert stats["positions_created"] == 6  # a later run reuses them all
        assert stats["positions_found_by"]["position_def_set_id"] == 594

    def test_created_beforehand_by_positions(self, sandbox, tmp_path):
        jobs = write_jobs(tmp_path / "jobs.csv", 6)
        positions(sandbox, tmp_path, jobs=jobs)
        write_applicants(tmp_path / "applicants.csv", 300, 6)
        run_sync(
            applicants=tmp_path / "applicants.csv", out=tmp_path / "results.csv",
            concurrency=16, **common(sandbox, tmp_path, jobs=jobs),
        )  # fmt: skip
        stats = sandbox.stats()
        assert stats["positions_created_by"] == {"job-interview-create": 6}
        assert stats["positions_found_by"] == {"position_def_set_id": 300}

    def test_create_positions_does_both_in_one_command(self, sandbox, tmp_path):
        jobs = write_jobs(tmp_path / "jobs.csv", 6)
        write_applicants(tmp_path / "applicants.csv", 60, 6)
        report = run_sync(
            applicants=tmp_path / "applicants.csv", out=tmp_path / "results.csv",
            create_positions=True, concurrency=16, **common(sandbox, tmp_path, jobs=jobs),
        )  # fmt: skip
        assert report.positions is not None and report.positions.counts == {"created": 6}
        assert report.positions.results_path == tmp_path / "results.positions.csv"
        assert (tmp_path / "results.positions.csv").is_file()
        stats = sandbox.stats()
        assert stats["positions_created"] == 6 and stats["enrolments_created"] == 60
        assert stats["positions_found_by"] == {"position_def_set_id": 60}
        assert any(note.startswith("positions first: created=6") for note in report.notes)
        lines = read_results(tmp_path / "results.csv")
        assert all(Status(ln["status"]).is_enrolled for ln in lines)


class TestCommandLine:
    """``jobmojito-sync positions`` and ``templates`` as a user runs them."""

    def env(self) -> dict[str, str]:
        return process_env(JOBMOJITO_TOKEN=TOKEN)

    def test_positions_then_templates(self, sandbox, tmp_path):
        shutil.copy(SAMPLES / "jobs.csv", tmp_path / "jobs.csv")
        done = run_process(
            "--log-format", "json", "positions", "--jobs", str(tmp_path / "jobs.csv"),
            "--mapping", "generic", "--questions", str(SAMPLES / "questions.xlsx"),
            "--template", TEMPLATE, "--out", str(tmp_path / "positions.xlsx"),
            "--ledger", str(tmp_path / "l.sqlite"), "--base-url", sandbox.base_url, "--yes",
            cwd=ROOT, env=self.env(),
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
        (outcome,) = [e for e in events if e["event"] == "outcome"]
        assert outcome["headline"] == "6 interviews made: 6 created"
        assert outcome["results"] == str(tmp_path / "positions.xlsx")
        assert TOKEN not in done.stderr + done.stdout
        assert [ln["status"] for ln in read_results(tmp_path / "positions.xlsx")] == ["created"] * 6

        listed = run_process(
            "templates", "--base-url", sandbox.base_url, "--json", cwd=ROOT, env=self.env()
        )
        assert listed.returncode == 0, listed.stderr
        assert "baa3bf7c-6926-46fd-9005-16738a31f72d" in listed.stdout
        assert "Studio avatar" not in listed.stdout  # archived: only with --all

    def test_auto_mapping_is_refused_with_a_reason(self, tmp_path):
        done = run_process(
            "positions", "--jobs", str(SAMPLES / "jobs.csv"), "--out", str(tmp_path / "p.csv"),
            "--dry-run", cwd=ROOT, env=self.env(),
        )  # fmt: skip
        assert done.returncode == 2
        assert "--mapping: name the mapping" in done.stderr
