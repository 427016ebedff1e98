"""The ledger's positions: a job's interview remembered across runs, and the migration to it.

Real SQLite files: one written with the first schema only (a ledger from before
positions) is upgraded in place, its runs kept.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.ledger import KnownPosition, open_ledger
from sync.ledger.schema import MIGRATIONS, SCHEMA_VERSION


def start(ledger) -> str:
    return ledger.start_run(inputs=[], mapping="generic (positions)", dry_run=False,
                            tool_version="0.1.0", results_path="p.xlsx")  # fmt: skip


class TestMigration:
    """A ledger written before positions existed opens, keeps its runs, and gains the table."""

    def test_an_old_ledger_is_upgraded_in_place(self, tmp_path: Path):
        path = tmp_path / "old.sqlite"
        conn = sqlite3.connect(path)
        version_1 = dict(MIGRATIONS)[1]
        conn.executescript(version_1)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.execute(
            "INSERT INTO runs (run_id, started_at, state, dry_run, mapping, inputs, tool_version,"
            " results_path) VALUES ('r-old', '2026-01-01T00:00:00Z', 'finished', 0, 'generic',"
            " '[]', '0.0.9', 'results.xlsx')"
        )
        conn.commit()
        conn.close()
        with open_ledger(path) as ledger:
            assert ledger.positions() == {}
            assert [run.run_id for run in ledger.runs()] == ["r-old"]
        conn = sqlite3.connect(path)
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        conn.close()
        assert int(version) == SCHEMA_VERSION == 4


class TestRecordPosition:
    """Non-empty values replace stored ones; a blank never erases; the first origin stays."""

    def test_learning_more_of_a_known_job(self, tmp_path: Path):
        with open_ledger(tmp_path / "l.sqlite") as ledger:
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

    def test_kept_across_opens(self, tmp_path: Path):
        with open_ledger(tmp_path / "l.sqlite") as ledger:
            run = start(ledger)
            ledger.record_position(run, KnownPosition("pos:nurse|wien|at", "enrolment",
                                                      position_def_set_id="p-9"))  # fmt: skip
            ledger.finish_run(run, exit_code=0, counts={})
        with open_ledger(tmp_path / "l.sqlite") as ledger:
            assert ledger.positions()["pos:nurse|wien|at"].position_def_set_id == "p-9"
