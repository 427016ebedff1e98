"""The run lock: one run at a time per ledger, and no stale lock after ``kill -9``.

The lock is an exclusive ``flock`` on ``<ledger>.lock``. The kernel drops it
when the holding process dies, so a killed run never leaves the ledger locked.
While held, the file says who holds it (pid, host, start, run id), so that a
refused run can name the holder. A reader (``history``, ``report``) probes the
lock with a shared ``flock`` for an instant to learn whether a run left
'running' is still alive; ``acquire`` retries for a moment so that a run
starting meanwhile is not refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sync.errors import LedgerError, LedgerLockedError

LOCK_RETRY_SECONDS = 1.0  # rides out a reader's momentary probe of the lock


class RunLock:
    """The run lock of the ledger at ``ledger_path``, held by at most one process."""

    def __init__(self, ledger_path: Path, *, wait: float = LOCK_RETRY_SECONDS) -> None:
        self.ledger_path = ledger_path
        self.path = ledger_path.with_name(ledger_path.name + ".lock")
        self.wait = wait  # seconds ``acquire`` retries before refusing
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """This object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock (idempotent); ``LedgerLockedError`` naming the holder if another has it."""
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LedgerError(
                f"cannot create the run lock {self.path}: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    os.close(fd)
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({holder}) holds the ledger"
                        f" {self.ledger_path}; wait for it to finish, or stop it, then run again"
                        " (the lock goes away by itself when that process ends)"
                    ) from None
                time.sleep(0.05)
        self._fd = fd
        self.describe()

    def describe(self, run_id: str = "") -> None:
        """Write who holds the lock (this process, and ``run_id`` once it has one)."""
        assert self._fd is not None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "run_id": run_id,
        }
        data = json.dumps(info).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        """Let go of the lock (if held) and blank the holder's description."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the only descriptor drops the flock

    @contextlib.contextmanager
    def probe(self) -> Iterator[bool]:
        """Whether no live process holds the lock; if none does, none can take it in the block.

        A shared ``flock`` is held for the block, so a run starting meanwhile
        waits in ``acquire`` (it retries for ``wait`` seconds).
        """
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            yield True  # no lock file: no run can hold it
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False  # a live process holds the lock
                return
            yield True
        finally:
            os.close(fd)


def _holder(fd: int) -> str:
    """Who holds the lock, as its file describes them."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        text = f"pid {info['pid']} on host {info['host']}, started {info['started']}"
        if info.get("run_id"):
            text += f", run {info['run_id']}"
        return text
    except (OSError, ValueError, KeyError, TypeError):
        return "details unknown"
