"""The ledger in a PostgreSQL database: one ledger for runs on several machines.

The queries are ``SQLLedger``'s (``sync.ledger.store``), shared with the SQLite
store; what is PostgreSQL's own lives here (docs/design.md "The ledger"):

- **Where.** The ledger's tables live in their own schema (``jobmojito_sync``,
  or ``?ledger_schema=NAME`` in the URL), created on first use, so a database
  can hold several ledgers beside other applications' tables (Airflow's
  metadata database included). A schema that holds other tables but no ledger
  is refused untouched.
- **Connections.** psycopg 3 with a small ``psycopg_pool`` pool for reads and
  for writes outside a run. Connections identify themselves
  (``application_name``) and use TCP keepalives, unless the URL says otherwise.
- **The run lock** is a session-level advisory lock, held by one dedicated
  connection for the whole run. PostgreSQL releases it when that session ends:
  the process exits, is killed (``kill -9`` closes its socket), or its machine
  vanishes (the lock session asks the server for TCP keepalives, so a dead
  peer is noticed within about a minute instead of the system's two hours).
  While a run holds the lock, every read and write of the ledger goes through
  that same session: a run that lost it cannot go on writing as if it still
  held the lock; it stops with ``LedgerLostError`` (exit 3), as if killed, and
  the next run resends what was in flight. The lock needs a real session: point the
  URL at PostgreSQL itself or a session-mode pooler, never a transaction-mode
  PgBouncer.
- **Migrations** run in one transaction under a transaction-level advisory lock,
  so workers that open a new ledger at the same moment migrate it once.
- **Secrets.** The password is registered with ``sync.redact`` when the ledger
  opens, and every message names the URL with the password masked.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from sync.errors import (
    ConfigError,
    LedgerError,
    LedgerLockedError,
    LedgerLostError,
    LedgerUnavailableError,
    UsageError,
)
from sync.ledger.db import Database, Params, Session
from sync.ledger.dialect import POSTGRESQL
from sync.ledger.location import PostgresURL
from sync.ledger.lock import LOCK_RETRY_SECONDS
from sync.ledger.schema import migrate
from sync.ledger.store import SQLLedger
from sync.redact import redact, register_secret

try:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as exc:  # pragma: no cover - both are dependencies
    raise ConfigError(
        f"a PostgreSQL ledger needs psycopg 3 and psycopg_pool ({exc.name} is missing):"
        " pip install 'psycopg[binary]' psycopg_pool"
    ) from None

#: libpq settings the ledger's connections use unless the URL sets them.
CLIENT_DEFAULTS = {
    "application_name": "jobmojito-sync",
    "connect_timeout": "10",
    "keepalives": "1",  # notice a dead server instead of waiting forever
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
#: Asked of the server on the lock's session: probe this client, so that the lock of
#: a worker whose machine vanished (no FIN, no RST) is released within about a minute.
SERVER_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10,
                     "tcp_keepalives_count": 3}  # fmt: skip
POOL_MIN, POOL_MAX = 1, 4
POOL_TIMEOUT = 15.0  # seconds to wait for a pooled connection
_LOST = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)


def _int32(text: str) -> int:
    """A stable signed 32-bit number for ``text`` (advisory lock keys are two int4)."""
    value = zlib.crc32(text.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


#: The first half of every advisory lock key this tool takes: its own key space.
KEY_SPACE = _int32("jobmojito-sync")


def lock_key(schema: str, purpose: str) -> tuple[int, int]:
    """The advisory lock key of ``purpose`` ('run', 'migrate') for the ledger in ``schema``."""
    return KEY_SPACE, _int32(f"{schema}/{purpose}")


def _reason(exc: BaseException) -> str:
    """A driver error as one line, secrets redacted."""
    return redact(" ".join(str(exc).split())) or type(exc).__name__


class PostgresDatabase(Database):
    """A PostgreSQL schema as the shared ledger's store: a pool, and the lock's session."""

    dialect = POSTGRESQL
    integrity_error = psycopg.IntegrityError

    def __init__(self, url: PostgresURL) -> None:
        register_secret(url.password)
        self.url = url
        self.where = str(url)
        self.schema = url.schema
        try:
            given = conninfo_to_dict(url.conninfo)
        except psycopg.Error as exc:
            raise UsageError(f"ledger {self.where}: {_reason(exc)}") from None
        self._kwargs: dict[str, Any] = {k: v for k, v in CLIENT_DEFAULTS.items() if k not in given}
        self._pool: ConnectionPool | None = None
        #: The run lock's session while a run holds it; every statement uses it then.
        self.lock_conn: psycopg.Connection[Any] | None = None

    # ------------------------------------------------------------------ connections

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))

    def connect(self) -> psycopg.Connection[Any]:
        """A new connection of its own (autocommit, the ledger's schema first)."""
        try:
            conn = psycopg.connect(self.url.conninfo, autocommit=True, **self._kwargs)
        except psycopg.Error as exc:
            raise LedgerUnavailableError(
                f"cannot connect to the ledger {self.where}: {_reason(exc)}"
            ) from None
        try:
            self._configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _get_pool(self) -> ConnectionPool:
        if self._pool is None:
            self._pool = ConnectionPool(
                self.url.conninfo,
                kwargs={"autocommit": True, **self._kwargs},
                configure=self._configure,
                check=ConnectionPool.check_connection,
                min_size=POOL_MIN,
                max_size=POOL_MAX,
                timeout=POOL_TIMEOUT,
                name="jobmojito-sync-ledger",
                open=True,
            )
        return self._pool

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The lock's session while a run holds it, else a pooled connection."""
        held = self.lock_conn
        try:
            if held is not None:
                yield held
            else:
                with self._get_pool().connection() as conn:
                    yield conn
        except _LOST as exc:
            if held is not None:
                raise LedgerLostError(
                    f"lost the connection to the ledger {self.where}, and with it the run"
                    f" lock ({_reason(exc)}); the run stops here: run it again, and what"
                    " was in flight is resent (the API answers already-applied if it enrolled)"
                ) from None
            raise LedgerUnavailableError(
                f"cannot reach the ledger {self.where}: {_reason(exc)}"
            ) from None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self.connection() as conn:
            yield Session(conn, POSTGRESQL)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        with self.connection() as conn, conn.transaction():
            yield Session(conn, POSTGRESQL)

    def write_one(self, query: str, params: Params) -> tuple[int, Any]:
        with self.connection() as conn:  # autocommit: one statement is one transaction
            cur = Session(conn, POSTGRESQL).execute(query, params)
            return cur.rowcount, cur.fetchone() if cur.description else None

    def _schema_exists(self, conn: psycopg.Connection[Any]) -> bool:
        found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,))
        return found.fetchone() is not None

    @contextlib.contextmanager
    def _opening(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection of its own for opening the ledger: its failure says why."""
        conn = self.connect()
        try:
            yield conn
        except _LOST as exc:
            raise LedgerUnavailableError(
                f"cannot reach the ledger {self.where}: {_reason(exc)}"
            ) from None
        finally:
            conn.close()

    @contextlib.contextmanager
    def migration(self) -> Iterator[Session]:
        with self._opening() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", lock_key(self.schema, "migrate"))
            session = Session(conn, POSTGRESQL)
            if not self._schema_exists(conn):
                try:
                    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise LedgerError(
                        f"cannot create the ledger's schema {self.schema} in {self.where}"
                        f" ({_reason(exc)}); create it for this user"
                        f" (CREATE SCHEMA {self.schema} AUTHORIZATION <user>), or give"
                        " ledger_schema=<a schema the user owns>"
                    ) from None
            tables = self.tables(session)
            if tables and "meta" not in tables:
                raise LedgerError(
                    f"the schema {self.schema} of {self.where} holds tables that are not a"
                    f" jobmojito-sync ledger ({', '.join(sorted(tables))}); put the ledger in"
                    " a schema of its own: ?ledger_schema=<name> in the URL"
                )
            yield session

    def tables(self, session: Session) -> set[str]:
        found = session.conn.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s", (self.schema,)
        )
        return {str(r[0]) for r in found}

    def exists(self) -> bool:
        """The schema holds a ledger (looked up without creating anything)."""
        with self._opening() as conn:
            return "meta" in self.tables(Session(conn, POSTGRESQL))

    def close(self) -> None:
        conn, self.lock_conn = self.lock_conn, None
        try:
            if conn is not None:
                conn.close()  # the session ends: PostgreSQL releases its advisory lock
        finally:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


class AdvisoryLock:
    """The run lock of a PostgreSQL ledger: a session advisory lock on its own connection.

    ``holder`` says who holds it when a run is refused.
    """

    def __init__(
        self, db: PostgresDatabase, holder: Callable[[], str], *, wait: float = LOCK_RETRY_SECONDS
    ) -> None:
        self.db = db
        self.key = lock_key(db.schema, "run")
        self.wait = wait
        self._holder = holder

    @property
    def held(self) -> bool:
        return self.db.lock_conn is not None

    def _try(self, conn: psycopg.Connection[Any], function: str) -> bool:
        """Call ``pg_try_advisory_lock`` or its ``_shared`` sibling for this lock's key."""
        query = sql.SQL("SELECT {}(%s, %s)").format(sql.Identifier(function))
        row = conn.execute(query, self.key).fetchone()
        return bool(row and row[0])

    def acquire(self) -> None:
        """Take the lock (idempotent); ``LedgerLockedError`` naming the holder if another has it."""
        if self.held:
            return
        conn = self.db.connect()
        try:
            for name, seconds in SERVER_KEEPALIVES.items():
                conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(name), seconds))
            deadline = time.monotonic() + self.wait
            while not self._try(conn, "pg_try_advisory_lock"):
                if time.monotonic() >= deadline:
                    conn.close()
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({self._holder()}) holds the ledger"
                        f" {self.db.where}; wait for it to finish, or stop it, then run again"
                        " (PostgreSQL drops the lock by itself when that process's session ends)"
                    )
                time.sleep(0.05)
        except psycopg.Error as exc:
            conn.close()
            raise LedgerUnavailableError(
                f"cannot take the run lock of the ledger {self.db.where}: {_reason(exc)}"
            ) from None
        self.db.lock_conn = conn
        self.describe()

    def describe(self, run_id: str = "") -> None:
        """Name the lock's session after this process (and run): pg_stat_activity shows it."""
        conn = self.db.lock_conn
        if conn is None:
            return
        name = f"jobmojito-sync {run_id} pid {os.getpid()}@{socket.gethostname()}"
        with contextlib.suppress(psycopg.Error):  # a lost session shows at the next write
            conn.execute("SELECT set_config('application_name', %s, false)", (name[:63],))

    def release(self) -> None:
        """End the lock's session (PostgreSQL releases the lock with it)."""
        conn, self.db.lock_conn = self.db.lock_conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    @contextlib.contextmanager
    def probe(self) -> Iterator[bool]:
        """Whether no live process holds the lock; if none does, none can take it in the block."""
        with self.db.connection() as conn:
            free = self._try(conn, "pg_try_advisory_lock_shared")
            try:
                yield free
            finally:
                if free:
                    conn.execute("SELECT pg_advisory_unlock_shared(%s, %s)", self.key)


class PostgresLedger(SQLLedger):
    """The ledger in a PostgreSQL schema (advisory run lock, psycopg pool)."""

    def __init__(self, url: PostgresURL, *, lock_wait: float = LOCK_RETRY_SECONDS) -> None:
        self.url = url
        db = PostgresDatabase(url)
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
        super().__init__(db, AdvisoryLock(db, self._holder, wait=lock_wait))

    @classmethod
    def find(cls, url: PostgresURL) -> PostgresLedger | None:
        """The ledger at ``url`` if its schema holds one; ``None``, nothing created, if not."""
        probe = PostgresDatabase(url)
        try:
            found = probe.exists()
        finally:
            probe.close()
        return cls(url) if found else None

    def _holder(self) -> str:
        """Who holds the run lock: the run it is running, as the ledger records it."""
        rows = self._query(
            "SELECT run_id, pid, host, started_at FROM runs WHERE state = :state"
            " ORDER BY seq DESC LIMIT 1",
            {"state": "running"},
        )
        if not rows:
            return "details unknown"
        run_id, pid, host, started = rows[0]
        when = f"{started[:10]} {started[11:16]} UTC"  # as the SQLite lock file says it
        return f"pid {pid} on host {host}, started {when}, run {run_id}"


__all__ = ["AdvisoryLock", "PostgresDatabase", "PostgresLedger", "lock_key"]
