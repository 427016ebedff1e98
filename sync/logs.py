"""Logging with structlog: readable on a terminal, JSON lines elsewhere.

Privacy is enforced here, in processors, so that no call site can forget it:
e-mail addresses are masked, resume text is dropped, and registered secrets
(the API token) are replaced wherever they appear.

Library modules only call ``structlog.get_logger()``; ``configure_logging``
is called by the entry points (CLI, Airflow helper), never on import.

Without an explicit stream, lines go to whatever ``sys.stderr`` is when they are
written: while the progress bar is drawn, rich redirects it, so a log line lands
above the bar instead of inside it. On the console, values are printed as data:
control characters (an escape sequence in a cell or an API message) are replaced.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

from sync.redact import scrub
from sync.text import printable

_RESUME_KEYS = frozenset({"candidate_resume", "resume", "resume_text"})


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {
            k: ("<omitted>" if k in _RESUME_KEYS else _scrub_value(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def privacy_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: drop resume text, mask e-mails, remove secrets."""
    for key in list(event_dict):
        if key in _RESUME_KEYS:
            event_dict[key] = "<omitted>"
        else:
            event_dict[key] = _scrub_value(event_dict[key])
    return event_dict


def printable_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor for the console: text values cannot steer the terminal."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = printable(value, one_line=False)
    return event_dict


class _CurrentStderr:
    """``sys.stderr`` as it is at each write (rich swaps it while the bar is drawn)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    fmt: Literal["auto", "console", "json"] = "auto",
    *,
    level: int = logging.INFO,
    stream: TextIO | None = None,
) -> str:
    """Configure structlog for an entry point; returns the format chosen.

    ``auto`` is ``console`` when ``stream`` is a terminal, ``json`` otherwise
    (cron mail, Airflow task logs, files).
    """
    out: Any = stream if stream is not None else _CurrentStderr()
    chosen = fmt
    if fmt == "auto":
        chosen = "console" if out.isatty() else "json"
    renderer: list[Any]
    if chosen == "console":
        renderer = [printable_processor, structlog.dev.ConsoleRenderer(colors=out.isatty())]
    else:
        renderer = [structlog.processors.JSONRenderer()]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            privacy_processor,
            *renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    return chosen
