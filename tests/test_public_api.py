"""The public surface: what `import sync` promises (httpx's test_exported_members)."""

from __future__ import annotations

import sync
from sync import errors


class TestExports:
    """Every exported name resolves, and the list is exactly what we document."""

    def test_all_names_resolve(self):
        for name in sync.__all__:
            assert getattr(sync, name) is not None, name

    def test_exported_names(self):
        assert set(sync.__all__) == {
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
        }


class TestErrorTree:
    """Errors sort by what the caller does: exit 2 before sending, exit 3 mid-run."""

    def test_exit_codes(self):
        assert errors.InputError("x").exit_code == 2
        assert errors.MappingError("x").exit_code == 2
        assert errors.LedgerLockedError("x").exit_code == 2
        assert errors.AuthError("x").exit_code == 3
        assert errors.CircuitOpenError("x").exit_code == 3
        assert errors.Interrupted("x").exit_code == 3

    def test_every_error_is_a_sync_error(self):
        classes = [
            getattr(errors, n) for n in errors.__all__ if isinstance(getattr(errors, n), type)
        ]
        assert len(classes) >= 12
        for cls in classes:
            if cls is not errors.FieldProblem:  # one cell's problem; never leaves the mapping
                assert issubclass(cls, errors.SyncError), cls
