"""What only the PostgreSQL ledger has: its URL, its schema, its connections, its lock.

Against the real server of tests/conftest.py (password authentication over TCP):
the password never shows in a message; the ledger keeps to its own schema and
leaves other tables alone; a server that cannot be reached, or a lock session
lost mid-run, stops the run with a clear message and leaves nothing locked.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import psycopg
import pytest
from conftest import new_schema_url

from sync.errors import (
    LedgerError,
    LedgerLockedError,
    LedgerLostError,
    LedgerUnavailableError,
    UsageError,
)
from sync.ledger import PostgresURL, find_ledger, location, open_ledger
from sync.ledger.location import DEFAULT_SCHEMA, mask_url
from sync.ledger.postgres import PostgresLedger
from sync.records import ResultLine, Status
from sync.redact import redact


def password_of(url: str) -> str:
    password = urlsplit(url).password
    assert password, "the test server's URL carries a password"
    return password


def start(ledger: PostgresLedger) -> str:
    return ledger.start_run(
        inputs=[("a.csv", "ab" * 32)], mapping="m", dry_run=False, tool_version="t",
        results_path="r.xlsx",
    )  # fmt: skip


def planned(i: int) -> ResultLine:
    return ResultLine("a.csv", i + 2, f"C {i}", f"c{i}@example.com", "Eng", Status.NOT_SENT,
                      identity=f"c{i}@example.com/ext:E")  # fmt: skip


def tables_in(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> set[object]:
    found = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
    return {r[0] for r in found}


def raw(url: PostgresURL) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(url.conninfo, autocommit=True)
    conn.execute(f"SET search_path TO {url.schema}")
    return conn


class TestURL:
    """A URL is a location whose text never shows the password."""

    def test_password_is_masked_in_user_info_and_query(self) -> None:
        assert mask_url("postgresql://sync:s3cr%40t@db:5432/air?sslmode=require") == (
            "postgresql://sync:***@db:5432/air?sslmode=require"
        )
        assert mask_url("postgres://db/air?user=u&password=hunter2&sslmode=verify-full") == (
            "postgres://db/air?user=u&password=***&sslmode=verify-full"
        )
        url = PostgresURL("postgresql://sync:s3cr%40t@db/air")
        assert "s3cr" not in str(url) + repr(url) + f"{url}"
        assert url.password == "s3cr@t"

    def test_ledger_schema_is_ours_and_stays_out_of_the_driver_url(self) -> None:
        url = PostgresURL("postgresql://db/air?sslmode=require&ledger_schema=team_a")
        assert url.schema == "team_a"
        assert url.conninfo == "postgresql://db/air?sslmode=require"
        assert PostgresURL("postgresql://db/air").schema == DEFAULT_SCHEMA == "jobmojito_sync"
        with pytest.raises(UsageError, match="not a schema name"):
            PostgresURL("postgresql://db/air?ledger_schema=Robert%27;DROP")

    def test_a_mistyped_parameter_is_a_usage_error_naming_it(self) -> None:
        with pytest.raises(UsageError, match='invalid URI query parameter: "sslmod"') as info:
            open_ledger("postgresql://sync:Typo-Pw-1@db/air?sslmod=require")
        assert "Typo-Pw-1" not in str(info.value) and "sync:***@db" in str(info.value)

    def test_a_value_is_a_url_or_a_path(self) -> None:
        assert isinstance(location("postgresql://db/air"), PostgresURL)
        assert str(location("ledgers/postgresql.sqlite")) == "ledgers/postgresql.sqlite"
        with pytest.raises(UsageError, match="lost a slash"):
            location("postgresql:/sync:pw@db/air")  # what Path() makes of a URL


class TestConnecting:
    """Opening: a password that never leaks, and a server that is not there."""

    def test_unreachable_server_names_the_ledger_without_its_password(self) -> None:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"postgresql://sync:Unreachable-Pw-9@127.0.0.1:{port}/air?connect_timeout=3"
        with pytest.raises(LedgerUnavailableError) as info:
            open_ledger(url)
        message = str(info.value)
        assert message.startswith(
            f"cannot connect to the ledger postgresql://sync:***@127.0.0.1:{port}/air"
        )
        assert "Connection refused" in message or "connect" in message
        assert "Unreachable-Pw-9" not in message
        assert info.value.exit_code == 2  # nothing was sent

    def test_wrong_password_is_refused_and_never_echoed(self, postgres_url: str) -> None:
        right = password_of(postgres_url)
        wrong = postgres_url.replace(f":{right}@", ":Wrong-Pw-4711@")
        with pytest.raises(LedgerUnavailableError, match="password authentication failed") as info:
            open_ledger(wrong)
        assert "Wrong-Pw-4711" not in str(info.value) and right not in str(info.value)
        assert redact("x Wrong-Pw-4711 y") == "x *** y"  # registered as a secret on opening

    def test_the_ledger_opens_in_its_own_schema(self, postgres_url: str) -> None:
        """Without ledger_schema the tables go to jobmojito_sync, not public."""
        open_ledger(postgres_url).close()
        with psycopg.connect(postgres_url) as conn:
            tables, public = tables_in(conn, DEFAULT_SCHEMA), tables_in(conn, "public")
        assert {"meta", "runs", "rows", "attempts", "enrolments"} <= tables
        assert not {"meta", "runs", "rows"} & public

    def test_reading_creates_nothing(self, postgres_url: str) -> None:
        """report, history and a dry run look a ledger up without creating one."""
        url = new_schema_url(postgres_url)
        assert find_ledger(url) is None
        with psycopg.connect(postgres_url) as conn:
            found = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (url.schema,))
            assert found.fetchone() is None

    def test_another_applications_schema_is_refused_untouched(self, postgres_url: str) -> None:
        url = new_schema_url(postgres_url, "app")
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {url.schema}")
            conn.execute(f"CREATE TABLE {url.schema}.customers (id int)")
        with pytest.raises(LedgerError, match="not a jobmojito-sync ledger") as info:
            open_ledger(url)
        assert "customers" in str(info.value) and "ledger_schema" in str(info.value)
        with raw(url) as conn:
            assert tables_in(conn, url.schema) == {"customers"}


class TestRunLock:
    """The advisory lock: one run per ledger, per schema, gone with its session."""

    def test_two_ledgers_in_one_database_do_not_share_a_lock_or_enrolments(
        self, postgres_url: str
    ) -> None:
        team_a, team_b = new_schema_url(postgres_url), new_schema_url(postgres_url)
        with PostgresLedger(team_a) as a, PostgresLedger(team_b, lock_wait=0) as b:
            run_a = start(a)
            start(b)  # not refused: another ledger
            a.record_plan(run_a, [planned(0)], [True])
            a.record_outcome(run_a, 0, _enrolled(0))
            assert list(a.enrolled(["c0@example.com/ext:E"])) == ["c0@example.com/ext:E"]
            assert b.enrolled(["c0@example.com/ext:E"]) == {}

    def test_the_lock_session_names_the_run(self, postgres_url: str) -> None:
        """A DBA sees which session holds the lock, and for which run (pg_stat_activity)."""
        url = new_schema_url(postgres_url)
        with PostgresLedger(url) as ledger:
            run_id = start(ledger)
            with psycopg.connect(postgres_url) as conn:
                names = [r[0] for r in conn.execute(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a"
                    " USING (pid) WHERE l.locktype = 'advisory' AND l.granted")]  # fmt: skip
        assert any(name.startswith(f"jobmojito-sync {run_id} pid ") for name in names), names

    def test_a_lost_lock_session_stops_the_run_and_frees_the_ledger(
        self, postgres_url: str
    ) -> None:
        """The session holding the lock dies mid-run (a failover, a cut): the run stops at
        its next write, as if killed, and the next run may start at once."""
        url = new_schema_url(postgres_url)
        ledger = PostgresLedger(url)
        run_id = start(ledger)
        ledger.record_plan(run_id, [planned(0), planned(1)], [True, True])
        ledger.begin_attempt(run_id, 0)
        conn = ledger._database.lock_conn  # type: ignore[attr-defined]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
        with pytest.raises(LedgerLostError, match="lost the connection to the ledger") as info:
            ledger.begin_attempt(run_id, 1)
        assert info.value.exit_code == 3
        assert password_of(postgres_url) not in str(info.value)
        ledger.close()
        with PostgresLedger(url, lock_wait=2) as again:
            assert again.get_run(run_id).state == "killed"
            start(again)  # the lock went with the session
            [first, second] = again.result_lines(run_id)
        assert (first.status, second.status) == (Status.FAILED, Status.NOT_SENT)

    def test_a_second_ledger_object_is_refused_with_the_holder_named(
        self, postgres_url: str
    ) -> None:
        url = new_schema_url(postgres_url)
        with PostgresLedger(url) as first, PostgresLedger(url, lock_wait=0) as second:
            run_id = start(first)
            with pytest.raises(LedgerLockedError) as info:
                start(second)
        assert f"run {run_id}) holds the ledger {url};" in str(info.value)
        assert password_of(postgres_url) not in str(info.value)


def _enrolled(i: int) -> ResultLine:
    line = planned(i)
    line.status, line.interview_url = Status.AI_ACCEPT, f"https://i/{i}"
    return line
