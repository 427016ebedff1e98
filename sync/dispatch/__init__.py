"""Dispatch: sending planned rows concurrently, paced, retried, journaled.

``dispatch(rows, ...)`` sends every row once and reports each outcome exactly
once (``sync.dispatch.dispatcher``); ``preflight`` reads merchant-status
before the first row (``sync.dispatch.credits``). Beside them:

- ``sync.dispatch.settings``: ``DispatchSettings`` and the sending defaults,
  ``RowOutcome``, ``DispatchResult`` and the ``AttemptJournal`` interface;
- ``sync.dispatch.endpoints``: what a row is sent to (``Endpoint``;
  ``FOR_CANDIDATE`` by default);
- ``sync.dispatch.gate``: who may start a request, and the circuit breaker;
- ``sync.dispatch.pacing``: ``AimdLimiter``, the shared pace every worker keeps.

Names load lazily, so ``sync.options`` reads the defaults from
``sync.dispatch.settings`` without loading httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.lazy import lazy_exports

__all__ = [
    "FOR_CANDIDATE",
    "AimdLimiter",
    "AttemptJournal",
    "DispatchResult",
    "DispatchSettings",
    "Endpoint",
    "NullJournal",
    "PreflightResult",
    "RowOutcome",
    "dispatch",
    "preflight",
]

__getattr__ = lazy_exports(
    __name__,
    {
        ".settings": (
            "AttemptJournal",
            "DispatchResult",
            "DispatchSettings",
            "NullJournal",
            "RowOutcome",
        ),
        ".pacing": ("AimdLimiter",),
        ".endpoints": ("FOR_CANDIDATE", "Endpoint"),
        ".credits": ("PreflightResult", "preflight"),
        ".dispatcher": ("dispatch",),
    },
)


if TYPE_CHECKING:  # pragma: no cover
    from sync.dispatch.credits import PreflightResult, preflight
    from sync.dispatch.dispatcher import dispatch
    from sync.dispatch.endpoints import FOR_CANDIDATE, Endpoint
    from sync.dispatch.pacing import AimdLimiter
    from sync.dispatch.settings import (
        AttemptJournal,
        DispatchResult,
        DispatchSettings,
        NullJournal,
        RowOutcome,
    )
