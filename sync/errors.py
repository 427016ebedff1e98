"""The one exception hierarchy of jobmojito-sync.

Every exception the library raises on purpose is a ``SyncError`` carrying a
message meant for the user (file, row, column, what to do). The CLI prints it
as ``Error: <message>`` and exits with ``exit_code``; the traceback is shown
only with ``--debug``.

::

    SyncError                      exit 2  catch-all; nothing was sent
    ├── UsageError                 exit 2  bad flags or option values
    ├── ConfigError                exit 2  config file or token problems
    │   └── MappingError           exit 2  a mapping file is wrong (file, key, allowed values)
    ├── InputError                 exit 2  an input file cannot be read (file, row, column)
    ├── LedgerError                exit 2  the ledger cannot be opened or is held
    │   └── LedgerLockedError      exit 2  another run holds the ledger's run lock
    ├── PreflightError             exit 2  merchant-status says the run cannot succeed
    ├── Declined                   exit 4  the person at the terminal said no; nothing was sent
    └── AbortError                 exit 3  the run stopped mid-way; the sheet is written
        ├── AuthError              exit 3  401/403: token refused
        ├── CircuitOpenError       exit 3  too many consecutive failures
        ├── Interrupted            exit 3  SIGINT / SIGTERM
        └── ResultsIncomplete      exit 3  the interview results could not all be read

Row-level problems (a bad e-mail, a 422 for one candidate) are never
exceptions at this level: they become lines of the results sheet. Inside the
mapping step one cell's problem travels as a ``FieldProblem`` (not a
``SyncError``), which ``map_rows`` turns into the row's reason.
"""

from __future__ import annotations

#: The exit codes of a run (cron and Airflow read them), and what each means.
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_ABORTED = 3
EXIT_DECLINED = 4  # a person answered no at the confirmation question: not an error
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in jobmojito-sync, never an input problem
EXIT_MEANINGS: dict[int, str] = {
    EXIT_OK: "every row reached a final outcome; nothing invalid, rejected or failed",
    EXIT_PROBLEMS: (
        "finished, but some rows are invalid, rejected or failed (see the sheet;"
        " with --fail-on new, one no earlier run reported)"
    ),
    EXIT_USAGE: "usage or configuration error; nothing was sent",
    EXIT_ABORTED: "aborted mid-run; unsent rows are not_sent",
    EXIT_DECLINED: "declined at the confirmation question; nothing was sent",
    EXIT_INTERNAL: "internal error: a bug in jobmojito-sync",
}


class SyncError(Exception):
    """Base class: a problem with a message for the user. Exit code 2."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(SyncError):
    """A flag or option value is wrong."""


class ConfigError(SyncError):
    """The configuration (file, environment, token) is wrong or incomplete."""


class MappingError(ConfigError):
    """A mapping file is missing, unparseable, or fails validation."""


class InputError(SyncError):
    """An input file cannot be read as a table."""


class LedgerError(SyncError):
    """The ledger database cannot be used."""


class LedgerLockedError(LedgerError):
    """Another run holds the ledger's run lock."""


class LedgerUnavailableError(LedgerError):
    """The ledger's database server cannot be reached; nothing was sent.

    Usually passing (a database restart, a network cut): the Airflow task retries it.
    """


class LedgerLostError(LedgerUnavailableError):
    """The connection holding the run lock was lost mid-run. Exit code 3, as for any
    run stopped mid-way: the next run resends what was in flight."""

    exit_code = 3


class PreflightError(SyncError):
    """The pre-flight check says the run cannot succeed (e.g. no credits)."""


class Declined(SyncError):
    """The person at the terminal answered no: nothing was sent. Not an error. Exit code 4."""

    exit_code = EXIT_DECLINED


class AbortError(SyncError):
    """The run was stopped mid-way. Unsent rows are ``not_sent``. Exit code 3."""

    exit_code = 3


class AuthError(AbortError):
    """The API refused the token (401/403)."""


class CircuitOpenError(AbortError):
    """Too many consecutive transport or server failures."""


class Interrupted(AbortError):
    """SIGINT or SIGTERM arrived."""


class ResultsIncomplete(AbortError):
    """A page of interview results could not be read: no outcomes sheet is written."""


class FieldProblem(Exception):
    """A value of one row cannot be transformed; becomes the row problem ``<field>: <msg>``.

    Deliberately not a ``SyncError``: it never leaves the mapping step.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


__all__ = [
    "EXIT_ABORTED",
    "EXIT_DECLINED",
    "EXIT_INTERNAL",
    "EXIT_MEANINGS",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "AbortError",
    "AuthError",
    "CircuitOpenError",
    "ConfigError",
    "Declined",
    "FieldProblem",
    "InputError",
    "Interrupted",
    "LedgerError",
    "LedgerLockedError",
    "LedgerLostError",
    "LedgerUnavailableError",
    "MappingError",
    "PreflightError",
    "ResultsIncomplete",
    "SyncError",
    "UsageError",
]
