"""The ledger's positions: a job's interview remembered across runs, and the migration to it.

Every test runs against both stores (the ``store`` fixture of tests/conftest.py:
a real SQLite file, and a schema of its own on the PostgreSQL server the suite
starts): the two methods are written once (sync/ledger/store.py), so they must
behave the same in both. A ledger written before positions existed (schema
version 2) is upgraded in place, its runs kept.
"""

from __future__ import annotations

import pytest
from conftest import Store

from sync.ledger import KnownPosition, Ledger, open_ledger
from sync.ledger import schema as ledger_schema


def start(ledger: Ledger) -> str:
    return ledger.start_run(inputs=[], mapping="generic (positions)", dry_run=False,
                            tool_version="0.1.0", results_path="p.xlsx")  # fmt: skip


class TestMigration:
    """A ledger written before positions existed opens, keeps its runs, and gains the table."""

    def test_an_old_ledger_is_upgraded_in_place(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        before = [(v, s) for v, s in ledger_schema.MIGRATIONS if v < 4]
        monkeypatch.setattr(ledger_schema, "MIGRATIONS", before)
        monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", before[-1][0])
        open_ledger(store.location).close()
        assert store.peek("SELECT value FROM meta") == [(str(before[-1][0]),)]
        old = "20260101T000000Z-0ld0"  # a run of that version, as it wrote it
        store.peek(
            "INSERT INTO runs (run_id, started_at, finished_at, state, dry_run, mapping, inputs,"
            " tool_version, results_path) VALUES (:run, '2026-01-01T00:00:00Z',"
            " '2026-01-01T00:01:00Z', 'finished', 0, 'generic', '[]', '0.0.9', 'r.xlsx')",
            {"run": old},
        )
        monkeypatch.undo()
        with open_ledger(store.location) as ledger:
            assert ledger.positions() == {}
            assert [run.run_id for run in ledger.runs()] == [old]
            run = start(ledger)
            ledger.record_position(run, KnownPosition("JOB-1", "created", interview_def_set_id="i"))
            ledger.finish_run(run, exit_code=0, counts={})
        assert store.peek("SELECT value FROM meta") == [(str(ledger_schema.SCHEMA_VERSION),)]
        assert store.peek("SELECT job_key, origin, run_id FROM positions") == [
            ("JOB-1", "created", run)
        ]


class TestRecordPosition:
    """Non-empty values replace stored ones; a blank never erases; the first origin stays."""

    def test_learning_more_of_a_known_job(self, store: Store) -> None:
        with open_ledger(store.location) as ledger:
            run = start(ledger)
            ledger.record_position(run, KnownPosition(
                "JOB-1", "created", interview_def_set_id="i-1", name="Backend", code="JOB-1",
                digests={"description": "aa"}, link="https://x/1",
            ))  # fmt: skip
            ledger.record_position(
                run, KnownPosition("JOB-1", "enrolment", position_def_set_id="p-1")
            )
            ledger.record_position(
                run, KnownPosition("JOB-1", "created", digests={"description": "bb"})
            )
            ledger.finish_run(run, exit_code=0, counts={})
            later = start(ledger)
            ledger.record_position(later, KnownPosition("JOB-1", "created", link="https://x/2"))
            ledger.finish_run(later, exit_code=0, counts={})
            known = ledger.positions()["JOB-1"]
        assert known.origin == "created" and known.run_id == run and known.last_run_id == later
        assert (known.interview_def_set_id, known.position_def_set_id) == ("i-1", "p-1")
        assert (known.name, known.code, known.link) == ("Backend", "JOB-1", "https://x/2")
        assert known.digests == {"description": "bb"}
        assert known.id_to_send == "p-1"
        assert known.created_at and known.updated_at >= known.created_at

    def test_kept_across_opens(self, store: Store) -> None:
        with open_ledger(store.location) as ledger:
            run = start(ledger)
            ledger.record_position(run, KnownPosition("pos:nurse|wien|at", "enrolment",
                                                      position_def_set_id="p-9"))  # fmt: skip
            ledger.finish_run(run, exit_code=0, counts={})
        with open_ledger(store.location) as ledger:
            known = ledger.positions()
        assert list(known) == ["pos:nurse|wien|at"]
        assert known["pos:nurse|wien|at"].position_def_set_id == "p-9"
        assert known["pos:nurse|wien|at"].digests == {}

    def test_text_with_quotes_and_percent_signs_is_stored_as_given(self, store: Store) -> None:
        """Values travel as parameters, never spliced into the SQL (psycopg's ``%`` too)."""
        name = "Nurse 100% 'night' shift; DROP TABLE positions --"
        with open_ledger(store.location) as ledger:
            run = start(ledger)
            ledger.record_position(run, KnownPosition("J'1", "created", name=name,
                                                      digests={"name": "50%"}))  # fmt: skip
            ledger.finish_run(run, exit_code=0, counts={})
            known = ledger.positions()["J'1"]
        assert (known.name, known.digests) == (name, {"name": "50%"})
