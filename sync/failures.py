"""Failures of the machine, not of jobmojito-sync: one line for the user, never "a bug".

A full disk, a folder that cannot be written, a read-only or damaged ledger,
running out of memory: each is an operational condition with a message that
says what happened and what to do, and the run's usual exit code: 2 when it
happened before anything was sent, 3 once sending had begun (``AbortError``).
``operational`` turns such an exception into that ``SyncError``; anything else
(``None``) stays what it is: a bug, exit 70.
"""

from __future__ import annotations

import errno
import sqlite3

from sync.errors import AbortError, SyncError

__all__ = ["OPERATIONAL", "describe", "operational"]

#: The exceptions that may stand for an operational condition.
OPERATIONAL: tuple[type[BaseException], ...] = (OSError, MemoryError, sqlite3.Error)

_BY_ERRNO = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file grew past the size this system allows",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "an input/output error (a failing disk or a lost network share?)",
    errno.ENOMEM: "out of memory",
}

_SQLITE = (  # (what SQLite says, what it means)
    ("disk is full", "the disk is full (the ledger cannot grow)"),
    ("readonly database", "the ledger is read-only"),
    ("malformed", "the ledger file is damaged"),
    ("not a database", "the ledger file is damaged or not a ledger"),
    ("disk i/o error", "an input/output error on the ledger's disk"),
    ("unable to open", "the ledger cannot be opened"),
)


def describe(exc: BaseException) -> str | None:
    """What ``exc`` means for the user, if it is an operational condition."""
    if isinstance(exc, MemoryError):
        return (
            "out of memory: the input needs more memory than this machine has; split the"
            " export into smaller files or run on a bigger machine"
        )
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        for needle, meaning in _SQLITE:
            if needle in text:
                return f"{meaning} ({exc})"
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        known = _BY_ERRNO.get(exc.errno)
        if known is None:
            return None
        return f"{exc.filename}: {known}" if exc.filename is not None else known
    return None


def operational(exc: BaseException, *, sending_began: bool) -> SyncError | None:
    """The user's error for an operational failure, or ``None`` if ``exc`` is a bug."""
    meaning = describe(exc)
    if meaning is None:
        return None
    if sending_began:
        return AbortError(
            f"{meaning}; the run stopped. The ledger keeps every outcome recorded so far:"
            " fix this and run again (enrolled candidates are skipped)"
        )
    return SyncError(f"{meaning}; nothing was sent")
