"""The run lock: one run at a time per ledger, and no stale lock after ``kill -9``.

The lock is an exclusive ``flock`` on the ledger file itself, so every name
that reaches it (a symlink, a hard link, ``./x`` and ``x``) meets the same
lock; SQLite's own locks are POSIX record locks, which ``flock`` does not
touch. The kernel drops it when the holding process dies, so a killed run
never leaves the ledger locked. While held, ``<ledger>.lock`` beside the real
file says who holds it (pid, host, start, run id), so that a refused run can
name the holder; that file is opened without following a symlink (a planted
link could point at any file to truncate) and must be a regular file. A
reader (``history``, ``report``) probes the lock with a shared ``flock`` for
an instant to learn whether a run left 'running' is still alive; ``acquire``
retries for a moment so that a run starting meanwhile is not refused.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import stat
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
        self.real_path = Path(os.path.realpath(ledger_path))
        self.path = self.real_path.with_name(self.real_path.name + ".lock")
        self.wait = wait  # seconds ``acquire`` retries before refusing
        self._fd: int | None = None  # the ledger file, flocked
        self._info: int | None = None  # <ledger>.lock, the holder's description

    @property
    def held(self) -> bool:
        """This object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock (idempotent); ``LedgerLockedError`` naming the holder if another has it."""
        if self._fd is not None:
            return
        info = self._open_info()
        try:
            fd = os.open(self.real_path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            os.close(info)
            raise LedgerError(
                f"cannot lock the ledger {self.ledger_path}: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(info)
                    os.close(fd)
                    os.close(info)
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({holder}) holds the ledger"
                        f" {self.ledger_path}; wait for it to finish, or stop it, then run again"
                        " (the lock goes away by itself when that process ends)"
                    ) from None
                time.sleep(0.05)
        self._fd, self._info = fd, info
        self.describe()

    def _open_info(self) -> int:
        """``<ledger>.lock``, never through a symlink, and only if it is a regular file."""
        flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            fd = os.open(self.path, flags | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LedgerError(
                    f"the run lock {self.path} is a symbolic link; jobmojito-sync never follows"
                    " one (it could point at any file): remove it and run again"
                ) from None
            raise LedgerError(
                f"cannot create the run lock {self.path}: {exc.strerror or exc}"
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise LedgerError(
                f"the run lock {self.path} is not a regular file; remove it and run again"
            )
        return fd

    def describe(self, run_id: str = "") -> None:
        """Write who holds the lock (this process, and ``run_id`` once it has one)."""
        assert self._info is not None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "run_id": run_id,
        }
        data = json.dumps(info).encode()
        os.ftruncate(self._info, 0)
        os.pwrite(self._info, data, 0)

    def release(self) -> None:
        """Let go of the lock (if held) and blank the holder's description."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            info, self._info = self._info, None
            if info is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(info, 0)
                os.close(info)
            os.close(fd)  # closing the only descriptor drops the flock

    @contextlib.contextmanager
    def probe(self) -> Iterator[bool]:
        """Whether no live process holds the lock; if none does, none can take it in the block.

        A shared ``flock`` is held for the block, so a run starting meanwhile
        waits in ``acquire`` (it retries for ``wait`` seconds).
        """
        try:
            fd = os.open(self.real_path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            yield True  # no ledger file: no run can hold it
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
