"""The outcomes half of the SQLite ledger: who each enrolment is, and the outcome last seen.

``SQLiteOutcomes`` is a base of ``SQLiteLedger`` (``sync.ledger.sqlite``), kept
apart so that the sending half reads on its own. It writes nothing outside the
transactions of the ledger (``_write``); an outcomes run is started like any
run (``Ledger.start_outcome_run``), under the same run lock.

- ``_remember_who``: an enrolment keeps its candidate's name, e-mail, position,
  the ATS's own candidate and job ids and the export row, refreshed whenever a
  run reads that candidate again (enrolled, or skipped as already enrolled), so
  the outcomes sheet names them as the latest export does. A blank value never
  erases one (an export without the ATS id column keeps the ids already known).
- ``enrolled_candidates``: every enrolment with the mapping of the run that
  recorded it and the outcome last seen.
- ``record_outcomes``: the outcome last seen per enrolment, upserted in one
  transaction once the outcomes sheet is written (a failed run remembers nothing,
  so ``--changed-since last-run`` loses no change).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence

from sync.ledger.base import EnrolledCandidate, SeenOutcome
from sync.records import ResultLine, Status

_CANDIDATES_SELECT = """
SELECT e.identity, e.status, e.interview_url, e.run_id, e.enrolled_at,
       e.position_def_set_id, e.profile_interview_id, e.candidate_name, e.candidate_email,
       e.position, e.position_name, e.candidate_external_id, e.position_external_id,
       e.source_file, e.source_row, COALESCE(ru.mapping, ''),
       o.identity, o.fingerprint, o.progress, o.decision, o.score, o.result_id,
       o.changed_at, o.seen_at, o.run_id
FROM enrolments e
LEFT JOIN runs ru ON ru.run_id = e.last_run_id
LEFT JOIN outcomes o ON o.identity = e.identity
ORDER BY e.enrolled_at, e.identity
"""

# What a run read of a candidate; a blank value keeps the one known.
_REMEMBER_WHO = """
UPDATE enrolments SET
    candidate_name = CASE WHEN :name <> '' THEN :name ELSE candidate_name END,
    candidate_email = CASE WHEN :email <> '' THEN :email ELSE candidate_email END,
    position = CASE WHEN :position <> '' THEN :position ELSE position END,
    position_name = CASE WHEN :position_name <> '' THEN :position_name ELSE position_name END,
    candidate_external_id = CASE WHEN :cid <> '' THEN :cid ELSE candidate_external_id END,
    position_external_id = CASE WHEN :jid <> '' THEN :jid ELSE position_external_id END,
    source_file = CASE WHEN :file <> '' THEN :file ELSE source_file END,
    source_row = COALESCE(:row, source_row)
WHERE identity = :identity
"""

_UPSERT_OUTCOME = """
INSERT INTO outcomes (identity, fingerprint, progress, decision, score, result_id,
                      changed_at, seen_at, run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (identity) DO UPDATE SET
    fingerprint = excluded.fingerprint, progress = excluded.progress,
    decision = excluded.decision, score = excluded.score, result_id = excluded.result_id,
    changed_at = excluded.changed_at, seen_at = excluded.seen_at, run_id = excluded.run_id
"""


def _who(identity: str, line: ResultLine) -> dict[str, object]:
    return {
        "identity": identity,
        "name": line.candidate_name,
        "email": line.candidate_email,
        "position": line.position,
        "position_name": line.position_name,
        "cid": line.candidate_external_id,
        "jid": line.position_external_id,
        "file": line.source_file,
        "row": line.source_row or None,
    }


class SQLiteOutcomes:
    """Outcomes runs on the SQLite ledger; ``SQLiteLedger`` provides the plumbing below."""

    def _db(self) -> sqlite3.Connection:  # pragma: no cover - SQLiteLedger's
        raise NotImplementedError

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:  # pragma: no cover
        raise NotImplementedError

    def _require_run(self, run_id: str) -> None:  # pragma: no cover - SQLiteLedger's
        raise NotImplementedError

    # ------------------------------------------------------------------ who

    @staticmethod
    def _remember_who(w: sqlite3.Connection, identity: str, line: ResultLine) -> None:
        """Keep what this run read of an enrolled candidate (after its enrolment row)."""
        w.execute(_REMEMBER_WHO, _who(identity, line))

    @staticmethod
    def _refresh_references(w: sqlite3.Connection, lines: Sequence[ResultLine]) -> None:
        """Rows skipped as already enrolled refresh their enrolment's name, ids and row."""
        w.executemany(
            _REMEMBER_WHO,
            (
                _who(line.identity, line)
                for line in lines
                if line.status is Status.SKIPPED and line.identity
            ),
        )

    # ------------------------------------------------------------------ outcomes runs

    def enrolled_candidates(self) -> list[EnrolledCandidate]:
        found: list[EnrolledCandidate] = []
        for row in self._db().execute(_CANDIDATES_SELECT):
            last = None
            if row[16] is not None:
                last = SeenOutcome(
                    identity=row[16],
                    fingerprint=row[17],
                    progress=row[18],
                    decision=row[19],
                    score=row[20],
                    result_id=row[21],
                    changed_at=row[22],
                    seen_at=row[23],
                    run_id=row[24],
                )
            found.append(
                EnrolledCandidate(
                    identity=row[0],
                    status=row[1],
                    interview_url=row[2],
                    run_id=row[3],
                    enrolled_at=row[4],
                    position_def_set_id=row[5],
                    profile_interview_id=row[6],
                    candidate_name=row[7],
                    candidate_email=row[8],
                    position=row[9],
                    position_name=row[10],
                    candidate_external_id=row[11],
                    position_external_id=row[12],
                    source_file=row[13],
                    source_row=row[14],
                    mapping=row[15],
                    last=last,
                )
            )
        return found

    def record_outcomes(self, run_id: str, seen: Sequence[SeenOutcome]) -> None:
        self._require_run(run_id)
        with self._write() as w:
            w.executemany(
                _UPSERT_OUTCOME,
                (
                    (
                        s.identity,
                        s.fingerprint,
                        s.progress,
                        s.decision,
                        s.score,
                        s.result_id,
                        s.changed_at,
                        s.seen_at,
                        run_id,
                    )
                    for s in seen
                ),
            )
