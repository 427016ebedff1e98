"""What the ledger keeps for outcomes runs, proven on both stores (SQLite and PostgreSQL).

Every test takes ``store`` (tests/conftest.py), so it runs once against an SQLite
file and once against the real PostgreSQL server the suite starts: who each
enrolment is (the ATS's own ids, refreshed by a later export), the outcome last
written per enrolment, runs of kind ``outcomes`` in ``history`` and refused by
``report``, and schema version 5 filling the enrolments of an older ledger from
their rows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import Store

from sync.errors import LedgerError
from sync.ledger import Ledger, SeenOutcome
from sync.ledger import schema as ledger_schema
from sync.records import ResultLine, Status
from sync.results.history import rebuild_results, run_history


def line(i: int, **fields: Any) -> ResultLine:
    """An enrolled row of a Lever export: candidate ``C-<i>`` for job ``E-1``."""
    enrolled = ResultLine(
        source_file="a.csv", source_row=i + 2, candidate_name=f"C {i}",
        candidate_email=f"c{i}@example.com", position="Eng (E-1)", status=Status.AI_ACCEPT,
        interview_url=f"https://x/{i}", identity=f"c{i}@example.com/ext:E-1",
        profile_interview_id=f"pi-{i}", position_name="Eng", position_external_id="E-1",
        candidate_external_id=f"C-{i}",
    )  # fmt: skip
    return replace(enrolled, **fields)


def start(ledger: Ledger, mapping: str = "lever") -> str:
    return ledger.start_run(
        inputs=[], mapping=mapping, dry_run=False, tool_version="t", results_path="r.xlsx"
    )


def enrol(ledger: Ledger, run_id: str, *lines: ResultLine) -> None:
    """Plan ``lines`` and record each as the API's answer (an enrolment)."""
    ledger.record_plan(run_id, list(lines), [True] * len(lines))
    for index, each in enumerate(lines):
        ledger.record_outcome(run_id, index, each)


def outcomes_run(ledger: Ledger, layout: str = "auto") -> str:
    return ledger.start_outcome_run(tool_version="t", results_path="o.xlsx", layout=layout)


class TestWhoEachEnrolmentIs:
    """An enrolment keeps the ATS's own ids and the export row; a later run refreshes them."""

    def test_enrolled_candidates_carry_the_ats_ids_and_the_mapping(self, store: Store) -> None:
        with store.open() as ledger:
            run = start(ledger)
            enrol(ledger, run, line(1), line(0))
            ledger.finish_run(run, exit_code=0, counts={})
            found = ledger.enrolled_candidates()
        assert [c.candidate_external_id for c in found] == ["C-0", "C-1"]  # by identity
        first = found[0]
        assert (first.position_external_id, first.position_name, first.mapping) == (
            "E-1", "Eng", "lever"
        )  # fmt: skip
        assert (first.candidate_name, first.source_file, first.source_row) == ("C 0", "a.csv", 2)
        assert (first.profile_interview_id, first.status, first.last) == ("pi-0", "ai_accept", None)

    def test_a_later_export_refreshes_the_ats_ids_but_a_blank_erases_nothing(
        self, store: Store
    ) -> None:
        with store.open() as ledger:
            run = start(ledger)
            enrol(ledger, run, line(0, candidate_external_id=""))
            ledger.finish_run(run, exit_code=0, counts={})
            later = start(ledger, mapping="generic")
            skipped = ResultLine(
                "b.csv", 9, "C Zero", "c0@example.com", "Eng (E-1)", Status.SKIPPED,
                identity="c0@example.com/ext:E-1", candidate_external_id="C-77",
            )  # fmt: skip
            ledger.record_plan(later, [skipped], [False])
            ledger.finish_run(later, exit_code=0, counts={})
            [found] = ledger.enrolled_candidates()
        assert (found.candidate_external_id, found.position_external_id) == ("C-77", "E-1")
        assert (found.source_file, found.source_row, found.candidate_name) == ("b.csv", 9, "C Zero")
        assert found.position_name == "Eng"  # the skipped row named none: the known one stays


class TestOutcomeLastSeen:
    """``record_outcomes`` remembers the outcome last written per enrolment, newest wins."""

    def test_outcomes_round_trip_and_the_next_run_replaces_them(self, store: Store) -> None:
        with store.open() as ledger:
            run = start(ledger)
            enrol(ledger, run, line(0), line(1))
            ledger.finish_run(run, exit_code=0, counts={})
            first = outcomes_run(ledger)
            seen = SeenOutcome(
                "c0@example.com/ext:E-1", "f1", "completed", decision="selected",
                score=87.35, result_id="res-0", changed_at="t1", seen_at="t1",
            )  # fmt: skip
            ledger.record_outcomes(first, [seen])
            ledger.finish_run(first, exit_code=0, counts={"written": 1})
            ann, bob = ledger.enrolled_candidates()
            assert ann.last == replace(seen, run_id=first)  # the score exactly: 8-byte floats
            assert bob.last is None

            second = outcomes_run(ledger)
            newer = replace(seen, fingerprint="f2", decision="rejected", score=None, seen_at="t2")
            ledger.record_outcomes(second, [newer])
            ledger.finish_run(second, exit_code=0, counts={"written": 1})
            ann, _ = ledger.enrolled_candidates()
            assert ann.last == replace(newer, run_id=second)
            assert ledger.last_run_id() == run  # the last *sync* run
            assert ledger.last_run_id("outcomes") == second
        rows = store.peek("SELECT count(*) FROM outcomes")
        assert rows == [(1,)]

    def test_outcomes_of_an_unknown_run_are_refused(self, store: Store) -> None:
        with store.open() as ledger, pytest.raises(LedgerError, match="no run 'nope'"):
            ledger.record_outcomes("nope", [SeenOutcome("x", "f", "started")])


class TestOutcomesRunsInHistory:
    """``history`` lists outcomes runs beside sync runs; ``report`` rebuilds sync runs only."""

    def test_history_lists_them_and_report_refuses_them(self, store: Store, tmp_path: Path) -> None:
        with store.open() as ledger:
            sync_run = start(ledger)
            enrol(ledger, sync_run, line(0))
            ledger.finish_run(sync_run, exit_code=0, counts={})
            run = outcomes_run(ledger, layout="lever")
            ledger.finish_run(run, exit_code=0, counts={"written": 3})
        latest, earlier = run_history(store.location)
        assert (latest["kind"], latest["mapping"], latest["counts"]) == (
            "outcomes", "lever", {"written": 3}
        )  # fmt: skip
        assert earlier["kind"] == "sync"
        with pytest.raises(LedgerError, match=r"outcomes run: its sheet was o\.xlsx"):
            rebuild_results(store.location, tmp_path / "r.xlsx", run_id=run)
        rebuilt = rebuild_results(store.location, tmp_path / "r.xlsx")  # the last *sync* run
        assert rebuilt == tmp_path / "r.xlsx"


class TestSchemaVersion5:
    """A ledger written before outcomes (version 2) is migrated on opening: its enrolments
    take who they are from the rows of the run that recorded them."""

    def test_an_older_ledger_is_migrated_and_filled_from_its_rows(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        older = [(v, s) for v, s in ledger_schema.MIGRATIONS if v <= 2]
        monkeypatch.setattr(ledger_schema, "MIGRATIONS", older)
        monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", 2)
        store.open().close()  # a ledger as version 2 made it
        for statement in (
            "INSERT INTO runs (run_id, started_at, state, dry_run, mapping, inputs, tool_version,"
            " results_path) VALUES ('r1', 't', 'finished', 0, 'lever', '[]', '0', 'r.xlsx')",
            "INSERT INTO rows (run_id, row_index, source_file, source_row, candidate_name,"
            " candidate_email, position, identity, state, status) VALUES ('r1', 0, 'a.csv', 7,"
            " 'Old Timer', 'old@example.com', 'Eng (E-1)', 'old@example.com/ext:E-1', 'done',"
            " 'ai_accept')",
            "INSERT INTO rows (run_id, row_index, source_file, source_row, candidate_name,"
            " candidate_email, position, identity, state, status) VALUES ('r1', 1, 'a.csv', 8,"
            " 'Old Again', 'old@example.com', 'Eng (E-1)', 'old@example.com/ext:E-1', 'done',"
            " 'duplicate')",
            "INSERT INTO enrolments (identity, status, first_status, interview_url, run_id,"
            " enrolled_at, last_run_id, updated_at, profile_interview_id) VALUES"
            " ('old@example.com/ext:E-1', 'ai_accept', 'ai_accept', 'u', 'r1', 't', 'r1', 't',"
            " 'pi-9')",
        ):
            store.peek(statement)
        monkeypatch.undo()

        with store.open() as ledger:
            [found] = ledger.enrolled_candidates()
            kinds = [r.kind for r in ledger.runs()]
        assert (found.candidate_name, found.candidate_email, found.source_row) == (
            "Old Timer",
            "old@example.com",
            7,
        )  # fmt: skip  (the first row of the identity, not its duplicate)
        assert (found.position, found.mapping, found.profile_interview_id) == (
            "Eng (E-1)", "lever", "pi-9"
        )  # fmt: skip
        assert found.candidate_external_id == ""  # the next run that reads the export fills it
        assert kinds == ["sync"]
        version = store.peek("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version == [(str(ledger_schema.SCHEMA_VERSION),)]
