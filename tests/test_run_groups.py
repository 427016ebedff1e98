"""Run groups in the ledger, for both stores: the shards of one export run together,
anything that would overlap them is refused, and the group reads as one sheet.

What must hold (docs/design.md "Scale"): the shards of one group run at once on
one ledger; the same shard twice, a whole-export run beside shards, another
group beside a live one, a different N or different inputs are refused; a shard
whose process died (kill -9) is marked killed and frees its place; the group's
sheet has every input row once, in input order, each from its own shard's
latest run; the shared pace row is read and written atomically.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
from conftest import Store
from helpers import process_env

from sync.errors import LedgerLockedError, UsageError
from sync.ledger import Ledger
from sync.records import ResultLine, Status
from sync.shards import Shard, select_shard, shard_of

INPUTS = [("applicants.csv", "ab" * 32)]


def start(ledger: Ledger, shard: str | None = None, group: str = "g1", **kw: object) -> str:
    return ledger.start_run(
        inputs=kw.pop("inputs", INPUTS),  # type: ignore[arg-type]
        mapping="generic", dry_run=False, tool_version="t", results_path="r.xlsx",
        group=group if shard else None, shard=Shard.parse(shard) if shard else None,
    )  # fmt: skip


def identities(n: int) -> list[str]:
    return [f"person{i}@example.com/pos:analyst|lisbon|pt" for i in range(n)]


def plan(ledger: Ledger, run_id: str, shard: Shard, n: int) -> list[ResultLine]:
    """Record the plan of a shard of ``n`` rows: its own pending, the others other_shard."""
    lines, pending = [], []
    for i, identity in enumerate(identities(n)):
        mine = shard_of(identity, shard.count) == shard.index
        status = Status.NOT_SENT if mine else Status.OTHER_SHARD
        reason = "" if mine else "another shard's"
        lines.append(ResultLine("a.csv", i + 2, f"P{i}", f"p{i}@x.io", "Analyst", status,
                                reason=reason, identity=identity))  # fmt: skip
        pending.append(mine)
    ledger.record_plan(run_id, lines, pending)
    return lines


def finish_own(ledger: Ledger, run_id: str, lines: list[ResultLine], shard: Shard) -> None:
    """Send a shard's rows (enrolled) and finish its run."""
    for i, line in enumerate(lines):
        if shard_of(line.identity, shard.count) == shard.index:
            attempt = ledger.begin_attempt(run_id, i)
            ledger.finish_attempt(attempt, http_status=200, outcome="ok")
            line.status, line.interview_url = Status.AI_ACCEPT, f"https://i/{i}"
            ledger.record_outcome(run_id, i, line)
    ledger.finish_run(run_id, exit_code=0, counts={})


def hold(store: Store, shard: str, group: str = "g1") -> subprocess.Popen[str]:
    """Another process that starts a shard run and keeps it (until killed)."""
    code = textwrap.dedent(f"""
        import sys
        from sync.ledger import open_ledger
        from sync.shards import Shard
        ledger = open_ledger({store.argv!r})
        run = ledger.start_run(inputs={INPUTS!r}, mapping="generic", dry_run=False,
                               tool_version="t", results_path="r.xlsx", group={group!r},
                               shard=Shard.parse({shard!r}))
        print(run, flush=True)
        sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env=process_env(), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line, "the holder did not start its run"
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.wait(timeout=30)


class TestShardsRunTogether:
    """The shards of one group start side by side; what would overlap them is refused."""

    def test_every_shard_of_a_group_runs_at_once(self, store: Store) -> None:
        ledgers = [store.open(lock_wait=0) for _ in range(3)]
        try:
            runs = [start(ledger, f"{i}/3") for i, ledger in enumerate(ledgers, 1)]
            assert len(set(runs)) == 3
            info = ledgers[0].group_runs("g1")
            assert sorted((r.shard, r.shards, r.state) for r in info) == [
                (1, 3, "running"), (2, 3, "running"), (3, 3, "running")]  # fmt: skip
        finally:
            for ledger in ledgers:
                ledger.close()

    def test_the_same_shard_twice_is_refused(self, store: Store) -> None:
        holder = hold(store, "2/4")
        try:
            with (
                store.open(lock_wait=0) as ledger,
                pytest.raises(LedgerLockedError, match="same shard of the same run group"),
            ):
                start(ledger, "2/4")
        finally:
            kill(holder)

    def test_a_whole_run_is_refused_while_shards_go(self, store: Store) -> None:
        holder = hold(store, "1/2")
        try:
            with store.open(lock_wait=0) as ledger, pytest.raises(LedgerLockedError) as refused:
                start(ledger)
            assert "shard 1/2 of run group g1" in str(refused.value)
        finally:
            kill(holder)

    def test_a_shard_is_refused_while_a_whole_run_goes(self, store: Store) -> None:
        with store.open() as whole:
            start(whole)
            with store.open(lock_wait=0) as ledger, pytest.raises(LedgerLockedError):
                start(ledger, "1/2")

    def test_another_group_is_refused_while_one_goes(self, store: Store) -> None:
        holder = hold(store, "1/2", group="nightly-1")
        try:
            with (
                store.open(lock_wait=0) as ledger,
                pytest.raises(LedgerLockedError, match="another run group"),
            ):
                start(ledger, "2/2", group="nightly-2")
        finally:
            kill(holder)

    def test_a_group_keeps_its_number_of_shards_and_its_inputs(self, store: Store) -> None:
        with store.open() as ledger:
            run = start(ledger, "1/4")
            ledger.finish_run(run, exit_code=0, counts={})
            with pytest.raises(UsageError, match="split into 4 shards"):
                start(ledger, "1/3")
            with pytest.raises(UsageError, match="other inputs"):
                start(ledger, "2/4", inputs=[("applicants.csv", "cd" * 32)])
            start(ledger, "2/4", inputs=[("/elsewhere/applicants.csv", "ab" * 32)])  # same content


class TestADeadShard:
    """A shard killed with SIGKILL frees its place and reads as killed."""

    def test_its_rerun_starts_and_marks_it_killed(self, store: Store) -> None:
        holder = hold(store, "1/2")
        kill(holder)
        with store.open(lock_wait=2) as ledger:
            start(ledger, "1/2")
            states = sorted(r.state for r in ledger.group_runs("g1"))
        assert states == ["killed", "running"]

    def test_history_marks_it_killed_beside_a_live_sibling(self, store: Store) -> None:
        live, dead = hold(store, "1/2"), hold(store, "2/2")
        kill(dead)
        try:
            with store.open() as reader:
                states = {r.shard: r.state for r in reader.runs()}
            assert states == {1: "running", 2: "killed"}
        finally:
            kill(live)


class TestTheGroupsSheet:
    """Each row from its own shard's latest run: every input row once, in input order."""

    def test_every_row_once_in_input_order(self, store: Store) -> None:
        n = 30
        with store.open() as ledger:
            for i in (1, 2, 3):
                shard = Shard(i, 3)
                run = start(ledger, str(shard))
                finish_own(ledger, run, plan(ledger, run, shard, n), shard)
            lines, runs = ledger.group_lines("g1")
        assert [ln.source_row for ln in lines] == list(range(2, n + 2))
        assert all(ln.status is Status.AI_ACCEPT for ln in lines)
        assert [r.shard for r in runs] == [1, 2, 3]

    def test_a_shard_that_has_not_run_is_said(self, store: Store) -> None:
        n = 20
        with store.open() as ledger:
            shard = Shard(1, 2)
            run = start(ledger, str(shard))
            finish_own(ledger, run, plan(ledger, run, shard, n), shard)
            lines, _ = ledger.group_lines("g1")
        assert len(lines) == n
        others = [ln for ln in lines if ln.status is not Status.AI_ACCEPT]
        assert others and all(ln.status is Status.NOT_SENT for ln in others)
        assert all("shard 2/2 of run group g1 has not run" in ln.reason for ln in others)

    def test_a_rerun_of_a_shard_replaces_its_rows(self, store: Store) -> None:
        n = 20
        with store.open() as ledger:
            for i in (1, 2):
                shard = Shard(i, 2)
                run = start(ledger, str(shard))
                plan(ledger, run, shard, n)  # planned, never sent
                ledger.finish_run(run, exit_code=3, counts={})
            shard = Shard(2, 2)
            run = start(ledger, str(shard))
            finish_own(ledger, run, plan(ledger, run, shard, n), shard)
            lines, runs = ledger.group_lines("g1")
        assert len(lines) == n and runs[1].run_id == run
        mine = [shard_of(i, 2) == 2 for i in identities(n)]
        assert [ln.status is Status.AI_ACCEPT for ln in lines] == mine


class TestThePaceRow:
    """The group's pace is read and written in one transaction by each shard in turn."""

    def test_concurrent_updates_are_never_lost(self, store: Store) -> None:
        def bump() -> None:
            with store.open() as ledger:  # a connection of its own, as each shard has
                for _ in range(40):
                    ledger.update_pace("g1", lambda row: {
                        "rate": (row["rate"] or 0.0) + 1 if row else 1.0,
                        "next_slot": 0.0, "claimed": 0, "updated_at": 0.0,
                    })  # fmt: skip

        workers = [threading.Thread(target=bump) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        with store.open() as ledger:
            row = ledger.read_pace("g1")
        assert row is not None and row["rate"] == 120.0

    def test_the_clock_is_the_stores(self, store: Store) -> None:
        import time

        with store.open() as ledger:
            assert abs(ledger.clock() - time.time()) < 5  # the server on this machine


class TestSelection:
    """Which rows a shard sends: its own, by identity, every row in exactly one shard."""

    def test_every_row_in_exactly_one_shard(self) -> None:
        from sync.records import PlannedRow, Row

        rows = [
            PlannedRow(index=i, row=Row("a.csv", i + 2, {}), payload={}, identity=identity)
            for i, identity in enumerate(identities(200) + identities(10))  # 10 duplicates
        ]
        owners: list[list[int]] = [[] for _ in rows]
        for i in range(1, 5):
            for p in rows:
                p.status = None
            select_shard(rows, Shard(i, 4))
            for n, p in enumerate(rows):
                if p.status is None:
                    owners[n].append(i)
        assert all(len(o) == 1 for o in owners)
        assert {o[0] for o in owners} == {1, 2, 3, 4}
        assert [o[0] for o in owners[200:]] == [o[0] for o in owners[:10]]  # duplicates together

    def test_the_split_is_the_same_in_another_process(self) -> None:
        here = [shard_of(i, 7) for i in identities(50)]
        code = (
            f"from sync.shards import shard_of;print([shard_of(i, 7) for i in {identities(50)!r}])"
        )
        there = subprocess.run([sys.executable, "-c", code], env=process_env(),
                               capture_output=True, text=True, check=True)  # fmt: skip
        assert there.stdout.strip() == str(here)

    @pytest.mark.parametrize(
        ("text", "problem"),
        [("0/4", "1 to 4"), ("5/4", "1 to 4"), ("2", "I/N"), ("1/0", "1 to 1024")],
    )
    def test_a_bad_shard_is_refused_saying_what_is_allowed(self, text: str, problem: str) -> None:
        with pytest.raises(ValueError, match=problem):
            Shard.parse(text)
