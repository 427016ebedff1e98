"""Run groups in the ledger: the shards of one export, admitted together, read as one.

The shards of a run group (``--shard I/N``, ``sync.shards``) are runs of their
own that go at the same time on one ledger. What that takes of the ledger,
for both stores (``SQLLedger`` mixes this in):

- **Admission.** A shard holds the run lock shared and its own shard's part of
  it exclusively (``part_name``): a second process on the same shard is
  refused, and so is a run of the whole export while shards go (it holds the
  lock exclusively). Then, in one transaction no other run starts in
  (``Database.admission``), the runs left ``running`` whose holder is dead
  are marked ``killed``, a live shard of another group refuses this one (one
  group at a time: two groups over one export would both plan to send the
  same rows), and the group's earlier runs must have the same number of shards
  and the same inputs (by content).
- **The group's sheet** (``group_lines``): each row from its own shard's
  latest run, every input row once, in input order; a row whose shard has not
  run (or stopped before planning) reads ``not_sent``, saying which shard.
- **The shared pace** (``update_pace``, ``clock``): one ``pacing`` row per
  group, read and written in one transaction by whichever shard changes it,
  its times on one clock every shard reads (the database server's for
  PostgreSQL, the machine's for an SQLite file): ``sync.dispatch.group``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from sync.errors import LedgerLockedError, UsageError
from sync.ledger.base import PaceRow, RunInfo
from sync.ledger.db import Database, Params, RunLockLike, Session
from sync.records import ResultLine, Status
from sync.shards import Shard, shard_of

#: The columns of a group's ``pacing`` row, as ``update_pace`` hands them over.
PACE_COLUMNS = (
    "rate", "edge", "next_slot", "last_cut", "settled", "paused_until", "claimed", "updated_at"
)  # fmt: skip


def part_name(group: str, shard: int) -> str:
    """The name of one shard's part of the run lock."""
    return f"shard/{group}/{shard}"


class RunGroups:
    """The run-group half of ``SQLLedger`` (its sessions and lock are ``SQLLedger``'s)."""

    _database: Database
    _lock: RunLockLike

    def _read(self) -> contextlib.AbstractContextManager[Session]:
        raise NotImplementedError

    def _write(self) -> contextlib.AbstractContextManager[Session]:
        raise NotImplementedError

    def _query(self, sql: str, params: Params) -> list[Any]:
        raise NotImplementedError

    def _select_runs(self, where: str, params: Params) -> list[RunInfo]:
        raise NotImplementedError

    def indexed_lines(self, run_id: str, *, own: bool = False) -> list[tuple[int, ResultLine]]:
        raise NotImplementedError

    # ------------------------------------------------------------------ admission

    def _take_lock(self, group: str | None, shard: Shard | None) -> None:
        """The run lock for a run (exclusive) or for a shard of ``group``."""
        if shard is None or group is None:
            self._lock.acquire()
            return
        self._lock.acquire(shared=True)
        try:
            self._lock.acquire_part(part_name(group, shard.index))
        except BaseException:
            self._lock.release()
            raise

    def _admit(
        self, w: Session, group: str | None, shard: Shard | None, inputs: list[tuple[str, str]]
    ) -> None:
        """In the admission transaction: reap the dead, and refuse what may not run now."""
        running = w.execute(
            "SELECT run_id, run_group, shard FROM runs WHERE state = :state", {"state": "running"}
        ).fetchall()
        dead = []
        for run_id, other, other_shard in running:
            if shard is None or other is None:
                dead.append(run_id)  # whoever holds the lock this way, nobody else does
            elif (other, other_shard) == (group, shard.index):
                dead.append(run_id)  # an earlier run of this shard: we hold its part now
            elif not self._lock.part_held(part_name(other, other_shard)):
                dead.append(run_id)
            elif other != group:
                raise LedgerLockedError(
                    f"the shards of another run group ({other}) are running on the ledger"
                    f" {self._database.where} (run {run_id}); one run group at a time: wait"
                    " for them to finish, then run again"
                )
        w.executemany(
            "UPDATE runs SET state = 'killed' WHERE run_id = :run AND state = 'running'",
            [{"run": r} for r in dead],
        )
        if shard is not None and group is not None:
            self._check_group(w, group, shard, inputs)

    def _check_group(
        self, w: Session, group: str, shard: Shard, inputs: list[tuple[str, str]]
    ) -> None:
        """A group's shards split one export one way: the same N, the same inputs."""
        earlier = w.execute(
            "SELECT shards, inputs, run_id FROM runs WHERE run_group = :group"
            " ORDER BY seq DESC LIMIT 1",
            {"group": group},
        ).fetchone()
        if earlier is None:
            return
        shards, stored, run_id = earlier
        if shards != shard.count:
            raise UsageError(
                f"run group {group} is split into {shards} shards (run {run_id}); this run"
                f" says --shard {shard}: give every shard of a group the same N, or another"
                " --group"
            )
        if [h for _, h in json.loads(stored)] != [h for _, h in inputs]:
            raise UsageError(
                f"run group {group} was started on other inputs (run {run_id}); every shard"
                " of a group reads the same export: give another --group, or none (each"
                " export then gets a group of its own)"
            )

    def _dead(self, running: Sequence[Sequence[Any]]) -> list[str]:
        """Of runs left ``running`` (``run_id, run_group, shard``), those whose process is
        gone, for a reader that holds no lock (``history``, ``report``)."""
        dead = []
        unsharded = [r[0] for r in running if r[1] is None]
        if unsharded:
            with self._lock.probe() as free:  # an unsharded run holds the lock exclusively
                if free:
                    dead.extend(unsharded)
        for run_id, group, shard in running:
            if group is not None and not self._lock.part_held(part_name(group, shard)):
                dead.append(run_id)
        return dead

    def running_runs(self, part: str | None = None) -> str:
        """Who holds the run lock (or one shard's ``part``): the runs the ledger shows
        running, as a refused run names them."""
        rows = self._query(
            "SELECT run_id, pid, host, started_at, run_group, shard, shards FROM runs"
            " WHERE state = :state ORDER BY seq DESC",
            {"state": "running"},
        )
        if part is not None:
            rows = [r for r in rows if r[4] is not None and part_name(r[4], r[5]) == part]
        if not rows:
            return "details unknown"
        run_id, pid, host, started, group, shard, shards = rows[0]
        when = f"{started[:10]} {started[11:16]} UTC"  # as the SQLite lock file says it
        text = f"pid {pid} on host {host}, started {when}, run {run_id}"
        if group is not None:
            text += f", shard {shard}/{shards} of run group {group}"
            if len(rows) > 1 and part is None:
                text += f", and {len(rows) - 1} more shard(s)"
        return text

    # ------------------------------------------------------------------ reading

    def group_runs(self, group: str) -> list[RunInfo]:
        """Every run of ``group``, newest first (``[]`` for an unknown group)."""
        return self._select_runs("run_group = :group", {"group": group})

    def group_lines(self, group: str) -> tuple[list[ResultLine], list[RunInfo]]:
        """The group's results: each row from its own shard's latest run, in input
        order; and those latest runs, by shard."""
        runs = self.group_runs(group)
        latest: dict[int, RunInfo] = {}
        for info in runs:  # newest first
            if info.shard is not None:
                latest.setdefault(info.shard, info)
        if not latest:
            return [], []
        count = next(iter(latest.values())).shards or len(latest)
        owned: dict[int, ResultLine] = {}
        fallback: dict[int, ResultLine] = {}
        for shard, info in latest.items():
            for index, line in self.indexed_lines(info.run_id, own=True):
                if line.identity and shard_of(line.identity, count) == shard:
                    owned[index] = line
                else:  # a run stopped before its plan: every row is not_sent, owner unknown
                    fallback.setdefault(index, line)
        newest = max(latest.values(), key=lambda r: r.started_at)
        total = self._query(
            "SELECT count(*) FROM rows WHERE run_id = :run", {"run": newest.run_id}
        )[0][0]
        if len(owned) < total:
            for index, line in self.indexed_lines(newest.run_id):
                if index in owned:
                    continue
                line = fallback.get(index, line)
                if line.status is Status.OTHER_SHARD:
                    owner = shard_of(line.identity, count)
                    line.status = Status.NOT_SENT
                    line.reason = (
                        f"not sent: shard {owner}/{count} of run group {group} has not run"
                    )
                owned[index] = line
        return [owned[i] for i in sorted(owned)], [latest[s] for s in sorted(latest)]

    # ------------------------------------------------------------------ the shared pace

    def clock(self) -> float:
        """Seconds on the clock every shard of a group reads (``pacing``'s times)."""
        return self._database.epoch()

    def update_pace(self, group: str, change: Callable[[PaceRow | None], PaceRow]) -> None:
        """Read the group's ``pacing`` row (``None`` if it has none), and write what
        ``change`` makes of it, in one transaction no other shard writes in."""
        lock = (
            f"UPDATE pacing SET updated_at = updated_at WHERE run_group = :group"  # noqa: S608
            f" RETURNING {', '.join(PACE_COLUMNS)}"
        )
        with self._write() as w:
            found = w.execute(lock, {"group": group}).fetchone()
            if found is None:  # the group's first: a row to lock, made once whoever races
                w.execute(_NEW_PACE, {"group": group})
                found = w.execute(lock, {"group": group}).fetchone()
            stored = dict(zip(PACE_COLUMNS, found, strict=True))
            row = None if stored["updated_at"] == _NEW else stored
            new = dict(change(row))
            values = {"group": group, **{c: new.get(c) for c in PACE_COLUMNS}}
            w.execute(_UPDATE_PACE, values)

    def read_pace(self, group: str) -> PaceRow | None:
        found = self._query(
            f"SELECT {', '.join(PACE_COLUMNS)} FROM pacing WHERE run_group = :group",  # noqa: S608
            {"group": group},
        )
        return dict(zip(PACE_COLUMNS, found[0], strict=True)) if found else None


_NEW = -1.0  # the updated_at of a row just made: it reads as none
_NEW_PACE = (
    "INSERT INTO pacing (run_group, rate, next_slot, claimed, updated_at)"
    " VALUES (:group, 0, 0, 0, -1) ON CONFLICT (run_group) DO NOTHING"
)
_UPDATE_PACE = (
    "UPDATE pacing SET rate = :rate, edge = :edge, next_slot = :next_slot,"
    " last_cut = :last_cut, settled = :settled, paused_until = :paused_until,"
    " claimed = :claimed,"
    " updated_at = :updated_at WHERE run_group = :group"
)


__all__ = ["PACE_COLUMNS", "PaceRow", "RunGroups", "part_name"]
