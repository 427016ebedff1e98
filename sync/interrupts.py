"""SIGINT and SIGTERM anywhere in a run: the run stops where it is and still ends well.

``interrupts()`` is held for a whole run (``sync.run.execute``). While it is,
SIGINT (Ctrl-C) and SIGTERM (``kill``, a cron or container stop) raise
``Signalled`` in the main thread, wherever the run is: reading, mapping,
waiting for a resume to be parsed, at the confirmation prompt. Like
``KeyboardInterrupt`` it is a ``BaseException``, so no ``except Exception``
on the way swallows it. The lifecycle catches it as ``Interrupted``, writes
the results sheet (every row ``not_sent``) and ends with exit 3. While rows
are being sent, ``sync.send`` takes the signals over for a graceful stop
(requests in flight finish) and hands them back afterwards.
``deferred()`` holds them back while the results sheet is written, so a second
Ctrl-C never leaves a run without its sheet.

Only the main thread can receive signals, and a handler someone else installed
(Airflow's task runner installs one for SIGTERM) is left alone: the run then
stops as that handler decides.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any, ClassVar

from sync.errors import Interrupted

__all__ = ["Signalled", "deferred", "interrupted", "interrupts"]


class Signalled(BaseException):
    """SIGINT or SIGTERM arrived; ``interrupted`` makes it the run's ``Interrupted``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"interrupted ({name})")


def interrupted(exc: BaseException, more: str = "") -> Interrupted:
    """The run's abort for a signal (``Signalled``) or an ``Interrupted`` raised below."""
    return Interrupted(f"{exc}{more}")


_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_DEFAULTS: tuple[Any, ...] = (signal.SIG_DFL, signal.default_int_handler)


class _State:
    deferring = False
    pending: ClassVar[list[str]] = []


def _handler(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if _State.deferring:
        _State.pending.append(name)
        return
    raise Signalled(name)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread() and sys.platform != "win32"


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """Raise ``Interrupted`` on SIGINT/SIGTERM for the block (main thread, default handlers)."""
    if not _main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}
    for sig in _SIGNALS:
        current = signal.getsignal(sig)
        if current in _DEFAULTS or current is _handler:
            previous[sig] = current
            signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def deferred() -> Iterator[list[str]]:
    """Hold SIGINT/SIGTERM back for the block; yields the names of those that arrived."""
    was = _State.deferring
    _State.deferring = True
    _State.pending.clear()
    try:
        yield _State.pending
    finally:
        _State.deferring = was
