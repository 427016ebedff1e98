"""The ledger: run lock, durability settings, plan/attempt/outcome journal,
results rebuilt after a kill, enrolments across runs, history, and no secrets.

Every test runs against both stores (the ``store`` fixture of tests/conftest.py:
an SQLite file, and a schema on a real PostgreSQL server), except those marked
``sqlite_only``, which test what only a file has.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Store

from sync.errors import LedgerError, LedgerLockedError
from sync.ledger import Enrolment, Ledger, SQLiteLedger, open_ledger
from sync.ledger.lines import IN_FLIGHT_REASON, PENDING_REASON
from sync.ledger.location import Location
from sync.ledger.schema import SCHEMA_VERSION
from sync.records import API_DECISIONS, ResultLine, Status

REPO = Path(__file__).resolve().parents[1]
#: What only the SQLite store has: a file, WAL, pragmas.
sqlite_only = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


def line(
    i: int,
    status: Status = Status.NOT_SENT,
    *,
    source: str = "applicants.csv",
    url: str = "",
    reason: str = "",
    identity: str | None = None,
) -> ResultLine:
    return ResultLine(
        source_file=source,
        source_row=i + 2,
        candidate_name=f"Candidate {i}",
        candidate_email=f"c{i}@example.com",
        position="Engineer (ENG-1)",
        status=status,
        reason=reason,
        interview_url=url,
        identity=f"c{i}@example.com/ext:ENG-1" if identity is None else identity,
    )


def start(ledger: Ledger, *, source: str = "applicants.csv", dry_run: bool = False) -> str:
    return ledger.start_run(
        inputs=[(source, "ab" * 32)],
        mapping="greenhouse",
        dry_run=dry_run,
        tool_version="0.1.0",
        results_path="results.xlsx",
    )


@pytest.fixture
def path(store: Store) -> Location:
    """Where the ledger under test is: a file, or a PostgreSQL URL (fresh schema)."""
    return store.location


@pytest.fixture
def ledger(path: Location) -> Iterator[Ledger]:
    with open_ledger(path) as opened:
        yield opened


def enrol(ledger: Ledger, run_id: str, index: int, result: ResultLine) -> None:
    """Send one planned row the way the dispatcher does: attempt, answer, outcome."""
    attempt = ledger.begin_attempt(run_id, index)
    ledger.finish_attempt(attempt, http_status=result.http_status, outcome="ok")
    ledger.record_outcome(run_id, index, result)


# A process that starts a run, sends row 0, leaves row 1 in flight and row 2
# pending, then waits to be killed.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sync.ledger import open_ledger
    from sync.records import ResultLine, Status

    def line(i, status=Status.NOT_SENT, url=""):
        return ResultLine("a.csv", i + 2, f"C {i}", f"c{i}@example.com", "Eng", status,
                          interview_url=url, identity=f"c{i}@example.com/ext:E")

    ledger = open_ledger(sys.argv[1])
    run_id = ledger.start_run(inputs=[("a.csv", "x")], mapping="m", dry_run=False,
                              tool_version="t", results_path="r.xlsx")
    ledger.record_plan(run_id, [line(0), line(1), line(2)], [True, True, True])
    a = ledger.begin_attempt(run_id, 0)
    ledger.finish_attempt(a, http_status=200, outcome="ok")
    ledger.record_outcome(run_id, 0, line(0, Status.AI_ACCEPT, "https://i/0"))
    ledger.begin_attempt(run_id, 1)
    print(run_id, flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def holder(store: Store) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Another process holding the run lock; yields it and its run id."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store.argv],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        run_id = proc.stdout.readline().strip()
        assert run_id, "the holder process did not start its run"
        yield proc, run_id
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


@pytest.fixture
def killed_holder(holder: tuple[subprocess.Popen[str], str]) -> str:
    """The holder's run id, after kill -9 of its process."""
    proc, run_id = holder
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return run_id


class TestOpening:
    def test_missing_parent_folder_is_created(self, tmp_path: Path) -> None:
        """A ledger path in a folder that does not exist yet opens and creates the folder."""
        path = tmp_path / "a" / "b" / "ledger.sqlite"
        with open_ledger(path) as ledger:
            assert ledger.last_run_id() is None
        assert path.is_file()

    @sqlite_only
    def test_new_ledger_is_private_to_its_owner(self, path: Path) -> None:
        """The ledger holds names and e-mails, so a new file is created mode 0600."""
        with open_ledger(path):
            pass
        assert path.stat().st_mode & 0o777 == 0o600

    @sqlite_only
    def test_wal_and_synchronous_full_are_set(self, ledger: SQLiteLedger) -> None:
        """The connection runs in WAL mode with synchronous=FULL (2), as DESIGN.md requires."""
        conn = ledger._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000

    def test_schema_version_is_recorded(self, store: Store) -> None:
        """A new ledger records the current schema version in its meta table."""
        with open_ledger(store.location):
            pass
        rows = store.peek("SELECT value FROM meta WHERE key='schema_version'")
        assert rows == [(str(SCHEMA_VERSION),)]

    def test_not_a_database_names_the_path(self, tmp_path: Path) -> None:
        """A file that is not SQLite is refused with a LedgerError naming it."""
        path = tmp_path / "results.xlsx"
        path.write_bytes(b"PK\x03\x04 this is a spreadsheet, not a database" * 50)
        with pytest.raises(LedgerError, match="not a jobmojito-sync ledger") as info:
            open_ledger(path)
        assert str(path) in str(info.value)

    def test_other_sqlite_database_is_refused_untouched(self, tmp_path: Path) -> None:
        """Another application's SQLite file is refused and not switched to WAL."""
        path = tmp_path / "other.db"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE customers (id INTEGER)")
        conn.close()
        with pytest.raises(LedgerError, match="not a jobmojito-sync ledger") as info:
            open_ledger(path)
        assert "customers" in str(info.value)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        conn.close()

    def test_newer_schema_version_is_refused(self, store: Store, path: Location) -> None:
        """A ledger written by a newer version says so and asks for an upgrade."""
        with open_ledger(path):
            pass
        store.peek("UPDATE meta SET value='99' WHERE key='schema_version'")
        with pytest.raises(LedgerError, match=r"newer jobmojito-sync \(schema version 99") as info:
            open_ledger(path)
        assert "upgrade jobmojito-sync" in str(info.value)

    def test_closed_ledger_refuses_use(self, path: Location) -> None:
        """Using a closed ledger raises a LedgerError instead of a sqlite3 error."""
        ledger = open_ledger(path)
        ledger.close()
        with pytest.raises(LedgerError, match="is closed"):
            ledger.last_run_id()


class TestRunLock:
    def test_second_ledger_in_same_process_is_refused(self, store: Store) -> None:
        """A second ledger object is refused, even in the same process (a second open
        file description for the flock, a second session for the advisory lock)."""
        path = store.where
        with store.open() as first, store.open(lock_wait=0) as second:
            run_id = start(first)
            with pytest.raises(LedgerLockedError) as info:
                start(second)
        message = str(info.value)
        assert message.startswith("another jobmojito-sync run (pid ")
        assert f"pid {os.getpid()} on host {socket.gethostname()}, started " in message
        assert " UTC, run " + run_id in message
        assert f"holds the ledger {path}; wait for it to finish" in message

    def test_lock_is_released_by_finish_run(self, store: Store) -> None:
        """After finish_run another ledger object can start a run."""
        with store.open() as first, store.open(lock_wait=0) as second:
            first.finish_run(start(first), exit_code=0, counts={})
            start(second)

    def test_lock_is_released_when_the_run_raises(self, store: Store) -> None:
        """A run that raised releases the lock on close and is recorded as killed."""
        with pytest.raises(RuntimeError), store.open() as ledger:
            run_id = start(ledger)
            raise RuntimeError("boom")
        with store.open(lock_wait=0) as again:
            assert again.get_run(run_id).state == "killed"
            start(again)

    def test_other_process_holding_the_lock_refuses(
        self, store: Store, holder: tuple[subprocess.Popen[str], str]
    ) -> None:
        """A run in another process refuses ours, naming that process's pid."""
        proc, run_id = holder
        with store.open(lock_wait=0.2) as ledger:
            with pytest.raises(LedgerLockedError, match=f"pid {proc.pid} on host ") as info:
                start(ledger)
            assert run_id in str(info.value)
            assert ledger.get_run(run_id).state == "running"

    def test_killed_process_frees_the_lock_and_its_run_is_killed(
        self, path: Location, killed_holder: str
    ) -> None:
        """kill -9 leaves no stale lock; the next run marks the dead run 'killed'."""
        run_id = killed_holder
        with open_ledger(path) as ledger:
            new = start(ledger)
            info = ledger.get_run(run_id)
            assert info.state == "killed"
            assert info.finished_at is None
            assert ledger.get_run(new).state == "running"

    def test_reader_sees_a_dead_run_as_killed(self, path: Location, killed_holder: str) -> None:
        """history after a kill -9 shows the run killed even before another run starts."""
        run_id = killed_holder
        with open_ledger(path) as ledger:
            [info] = ledger.runs()
        assert (info.run_id, info.state) == (run_id, "killed")
        assert info.counts == {"ai_accept": 1, "failed": 1, "not_sent": 1}


class TestJournal:
    def test_plan_attempt_outcome_round_trip(self, ledger: Ledger) -> None:
        """Every planned row comes back in input order with its pre-send or API outcome."""
        run_id = start(ledger)
        plan = [
            line(0),
            line(1, Status.INVALID, reason="candidate_email: not an e-mail address"),
            line(2, Status.DUPLICATE, reason="same candidate and position as row 2"),
            line(3, Status.SKIPPED, url="https://i/3", reason="already enrolled"),
            line(4),
        ]
        ledger.record_plan(run_id, plan, [True, False, False, False, True])
        sent = line(0, Status.AI_ACCEPT, url="https://i/0")
        sent.http_status, sent.attempts = 200, 2
        sent.position_def_set_id, sent.profile_interview_id = "pds-1", "pi-0"
        first = ledger.begin_attempt(run_id, 0)
        ledger.finish_attempt(first, http_status=503, outcome="retry", detail="HTTP 503")
        enrol(ledger, run_id, 0, sent)
        refused = line(4, Status.REJECTED, reason="HTTP 404: position_def_set_id unknown")
        refused.http_status, refused.attempts = 404, 1
        enrol(ledger, run_id, 4, refused)

        lines = ledger.result_lines(run_id)

        assert lines == [sent, plan[1], plan[2], plan[3], refused]

    def test_plan_and_pending_must_match(self, ledger: Ledger) -> None:
        """A plan whose pending flags do not match its lines is refused, not half-stored."""
        run_id = start(ledger)
        with pytest.raises(ValueError, match="2 lines but 1 pending"):
            ledger.record_plan(run_id, [line(0), line(1)], [True])
        assert ledger.result_lines(run_id) == []

    def test_unknown_row_or_attempt_is_an_error(self, ledger: Ledger) -> None:
        """Journaling a row that was never planned fails loudly instead of losing it."""
        run_id = start(ledger)
        ledger.record_plan(run_id, [line(0)], [True])
        with pytest.raises(LedgerError, match="has no row 7"):
            ledger.begin_attempt(run_id, 7)
        with pytest.raises(LedgerError, match="has no row 7"):
            ledger.record_outcome(run_id, 7, line(7, Status.FAILED))
        with pytest.raises(LedgerError, match="no attempt 999"):
            ledger.finish_attempt(999, http_status=None, outcome="failed")

    def test_a_row_with_an_outcome_is_not_sent_again(self, ledger: Ledger) -> None:
        """begin_attempt refuses a row already final (sent or decided before sending)."""
        run_id = start(ledger)
        ledger.record_plan(run_id, [line(0), line(1, Status.SKIPPED)], [True, False])
        enrol(ledger, run_id, 0, line(0, Status.AI_ACCEPT, url="https://i/0"))
        with pytest.raises(LedgerError, match=r"row 0 of run .* already has its outcome"):
            ledger.begin_attempt(run_id, 0)
        with pytest.raises(LedgerError, match=r"already has its outcome \(skipped\)"):
            ledger.begin_attempt(run_id, 1)

    def test_begin_attempt_is_committed_before_it_returns(self, store: Store) -> None:
        """An in-flight attempt is visible to another connection as soon as it is journaled."""
        with store.open() as ledger:
            run_id = start(ledger)
            ledger.record_plan(run_id, [line(0)], [True])
            attempt = ledger.begin_attempt(run_id, 0)
            rows = store.peek("SELECT state FROM attempts WHERE attempt_id = :a", {"a": attempt})
            assert rows == [("in_flight",)]


class TestKilledRunResults:
    def test_stopped_rows_render_as_not_sent_or_failed(self, path: Location) -> None:
        """A run that stopped mid-way still yields one line per row with the truth about it."""
        with open_ledger(path) as ledger:
            run_id = start(ledger)
            ledger.record_plan(run_id, [line(i) for i in range(4)], [True] * 4)
            enrol(ledger, run_id, 0, line(0, Status.AI_ACCEPT, url="https://i/0"))
            ledger.begin_attempt(run_id, 1)  # the process dies while this is in flight
            retry = ledger.begin_attempt(run_id, 2)
            ledger.finish_attempt(retry, http_status=503, outcome="retry")
        # The run never finished (as after kill -9); a later reader rebuilds its sheet.
        with open_ledger(path) as ledger:
            lines = ledger.result_lines(run_id)
            info = ledger.get_run(run_id)
        assert info.state == "killed"
        # history's counts of the killed run are those of its rebuilt sheet.
        assert info.counts == {"ai_accept": 1, "failed": 2, "not_sent": 1}
        assert [x.status for x in lines] == [
            Status.AI_ACCEPT,
            Status.FAILED,
            Status.FAILED,
            Status.NOT_SENT,
        ]
        assert lines[1].reason == IN_FLIGHT_REASON
        assert lines[1].attempts == 1
        assert "between retries (last attempt: HTTP 503)" in lines[2].reason
        assert lines[2].http_status == 503
        assert lines[3].reason == PENDING_REASON == "the run stopped before this row was sent"
        assert [x.source_row for x in lines] == [2, 3, 4, 5]


class TestEnrolments:
    @pytest.mark.parametrize("status", sorted(API_DECISIONS, key=str))
    def test_api_decisions_are_enrolments(self, ledger: Ledger, status: Status) -> None:
        """Every API decision (including already-applied) makes the candidate enrolled."""
        run_id = start(ledger)
        ledger.record_plan(run_id, [line(0)], [True])
        enrol(ledger, run_id, 0, line(0, status, url="https://i/0"))
        found = ledger.enrolled(["c0@example.com/ext:ENG-1", "nobody/ext:ENG-1"])
        [record] = found.values()
        assert record.identity == "c0@example.com/ext:ENG-1"
        assert (record.status, record.interview_url, record.run_id) == (
            str(status),
            "https://i/0",
            run_id,
        )
        assert record.enrolled_at.endswith("Z")

    @pytest.mark.parametrize(
        "status", [Status.REJECTED, Status.FAILED, Status.NOT_SENT, Status.INVALID]
    )
    def test_other_outcomes_are_not_enrolments(self, ledger: Ledger, status: Status) -> None:
        """Rejected, failed or unsent rows leave the candidate free to be sent next time."""
        run_id = start(ledger)
        ledger.record_plan(run_id, [line(0)], [True])
        enrol(ledger, run_id, 0, line(0, status, reason="no"))
        assert ledger.enrolled(["c0@example.com/ext:ENG-1"]) == {}

    def test_enrolments_survive_reopening_and_other_input_files(self, path: Location) -> None:
        """A candidate enrolled from one file is found when another file names them later."""
        with open_ledger(path) as ledger:
            run_id = start(ledger, source="monday.csv")
            ledger.record_plan(run_id, [line(0, source="monday.csv")], [True])
            enrol(ledger, run_id, 0, line(0, Status.RECRUITER_ACCEPT, url="https://i/0"))
            ledger.finish_run(run_id, exit_code=0, counts={"recruiter_accept": 1})
        with open_ledger(path) as ledger:
            start(ledger, source="tuesday.xlsx")
            found = ledger.enrolled(iter(["c0@example.com/ext:ENG-1"]))
        assert found == {
            "c0@example.com/ext:ENG-1": Enrolment(
                identity="c0@example.com/ext:ENG-1",
                status="recruiter_accept",
                interview_url="https://i/0",
                run_id=run_id,
                enrolled_at=found["c0@example.com/ext:ENG-1"].enrolled_at,
                first_status="recruiter_accept",
                last_run_id=run_id,
                updated_at=found["c0@example.com/ext:ENG-1"].updated_at,
            )
        }

    def test_later_answer_updates_status_but_never_loses_the_url(self, ledger: Ledger) -> None:
        """A forced resend's answer is stored, but an answer without a URL keeps the old one."""
        first = start(ledger)
        ledger.record_plan(first, [line(0)], [True])
        enrol(ledger, first, 0, line(0, Status.AI_ACCEPT, url="https://i/0"))
        ledger.finish_run(first, exit_code=0, counts={})
        second = start(ledger)
        ledger.record_plan(second, [line(0)], [True])
        enrol(ledger, second, 0, line(0, Status.ALREADY_APPLIED, url=""))
        third = start(ledger)
        ledger.record_plan(third, [line(0)], [True])
        enrol(ledger, third, 0, line(0, Status.REJECTED, reason="HTTP 422"))
        record = ledger.enrolled(["c0@example.com/ext:ENG-1"])["c0@example.com/ext:ENG-1"]
        assert record.status == "already-applied"
        assert record.first_status == "ai_accept"
        assert record.interview_url == "https://i/0"
        assert (record.run_id, record.last_run_id) == (first, second)

    def test_identity_falls_back_to_the_planned_row(self, ledger: Ledger) -> None:
        """An outcome line without identity is enrolled under the identity planned for its row."""
        run_id = start(ledger)
        ledger.record_plan(run_id, [line(0)], [True])
        enrol(ledger, run_id, 0, line(0, Status.AI_ACCEPT, url="https://i/0", identity=""))
        assert list(ledger.enrolled(["c0@example.com/ext:ENG-1"])) == ["c0@example.com/ext:ENG-1"]


class TestHistory:
    def test_runs_newest_first_with_counts(self, path: Location) -> None:
        """runs() lists runs newest first with stored counts, or counts rebuilt for a killed run."""
        with open_ledger(path) as ledger:
            finished = start(ledger, dry_run=True)
            ledger.record_plan(finished, [line(0, Status.DRY_RUN)], [False])
            ledger.finish_run(finished, exit_code=0, counts={"dry_run": 1})
            killed = start(ledger)
            ledger.record_plan(killed, [line(i) for i in range(3)], [True, True, False])
            enrol(ledger, killed, 0, line(0, Status.AI_ACCEPT, url="https://i/0"))
        with open_ledger(path) as ledger:
            runs = ledger.runs()
            assert ledger.last_run_id() == killed
            assert [r.run_id for r in ledger.runs(limit=1)] == [killed]
        assert [(r.run_id, r.state) for r in runs] == [(killed, "killed"), (finished, "finished")]
        assert runs[0].counts == {"ai_accept": 1, "not_sent": 2}
        assert runs[0].exit_code is None
        assert runs[1].counts == {"dry_run": 1}
        assert runs[1].exit_code == 0
        assert runs[1].dry_run is True
        assert runs[1].finished_at is not None
        assert runs[1].inputs == [("applicants.csv", "ab" * 32)]
        assert (runs[1].mapping, runs[1].results_path) == ("greenhouse", "results.xlsx")
        assert runs[1].pid == os.getpid()

    def test_run_ids_are_sortable_utc_stamps(self, ledger: Ledger) -> None:
        """Run ids look like 20261122T213000Z-3f9a and sort in start order within a ledger."""
        ids = []
        for _ in range(3):
            run_id = start(ledger)
            ledger.finish_run(run_id, exit_code=0, counts={})
            ids.append(run_id)
        assert all(len(i) == 21 and i[8] == "T" and i[15:17] == "Z-" for i in ids)
        assert [r.run_id for r in ledger.runs()] == ids[::-1]

    def test_unknown_run_names_the_last_runs(self, path: Location, ledger: Ledger) -> None:
        """An unknown run id is a LedgerError that lists the runs the ledger does hold."""
        known = start(ledger)
        with pytest.raises(LedgerError) as info:
            ledger.get_run("20200101T000000Z-dead")
        assert str(info.value) == (
            f"no run '20200101T000000Z-dead' in ledger {path}; the last runs are {known}"
        )

    def test_unknown_run_in_empty_ledger(self, path: Location, ledger: Ledger) -> None:
        """An empty ledger says it holds no runs yet."""
        with pytest.raises(LedgerError, match="the ledger holds no runs yet"):
            ledger.result_lines("nope")


TOKEN = "jm_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
RESUME = "Seasoned welder; SECRET-RESUME-MARKER certified in underwater TIG since 2009."


class TestNoSecrets:
    def test_token_and_resume_never_reach_the_database_files(self, store: Store) -> None:
        """Neither the API token nor resume text appears in the ledger, WAL or lock bytes
        (SQLite), or anywhere in the ledger's tables (PostgreSQL)."""
        payload = {
            "candidate_name": "Ada Welder",
            "candidate_email": "ada@example.com",
            "candidate_resume": RESUME,
            "position_external_id": "ENG-1",
            "note": f"token {TOKEN}",
        }
        planned = ResultLine(
            source_file="a.csv",
            source_row=2,
            candidate_name=payload["candidate_name"],
            candidate_email=payload["candidate_email"],
            position=payload["position_external_id"],
            status=Status.NOT_SENT,
            identity="ada@example.com/ext:ENG-1",
        )
        with store.open() as ledger:
            run_id = start(ledger)
            ledger.record_plan(run_id, [planned, planned], [True, True])
            attempt = ledger.begin_attempt(run_id, 0)
            ledger.finish_attempt(
                attempt, http_status=401, outcome="auth", detail=f"Authorization: Bearer {TOKEN}"
            )
            refused = replace(
                planned, status=Status.REJECTED, reason=f"HTTP 401: bearer {TOKEN} refused"
            )
            ledger.record_outcome(run_id, 0, refused)
            echoed = replace(
                planned,
                status=Status.REJECTED,
                reason="HTTP 422: candidate_resume too long: " + "x" * 5000 + RESUME,
            )
            ledger.record_outcome(run_id, 1, echoed)
            if isinstance(store.location, Path):
                path = store.location
                assert path.with_name(path.name + "-wal").exists()  # grepped while open
            raw = store.stored_bytes()
            lines = ledger.result_lines(run_id)
        raw += store.stored_bytes()
        assert TOKEN.encode() not in raw
        assert b"SECRET-RESUME-MARKER" not in raw
        assert b"Ada Welder" in raw  # the display data is there: the grep is meaningful
        assert lines[0].reason == "HTTP 401: bearer *** refused"
        assert lines[1].reason.endswith("… [cut]")


class TestScale:
    def test_100k_rows_plan_and_enrolled_lookup(self, store: Store) -> None:
        """100,000 planned rows come back intact and enrolled() finds exactly the enrolled ones."""
        n = 100_000
        with store.open() as ledger:
            if isinstance(ledger, SQLiteLedger):  # speed only; correctness is tested
                ledger._conn.execute("PRAGMA synchronous=OFF")
            run_id = start(ledger)
            plan = [line(i) if i % 3 else line(i, Status.INVALID, reason="bad") for i in range(n)]
            ledger.record_plan(run_id, plan, [bool(i % 3) for i in range(n)])
            enrolled_rows = [i for i in range(1, n, 40) if i % 3]
            for i in enrolled_rows:
                enrol(ledger, run_id, i, line(i, Status.AI_ACCEPT, url=f"https://i/{i}"))
            ledger.finish_run(run_id, exit_code=0, counts={})
            wanted = [f"c{i}@example.com/ext:ENG-1" for i in range(n)] + ["stranger/ext:X"]
            found = ledger.enrolled(wanted)
            lines = ledger.result_lines(run_id)
            counts = ledger.get_run(run_id).counts
        assert len(found) == len(enrolled_rows)
        assert {k: v.interview_url for k, v in found.items()} == {
            f"c{i}@example.com/ext:ENG-1": f"https://i/{i}" for i in enrolled_rows
        }
        assert len(lines) == n
        assert [x.source_row for x in lines] == [i + 2 for i in range(n)]
        assert sum(x.status is Status.INVALID for x in lines) == len(range(0, n, 3))
        # finish_run stored no counts, so they are rebuilt from the rows.
        assert counts == {
            "invalid": len(range(0, n, 3)),
            "ai_accept": len(enrolled_rows),
            "not_sent": n - len(range(0, n, 3)) - len(enrolled_rows),
        }
