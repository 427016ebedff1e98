"""The ledger: the durable truth of every run (runs, rows, attempts, enrolments).

The results sheet is rendered from the ledger, so it can be rebuilt after a
crash, and enrolments recorded here make later runs skip candidates already
enrolled. ``open_ledger(path)`` opens the store; ``Ledger`` is the interface
the run uses (``sync.ledger.base``), ``SQLiteLedger`` the embedded
implementation (``sync.ledger.sqlite``).

Modules, lowest first: ``base`` (the interface, its records, the values every
store writes), ``lock`` (the run lock), ``lines`` (how a stored row reads on the
results sheet), ``schema`` (the SQLite tables and migrations), ``sqlite_outcomes``
(what outcomes runs read and write), ``sqlite`` (the SQLite store).
"""

from pathlib import Path

from sync.ledger.base import EnrolledCandidate, Enrolment, Ledger, RunInfo, SeenOutcome
from sync.ledger.sqlite import SQLiteLedger


def open_ledger(path: Path) -> Ledger:
    """Open (creating if needed) the ledger at ``path``."""
    return SQLiteLedger(path)


__all__ = [
    "EnrolledCandidate",
    "Enrolment",
    "Ledger",
    "RunInfo",
    "SQLiteLedger",
    "SeenOutcome",
    "open_ledger",
]
