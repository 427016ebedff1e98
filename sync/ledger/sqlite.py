"""The ledger in one SQLite file: the embedded default every run uses.

What is SQLite's own lives here: opening the file (guarded first by
``sync.ledger.files``: the real path, owner-only, only a missing file is new;
another application's database refused untouched), a ledger with damaged pages
refused before a run starts, WAL with ``synchronous=FULL``
(docs/design.md "The ledger"), every write in one ``BEGIN IMMEDIATE``
transaction, and the run lock ``RunLock`` (an ``flock``, ``sync.ledger.lock``).
The queries are ``SQLLedger``'s (``sync.ledger.store``), shared with the
PostgreSQL store; the schema and its migrations are in ``sync.ledger.schema``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sync.errors import LedgerError
from sync.ledger.db import Database, Session
from sync.ledger.dialect import SQLITE
from sync.ledger.files import DAMAGED_FIX, ledger_file, make_private
from sync.ledger.lock import LOCK_RETRY_SECONDS, RunLock
from sync.ledger.schema import check_is_ledger, migrate
from sync.ledger.store import SQLLedger

_BUSY_TIMEOUT_MS = 10_000


class SQLiteLedger(SQLLedger):
    """The ledger in one SQLite file (WAL, ``synchronous=FULL``), lock in ``<file>.lock``."""

    def __init__(self, path: Path | str, *, lock_wait: float = LOCK_RETRY_SECONDS) -> None:
        self.path = Path(path)
        self._conn = self._connect()
        super().__init__(SQLiteDatabase(self._conn, self.path), RunLock(self.path, wait=lock_wait))

    # ------------------------------------------------------------------ opening

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        # Through a symlink: its WAL and lock go beside the real file.
        real, new = ledger_file(path, _initialise)
        try:
            conn = sqlite3.connect(real, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger {path}: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            check_is_ledger(conn, path)  # before WAL: never change another app's database
            if not new and not conn.execute("SELECT 1 FROM sqlite_master").fetchone():
                raise LedgerError(  # only a missing file becomes a new ledger
                    f"{path} is an SQLite database without tables, not a jobmojito-sync ledger;"
                    " pass another --ledger path"
                )
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LedgerError(
                    f"the ledger {path} cannot use WAL journaling (got {mode!r});"
                    " put it on a local file system"
                )
            conn.execute("PRAGMA synchronous = FULL")
            migrate(SQLiteDatabase(conn, path))
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise LedgerError(
                f"{path} is not a jobmojito-sync ledger, or a damaged one ({exc}): pass another"
                f" --ledger path, or if it is the ledger: {DAMAGED_FIX}"
            ) from None
        except BaseException:
            conn.close()
            raise
        make_private(real)  # the WAL and shared-memory files SQLite just made
        return conn

    def _check_before_run(self) -> None:
        """Refuse a ledger with damaged pages (``PRAGMA quick_check``) before a run starts."""
        try:
            found = [str(r[0]) for r in self._conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found != ["ok"]:
            raise LedgerError(
                f"the ledger {self.path} is damaged ({'; '.join(found)[:300]}); nothing was sent."
                f" {DAMAGED_FIX}"
            )


class SQLiteDatabase(Database):
    """One ``sqlite3`` connection (autocommit mode) as the shared ledger's store."""

    dialect = SQLITE
    integrity_error = sqlite3.IntegrityError

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._session = Session(conn, SQLITE)
        self.where = str(path)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        yield self._session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        conn = self._session.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._session
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def migration(self) -> contextlib.AbstractContextManager[Session]:
        return self.write()  # BEGIN IMMEDIATE: one writer, hence one migrator, at a time

    def tables(self, session: Session) -> set[str]:
        found = session.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in found}

    def close(self) -> None:
        self._session.conn.close()


def _initialise(conn: sqlite3.Connection, path: Path) -> None:
    """The schema of a new ledger, built before the file is linked into place."""
    migrate(SQLiteDatabase(conn, path))
