"""jobmojito-sync: enrol candidates from ATS spreadsheet exports into JobMojito AI interviews.

The Python API (what the CLI and the Airflow helper call)::

    from sync import run_sync
    report = run_sync(applicants="applicants.csv", jobs="jobs.csv",
                      mapping="greenhouse", out="results.xlsx")
    report.exit_code, report.counts

Names are imported lazily, so ``import sync`` stays cheap for the sandbox
process and for tools that only need one step.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "run_sync": "sync.run",
    "prepare": "sync.run",
    "Prepared": "sync.run",
    "SyncReport": "sync.run",
    "SyncOptions": "sync.options",
    "ResultLine": "sync.records",
    "Status": "sync.records",
    "AbortError": "sync.errors",
    "AuthError": "sync.errors",
    "CircuitOpenError": "sync.errors",
    "ConfigError": "sync.errors",
    "InputError": "sync.errors",
    "Interrupted": "sync.errors",
    "LedgerError": "sync.errors",
    "LedgerLockedError": "sync.errors",
    "MappingError": "sync.errors",
    "PreflightError": "sync.errors",
    "SyncError": "sync.errors",
    "UsageError": "sync.errors",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sync' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
    from sync.records import ResultLine, Status
    from sync.run import Prepared, SyncReport, prepare, run_sync
