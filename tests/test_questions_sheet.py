"""The questions sheet: a job's own questions, and a reason per bad row naming sheet, row, column.

The sheets are real CSV and XLSX files written by the test and read by
``sync.readers.read_table``; a bad sheet is also run through ``positions
--dry-run`` so the reasons are seen where users see them, in the results sheet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SAMPLES, write_export

from sync.errors import InputError
from sync.positions.questions import parse_duration, parse_questions
from sync.positions.run import sync_positions
from sync.readers import read_table
from sync.results import read_results

HEADER = ["Job", "Order", "Question", "Duration", "Type", "Alternatives", "Follow-up of"]


def sheet(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """A questions sheet, CSV or XLSX by suffix (helpers.write_export)."""
    return write_export(path, header, rows)


def parsed(path: Path):
    return parse_questions(read_table(path))


BAD = [
    ["JOB-104", "1", "", "90", "", "", ""],  # row 2: no question text
    ["JOB-104", "2", "Your CRM?", "30", "", "Salesforce|HubSpot", ""],  # row 3: not MC
    ["JOB-104", "3", "And then?", "60", "", "", "7"],  # row 4: no question 7
    ["JOB-106", "1", "Warum die Pflege?", "90", "", "", ""],  # a good job
]


class TestBadRows:
    """Each bad row gives one reason naming the sheet, the row and the column."""

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_the_three_mistakes(self, tmp_path, suffix):
        questions = parsed(sheet(tmp_path / f"questions{suffix}", BAD))
        name = f"questions{suffix}"
        assert questions.problems == {
            "JOB-104": [
                f"{name} row 2, column 'question': the question text is missing",
                f"{name} row 3, column 'alternatives': choices are only for a multiple-choice"
                " question; set column 'type' to 'multiple choice' or empty this cell",
                f"{name} row 4, column 'follow-up of': job 'JOB-104' has no question 7",
            ]
        }
        assert "JOB-104" not in questions.by_job  # a job with a bad question is not sent
        assert [q.body["question"] for q in questions.by_job["JOB-106"]] == ["Warum die Pflege?"]

    def test_reasons_reach_the_results_sheet_of_a_dry_run(self, tmp_path):
        bad = sheet(tmp_path / "questions.csv", BAD)
        report = sync_positions(
            jobs=SAMPLES / "jobs.csv", mapping="generic", questions=bad,
            out=tmp_path / "positions.csv", dry_run=True, ledger=tmp_path / "none.sqlite",
        )  # fmt: skip
        assert report.exit_code == 1
        lines = {ln["job"]: ln for ln in read_results(tmp_path / "positions.csv")}
        assert lines["JOB-104"]["status"] == "invalid"
        reason = lines["JOB-104"]["reason"]
        assert "questions.csv row 2, column 'question'" in reason
        assert "questions.csv row 3, column 'alternatives'" in reason
        assert "questions.csv row 4, column 'follow-up of'" in reason
        assert lines["JOB-106"]["status"] == "dry_run"
        assert "1 question from questions.csv" in lines["JOB-106"]["reason"]
        assert lines["JOB-101"]["status"] == "dry_run"
        assert not (tmp_path / "none.sqlite").exists()  # a dry run creates no ledger

    def test_more_mistakes(self, tmp_path):
        questions = parsed(
            sheet(
                tmp_path / "q.csv",
                [
                    ["A", "x", "Q?", "", "", "", ""],  # order not a number
                    ["A", "2", "Q?", "ten", "", "", ""],  # duration
                    ["A", "3", "Q?", "", "essay", "", ""],  # type
                    ["A", "4", "Q?", "", "multiple choice", "only one", ""],  # one choice
                    ["A", "4", "Again?", "", "", "", ""],  # order twice
                    ["A", "5", "Q?", "", "", "", "6"],  # follows a later question
                    ["A", "6", "Q?", "", "", "", ""],
                    ["", "1", "Whose?", "", "", "", ""],  # no job
                ],
            )
        )
        assert questions.problems["A"] == [
            "q.csv row 2, column 'order': 'x' is not a whole number from 1",
            "q.csv row 3, column 'duration': 'ten' is not a duration (seconds such as 90, or"
            " 90s, 2 min, 1:30; at most 60 minutes)",
            "q.csv row 4, column 'type': unknown question type 'essay' (allowed: open,"
            " multiple choice, unscored, several joined by +)",
            "q.csv row 5, column 'alternatives': a multiple-choice question needs at least two"
            " choices (one per line, or separated by |)",
            "q.csv row 6, column 'order': job 'A' already has a question 4 (row 5)",
            "q.csv row 7, column 'follow-up of': question 6 does not come before question 5;"
            " a follow-up comes after the question it follows",
        ]
        assert questions.orphans == [(9, "q.csv row 9, column 'job': the job key is missing")]

    def test_a_sheet_without_a_question_column_is_refused(self, tmp_path):
        path = sheet(tmp_path / "q.csv", [["A", "Q?"]], header=["Job", "Quesiton"])
        with pytest.raises(InputError) as exc:
            parsed(path)
        message = str(exc.value)
        assert message.startswith("q.csv: the questions sheet needs a column 'question'")
        assert "Quesiton" in message and "follow-up of" in message


class TestGoodRows:
    """What a good sheet becomes: from-array's questions, in order, ids that refer."""

    def test_order_ids_follow_ups_and_choices(self, tmp_path):
        questions = parsed(
            sheet(
                tmp_path / "q.csv",
                [
                    ["A", "2", "Second", "2 min", "", "", ""],
                    ["A", "1", "First", "1:30", "", "", ""],
                    ["A", "3", "Why?", "", "", "", "1"],
                    ["A", "", "Pick", "", "Multiple-Choice + unscored", "x\ny | z", ""],
                ],
            )
        )
        assert questions.array("A") == [
            {"id": "q1", "external_id": "A#1", "question": "First", "duration": 90},
            {"id": "q2", "external_id": "A#2", "question": "Second", "duration": 120},
            {"id": "q3", "external_id": "A#3", "question": "Why?", "is_conditional": True,
             "conditional_question_main_id": "q1"},
            {"id": "q4", "external_id": "A#4", "question": "Pick", "is_multiple_choice": True,
             "question_alternatives": ["x", "y", "z"], "is_without_scoring": True},
        ]  # fmt: skip

    def test_headers_in_other_spellings(self, tmp_path):
        path = sheet(
            tmp_path / "q.csv", [["A", "Hi?", "45s"]], header=["job_id", "TEXT", "Seconds"]
        )
        assert questions_body(path) == [{"id": "q1", "external_id": "A#1", "question": "Hi?",
                                         "duration": 45}]  # fmt: skip

    def test_the_sample_sheet(self):
        questions = parsed(SAMPLES / "questions.xlsx")
        assert not questions.problems and not questions.orphans
        assert {k: len(v) for k, v in questions.by_job.items()} == {"JOB-104": 5, "JOB-106": 4}

    @pytest.mark.parametrize(
        ("text", "seconds"),
        [("90", 90), ("90s", 90), ("2 min", 120), ("1.5 min", 90), ("1:30", 90), ("3m", 180)],
    )
    def test_durations(self, text, seconds):
        assert parse_duration(text) == seconds

    @pytest.mark.parametrize("text", ["0", "-5", "ten", "61 min", "1:75", ""])
    def test_not_durations(self, text):
        assert parse_duration(text) is None


def questions_body(path: Path):
    return parsed(path).array("A")
