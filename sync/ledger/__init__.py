"""The ledger: the durable truth of every run (runs, rows, attempts, enrolments).

``open_ledger(path)`` opens the store; ``Ledger`` is the interface the run
uses, ``SQLiteLedger`` the embedded implementation.
"""

from sync.ledger.sqlite import SCHEMA_VERSION, Enrolment, Ledger, RunInfo, SQLiteLedger, open_ledger

__all__ = ["SCHEMA_VERSION", "Enrolment", "Ledger", "RunInfo", "SQLiteLedger", "open_ledger"]
