"""The ledger: the durable truth of every run (runs, rows, attempts, enrolments).

The results sheet is rendered from the ledger, so it can be rebuilt after a
crash, and enrolments recorded here make later runs skip candidates already
enrolled. ``Ledger`` is the small interface the rest of the tool uses;
``SQLiteLedger`` implements it (a PostgreSQL store for sharded Airflow runs can
be added beside it, DESIGN.md "Scale").

One live run, in the order the calls happen::

    with open_ledger(path) as ledger:
        ledger.lock()                       # before planning (optional; start_run takes it too)
        known = ledger.enrolled(identities)
        run_id = ledger.start_run(...)      # run lock; marks runs left 'running' as 'killed'
        ledger.record_plan(run_id, lines, pending)
        for each row sent:
            a = ledger.begin_attempt(run_id, i)     # committed before the request leaves
            ledger.finish_attempt(a, http_status=..., outcome=...)
            ledger.record_outcome(run_id, i, line)  # or complete(a, line, ...) for both
        ledger.finish_run(run_id, exit_code=..., counts=...)

Durability: WAL with ``synchronous=FULL`` (DESIGN.md "The ledger"); every
method that writes commits before it returns. The run lock is an ``flock`` on
``<ledger>.lock``: the kernel drops it when the process dies, so a run killed
with ``kill -9`` never leaves a stale lock.

The ledger never stores the API token, resume text or request payloads: only
the display columns of the results sheet, the API's answers, and attempt
metadata. Free text (reasons, details) is scrubbed of bearer tokens and capped.
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import json
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sync.errors import LedgerError, LedgerLockedError
from sync.records import ResultLine, Status
from sync.redact import redact

__all__ = [
    "SCHEMA_VERSION",
    "Enrolment",
    "Ledger",
    "RunInfo",
    "SQLiteLedger",
    "open_ledger",
]

PENDING_REASON = "the run stopped before this row was sent"
IN_FLIGHT_REASON = (
    "run stopped while the request was in flight; outcome unknown — the next run resends"
    " it and the API answers already-applied if it was enrolled"
)
BETWEEN_RETRIES_REASON = (
    "run stopped between retries (last attempt: {last}); not enrolled — the next run sends it again"
)

RUN_STATES = ("running", "finished", "killed")
_MAX_TEXT = 2000  # reasons and details longer than this are cut: never a whole API body
_BUSY_TIMEOUT_MS = 10_000
_LOCK_RETRY_SECONDS = 1.0  # rides out a reader's momentary probe of the lock
_CHUNK = 500  # identities per IN (...) query


@dataclass(frozen=True, slots=True)
class Enrolment:
    """An enrolment the API confirmed in an earlier run (what ``plan`` skips).

    ``status`` and ``interview_url`` are what the API said last (the URL is never
    blanked by a later answer without one); ``run_id`` and ``enrolled_at`` name the
    run that first recorded the enrolment.
    """

    identity: str
    status: str
    interview_url: str
    run_id: str
    enrolled_at: str
    first_status: str = ""
    last_run_id: str = ""
    updated_at: str = ""


@dataclass(slots=True)
class RunInfo:
    """One run as ``jobmojito-sync history`` shows it."""

    run_id: str
    started_at: str  # ISO 8601, UTC
    finished_at: str | None
    state: str  # running / finished / killed
    dry_run: bool
    mapping: str
    inputs: list[tuple[str, str]]  # (path, sha256)
    results_path: str
    exit_code: int | None
    counts: dict[str, int] = field(default_factory=dict)
    tool_version: str = ""
    pid: int | None = None
    host: str = ""


class Ledger(abc.ABC):
    """The durable store of runs; a context manager that closes itself.

    Every writing method commits before it returns. Implementations must make
    ``start_run`` refuse a second overlapping run (``LedgerLockedError``) and
    release that refusal when the holding process dies.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abc.abstractmethod
    def lock(self) -> None:
        """Take the run lock now (idempotent); ``LedgerLockedError`` if another run holds it."""

    @abc.abstractmethod
    def start_run(
        self,
        *,
        inputs: list[tuple[str, str]],
        mapping: str,
        dry_run: bool,
        tool_version: str,
        results_path: str,
    ) -> str:
        """Take the run lock, mark abandoned runs 'killed', and return a new run id."""

    @abc.abstractmethod
    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        """Store every input row of the run; ``pending[i]`` rows are to be sent."""

    @abc.abstractmethod
    def enrolled(self, identities: Iterable[str]) -> dict[str, Enrolment]:
        """The enrolments recorded in earlier runs for these identities."""

    @abc.abstractmethod
    def begin_attempt(self, run_id: str, row_index: int) -> int:
        """Journal an attempt 'in_flight' (committed) and return its id."""

    @abc.abstractmethod
    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        """Record how an attempt ended ('ok', 'retry', 'rejected', 'failed', 'auth', ...)."""

    @abc.abstractmethod
    def record_outcome(self, run_id: str, row_index: int, line: ResultLine) -> None:
        """Record a row's final outcome; an API decision also records the enrolment."""

    @abc.abstractmethod
    def complete(
        self, attempt_id: int, line: ResultLine, *, outcome: str, detail: str = ""
    ) -> None:
        """``finish_attempt`` + ``record_outcome`` of the attempt's row, in one commit."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        """Mark the run finished and release the run lock."""

    @abc.abstractmethod
    def result_lines(self, run_id: str) -> list[ResultLine]:
        """The results sheet of any run (also a killed one), in input order."""

    @abc.abstractmethod
    def in_flight_identities(self) -> set[str]:
        """Identities left in flight by a killed run and not enrolled since."""

    @abc.abstractmethod
    def runs(self, limit: int = 50) -> list[RunInfo]:
        """The last ``limit`` runs, newest first."""

    @abc.abstractmethod
    def get_run(self, run_id: str) -> RunInfo:
        """One run; ``LedgerError`` naming the last runs when it is unknown."""

    @abc.abstractmethod
    def last_run_id(self) -> str | None:
        """The newest run's id, or ``None`` for an empty ledger."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the run lock (a run left 'running' becomes 'killed') and close."""


def open_ledger(path: Path) -> Ledger:
    """Open (creating if needed) the ledger at ``path``."""
    return SQLiteLedger(path)


# --------------------------------------------------------------------------- SQLite

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'killed')),
    dry_run INTEGER NOT NULL,
    mapping TEXT NOT NULL,
    inputs TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    results_path TEXT NOT NULL,
    exit_code INTEGER,
    counts TEXT,
    pid INTEGER,
    host TEXT
);
CREATE TABLE rows (
    run_id TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    source_file TEXT NOT NULL,
    source_row INTEGER NOT NULL,
    candidate_name TEXT NOT NULL,
    candidate_email TEXT NOT NULL,
    position TEXT NOT NULL,
    identity TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status TEXT,
    reason TEXT NOT NULL DEFAULT '',
    interview_url TEXT NOT NULL DEFAULT '',
    http_status INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    position_def_set_id TEXT NOT NULL DEFAULT '',
    profile_interview_id TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    PRIMARY KEY (run_id, row_index)
) WITHOUT ROWID;
CREATE INDEX rows_identity ON rows (identity);
CREATE TABLE attempts (
    attempt_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    row_index INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    http_status INTEGER,
    outcome TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attempts_row ON attempts (run_id, row_index);
CREATE TABLE enrolments (
    identity TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    first_status TEXT NOT NULL,
    interview_url TEXT NOT NULL,
    run_id TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    last_run_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    position_def_set_id TEXT NOT NULL DEFAULT '',
    profile_interview_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
"""

# (version, SQL) in order; a ledger at version n gets every script after n.
MIGRATIONS: list[tuple[int, str]] = [(1, _SCHEMA_V1)]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _scrub(text: str) -> str:
    """Free text for the ledger: secrets redacted, length capped."""
    text = redact(text or "")
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "… [cut]"
    return text


def _new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)


# Renders a row as the results sheet shows it: final status, else from its last attempt.
_ROW_SELECT = """
SELECT r.row_index, r.source_file, r.source_row, r.candidate_name, r.candidate_email,
       r.position, r.identity, r.state, r.status, r.reason, r.interview_url, r.http_status,
       r.attempts, r.position_def_set_id, r.profile_interview_id,
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
"""

_RUN_COLUMNS = (
    "run_id, started_at, finished_at, state, dry_run, mapping, inputs, results_path,"
    " exit_code, counts, tool_version, pid, host"
)

_ENROLMENT_SELECT = (
    "SELECT identity, status, interview_url, run_id, enrolled_at, first_status, last_run_id,"
    " updated_at FROM enrolments"
)

_COUNT_SELECT = """
SELECT CASE
         WHEN r.state = 'done' THEN r.status
         WHEN EXISTS (SELECT 1 FROM attempts a WHERE a.run_id = r.run_id
                      AND a.row_index = r.row_index) THEN 'failed'
         ELSE 'not_sent'
       END AS shown, count(*)
FROM rows r WHERE r.run_id = ? GROUP BY shown
"""


class SQLiteLedger(Ledger):
    """The ledger in one SQLite file (WAL, ``synchronous=FULL``), lock in ``<file>.lock``."""

    def __init__(self, path: Path | str, *, lock_wait: float = _LOCK_RETRY_SECONDS) -> None:
        self.path = Path(path)
        self.lock_wait = lock_wait  # seconds ``lock`` retries before refusing
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fd: int | None = None
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
            self._check_is_ledger(conn)  # before WAL: never change another app's database
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LedgerError(
                    f"the ledger {path} cannot use WAL journaling (got {mode!r});"
                    " put it on a local file system"
                )
            conn.execute("PRAGMA synchronous = FULL")
            self._migrate(conn)
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

    def _check_is_ledger(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables and tables - {"sqlite_sequence"}:
            raise LedgerError(
                f"{self.path} is an SQLite database but not a jobmojito-sync ledger"
                f" (it has tables {', '.join(sorted(tables))}); pass another --ledger path"
            )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = 0
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
                row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"the ledger {self.path} was written by a newer jobmojito-sync (schema"
                    f" version {version}; this version reads up to {SCHEMA_VERSION});"
                    " upgrade jobmojito-sync"
                )
            for target, script in MIGRATIONS:
                if target > version:
                    for statement in script.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                        (str(target),),
                    )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

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

    # ------------------------------------------------------------------ run lock

    def lock(self) -> None:
        if self._lock_fd is not None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LedgerError(
                f"cannot create the run lock {self.lock_path}: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._lock_holder(fd)
                    os.close(fd)
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({holder}) holds the ledger {self.path};"
                        " wait for it to finish, or stop it, then run again (the lock goes"
                        " away by itself when that process ends)"
                    ) from None
                time.sleep(0.05)
        self._lock_fd = fd
        self._write_lock_info()

    def _write_lock_info(self) -> None:
        assert self._lock_fd is not None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "run_id": self._run_id or "",
        }
        data = json.dumps(info).encode()
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, data, 0)

    @staticmethod
    def _lock_holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
            text = f"pid {info['pid']} on host {info['host']}, started {info['started']}"
            if info.get("run_id"):
                text += f", run {info['run_id']}"
            return text
        except (OSError, ValueError, KeyError, TypeError):
            return "details unknown"

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the only descriptor drops the flock

    def _reap(self) -> None:
        """Mark runs left 'running' as 'killed' when no process holds the run lock.

        A reader (``history``, ``report``) probes the lock with a shared flock for
        an instant; ``lock`` retries for a moment, so a run starting meanwhile is
        not refused.
        """
        if self._lock_fd is not None:
            return  # we hold the lock: any 'running' run is ours or was reaped at start
        conn = self._db()
        running = [r[0] for r in conn.execute("SELECT run_id FROM runs WHERE state='running'")]
        if not running:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except OSError:
            fd = None  # no lock file: no run can hold it
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # a live process holds the lock: its run is running
            with self._write() as w:
                w.executemany(
                    "UPDATE runs SET state='killed' WHERE run_id=? AND state='running'",
                    [(r,) for r in running],
                )
        finally:
            if fd is not None:
                os.close(fd)

    # ------------------------------------------------------------------ runs

    def start_run(
        self,
        *,
        inputs: list[tuple[str, str]],
        mapping: str,
        dry_run: bool,
        tool_version: str,
        results_path: str,
    ) -> str:
        self.lock()
        for _ in range(20):
            run_id = _new_run_id()
            try:
                with self._write() as w:
                    w.execute("UPDATE runs SET state='killed' WHERE state='running'")
                    w.execute(
                        "INSERT INTO runs (run_id, started_at, state, dry_run, mapping, inputs,"
                        " tool_version, results_path, pid, host)"
                        " VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                        (
                            run_id,
                            _now(),
                            int(dry_run),
                            mapping,
                            json.dumps([list(i) for i in inputs]),
                            tool_version,
                            results_path,
                            os.getpid(),
                            socket.gethostname(),
                        ),
                    )
                break
            except sqlite3.IntegrityError:
                time.sleep(0.001)  # the same second and suffix as an earlier run
        else:  # pragma: no cover - 20 collisions of a random suffix
            raise LedgerError(f"could not allocate a run id in the ledger {self.path}")
        self._run_id = run_id
        self._write_lock_info()
        return run_id

    def finish_run(self, run_id: str, *, exit_code: int, counts: dict[str, int]) -> None:
        with self._write() as w:
            done = w.execute(
                "UPDATE runs SET state='finished', finished_at=?, exit_code=?, counts=?"
                " WHERE run_id=?",
                (_now(), exit_code, json.dumps(dict(counts)), run_id),
            ).rowcount
        if not done:
            raise self._unknown_run(run_id)
        if run_id == self._run_id:
            self._run_id = None
        self._unlock()

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
            self._unlock()

    # ------------------------------------------------------------------ plan

    def record_plan(
        self, run_id: str, lines: Sequence[ResultLine], pending: Sequence[bool]
    ) -> None:
        if len(lines) != len(pending):
            raise ValueError(f"{len(lines)} lines but {len(pending)} pending flags")
        self._require_run(run_id)
        now = _now()

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
                    "" if send else _scrub(line.reason),
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
                raise LedgerError(f"run {run_id} has no row {row_index} in the ledger {self.path}")
            if row[0] != "pending":
                # A safety net against sending a row twice (or one planned not to be sent).
                raise LedgerError(
                    f"row {row_index} of run {run_id} already has its outcome ({row[1]});"
                    " it is not sent again"
                )
            cur = w.execute(
                "INSERT INTO attempts (run_id, row_index, state, started_at)"
                " VALUES (?, ?, 'in_flight', ?)",
                (run_id, row_index, _now()),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_attempt(
        self, attempt_id: int, *, http_status: int | None, outcome: str, detail: str = ""
    ) -> None:
        with self._write() as w:
            self._finish_attempt(w, attempt_id, http_status, outcome, detail)

    def record_outcome(self, run_id: str, row_index: int, line: ResultLine) -> None:
        with self._write() as w:
            self._record_outcome(w, run_id, row_index, line)

    def complete(
        self, attempt_id: int, line: ResultLine, *, outcome: str, detail: str = ""
    ) -> None:
        with self._write() as w:
            run_id, row_index = self._finish_attempt(
                w, attempt_id, line.http_status, outcome, detail
            )
            self._record_outcome(w, run_id, row_index, line)

    def _finish_attempt(
        self,
        w: sqlite3.Connection,
        attempt_id: int,
        http_status: int | None,
        outcome: str,
        detail: str,
    ) -> tuple[str, int]:
        row = w.execute(
            "UPDATE attempts SET state='done', finished_at=?, http_status=?, outcome=?, detail=?"
            " WHERE attempt_id=? RETURNING run_id, row_index",
            (_now(), http_status, outcome, _scrub(detail), attempt_id),
        ).fetchone()
        if row is None:
            raise LedgerError(f"no attempt {attempt_id} in the ledger {self.path}")
        return str(row[0]), int(row[1])

    def _record_outcome(
        self, w: sqlite3.Connection, run_id: str, row_index: int, line: ResultLine
    ) -> None:
        now = _now()
        row = w.execute(
            "UPDATE rows SET state='done', status=?, reason=?, interview_url=?, http_status=?,"
            " attempts=?, position_def_set_id=?, profile_interview_id=?, updated_at=?"
            " WHERE run_id=? AND row_index=? RETURNING identity",
            (
                str(line.status),
                _scrub(line.reason),
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
            raise LedgerError(f"run {run_id} has no row {row_index} in the ledger {self.path}")
        identity = line.identity or str(row[0])
        if not Status(line.status).is_enrolled or not identity:
            return
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
                status=Status.NOT_SENT,
                identity=r["identity"],
                position_def_set_id=r["position_def_set_id"],
                profile_interview_id=r["profile_interview_id"],
            )
            if r["state"] == "done":
                line.status = Status(r["status"])
                line.reason = r["reason"]
                line.interview_url = r["interview_url"]
                line.http_status = r["http_status"]
                line.attempts = r["attempts"]
            elif r["n_attempts"]:
                # Sent at least once but no outcome recorded: the run stopped mid-row.
                line.status = Status.FAILED
                line.attempts = r["n_attempts"]
                line.http_status = r["last_http"]
                if r["last_state"] == "in_flight":
                    line.reason = IN_FLIGHT_REASON
                else:
                    last = f"HTTP {r['last_http']}" if r["last_http"] else r["last_outcome"]
                    line.reason = BETWEEN_RETRIES_REASON.format(last=last or "no answer")
            else:
                line.reason = PENDING_REASON
            lines.append(line)
        return lines

    def in_flight_identities(self) -> set[str]:
        self._reap()
        rows = self._db().execute(
            """
            SELECT r.identity
            FROM attempts a
            JOIN (SELECT r2.identity, max(a2.attempt_id) AS last_id
                  FROM attempts a2 JOIN rows r2
                    ON r2.run_id = a2.run_id AND r2.row_index = a2.row_index
                  GROUP BY r2.identity) latest ON latest.last_id = a.attempt_id
            JOIN rows r ON r.run_id = a.run_id AND r.row_index = a.row_index
            JOIN runs ON runs.run_id = a.run_id
            WHERE a.state = 'in_flight' AND runs.state = 'killed'
              AND r.identity NOT IN (SELECT identity FROM enrolments)
            """
        )
        return {str(r[0]) for r in rows}

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

    def last_run_id(self) -> str | None:
        row = self._db().execute("SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else str(row[0])

    def _run_info(self, row: tuple[Any, ...]) -> RunInfo:
        (run_id, started, finished, state, dry, mapping, inputs, results, code, counts, ver,
         pid, host) = row  # fmt: skip
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
        )

    def _count_rows(self, run_id: str) -> dict[str, int]:
        return {str(s): int(n) for s, n in self._db().execute(_COUNT_SELECT, (run_id,))}

    def _require_run(self, run_id: str) -> None:
        if not self._db().execute("SELECT 1 FROM runs WHERE run_id=?", (run_id,)).fetchone():
            raise self._unknown_run(run_id)

    def _unknown_run(self, run_id: str) -> LedgerError:
        last = [
            r[0] for r in self._db().execute("SELECT run_id FROM runs ORDER BY seq DESC LIMIT 5")
        ]
        known = ("the last runs are " + ", ".join(last)) if last else "the ledger holds no runs yet"
        return LedgerError(f"no run {run_id!r} in ledger {self.path}; {known}")
