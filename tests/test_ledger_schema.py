"""The ledger's schema is declared once and comes out the same in both stores.

After migrating, an SQLite file and a PostgreSQL schema have the same tables, the
same columns (name, type, nullability, default), the same keys and the same
indexes; a later migration (portable, or spelled per dialect side by side) brings
both up to date, a failing one changes neither, and workers opening a new ledger
at the same moment migrate it once.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import Store, new_schema_url

from sync.errors import LedgerError
from sync.ledger import PostgresURL, open_ledger
from sync.ledger import schema as ledger_schema
from sync.ledger.dialect import POSTGRESQL, SQLITE, PerDialect
from sync.records import ResultLine, Status

# What each engine calls a column type, as one vocabulary: SQLite's INTEGER is 64-bit,
# its REAL an 8-byte float.
_TYPES = {
    "INTEGER": "int64",
    "TEXT": "text",
    "REAL": "float64",
    "bigint": "int64",
    "text": "text",
    "double precision": "float64",
}

Shape = dict[str, dict[str, Any]]


def sqlite_shape(path: Path) -> Shape:
    """Tables -> columns, primary key, unique keys and named indexes, from SQLite's catalog."""
    conn = sqlite3.connect(path)
    try:
        shape: Shape = {}
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        for table, ddl in tables.fetchall():
            if table == "sqlite_sequence":
                continue
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            generated = set(pk) if len(pk) == 1 and "AUTOINCREMENT" in ddl.upper() else set()
            columns = {
                name: (_TYPES[kind], not notnull and name not in pk, _default(default),
                       name in generated)
                for _, name, kind, notnull, default, _ in info
            }  # fmt: skip
            unique, indexes = set(), set()
            for _, index, is_unique, origin, _ in conn.execute(f"PRAGMA index_list({table})"):
                cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({index})"))
                if origin == "u":
                    unique.add(cols)
                elif origin == "c":
                    indexes.add((index, cols, bool(is_unique)))
            shape[table] = {"columns": columns, "pk": pk, "unique": unique, "indexes": indexes}
        return shape
    finally:
        conn.close()


def postgres_shape(url: PostgresURL) -> Shape:
    """The same, from PostgreSQL's catalog for the ledger's schema."""
    with psycopg.connect(url.conninfo) as conn:
        shape: Shape = {}
        found = conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity"
            " FROM information_schema.columns WHERE table_schema = %s",
            (url.schema,),
        )
        for table, name, kind, nullable, default, identity in found.fetchall():
            entry = shape.setdefault(
                table, {"columns": {}, "pk": [], "unique": set(), "indexes": set()}
            )
            generated = identity == "YES" or str(default or "").startswith("nextval(")
            entry["columns"][name] = (
                _TYPES[kind], nullable == "YES", None if generated else _default(default),
                generated,
            )  # fmt: skip
        indexes = conn.execute(
            "SELECT t.relname, i.relname, x.indisprimary, x.indisunique,"
            " EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid),"
            " ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, o)"
            "       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o)"
            " FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s",
            (url.schema,),
        )
        for table, index, primary, unique, constraint, cols in indexes.fetchall():
            if primary:
                shape[table]["pk"] = list(cols)
            elif constraint:
                shape[table]["unique"].add(tuple(cols))
            else:
                shape[table]["indexes"].add((index, tuple(cols), unique))
        return shape


def _default(value: str | None) -> str | None:
    """A column default as both catalogs can agree on it: ``''::text`` -> ``''``."""
    return None if value is None else re.sub(r"::[a-z ]+$", "", str(value))


def shapes(sqlite: Path, postgres: PostgresURL) -> tuple[Shape, Shape]:
    for where in (sqlite, postgres):
        open_ledger(where).close()
    return sqlite_shape(sqlite), postgres_shape(postgres)


@pytest.fixture
def both(tmp_path: Path, postgres_url: str) -> tuple[Path, PostgresURL]:
    """A fresh location in each store."""
    return tmp_path / "ledger.sqlite", new_schema_url(postgres_url)


def version(store: Store) -> str:
    return str(store.peek("SELECT value FROM meta WHERE key = 'schema_version'")[0][0])


class TestOneSchemaTwoStores:
    """The migrations are declared once; both stores end with the same tables."""

    def test_both_stores_have_the_same_tables_columns_keys_and_indexes(
        self, both: tuple[Path, PostgresURL]
    ) -> None:
        sqlite, postgres = shapes(*both)
        tables = {"meta", "runs", "rows", "attempts", "enrolments", "problems", "outcomes"}
        assert set(sqlite) == tables | {"positions", "pacing"}
        assert sqlite == postgres
        # The comparison sees what matters: an identity key, a composite key, a default.
        assert sqlite["runs"]["columns"]["seq"] == ("int64", False, None, True)
        assert sqlite["rows"]["pk"] == ["run_id", "row_index"]
        assert sqlite["rows"]["columns"]["reason"] == ("text", False, "''", False)
        assert sqlite["runs"]["unique"] == {("run_id",)}
        assert ("rows_identity", ("identity",), False) in sqlite["rows"]["indexes"]
        assert ("rows_fingerprint", ("fingerprint",), False) in sqlite["rows"]["indexes"]
        assert sqlite["problems"]["pk"] == ["fingerprint"]

    def test_a_later_migration_reaches_both_stores_alike(
        self, both: tuple[Path, PostgresURL], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A version after the current one, spelled per dialect: a ledger written at the
        current version is migrated on opening, its data kept."""
        invalid = ResultLine("a.csv", 2, "A", "a@x.io", "P", Status.INVALID, reason="bad")
        for where in both:
            with open_ledger(where) as ledger:
                run_id = ledger.start_run(
                    inputs=[], mapping="m", dry_run=False, tool_version="t", results_path="r"
                )
                ledger.record_plan(run_id, [invalid], [False])
        later_version = ledger_schema.SCHEMA_VERSION + 1
        later = [
            *ledger_schema.MIGRATIONS,
            (later_version, PerDialect(
                sqlite="CREATE TABLE probe (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT);"
                       "CREATE INDEX probe_at ON probe (at)",
                postgresql="CREATE TABLE probe (id BIGSERIAL PRIMARY KEY, at TEXT);"
                           "CREATE INDEX probe_at ON probe (at)",
            )),
        ]  # fmt: skip
        monkeypatch.setattr(ledger_schema, "MIGRATIONS", later)
        monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", later_version)
        sqlite, postgres = shapes(*both)
        assert sqlite == postgres
        assert sqlite["rows"]["columns"]["notes"] == ("text", False, "''", False)
        assert sqlite["probe"]["columns"]["id"][3] is True  # generated in both
        for where, kind in zip(both, ("sqlite", "postgresql"), strict=True):
            assert version(Store(kind, where)) == str(later_version)
            with open_ledger(where) as ledger:
                [line] = ledger.result_lines(ledger.last_run_id() or "")
            assert (line.candidate_name, line.status, line.reason) == ("A", Status.INVALID, "bad")

    def test_a_failing_migration_changes_nothing(
        self, store: Store, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """One transaction: a step that fails leaves the ledger at its old version."""
        open_ledger(store.location).close()
        current = ledger_schema.SCHEMA_VERSION
        broken = [
            *ledger_schema.MIGRATIONS,
            (current + 1, "ALTER TABLE rows ADD COLUMN half TEXT; ALTER TABLE no_such ADD x TEXT"),
        ]
        monkeypatch.setattr(ledger_schema, "MIGRATIONS", broken)
        monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", current + 1)
        with pytest.raises((LedgerError, psycopg.Error)):
            open_ledger(store.location)
        monkeypatch.undo()
        assert version(store) == str(current)
        with open_ledger(store.location) as ledger:  # still a working ledger at its version
            assert ledger.last_run_id() is None
        if store.kind == "sqlite":
            names = [r[1] for r in store.peek("SELECT * FROM pragma_table_info('rows')")]
        else:
            names = [r[0] for r in store.peek(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'rows' AND table_schema = :s",
                {"s": store.location.schema},  # type: ignore[union-attr]
            )]  # fmt: skip
        assert "half" not in names and "identity" in names

    def test_workers_opening_a_new_ledger_at_once_migrate_it_once(self, store: Store) -> None:
        """Eight openers race on a new ledger: every one gets a working ledger."""
        start = threading.Barrier(8)
        errors: list[BaseException] = []

        def opener() -> None:
            try:
                start.wait()
                with open_ledger(store.location) as ledger:
                    ledger.runs()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=opener) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        expected = [("schema_version", str(ledger_schema.SCHEMA_VERSION))]
        assert store.peek("SELECT key, value FROM meta") == expected


class TestDialect:
    """The portable SQL and its two spellings."""

    def test_named_parameters_become_psycopg_placeholders(self) -> None:
        query = "SELECT 1 FROM rows WHERE run_id = :run AND reason LIKE '50%' AND x = :run"
        assert POSTGRESQL.sql(query) == (
            "SELECT 1 FROM rows WHERE run_id = %(run)s AND reason LIKE '50%%' AND x = %(run)s"
        )
        assert SQLITE.sql(query) == query

    @pytest.mark.parametrize(
        "query", ["SELECT 1 WHERE a = ?", "INSERT OR REPLACE INTO t VALUES (1)"]
    )
    def test_sql_outside_the_portable_subset_is_refused(self, query: str) -> None:
        for dialect in (SQLITE, POSTGRESQL):
            with pytest.raises(ValueError, match="not portable"):
                dialect.sql(query)

    def test_tables_are_spelled_for_each_engine(self) -> None:
        script = (
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, r REAL);"
            "CREATE TABLE u (k TEXT PRIMARY KEY) WITHOUT ROWID"
        )
        assert POSTGRESQL.ddl(script) == [
            "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            " n BIGINT NOT NULL, r DOUBLE PRECISION)",
            "CREATE TABLE u (k TEXT PRIMARY KEY)",
        ]
        assert SQLITE.ddl(script) == [s.strip() for s in script.split(";")]
        both = PerDialect(sqlite="SELECT 1", postgresql="SELECT 2")
        assert (SQLITE.ddl(both), POSTGRESQL.ddl(both)) == (["SELECT 1"], ["SELECT 2"])
