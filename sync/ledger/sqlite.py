"""The ledger in one SQLite file: the embedded ``Ledger`` every run uses.

Durability: WAL with ``synchronous=FULL`` (docs/design.md "The ledger"); every
method that writes commits before it returns, in one ``BEGIN IMMEDIATE``
transaction. The run lock is ``RunLock`` (``sync.ledger.lock``); the schema
and its migrations are in ``sync.ledger.schema``; how a stored row reads on
the results sheet is ``sync.ledger.lines``; what outcomes runs read and write is
``sync.ledger.sqlite_outcomes``.

The ledger never stores the API token, resume text or request payloads: only
the display columns of the results sheet, the API's answers, and attempt
metadata. Free text (reasons, details) is ``stored_text``: scrubbed of bearer
tokens and capped.

Over 400 lines on purpose: it is one class, every method with its own SQL; what
a second store would share lives in ``base``, ``lines`` and ``lock``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sync.errors import LedgerError
from sync.ledger.base import Enrolment, Ledger, RunInfo, new_run_id, stored_text, utc_now
from sync.ledger.lines import Attempts, result_line, shown_counts
from sync.ledger.lock import LOCK_RETRY_SECONDS, RunLock
from sync.ledger.schema import check_is_ledger, migrate
from sync.ledger.sqlite_outcomes import SQLiteOutcomes
from sync.records import ResultLine, Status

_BUSY_TIMEOUT_MS = 10_000
_CHUNK = 500  # identities per IN (...) query
_NO_ATTEMPTS = Attempts()

# What ``shown_status`` decides by, as stored: the outcome once recorded, else NULL.
_RECORDED = "CASE WHEN r.state = 'done' THEN r.status END"

# A row with what ``result_line`` needs: its outcome if recorded, else its attempts so far.
_ROW_SELECT = f"""
SELECT r.row_index, r.source_file, r.source_row, r.candidate_name, r.candidate_email,
       r.position, r.identity, {_RECORDED} AS recorded, r.reason, r.interview_url,
       r.http_status, r.attempts, r.position_def_set_id, r.profile_interview_id,
       ag.n AS n_attempts, la.state AS last_state, la.http_status AS last_http,
       la.outcome AS last_outcome
FROM rows r
LEFT JOIN (
    SELECT row_index, count(*) AS n, max(attempt_id) AS last_id
    FROM attempts WHERE run_id = :run GROUP BY row_index
) ag ON ag.row_index = r.row_index
LEFT JOIN attempts la ON la.attempt_id = ag.last_id
WHERE r.run_id = :run
ORDER BY r.row_index
"""  # noqa: S608 (constants only)

# A run's rows grouped by what ``shown_status`` decides by, for ``shown_counts``.
_GROUP_SELECT = f"""
SELECT {_RECORDED} AS recorded,
       EXISTS (SELECT 1 FROM attempts a
               WHERE a.run_id = r.run_id AND a.row_index = r.row_index) AS attempted,
       count(*)
FROM rows r WHERE r.run_id = ? GROUP BY recorded, attempted
"""  # noqa: S608 (constants only)

_RUN_COLUMNS = (
    "run_id, started_at, finished_at, state, dry_run, mapping, inputs, results_path,"
    " exit_code, counts, tool_version, pid, host, kind"
)

_ENROLMENT_SELECT = (
    "SELECT identity, status, interview_url, run_id, enrolled_at, first_status, last_run_id,"
    " updated_at FROM enrolments"
)


class SQLiteLedger(SQLiteOutcomes, Ledger):
    """The ledger in one SQLite file (WAL, ``synchronous=FULL``), lock in ``<file>.lock``."""

    def __init__(self, path: Path | str, *, lock_wait: float = LOCK_RETRY_SECONDS) -> None:
        self.path = Path(path)
        self._lock = RunLock(self.path, wait=lock_wait)
        self._run_id: str | None = None
        self._closed = False
        self._conn = self._connect()

    # ------------------------------------------------------------------ opening

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # The ledger holds names and e-mails: readable by its owner only.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass
        except OSError as exc:
            raise LedgerError(f"cannot create the ledger {path}: {exc.strerror or exc}") from None
        if path.is_dir():
            raise LedgerError(f"the ledger {path} is a folder; give a file name")
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger {path}: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            check_is_ledger(conn, path)  # before WAL: never change another app's database
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LedgerError(
                    f"the ledger {path} cannot use WAL journaling (got {mode!r});"
                    " put it on a local file system"
                )
            conn.execute("PRAGMA synchronous = FULL")
            migrate(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LedgerError(
                f"{path} is not a jobmojito-sync ledger (not a readable SQLite database: {exc});"
                " pass another --ledger path"
            ) from None
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed (and fsynced) when the block ends."""
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise LedgerError(f"the ledger {self.path} is closed")
        return self._conn

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
    ) -> str:
        self._lock.acquire()
        for _ in range(20):
            run_id = new_run_id()
            try:
                with self._write() as w:
                    w.execute("UPDATE runs SET state='killed' WHERE state='running'")
                    w.execute(
                        "INSERT INTO runs (run_id, started_at, state, dry_run, mapping, inputs,"
                        " tool_version, results_path, pid, host, kind)"
                        " VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            run_id,
                            utc_now(),
                            int(dry_run),
                            mapping,
                            json.dumps([list(i) for i in inputs]),
                            tool_version,
                            results_path,
                            os.getpid(),
                            socket.gethostname(),
                            kind,
                        ),
                    )
                break
            except sqlite3.IntegrityError:
                time.sleep(0.001)  # the same second and suffix as an earlier run
        else:  # pragma: no cover - 20 collisions of a random suffix
            raise LedgerError(f"could not allocate a run id in the ledger {self.path}")
        self._run_id = run_id
        self._lock.describe(run_id)
        return run_id

    # ------------------------------------------------------------------ plan

    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        if len(lines) != len(pending):
            raise ValueError(f"{len(lines)} lines but {len(pending)} pending flags")
        self._require_run(run_id)
        now = utc_now()

        def values() -> Iterator[tuple[Any, ...]]:
            for index, (line, send) in enumerate(zip(lines, pending, strict=True)):
                yield (
                    run_id,
                    index,
                    line.source_file,
                    line.source_row,
                    line.candidate_name,
                    line.candidate_email,
                    line.position,
                    line.identity,
                    "pending" if send else "done",
                    None if send else str(line.status),
                    "" if send else stored_text(line.reason),
                    "" if send else line.interview_url,
                    None if send else line.http_status,
                    0 if send else line.attempts,
                    line.position_def_set_id,
                    line.profile_interview_id,
                    now,
                )

        with self._write() as w:
            w.executemany(
                "INSERT INTO rows (run_id, row_index, source_file, source_row, candidate_name,"
                " candidate_email, position, identity, state, status, reason, interview_url,"
                " http_status, attempts, position_def_set_id, profile_interview_id, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values(),
            )
            self._refresh_references(w, lines)

    def enrolled(self, identities: Iterable[str]) -> dict[str, Enrolment]:
        wanted = list(dict.fromkeys(identities))
        found: dict[str, Enrolment] = {}
        conn = self._db()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = _ENROLMENT_SELECT + f" WHERE identity IN ({marks})"  # only "?" placeholders
            for row in conn.execute(sql, chunk):
                found[row[0]] = Enrolment(*row)
        return found

    # ------------------------------------------------------------------ sending

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        with self._write() as w:
            row = w.execute(
                "SELECT state, status FROM rows WHERE run_id=? AND row_index=?", (run_id, row_index)
            ).fetchone()
            if row is None:
                raise self._no_row(run_id, row_index)
            if row[0] != "pending":
                # A safety net against sending a row twice (or one planned not to be sent).
                raise LedgerError(
                    f"row {row_index} of run {run_id} already has its outcome ({row[1]});"
                    " it is not sent again"
                )
            cur = w.execute(
                "INSERT INTO attempts (run_id, row_index, state, started_at)"
                " VALUES (?, ?, 'in_flight', ?)",
                (run_id, row_index, utc_now()),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        with self._write() as w:
            found = w.execute(
                "UPDATE attempts SET state='done', finished_at=?, http_status=?, outcome=?,"
                " detail=? WHERE attempt_id=?",
                (utc_now(), http_status, outcome, stored_text(detail), attempt_id),
            ).rowcount
            if not found:
                raise LedgerError(f"no attempt {attempt_id} in the ledger {self.path}")

    def record_outcome(self, run_id: str, row_index: int, line: ResultLine) -> None:
        with self._write() as w:
            now = utc_now()
            row = w.execute(
                "UPDATE rows SET state='done', status=?, reason=?, interview_url=?, http_status=?,"
                " attempts=?, position_def_set_id=?, profile_interview_id=?, updated_at=?"
                " WHERE run_id=? AND row_index=? RETURNING identity",
                (
                    str(line.status),
                    stored_text(line.reason),
                    line.interview_url,
                    line.http_status,
                    line.attempts,
                    line.position_def_set_id,
                    line.profile_interview_id,
                    now,
                    run_id,
                    row_index,
                ),
            ).fetchone()
            if row is None:
                raise self._no_row(run_id, row_index)
            identity = line.identity or str(row[0])
            if Status(line.status).is_enrolled and identity:
                self._enrol(w, identity, run_id, line, now)

    @staticmethod
    def _enrol(
        w: sqlite3.Connection, identity: str, run_id: str, line: ResultLine, now: str
    ) -> None:
        """Record (or update) the enrolment ``line`` reports for ``identity``."""
        # What the API said last wins, except that an answer without a URL never
        # erases one; the first run and time of the enrolment are kept.
        w.execute(
            "INSERT INTO enrolments (identity, status, first_status, interview_url, run_id,"
            " enrolled_at, last_run_id, updated_at, position_def_set_id, profile_interview_id)"
            " VALUES (:identity, :status, :status, :url, :run, :now, :run, :now, :pds, :pid)"
            " ON CONFLICT (identity) DO UPDATE SET"
            " status=excluded.status,"
            " interview_url=CASE WHEN excluded.interview_url <> '' THEN excluded.interview_url"
            "   ELSE enrolments.interview_url END,"
            " last_run_id=excluded.last_run_id, updated_at=excluded.updated_at,"
            " position_def_set_id=CASE WHEN excluded.position_def_set_id <> ''"
            "   THEN excluded.position_def_set_id ELSE enrolments.position_def_set_id END,"
            " profile_interview_id=CASE WHEN excluded.profile_interview_id <> ''"
            "   THEN excluded.profile_interview_id ELSE enrolments.profile_interview_id END",
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
        SQLiteOutcomes._remember_who(w, identity, line)

    # ------------------------------------------------------------------ finishing

    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        with self._write() as w:
            done = w.execute(
                "UPDATE runs SET state='finished', finished_at=?, exit_code=?, counts=?"
                " WHERE run_id=?",
                (utc_now(), exit_code, json.dumps(dict(counts)), run_id),
            ).rowcount
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
                with contextlib.suppress(sqlite3.Error), self._write() as w:
                    w.execute(
                        "UPDATE runs SET state='killed' WHERE run_id=? AND state='running'",
                        (self._run_id,),
                    )
                self._run_id = None
        finally:
            self._closed = True
            self._conn.close()
            self._lock.release()

    # ------------------------------------------------------------------ reading

    def result_lines(self, run_id: str) -> list[ResultLine]:
        self._require_run(run_id)
        lines: list[ResultLine] = []
        cur = self._db().cursor()
        cur.row_factory = sqlite3.Row
        for r in cur.execute(_ROW_SELECT, {"run": run_id}):
            line = ResultLine(
                source_file=r["source_file"],
                source_row=r["source_row"],
                candidate_name=r["candidate_name"],
                candidate_email=r["candidate_email"],
                position=r["position"],
                status=Status.NOT_SENT,  # until result_line reads the outcome
                reason=r["reason"],
                interview_url=r["interview_url"],
                position_def_set_id=r["position_def_set_id"],
                profile_interview_id=r["profile_interview_id"],
                http_status=r["http_status"],
                attempts=r["attempts"],
                identity=r["identity"],
            )
            attempts = (
                Attempts(
                    r["n_attempts"],
                    r["last_state"] == "in_flight",
                    r["last_http"],
                    r["last_outcome"],
                )
                if r["n_attempts"]
                else _NO_ATTEMPTS
            )
            lines.append(result_line(line, r["recorded"], attempts))
        return lines

    def _reap(self) -> None:
        """Mark runs left 'running' as 'killed' when no process holds the run lock."""
        if self._lock.held:
            return  # we hold the lock: any 'running' run is ours or was reaped at start
        conn = self._db()
        running = [r[0] for r in conn.execute("SELECT run_id FROM runs WHERE state='running'")]
        if not running:
            return
        with self._lock.probe() as free:
            if not free:
                return  # a live process holds the lock: its run is running
            with self._write() as w:
                w.executemany(
                    "UPDATE runs SET state='killed' WHERE run_id=? AND state='running'",
                    [(r,) for r in running],
                )

    def runs(self, limit: int = 50) -> list[RunInfo]:
        self._reap()
        rows = self._db().execute(
            f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY seq DESC LIMIT ?",  # noqa: S608 (constants)
            (limit,),
        )
        return [self._run_info(r) for r in rows.fetchall()]

    def get_run(self, run_id: str) -> RunInfo:
        self._reap()
        row = (
            self._db()
            .execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id=?", (run_id,))  # noqa: S608
            .fetchone()
        )
        if row is None:
            raise self._unknown_run(run_id)
        return self._run_info(row)

    def last_run_id(self, kind: str = "sync") -> str | None:
        row = (
            self._db()
            .execute("SELECT run_id FROM runs WHERE kind = ? ORDER BY seq DESC LIMIT 1", (kind,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def _run_info(self, row: tuple[Any, ...]) -> RunInfo:
        (run_id, started, finished, state, dry, mapping, inputs, results, code, counts, ver,
         pid, host, kind) = row  # fmt: skip
        stored: dict[str, int] = json.loads(counts) if counts else {}
        if state != "finished" or not stored:
            stored = self._count_rows(run_id)
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
        )

    def _count_rows(self, run_id: str) -> dict[str, int]:
        return shown_counts(self._db().execute(_GROUP_SELECT, (run_id,)))

    def _require_run(self, run_id: str) -> None:
        if not self._db().execute("SELECT 1 FROM runs WHERE run_id=?", (run_id,)).fetchone():
            raise self._unknown_run(run_id)

    def _no_row(self, run_id: str, row_index: int) -> LedgerError:
        return LedgerError(f"run {run_id} has no row {row_index} in the ledger {self.path}")

    def _unknown_run(self, run_id: str) -> LedgerError:
        last = [
            r[0] for r in self._db().execute("SELECT run_id FROM runs ORDER BY seq DESC LIMIT 5")
        ]
        known = ("the last runs are " + ", ".join(last)) if last else "the ledger holds no runs yet"
        return LedgerError(f"no run {run_id!r} in ledger {self.path}; {known}")
