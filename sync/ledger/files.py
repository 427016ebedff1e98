"""The ledger's file on disk: found through symlinks, created whole, owner-only.

The file is the ledger's whole truth, so it is guarded before SQLite opens it:

- a symlink is followed to the real file, so the WAL, the shared memory and
  the run lock sit beside the file that holds the data;
- only a missing file becomes a new ledger, and a new ledger is built beside
  its place and linked in whole: an existing empty file (0 bytes) is refused,
  never taken as new (every candidate would be sent again);
- the ledger and its WAL are made owner-only (0600), also when an older run
  or another tool left them readable by others;
- a read-only ledger (or folder) is refused with a message, not a SQLite error.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import structlog

from sync.errors import LedgerError

__all__ = ["DAMAGED_FIX", "ledger_file", "make_private"]

log = structlog.get_logger("sync.ledger")

#: What to do with a damaged ledger; every message about one ends with it.
DAMAGED_FIX = (
    "Restore it from a backup, or move it aside to start a new ledger (candidates enrolled"
    " before are then sent again; the API answers already-applied for them)"
)


#: Builds the schema into a fresh SQLite connection (``SQLiteLedger`` passes its own).
Initialise = Callable[[sqlite3.Connection, Path], None]


def _create(path: Path, initialise: Initialise) -> None:
    """A new, empty ledger at ``path``, owner-only: built beside it and linked into place.

    A file that exists is never a new ledger, so a new one must never be seen
    half-made: a crash while it is built leaves a stray temporary file, not an
    empty ledger that the next run would refuse.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.new")
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            initialise(conn, tmp)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another run made it meanwhile: that one is the ledger
        except OSError:  # a file system without hard links
            if not path.exists():
                tmp.replace(path)
        if os.name == "posix":
            fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)


def make_private(path: Path) -> None:
    """The ledger, its WAL and its shared memory readable by their owner only."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                file.chmod(0o600)
            except PermissionError:  # another user's file: say so, it still works
                log.warning("the ledger can be read by others", file=str(file), mode=f"{mode:o}")


def ledger_file(shown: Path, initialise: Initialise) -> tuple[Path, bool]:
    """The real file of the ledger named ``shown``, created if missing (its schema built by
    ``initialise``); and whether it is new."""
    path = Path(os.path.realpath(shown))
    try:
        if path.is_dir():
            raise LedgerError(f"the ledger {shown} is a folder; give a file name")
        new = not path.exists()
        if new:
            _create(path, initialise)
        elif path.stat().st_size == 0:
            raise LedgerError(
                f"the ledger {shown} is an empty file, not a ledger: it is not taken as a new"
                " one (every candidate would be sent again). Restore it from a backup, or"
                " delete it if a new ledger is meant"
            )
        make_private(path)
    except OSError as exc:
        raise LedgerError(f"cannot use the ledger {shown}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise LedgerError(
            f"the ledger {shown} is read-only (it and its folder must be writable: every"
            " run records what it sends); check its permissions and file system"
        )
    return path, new
