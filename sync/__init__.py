"""jobmojito-sync: enrol candidates from ATS spreadsheet exports into JobMojito AI interviews.

The Python API (what the CLI and the Airflow helper call)::

    from sync import run_sync
    report = run_sync(applicants="applicants.csv", jobs="jobs.csv",
                      mapping="greenhouse", out="results.xlsx")
    report.exit_code, report.counts

    from sync import sync_positions      # one interview per job, made once
    sync_positions(jobs="jobs.csv", mapping="greenhouse", out="positions.xlsx")

Names are imported lazily, so ``import sync`` stays cheap for the sandbox
process and for tools that only need one step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.lazy import lazy_exports

__version__ = "0.1.0"

__getattr__ = lazy_exports(
    __name__,
    {
        "sync.run": (
            "run_sync",
            "prepare",
            "Prepared",
            "SyncReport",
        ),
        "sync.options": ("SyncOptions",),
        "sync.positions.run": ("sync_positions",),
        "sync.records": (
            "ResultLine",
            "Status",
        ),
        "sync.errors": (
            "AbortError",
            "AuthError",
            "CircuitOpenError",
            "ConfigError",
            "InputError",
            "Interrupted",
            "LedgerError",
            "LedgerLockedError",
            "MappingError",
            "PreflightError",
            "SyncError",
            "UsageError",
        ),
    },
)

__all__ = [
    "AbortError",
    "AuthError",
    "CircuitOpenError",
    "ConfigError",
    "InputError",
    "Interrupted",
    "LedgerError",
    "LedgerLockedError",
    "MappingError",
    "PreflightError",
    "Prepared",
    "ResultLine",
    "Status",
    "SyncError",
    "SyncOptions",
    "SyncReport",
    "UsageError",
    "__version__",
    "prepare",
    "run_sync",
    "sync_positions",
]


if TYPE_CHECKING:  # pragma: no cover
    from sync.errors import (
        AbortError,
        AuthError,
        CircuitOpenError,
        ConfigError,
        InputError,
        Interrupted,
        LedgerError,
        LedgerLockedError,
        MappingError,
        PreflightError,
        SyncError,
        UsageError,
    )
    from sync.options import SyncOptions
    from sync.positions.run import sync_positions
    from sync.records import ResultLine, Status
    from sync.run import Prepared, SyncReport, prepare, run_sync
