"""Dispatch: sending planned rows concurrently, paced, retried, journaled.

``dispatch(rows, ...)`` sends every row once and reports each outcome exactly
once; ``preflight`` reads merchant-status before the first row; ``AimdLimiter``
(``sync.dispatch.pacing``) is the shared pace every worker keeps.
"""

from sync.dispatch.dispatcher import (
    AttemptJournal,
    DispatchResult,
    DispatchSettings,
    NullJournal,
    PreflightResult,
    RowOutcome,
    dispatch,
    preflight,
)
from sync.dispatch.pacing import AimdLimiter

__all__ = [
    "AimdLimiter",
    "AttemptJournal",
    "DispatchResult",
    "DispatchSettings",
    "NullJournal",
    "PreflightResult",
    "RowOutcome",
    "dispatch",
    "preflight",
]
