"""What the shared ledger needs of a store: sessions, transactions, a run lock.

``SQLLedger`` (``sync.ledger.store``) holds every query once; a store gives it
a ``Database``, an adapter over its DB-API driver (``sqlite3``, psycopg 3):

- ``session()``: a ``Session`` for reads (statements commit on their own);
- ``write()``: one transaction, committed when the block ends, rolled back
  if it raises; ``write_one()`` one statement in a transaction of its own (a
  store may save round trips there: PostgreSQL runs it as one autocommitted
  statement instead of BEGIN, statement, COMMIT);
- ``migration()``: a transaction no other process migrates in at the same
  time, in which ``sync.ledger.schema.migrate`` brings the tables up to date;
- ``tables()``: the ledger's tables (the one catalog look-up migrating needs);
- ``integrity_error``: the driver's exception for a broken unique key.

A ``Session`` takes the portable SQL (``sync.ledger.dialect``) and hands the
driver its own spelling. The run lock is any ``RunLockLike``: the ``flock``
of ``sync.ledger.lock`` for a file, an advisory lock for PostgreSQL.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from sync.ledger.dialect import Dialect

Params = Mapping[str, Any]


class Cursor(Protocol):
    """The part of a DB-API cursor the ledger uses (``sqlite3`` and psycopg agree on it)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Session:
    """One connection, spoken to in the portable SQL."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: Params | None = None) -> Cursor:
        """Run one statement; ``params`` fill its ``:name`` parameters."""
        cur = self.conn.cursor()
        if params is None:  # DDL and constant queries: nothing to translate
            cur.execute(sql)
        else:
            cur.execute(self.dialect.sql(sql), params)
        return cur  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter set (batched by the driver)."""
        self.conn.cursor().executemany(self.dialect.sql(sql), rows)


class RunLockLike(Protocol):
    """The run lock: one run at a time per ledger, released when its holder dies."""

    @property
    def held(self) -> bool: ...

    def acquire(self) -> None: ...

    def describe(self, run_id: str = "") -> None: ...

    def release(self) -> None: ...

    def probe(self) -> contextlib.AbstractContextManager[bool]: ...


class Database(abc.ABC):
    """A store's connections, as the shared ledger uses them."""

    dialect: Dialect
    #: The ledger as messages name it: a path, or a URL with its password masked.
    where: str
    integrity_error: type[Exception]

    @abc.abstractmethod
    def session(self) -> contextlib.AbstractContextManager[Session]:
        """A session for reads."""

    @abc.abstractmethod
    def write(self) -> contextlib.AbstractContextManager[Session]:
        """One write transaction, committed (durably) when the block ends."""

    def write_one(self, query: str, params: Params) -> tuple[int, Any]:
        """One statement, committed: its row count, and its first row (``RETURNING``)."""
        with self.write() as session:
            cur = session.execute(query, params)
            return cur.rowcount, cur.fetchone() if cur.description else None

    @abc.abstractmethod
    def migration(self) -> contextlib.AbstractContextManager[Session]:
        """A transaction that migrates the schema, one process at a time."""

    @abc.abstractmethod
    def tables(self, session: Session) -> set[str]:
        """The names of the ledger's tables (none in a new ledger)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close every connection."""


__all__ = ["Cursor", "Database", "Params", "RunLockLike", "Session"]
