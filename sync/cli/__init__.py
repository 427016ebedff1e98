"""The command line: a thin layer over the Python API (``sync.run``).

Only this package imports click. Each command turns its options into one
library call; ``_app`` holds the group, the global options and the error
handling, and each module beside it one command (or group of commands).
"""

from sync.cli import ledger, mappings, outcomes, positions, run, sandbox
from sync.cli._app import cli, handle_errors, main

__all__ = [
    "cli",
    "handle_errors",
    "ledger",
    "main",
    "mappings",
    "outcomes",
    "positions",
    "run",
    "sandbox",
]
