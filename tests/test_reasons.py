"""Reasons name the root cause first (issue 14), and alike problems group under one cause."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sync.records import Status
from sync.results.problems import cause_of, fix_for
from sync.run import run_sync

HEADER = ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
          "position_external_id", "mojito_language_code"]  # fmt: skip
JOBS = ["position_external_id", "position_name", "position_location", "position_country_code"]


def reasons(tmp_path: Path, rows: list[list[str]], **options: object) -> dict[int, str]:
    """Dry-run ``rows`` (applicants joined to one job, JOB-1) and return row -> reason."""
    applicants, jobs = tmp_path / "applicants.csv", tmp_path / "jobs.csv"
    with applicants.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    with jobs.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([JOBS, ["JOB-1", "Analyst", "Lisbon", "PT"]])
    report = run_sync(applicants=applicants, jobs=jobs, mapping="generic", dry_run=True,
                      out=tmp_path / "r.csv", **options)  # fmt: skip
    return {ln.source_row: ln.reason for ln in report.lines if ln.status is Status.INVALID}


class TestRootCauseFirst:
    """One problem where one matters; the consequences of a root cause are left out."""

    def test_an_unknown_job_is_one_problem(self, tmp_path: Path) -> None:
        got = reasons(tmp_path, [["Ann", "ann@example.com", "PT", "cv", "JOB-9", ""]])
        assert got == {
            2: "position: job key 'JOB-9' (column 'position_external_id') not found in jobs.csv"
        }

    def test_an_empty_resume_cell_names_its_column(self, tmp_path: Path) -> None:
        got = reasons(tmp_path, [["Ann", "ann@example.com", "PT", "", "JOB-1", "en"]])
        assert got == {2: "candidate_resume: required, but column 'candidate_resume' is empty"}

    def test_independent_problems_all_stay(self, tmp_path: Path) -> None:
        got = reasons(tmp_path, [["Ann", "ann@", "Atlantis", "", "JOB-1", "en"]])
        reason = got[2]
        # each problem once, none hiding another (values the sources could not derive first)
        for field in ("candidate_email", "candidate_country_code", "candidate_resume"):
            assert reason.count(f"{field}:") == 1, (field, reason)


class TestRootCauseWithResumeFiles:
    """With the ``file`` transform, a file not found is the cause, not "required"."""

    def test_file_not_found_alone(self, tmp_path: Path) -> None:
        from sync.mapping import bind, load_mapping, map_rows
        from sync.plan import plan_rows
        from sync.readers import ResumeStore, read_table

        mapping = tmp_path / "cv.yaml"
        mapping.write_text(
            "version: 1\nname: cv\ntitle: cv\nsource: test\n"
            "detect: {columns: [Name, Email]}\nfields:\n"
            "  candidate_name: {column: Name}\n  candidate_email: {column: Email}\n"
            "  candidate_country_code: {const: PT}\n"
            "  candidate_resume: {column: CV, transforms: [file]}\n"
            "  position_name: {const: Analyst}\n  position_location: {const: Lisbon}\n"
            "  position_country_code: {const: PT}\n  mojito_language_code: {const: en}\n",
            encoding="utf-8",
        )
        applicants = tmp_path / "a.csv"
        applicants.write_text("Name,Email,CV\nAnn,ann@example.com,cv-ann.pdf\n", encoding="utf-8")
        folder = tmp_path / "cvs"
        folder.mkdir()
        bound = bind(load_mapping(str(mapping)), read_table(applicants))
        with ResumeStore([folder]) as store:
            (planned,) = plan_rows(map_rows(bound, resumes=store))
        assert planned.status is Status.INVALID
        assert planned.reason.startswith("candidate_resume: file 'cv-ann.pdf' not found")
        assert "required" not in planned.reason


class TestCauses:
    """A cause is a reason without the row's own values, so alike rows group."""

    @pytest.mark.parametrize(
        ("status", "reason", "cause"),
        [
            (Status.INVALID, "candidate_email: 'a@' is not a valid e-mail address (there must be"
             " something after the @-sign)", "candidate_email is not a valid e-mail address"),
            (Status.INVALID, "mojito_language_code: 'xx' is not a platform language code (one of"
             " en, de) (did you mean de?)", "mojito_language_code is not a platform language code"),
            (Status.INVALID, "position: job key 'JOB-9' (column 'Job ID') not found in jobs.csv;"
             " candidate_email: 'a@' is bad", "position: job key '…' (column 'Job ID') not found"
             " in jobs.csv"),
            (Status.INVALID, "candidate_resume: required, but columns 'CV', 'Resume' are empty",
             "candidate_resume: required, but columns 'CV', 'Resume' are empty"),
            (Status.FAILED, "HTTP 503 after 6 attempts in 301 s; not enrolled",
             "no answer: HTTP 503"),
            (Status.DUPLICATE, "same candidate and position as row 2 of a.csv",
             "the same candidate and position as an earlier row"),
            (Status.REJECTED, "candidate_email: \"o'brien@x\" is on the block list",
             "candidate_email is on the block list"),
        ],
    )  # fmt: skip
    def test_cause(self, status: Status, reason: str, cause: str) -> None:
        assert cause_of(status, reason) == cause

    @pytest.mark.parametrize(
        ("cause", "words"),
        [
            ("candidate_resume: required, but column 'CV' is empty", "attach one in the ATS"),
            ("candidate_resume: file '…' not found in cvs.zip", "--resumes"),
            ("candidate_resume: has no text layer (a scanned PDF?)", "not a scan"),
            ("candidate_country_code is not an ISO 3166-1 alpha-2 country code", "ISO code"),
            ("position: job key '…' (column 'Job ID') not found in jobs.csv", "jobs export"),
            ("something nobody foresaw", "Correct the value"),
        ],
    )
    def test_every_cause_has_a_fix(self, cause: str, words: str) -> None:
        assert words in fix_for(Status.INVALID, cause)
