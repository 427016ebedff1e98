"""Plan: identity, in-input duplicates, ledger skips, dry run — one line per row."""

from __future__ import annotations

from dataclasses import dataclass

from helpers import candidate as payload

from sync.plan import plan_rows, position_identity, row_identity
from sync.records import MappedRow, Row, Status


def mapped(line: int, problems: tuple[str, ...] = (), **over: object) -> MappedRow:
    return MappedRow(Row("applicants.csv", line, {}), payload(**over), problems)


@dataclass
class Enrolled:
    status: str
    interview_url: str
    run_id: str


class TestIdentity:
    """Same candidate, same position: trimmed lower-case e-mail + the position's identity."""

    def test_email_case_and_space_do_not_matter(self):
        assert row_identity(payload(candidate_email=" ANA@Example.com ")) == row_identity(payload())

    def test_def_set_id_wins_over_external_id_and_name(self):
        p = payload(position_def_set_id="abc", position_external_id="JOB-1")
        assert position_identity(p) == "def:abc"
        assert position_identity(payload(position_external_id="JOB-1")) == "ext:JOB-1"

    def test_name_location_country_are_normalised(self):
        a = position_identity(
            payload(position_name="Backend  Engineer", position_location="berlin")
        )
        assert a == position_identity(payload())

    def test_different_positions_differ(self):
        assert row_identity(payload()) != row_identity(payload(position_name="Chef"))


class TestOutcomes:
    """Every row comes out once, in order, with the right pre-send status."""

    def test_valid_rows_are_to_send(self):
        planned = plan_rows([mapped(2), mapped(3, candidate_email="bo@example.com")])
        assert [p.status for p in planned] == [None, None]
        assert [p.index for p in planned] == [0, 1]

    def test_invalid_row_names_every_problem(self):
        planned = plan_rows(
            [mapped(2, ("position: job key 'J-9' not found",), candidate_email="bad@")]
        )
        assert planned[0].status is Status.INVALID
        assert "position: job key 'J-9' not found" in planned[0].reason
        assert "candidate_email" in planned[0].reason

    def test_repeat_in_input_is_duplicate_naming_the_first_row(self):
        planned = plan_rows([mapped(2), mapped(5, candidate_email="ANA@example.com")])
        assert planned[1].status is Status.DUPLICATE
        assert planned[1].reason == "same candidate and position as row 2 of applicants.csv"

    def test_invalid_first_row_does_not_make_the_second_a_duplicate(self):
        planned = plan_rows([mapped(2, candidate_resume=...), mapped(3)])
        assert [p.status for p in planned] == [Status.INVALID, None]

    def test_ledger_enrolled_is_skipped_with_url(self):
        ident = row_identity(payload())

        def lookup(ids):
            return {i: Enrolled("ai_accept", "https://x/1", "run-1") for i in ids if i == ident}

        planned = plan_rows(
            [mapped(2), mapped(3, candidate_email="bo@example.com")], enrolled=lookup
        )
        assert planned[0].status is Status.SKIPPED
        assert planned[0].interview_url == "https://x/1"
        assert "run-1" in planned[0].reason
        assert planned[1].status is None

    def test_force_sends_again(self):
        planned = plan_rows(
            [mapped(2)],
            enrolled=lambda ids: {i: Enrolled("ai_accept", "u", "r") for i in ids},
            force=True,
        )
        assert planned[0].status is None

    def test_dry_run_marks_valid_rows(self):
        planned = plan_rows([mapped(2), mapped(3, candidate_email="x")], dry_run=True)
        assert [p.status for p in planned] == [Status.DRY_RUN, Status.INVALID]

    def test_payload_sent_is_the_validated_body(self):
        planned = plan_rows([mapped(2, candidate_country_code="pt")])
        assert planned[0].payload["candidate_country_code"] == "PT"
