"""The ledger: the durable truth of every run (runs, rows, attempts, enrolments,
positions, outcomes).

The results sheet is rendered from the ledger, so it can be rebuilt after a
crash, and enrolments recorded here make later runs skip candidates already
enrolled. ``open_ledger(where)`` opens (creating if needed) the ledger at a
path (SQLite, the embedded default) or a ``postgresql://`` URL (PostgreSQL,
for several workers); ``find_ledger`` opens one only if it exists. ``Ledger``
is the interface the run uses (``sync.ledger.base``).

Modules, lowest first: ``base`` (the interface, its records, the values every
store writes), ``location`` (a path or a URL, the password masked), ``dialect``
(the portable SQL and its two spellings), ``db`` (what the shared ledger needs
of a store), ``lock`` (the file run lock), ``lines`` (how a stored row reads on
the results sheet), ``schema`` (the tables and migrations, once for both),
``store`` (``SQLLedger``: every query, once), ``sqlite`` and ``postgres`` (the
two stores: opening, connections, run lock).
"""

from pathlib import Path

from sync.errors import LedgerError
from sync.ledger.base import (
    EnrolledCandidate,
    Enrolment,
    KnownPosition,
    Ledger,
    RunInfo,
    SeenOutcome,
)
from sync.ledger.location import Location, PostgresURL, is_postgres_url, location
from sync.ledger.sqlite import SQLiteLedger


def open_ledger(where: str | Path | PostgresURL) -> Ledger:
    """Open (creating if needed) the ledger at ``where``: a path or a PostgreSQL URL."""
    found = location(where)
    if isinstance(found, PostgresURL):
        from sync.ledger.postgres import PostgresLedger

        return PostgresLedger(found)
    return SQLiteLedger(found)


def find_ledger(where: str | Path | PostgresURL) -> Ledger | None:
    """The ledger at ``where`` if there is one; ``None`` (and nothing created) if not."""
    found = location(where)
    if isinstance(found, PostgresURL):
        from sync.ledger.postgres import PostgresLedger

        return PostgresLedger.find(found)
    return SQLiteLedger(found) if found.exists() or found.is_symlink() else None


def open_existing(where: str | Path | PostgresURL) -> Ledger:
    """The ledger at ``where``, which must exist (reading never creates one)."""
    ledger = find_ledger(where)
    if ledger is None:
        raise LedgerError(f"no ledger at {location(where)}")
    return ledger


__all__ = [
    "EnrolledCandidate",
    "Enrolment",
    "KnownPosition",
    "Ledger",
    "Location",
    "PostgresURL",
    "RunInfo",
    "SQLiteLedger",
    "SeenOutcome",
    "find_ledger",
    "is_postgres_url",
    "location",
    "open_existing",
    "open_ledger",
]
