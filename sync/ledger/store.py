"""The ledger's one implementation, over any store: every method's SQL, written once.

``SQLLedger`` is the ``Ledger`` of both stores. Its SQL is the portable subset
of ``sync.ledger.dialect``, and it reaches its store through a ``Database``
adapter (``sync.ledger.db``): ``SQLiteLedger`` (``sync.ledger.sqlite``) hands it
one ``sqlite3`` connection and a ``flock``; ``PostgresLedger``
(``sync.ledger.postgres``) a psycopg pool and an advisory lock. What a store does
on its own is opening: finding or creating the file or schema, refusing a
database that is not a ledger, the driver's settings. A table or query added
here is added for both stores at once (docs/design.md "The ledger").

The ledger never stores the API token, resume text or request payloads: only
the display columns of the results sheet, the API's answers, attempt metadata
and problem fingerprints (SHA-256, ``sync.plan.problem_fingerprint``). Free
text (reasons, details) is ``stored_text``: scrubbed of bearer tokens and
capped.

Outcomes runs (``sync.outcomes``, schema version 5) use the same class: an
enrolment keeps who it is (name, e-mail, position, the ATS's own candidate and
job ids, the export row), refreshed whenever a run reads that candidate again,
enrolled or skipped as already enrolled, a blank never erasing a value;
``enrolled_candidates`` hands every enrolment with the outcome last seen, and
``record_outcomes`` remembers what an outcomes run wrote (one transaction, only
once its sheet is written, so ``--changed-since last-run`` loses no change).

Over 400 lines on purpose: it is one class, every method with its SQL beside it
(as the SQLite store was), the outcomes runs' few methods included so that they
too are written once; the stores' own code lives in ``sqlite`` and ``postgres``,
what they share of values and rendering in ``base`` and ``lines``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sync.errors import LedgerError
from sync.ledger.base import (
    EnrolledCandidate,
    Enrolment,
    KnownPosition,
    Ledger,
    RunInfo,
    SeenOutcome,
    new_run_id,
    stored_text,
    utc_now,
)
from sync.ledger.db import Database, Params, RunLockLike, Session
from sync.ledger.groups import RunGroups
from sync.ledger.lines import Attempts, result_line, shown_counts
from sync.records import ResultLine, Status
from sync.shards import Shard

_CHUNK = 500  # identities per IN (...) query
_NO_ATTEMPTS = Attempts()

# What ``shown_status`` decides by, as stored: the outcome once recorded, else NULL.
_RECORDED = "CASE WHEN r.state = 'done' THEN r.status END"

# A row with what ``result_line`` needs: its outcome if recorded, else its attempts so far;
# and, for a problem an earlier run reported first, when that was (``known_since``).
_ROW_SELECT = f"""
SELECT r.row_index, r.source_file, r.source_row, r.candidate_name, r.candidate_email, r.position,
       r.reason, r.interview_url, r.position_def_set_id, r.profile_interview_id,
       r.http_status, r.attempts, r.identity, r.notes, r.fingerprint,
       p.first_seen_at AS known_since, {_RECORDED} AS recorded,
       ag.n AS n_attempts, la.state AS last_state, la.http_status AS last_http,
       la.outcome AS last_outcome
FROM rows r
LEFT JOIN (
    SELECT row_index, count(*) AS n, max(attempt_id) AS last_id
    FROM attempts WHERE run_id = :run GROUP BY row_index
) ag ON ag.row_index = r.row_index
LEFT JOIN attempts la ON la.attempt_id = ag.last_id
LEFT JOIN problems p ON r.fingerprint <> '' AND p.fingerprint = r.fingerprint
                    AND p.first_run_id <> r.run_id
WHERE r.run_id = :run {{own}}
ORDER BY r.row_index
"""  # noqa: S608 (constants only)

# A shard's own rows: not those another shard of its group sends.
_OWN_ROWS = "AND (r.status IS NULL OR r.status <> 'other_shard')"

# A run's rows grouped by what ``shown_status`` decides by, for ``shown_counts``.
_GROUP_SELECT = f"""
SELECT {_RECORDED} AS recorded,
       EXISTS (SELECT 1 FROM attempts a
               WHERE a.run_id = r.run_id AND a.row_index = r.row_index) AS attempted,
       count(*)
FROM rows r WHERE r.run_id = :run GROUP BY recorded, attempted
"""  # noqa: S608 (constants only)

_RUN_COLUMNS = (
    "run_id, started_at, finished_at, state, dry_run, mapping, inputs, results_path,"
    " exit_code, counts, tool_version, pid, host, kind, run_group, shard, shards"
)

_ENROLMENT_SELECT = (
    "SELECT identity, status, interview_url, run_id, enrolled_at, first_status, last_run_id,"
    " updated_at FROM enrolments"
)

_INSERT_ROW = (
    "INSERT INTO rows (run_id, row_index, source_file, source_row, candidate_name,"
    " candidate_email, position, identity, state, status, reason, interview_url, http_status,"
    " attempts, position_def_set_id, profile_interview_id, updated_at, notes, fingerprint)"
    " VALUES (:run, :index, :source_file, :source_row, :name, :email, :position, :identity,"
    " :state, :status, :reason, :url, :http, :attempts, :pds, :pid, :now, :notes,"
    " :fingerprint)"
)

# Journal an attempt for a row that is still pending, in one statement.
_BEGIN_ATTEMPT = (
    "INSERT INTO attempts (run_id, row_index, state, started_at)"
    " SELECT run_id, row_index, 'in_flight', :now FROM rows"
    " WHERE run_id = :run AND row_index = :index AND state = 'pending'"
    " RETURNING attempt_id"
)

# What the API said last wins, except that an answer without a URL never erases
# one; the first run and time of the enrolment are kept.
_UPSERT_ENROLMENT = (
    "INSERT INTO enrolments (identity, status, first_status, interview_url, run_id,"
    " enrolled_at, last_run_id, updated_at, position_def_set_id, profile_interview_id)"
    " VALUES (:identity, :status, :status, :url, :run, :now, :run, :now, :pds, :pid)"
    " ON CONFLICT (identity) DO UPDATE SET"
    " status = excluded.status,"
    " interview_url = CASE WHEN excluded.interview_url <> '' THEN excluded.interview_url"
    "   ELSE enrolments.interview_url END,"
    " last_run_id = excluded.last_run_id, updated_at = excluded.updated_at,"
    " position_def_set_id = CASE WHEN excluded.position_def_set_id <> ''"
    "   THEN excluded.position_def_set_id ELSE enrolments.position_def_set_id END,"
    " profile_interview_id = CASE WHEN excluded.profile_interview_id <> ''"
    "   THEN excluded.profile_interview_id ELSE enrolments.profile_interview_id END"
)

_POSITION_SELECT = (
    "SELECT job_key, origin, interview_def_set_id, position_def_set_id, name, code, digests,"
    " link, run_id, created_at, last_run_id, updated_at FROM positions ORDER BY job_key"
)

# A new job's position, or what is new of a known one: a blank value (or no digests,
# '{}') never erases a stored one; the first origin, run and time are kept.
_UPSERT_POSITION = (
    "INSERT INTO positions (job_key, origin, interview_def_set_id, position_def_set_id, name,"
    " code, digests, link, run_id, created_at, last_run_id, updated_at)"
    " VALUES (:key, :origin, :ids, :pds, :name, :code, :digests, :link, :run, :now, :run, :now)"
    " ON CONFLICT (job_key) DO UPDATE SET"
    " interview_def_set_id = CASE WHEN excluded.interview_def_set_id <> ''"
    "   THEN excluded.interview_def_set_id ELSE positions.interview_def_set_id END,"
    " position_def_set_id = CASE WHEN excluded.position_def_set_id <> ''"
    "   THEN excluded.position_def_set_id ELSE positions.position_def_set_id END,"
    " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE positions.name END,"
    " code = CASE WHEN excluded.code <> '' THEN excluded.code ELSE positions.code END,"
    " digests = CASE WHEN excluded.digests <> '{}' THEN excluded.digests"
    "   ELSE positions.digests END,"
    " link = CASE WHEN excluded.link <> '' THEN excluded.link ELSE positions.link END,"
    " last_run_id = excluded.last_run_id, updated_at = excluded.updated_at"
)

# A run's problem rows, remembered: a fingerprint seen first keeps its first run and
# time; one seen again gets its last run and time and one more run (once per run).
_RECORD_PROBLEMS = (
    "INSERT INTO problems (fingerprint, status, first_run_id, first_seen_at,"
    " last_run_id, last_seen_at)"
    " SELECT DISTINCT fingerprint, status, run_id, :now, run_id, :now FROM rows"
    " WHERE run_id = :run AND fingerprint <> '' AND state = 'done'"
    " ON CONFLICT (fingerprint) DO UPDATE SET"
    " last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at,"
    " runs = problems.runs + 1 WHERE problems.last_run_id <> excluded.last_run_id"
)


# Every enrolment with what an outcomes run needs: who, the ATS's ids, the mapping of
# the run that recorded it last, and the outcome last seen (NULLs until one was).
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
"""

# What a run read of an enrolled candidate; a blank value keeps the one known.
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

# The outcome last seen per enrolment: the newest outcomes run's wins.
_UPSERT_OUTCOME = """
INSERT INTO outcomes (identity, fingerprint, progress, decision, score, result_id,
                      changed_at, seen_at, run_id)
VALUES (:identity, :fingerprint, :progress, :decision, :score, :result_id,
        :changed_at, :seen_at, :run)
ON CONFLICT (identity) DO UPDATE SET
    fingerprint = excluded.fingerprint, progress = excluded.progress,
    decision = excluded.decision, score = excluded.score, result_id = excluded.result_id,
    changed_at = excluded.changed_at, seen_at = excluded.seen_at, run_id = excluded.run_id
"""


def _who(identity: str, line: ResultLine) -> dict[str, Any]:
    """``_REMEMBER_WHO``'s values: what ``line`` says of the candidate ``identity``."""
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


def _candidate(row: Sequence[Any]) -> EnrolledCandidate:
    """An ``EnrolledCandidate`` from a row of ``_CANDIDATES_SELECT``."""
    last = None
    if row[16] is not None:
        (identity, fingerprint, progress, decision, score, result_id, changed_at, seen_at,
         run_id) = row[16:25]  # fmt: skip
        last = SeenOutcome(
            identity=identity,
            fingerprint=fingerprint,
            progress=progress,
            decision=decision,
            score=None if score is None else float(score),
            result_id=result_id,
            changed_at=changed_at,
            seen_at=seen_at,
            run_id=run_id,
        )
    return EnrolledCandidate(
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


class SQLLedger(RunGroups, Ledger):
    """The ledger over a ``Database`` adapter and a run lock (one per store); the
    run groups' half is ``RunGroups`` (``sync.ledger.groups``)."""

    def __init__(self, db: Database, lock: RunLockLike) -> None:
        self._database = db
        self._lock = lock
        self._run_id: str | None = None
        self._closed = False

    @property
    def where(self) -> str:
        """The ledger as messages name it (a path, or a URL with its password masked)."""
        return self._database.where

    # ------------------------------------------------------------------ sessions

    def _db(self) -> Database:
        if self._closed:
            raise LedgerError(f"the ledger {self.where} is closed")
        return self._database

    @contextlib.contextmanager
    def _read(self) -> Iterator[Session]:
        with self._db().session() as session:
            yield session

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction, committed (durably) when the block ends."""
        with self._db().write() as session:
            yield session

    def _query(self, sql: str, params: Params) -> list[Any]:
        with self._read() as s:
            return s.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ starting

    def start_run(
        self,
        *,
        inputs: list[tuple[str, str]],
        mapping: str,
        dry_run: bool,
        tool_version: str,
        results_path: str,
        kind: str = "sync",
        group: str | None = None,
        shard: Shard | None = None,
    ) -> str:
        self._take_lock(group, shard)
        try:
            self._check_before_run()
        except BaseException:
            self._lock.release()
            raise
        values = {
            "now": utc_now(),
            "dry": int(dry_run),
            "mapping": mapping,
            "inputs": json.dumps([list(i) for i in inputs]),
            "version": tool_version,
            "results": results_path,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "kind": kind,
            "group": group if shard is not None else None,
            "shard": shard.index if shard is not None else None,
            "shards": shard.count if shard is not None else None,
        }
        for _ in range(20):
            run_id = new_run_id()
            try:
                with self._db().admission() as w:
                    self._admit(w, group, shard, inputs)
                    w.execute(
                        "INSERT INTO runs (run_id, started_at, state, dry_run, mapping, inputs,"
                        " tool_version, results_path, pid, host, kind, run_group, shard,"
                        " shards) VALUES (:run, :now, 'running', :dry, :mapping, :inputs,"
                        " :version, :results, :pid, :host, :kind, :group, :shard, :shards)",
                        {**values, "run": run_id},
                    )
                break
            except self._database.integrity_error:
                time.sleep(0.001)  # the same second and suffix as an earlier run
            except BaseException:
                self._lock.release()  # refused (another group, another N): let go at once
                raise
        else:  # pragma: no cover - 20 collisions of a random suffix
            raise LedgerError(f"could not allocate a run id in the ledger {self.where}")
        self._run_id = run_id
        self._lock.describe(run_id)
        return run_id

    # ------------------------------------------------------------------ plan

    def _check_before_run(self) -> None:
        """What a store checks once it holds the run lock, before the run starts."""

    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        if len(lines) != len(pending):
            raise ValueError(f"{len(lines)} lines but {len(pending)} pending flags")
        self._require_run(run_id)
        now = utc_now()

        def values() -> Iterator[dict[str, Any]]:
            for index, (line, send) in enumerate(zip(lines, pending, strict=True)):
                yield {
                    "run": run_id,
                    "index": index,
                    "source_file": line.source_file,
                    "source_row": line.source_row,
                    "name": line.candidate_name,
                    "email": line.candidate_email,
                    "position": line.position,
                    "identity": line.identity,
                    "state": "pending" if send else "done",
                    "status": None if send else str(line.status),
                    "reason": "" if send else stored_text(line.reason),
                    "url": "" if send else line.interview_url,
                    "http": None if send else line.http_status,
                    "attempts": 0 if send else line.attempts,
                    "pds": line.position_def_set_id,
                    "pid": line.profile_interview_id,
                    "now": now,
                    "notes": stored_text(line.notes),
                    "fingerprint": "" if send else line.fingerprint,
                }

        with self._write() as w:
            w.executemany(_INSERT_ROW, values())
            # Rows skipped as already enrolled refresh their enrolment's name, ids and row.
            w.executemany(
                _REMEMBER_WHO,
                [
                    _who(line.identity, line)
                    for line in lines
                    if line.status is Status.SKIPPED and line.identity
                ],
            )

    def enrolled(self, identities: Iterable[str]) -> dict[str, Enrolment]:
        rows = self._select_in(_ENROLMENT_SELECT + " WHERE identity", identities)
        return {row[0]: Enrolment(*row) for row in rows}

    def _select_in(self, head: str, keys: Iterable[str]) -> list[Any]:
        """The rows of ``<head> IN (keys)``, asked ``_CHUNK`` keys at a time."""
        wanted = list(dict.fromkeys(keys))
        found: list[Any] = []
        with self._read() as s:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ", ".join(f":i{n}" for n in range(len(chunk)))
                sql = f"{head} IN ({marks})"  # only parameters
                found += s.execute(sql, {f"i{n}": v for n, v in enumerate(chunk)}).fetchall()
        return found

    # ------------------------------------------------------------------ sending

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        params = {"run": run_id, "index": row_index, "now": utc_now()}
        _, row = self._db().write_one(_BEGIN_ATTEMPT, params)
        if row is None:
            raise self._not_pending(run_id, row_index)
        return int(row[0])

    def _not_pending(self, run_id: str, row_index: int) -> LedgerError:
        """Why no attempt could be journaled for a row: it is unknown, or already final."""
        found = self._query(
            "SELECT status FROM rows WHERE run_id = :run AND row_index = :index",
            {"run": run_id, "index": row_index},
        )
        if not found:
            return self._no_row(run_id, row_index)
        # A safety net against sending a row twice (or one planned not to be sent).
        return LedgerError(
            f"row {row_index} of run {run_id} already has its outcome ({found[0][0]});"
            " it is not sent again"
        )

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        found, _ = self._db().write_one(
            "UPDATE attempts SET state = 'done', finished_at = :now, http_status = :http,"
            " outcome = :outcome, detail = :detail WHERE attempt_id = :attempt",
            {
                "now": utc_now(),
                "http": http_status,
                "outcome": outcome,
                "detail": stored_text(detail),
                "attempt": attempt_id,
            },
        )
        if not found:
            raise LedgerError(f"no attempt {attempt_id} in the ledger {self.where}")

    def record_outcome(self, run_id: str, row_index: int, line: ResultLine) -> None:
        now = utc_now()
        with self._write() as w:
            row = w.execute(
                "UPDATE rows SET state = 'done', status = :status, reason = :reason,"
                " interview_url = :url, http_status = :http, attempts = :attempts,"
                " position_def_set_id = :pds, profile_interview_id = :pid, updated_at = :now,"
                " fingerprint = :fingerprint"
                " WHERE run_id = :run AND row_index = :index RETURNING identity",
                {
                    "status": str(line.status),
                    "reason": stored_text(line.reason),
                    "url": line.interview_url,
                    "http": line.http_status,
                    "attempts": line.attempts,
                    "pds": line.position_def_set_id,
                    "pid": line.profile_interview_id,
                    "now": now,
                    "fingerprint": line.fingerprint,
                    "run": run_id,
                    "index": row_index,
                },
            ).fetchone()
            if row is None:
                raise self._no_row(run_id, row_index)
            identity = line.identity or str(row[0])
            if Status(line.status).is_enrolled and identity:
                w.execute(
                    _UPSERT_ENROLMENT,
                    {
                        "identity": identity,
                        "status": str(line.status),
                        "url": line.interview_url,
                        "run": run_id,
                        "now": now,
                        "pds": line.position_def_set_id,
                        "pid": line.profile_interview_id,
                    },
                )
                w.execute(_REMEMBER_WHO, _who(identity, line))

    # ------------------------------------------------------------------ problems

    def record_problems(self, run_id: str) -> None:
        self._require_run(run_id)
        with self._write() as w:
            w.execute(_RECORD_PROBLEMS, {"run": run_id, "now": utc_now()})

    def known_problems(self, fingerprints: Iterable[str]) -> dict[str, str]:
        head = "SELECT fingerprint, first_seen_at FROM problems WHERE fingerprint"
        rows = self._select_in(head, (f for f in fingerprints if f))
        return {str(f): str(seen) for f, seen in rows}

    # ------------------------------------------------------------------ positions

    def positions(self) -> dict[str, KnownPosition]:
        found: dict[str, KnownPosition] = {}
        for r in self._query(_POSITION_SELECT, {}):
            (key, origin, ids, pds, name, code, digests, link, run, created, last, updated) = r
            found[key] = KnownPosition(
                key=key,
                origin=origin,
                interview_def_set_id=ids,
                position_def_set_id=pds,
                name=name,
                code=code,
                digests=json.loads(digests or "{}"),
                link=link,
                run_id=run,
                created_at=created,
                last_run_id=last,
                updated_at=updated,
            )
        return found

    def record_position(self, run_id: str, position: KnownPosition) -> None:
        with self._write() as w:
            w.execute(
                _UPSERT_POSITION,
                {
                    "key": position.key,
                    "origin": position.origin,
                    "ids": position.interview_def_set_id,
                    "pds": position.position_def_set_id,
                    "name": position.name,
                    "code": position.code,
                    "digests": json.dumps(dict(position.digests), sort_keys=True),
                    "link": position.link,
                    "run": run_id,
                    "now": utc_now(),
                },
            )

    # ------------------------------------------------------------------ finishing

    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        done, _ = self._db().write_one(
            "UPDATE runs SET state = 'finished', finished_at = :now, exit_code = :code,"
            " counts = :counts WHERE run_id = :run",
            {
                "now": utc_now(),
                "code": exit_code,
                "counts": json.dumps(dict(counts)),
                "run": run_id,
            },
        )
        if not done:
            raise self._unknown_run(run_id)
        if run_id == self._run_id:
            self._run_id = None
        self._lock.release()

    def close(self) -> None:
        if self._closed:
            return
        try:
            if self._run_id is not None:  # the run raised before finish_run
                with contextlib.suppress(Exception), self._write() as w:
                    w.execute(
                        "UPDATE runs SET state = 'killed'"
                        " WHERE run_id = :run AND state = 'running'",
                        {"run": self._run_id},
                    )
                self._run_id = None
        finally:
            self._closed = True
            try:
                self._database.close()
            finally:
                self._lock.release()

    # ------------------------------------------------------------------ reading

    def result_lines(self, run_id: str) -> list[ResultLine]:
        return [line for _, line in self.indexed_lines(run_id)]

    def indexed_lines(self, run_id: str, *, own: bool = False) -> list[tuple[int, ResultLine]]:
        """A run's sheet with each line's row index; ``own``: a shard's own rows only."""
        self._require_run(run_id)
        lines: list[tuple[int, ResultLine]] = []
        query = _ROW_SELECT.replace("{own}", _OWN_ROWS if own else "")
        for r in self._query(query, {"run": run_id}):
            line = ResultLine(
                source_file=r[1],
                source_row=r[2],
                candidate_name=r[3],
                candidate_email=r[4],
                position=r[5],
                status=Status.NOT_SENT,  # until result_line reads the outcome
                reason=r[6],
                interview_url=r[7],
                position_def_set_id=r[8],
                profile_interview_id=r[9],
                http_status=r[10],
                attempts=r[11],
                identity=r[12],
                notes=r[13],
                fingerprint=r[14],
                known_since=r[15] or "",
            )
            recorded, n_attempts, last_state, last_http, last_outcome = r[16:21]
            attempts = (
                Attempts(n_attempts, last_state == "in_flight", last_http, last_outcome)
                if n_attempts
                else _NO_ATTEMPTS
            )
            lines.append((int(r[0]), result_line(line, recorded, attempts)))
        return lines

    def _reap(self) -> None:
        """Mark runs left 'running' as 'killed' when their process no longer holds its lock."""
        if self._run_id is not None:
            return  # a run of ours: the runs left running were reaped when it started
        running = self._query(
            "SELECT run_id, run_group, shard FROM runs WHERE state = :state", {"state": "running"}
        )
        dead = self._dead(running) if running else []
        if dead:
            with self._write() as w:
                w.executemany(
                    "UPDATE runs SET state = 'killed' WHERE run_id = :run AND state = 'running'",
                    [{"run": r} for r in dead],
                )

    def runs(self, limit: int = 50) -> list[RunInfo]:
        self._reap()
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY seq DESC LIMIT :limit",  # noqa: S608
            {"limit": limit},
        )
        return [self._run_info(r) for r in rows]

    def get_run(self, run_id: str) -> RunInfo:
        found = self._select_runs("run_id = :run", {"run": run_id})
        if not found:
            raise self._unknown_run(run_id)
        return found[0]

    def _select_runs(self, where: str, params: Params) -> list[RunInfo]:
        """The runs ``where`` says (a condition on ``runs``), newest first, reaped."""
        self._reap()
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE {where} ORDER BY seq DESC",  # noqa: S608
            params,
        )
        return [self._run_info(r) for r in rows]

    def last_run_id(self, kind: str = "sync") -> str | None:
        rows = self._query(
            "SELECT run_id FROM runs WHERE kind = :kind ORDER BY seq DESC LIMIT :n",
            {"kind": kind, "n": 1},
        )
        return None if not rows else str(rows[0][0])

    def _run_info(self, row: Sequence[Any]) -> RunInfo:
        (run_id, started, finished, state, dry, mapping, inputs, results, code, counts, ver,
         pid, host, kind, group, shard, shards) = row  # fmt: skip
        stored: dict[str, int] = json.loads(counts) if counts else {}
        if state != "finished" or not stored:
            stored = shown_counts(self._query(_GROUP_SELECT, {"run": run_id}))
        return RunInfo(
            run_id=run_id,
            started_at=started,
            finished_at=finished,
            state=state,
            dry_run=bool(dry),
            mapping=mapping,
            inputs=[(str(p), str(h)) for p, h in json.loads(inputs)],
            results_path=results,
            exit_code=code,
            counts=stored,
            tool_version=ver,
            pid=pid,
            host=host or "",
            kind=kind,
            group=group or "",
            shard=shard,
            shards=shards,
        )

    # ------------------------------------------------------------------ outcomes runs

    def enrolled_candidates(self) -> list[EnrolledCandidate]:
        found = [_candidate(r) for r in self._query(_CANDIDATES_SELECT, {})]
        # Sorted here, not in SQL: both stores then agree whatever their collation.
        return sorted(found, key=lambda c: (c.enrolled_at, c.identity))

    def record_outcomes(self, run_id: str, seen: Sequence[SeenOutcome]) -> None:
        self._require_run(run_id)
        with self._write() as w:
            w.executemany(
                _UPSERT_OUTCOME,
                [
                    {
                        "identity": s.identity,
                        "fingerprint": s.fingerprint,
                        "progress": s.progress,
                        "decision": s.decision,
                        "score": s.score,
                        "result_id": s.result_id,
                        "changed_at": s.changed_at,
                        "seen_at": s.seen_at,
                        "run": run_id,
                    }
                    for s in seen
                ],
            )

    def _require_run(self, run_id: str) -> None:
        if not self._query("SELECT 1 FROM runs WHERE run_id = :run", {"run": run_id}):
            raise self._unknown_run(run_id)

    def _no_row(self, run_id: str, row_index: int) -> LedgerError:
        return LedgerError(f"run {run_id} has no row {row_index} in the ledger {self.where}")

    def _unknown_run(self, run_id: str) -> LedgerError:
        rows = self._query("SELECT run_id FROM runs ORDER BY seq DESC LIMIT :n", {"n": 5})
        last = [r[0] for r in rows]
        known = ("the last runs are " + ", ".join(last)) if last else "the ledger holds no runs yet"
        return LedgerError(f"no run {run_id!r} in ledger {self.where}; {known}")


__all__ = ["SQLLedger"]
