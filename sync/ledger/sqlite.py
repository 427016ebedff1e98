"""The ledger in one SQLite file: the embedded default every run uses.

What is SQLite's own lives here: opening the file (created mode 0600, another
application's database refused untouched), WAL with ``synchronous=FULL``
(docs/design.md "The ledger"), every write in one ``BEGIN IMMEDIATE``
transaction, and the run lock ``RunLock`` (an ``flock``, ``sync.ledger.lock``).
The queries are ``SQLLedger``'s (``sync.ledger.store``), shared with the
PostgreSQL store; the schema and its migrations are in ``sync.ledger.schema``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sync.errors import LedgerError
from sync.ledger.db import Database, Session
from sync.ledger.dialect import SQLITE
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
            migrate(SQLiteDatabase(conn, path))
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
