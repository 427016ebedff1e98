"""The run lock: one run at a time per ledger (or the shards of one run group), and no
stale lock after ``kill -9``.

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

The shards of a run group (``--shard I/N``) run at the same time: each holds
the ledger's ``flock`` shared (so a run of the whole export is refused while
they go, and they while it goes) and its own shard's exclusively, on
``<ledger>.shard-<hash>.lock`` (a second process on the same shard is
refused; the file is removed when the shard ends). The store admits one run
group at a time (``sync.ledger.groups``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import socket
import stat
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sync.errors import LedgerError, LedgerLockedError

LOCK_RETRY_SECONDS = 1.0  # rides out a reader's momentary probe of the lock


class RunLock:
    """The run lock of the ledger at ``ledger_path``, held by at most one process
    (or, shared, by the shards of one run group). ``holders`` says who holds it
    shared when a run is refused (the store knows: the running shards)."""

    def __init__(
        self,
        ledger_path: Path,
        *,
        wait: float = LOCK_RETRY_SECONDS,
        holders: Callable[[], str] | None = None,
    ) -> None:
        self.ledger_path = ledger_path
        self.real_path = Path(os.path.realpath(ledger_path))
        self.path = self.real_path.with_name(self.real_path.name + ".lock")
        self.wait = wait  # seconds ``acquire`` retries before refusing
        self._holders = holders
        self._fd: int | None = None  # the ledger file, flocked
        self._info: int | None = None  # <ledger>.lock, the holder's description
        self._part: tuple[Path, int] | None = None  # a shard's lock file, flocked

    @property
    def held(self) -> bool:
        """This object holds the lock."""
        return self._fd is not None

    def acquire(self, *, shared: bool = False) -> None:
        """Take the lock (idempotent): exclusive for a run, ``shared`` for a shard of a
        group; ``LedgerLockedError`` naming the holder if another has it."""
        if self._fd is not None:
            return
        if shared:
            self._fd = self._flock(fcntl.LOCK_SH, None)
            return
        info = self._open_info()
        try:
            fd = self._flock(fcntl.LOCK_EX, info)
        except BaseException:
            os.close(info)
            raise
        self._fd, self._info = fd, info
        self.describe()

    def _flock(self, mode: int, info: int | None) -> int:
        """The ledger file, ``flock``ed in ``mode``, retried for ``wait`` seconds."""
        try:
            fd = os.open(self.real_path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise LedgerError(
                f"cannot lock the ledger {self.ledger_path}: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    holder = self._holder(info)
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({holder}) holds the ledger"
                        f" {self.ledger_path}; wait for it to finish, or stop it, then run again"
                        " (the lock goes away by itself when that process ends)"
                    ) from None
                time.sleep(0.05)

    def _holder(self, info: int | None) -> str:
        """Who holds the lock: its description, else the shards the ledger shows running."""
        if info is None:
            with contextlib.suppress(OSError):
                info = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    text = _holder(info)
                finally:
                    os.close(info)
                if text != "details unknown":
                    return text
        elif (text := _holder(info)) != "details unknown":
            return text
        if self._holders is not None:
            with contextlib.suppress(Exception):  # only words for a message: never its failure
                return self._holders()
        return "details unknown"

    # ------------------------------------------------------------------ shards

    def part_path(self, part: str) -> Path:
        """The lock file of one part of the ledger (a shard of a run group)."""
        digest = hashlib.sha256(part.encode()).hexdigest()[:16]
        return self.real_path.with_name(f"{self.real_path.name}.shard-{digest}.lock")

    def acquire_part(self, part: str) -> None:
        """Hold ``part`` (``group/shard``) exclusively; ``LedgerLockedError`` naming the
        holder if a live process does."""
        path = self.part_path(part)
        deadline = time.monotonic() + self.wait
        while True:
            fd = _open_lock_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LedgerLockedError(
                        f"another jobmojito-sync run ({holder}) is running the same shard of"
                        f" the same run group on the ledger {self.ledger_path}; wait for it to"
                        " finish, or stop it, then run again"
                    ) from None
                time.sleep(0.05)
                continue
            try:  # the file we locked must still be the one at the path (see release)
                same = os.path.samestat(os.fstat(fd), path.lstat())
            except OSError:
                same = False
            if same:
                break
            os.close(fd)
        self._part = (path, fd)
        self.describe()

    def part_held(self, part: str) -> bool:
        """Whether a live process holds ``part`` (never this object's own part)."""
        path = self.part_path(part)
        if self._part is not None and self._part[0] == path:
            return True
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            return False  # no file: nobody holds it
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def _release_part(self) -> None:
        if self._part is not None:
            (path, fd), self._part = self._part, None
            # Removed while still locked: a process waiting on this file finds it gone
            # (acquire_part checks) and makes a new one.
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(fd)

    def _open_info(self) -> int:
        """``<ledger>.lock``, never through a symlink, and only if it is a regular file."""
        return _open_lock_file(self.path)

    def describe(self, run_id: str = "") -> None:
        """Write who holds the lock (this process, and ``run_id`` once it has one)."""
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "run_id": run_id,
        }
        data = json.dumps(info).encode()
        for fd in (self._info, self._part[1] if self._part is not None else None):
            if fd is not None:  # the whole ledger's description, or one shard's
                os.ftruncate(fd, 0)
                os.pwrite(fd, data, 0)

    def release(self) -> None:
        """Let go of the lock (if held) and blank the holder's description."""
        self._release_part()
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


def _open_lock_file(path: Path) -> int:
    """A lock file, created owner-only, never through a symlink, only a regular file."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags | os.O_CREAT, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LedgerError(
                f"the run lock {path} is a symbolic link; jobmojito-sync never follows"
                " one (it could point at any file): remove it and run again"
            ) from None
        raise LedgerError(f"cannot create the run lock {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LedgerError(f"the run lock {path} is not a regular file; remove it and run again")
    return fd


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
