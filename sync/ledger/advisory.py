"""The run lock of a PostgreSQL ledger: session advisory locks, released when a session ends.

A run holds the ledger's ``run`` key exclusively on a connection of its own for
the whole run; the shards of a run group hold it shared, and each its own
shard's key exclusively, on that same session. PostgreSQL drops them all when
the session ends: the process exits or is killed (its socket closes), or its
machine vanishes (the session asks the server for TCP keepalives, so a dead
peer is noticed within about a minute). Keys are two int4, the first this
tool's own key space (``lock_key``). docs/design.md "The ledger".
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from sync.errors import LedgerLockedError, LedgerUnavailableError
from sync.ledger.lock import LOCK_RETRY_SECONDS
from sync.redact import redact

if TYPE_CHECKING:
    from sync.ledger.postgres import PostgresDatabase

#: Asked of the server on the lock's session: probe this client, so that the lock of
#: a worker whose machine vanished (no FIN, no RST) is released within about a minute.
SERVER_KEEPALIVES = {"tcp_keepalives_idle": 30, "tcp_keepalives_interval": 10,
                     "tcp_keepalives_count": 3}  # fmt: skip


def _int32(text: str) -> int:
    """A stable signed 32-bit number for ``text`` (advisory lock keys are two int4)."""
    value = zlib.crc32(text.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


#: The first half of every advisory lock key this tool takes: its own key space.
KEY_SPACE = _int32("jobmojito-sync")


def lock_key(schema: str, purpose: str) -> tuple[int, int]:
    """The advisory lock key of ``purpose`` ('run', 'migrate') for the ledger in ``schema``."""
    return KEY_SPACE, _int32(f"{schema}/{purpose}")


def reason(exc: BaseException) -> str:
    """A driver error as one line, secrets redacted."""
    return redact(" ".join(str(exc).split())) or type(exc).__name__


class AdvisoryLock:
    """The run lock of a PostgreSQL ledger: a session advisory lock on its own connection.

    A run holds it exclusively; the shards of a run group hold it shared, and each
    its own shard's key (``lock_key(schema, "group/shard")``) exclusively, on the
    same session. ``holder(part)`` says who holds it (or a part) when a run is refused.
    """

    def __init__(
        self,
        db: PostgresDatabase,
        holder: Callable[[str | None], str],
        *,
        wait: float = LOCK_RETRY_SECONDS,
    ) -> None:
        self.db = db
        self.key = lock_key(db.schema, "run")
        self.wait = wait
        self._holder = holder

    @property
    def held(self) -> bool:
        return self.db.lock_conn is not None

    def _try(
        self, conn: psycopg.Connection[Any], function: str, key: tuple[int, int] | None = None
    ) -> bool:
        """Call ``pg_try_advisory_lock`` or its ``_shared`` sibling for ``key`` (this lock's)."""
        query = sql.SQL("SELECT {}(%s, %s)").format(sql.Identifier(function))
        row = conn.execute(query, key or self.key).fetchone()
        return bool(row and row[0])

    def acquire(self, *, shared: bool = False) -> None:
        """Take the lock (idempotent): exclusive for a run, ``shared`` for a shard of a
        group; ``LedgerLockedError`` naming the holder if another has it."""
        if self.held:
            return
        conn = self.db.connect()
        function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
        try:
            for name, seconds in SERVER_KEEPALIVES.items():
                conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(name), seconds))
            if not self._wait_for(conn, function, self.key):
                conn.close()
                raise LedgerLockedError(
                    f"another jobmojito-sync run ({self._holder(None)}) holds the ledger"
                    f" {self.db.where}; wait for it to finish, or stop it, then run again"
                    " (PostgreSQL drops the lock by itself when that process's session ends)"
                )
        except psycopg.Error as exc:
            conn.close()
            raise LedgerUnavailableError(
                f"cannot take the run lock of the ledger {self.db.where}: {reason(exc)}"
            ) from None
        self.db.lock_conn = conn
        self.describe()

    def _wait_for(self, conn: psycopg.Connection[Any], function: str, key: tuple[int, int]) -> bool:
        """Try ``function`` on ``key`` for ``wait`` seconds; whether it was granted."""
        deadline = time.monotonic() + self.wait
        while not self._try(conn, function, key):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def acquire_part(self, part: str) -> None:
        """Hold ``part`` (``group/shard``) exclusively on the lock's session;
        ``LedgerLockedError`` naming the holder if a live process does."""
        conn = self.db.lock_conn
        assert conn is not None, "the run lock first"
        try:
            granted = self._wait_for(conn, "pg_try_advisory_lock", lock_key(self.db.schema, part))
        except psycopg.Error as exc:
            raise LedgerUnavailableError(
                f"cannot take the run lock of the ledger {self.db.where}: {reason(exc)}"
            ) from None
        if not granted:
            raise LedgerLockedError(
                f"another jobmojito-sync run ({self._holder(part)}) is running the same shard"
                f" of the same run group on the ledger {self.db.where}; wait for it to finish,"
                " or stop it, then run again"
            )

    def part_held(self, part: str) -> bool:
        """Whether a live process holds ``part`` (this one's own part included)."""
        key = lock_key(self.db.schema, part)
        with self.db.connection() as conn:
            if self.held and conn is self.db.lock_conn and self._holds(conn, key):
                return True
            free = self._try(conn, "pg_try_advisory_lock_shared", key)
            if free:
                conn.execute("SELECT pg_advisory_unlock_shared(%s, %s)", key)
            return not free

    @staticmethod
    def _holds(conn: psycopg.Connection[Any], key: tuple[int, int]) -> bool:
        """Whether this session holds ``key`` exclusively."""
        found = conn.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            " AND mode = 'ExclusiveLock' AND classid = (%s::bigint & 4294967295)::oid"
            " AND objid = (%s::bigint & 4294967295)::oid AND objsubid = 2",
            key,
        )
        return found.fetchone() is not None

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


__all__ = ["KEY_SPACE", "SERVER_KEEPALIVES", "AdvisoryLock", "lock_key", "reason"]
