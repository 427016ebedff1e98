"""Asking the person at the terminal before anything is sent.

The question goes where a person can answer it:

- on stdin/stderr when both are the terminal (the plain manual run);
- on the terminal itself, ``/dev/tty``, when either is redirected but the
  process still has a terminal: ``jobmojito-sync run … 2>&1 | tee run.log``
  asks on the screen while the log fills, and ``echo y | jobmojito-sync run …``
  still asks the person (piped text never says yes for them);
- nowhere when there is no terminal at all (cron, CI, a service), or when the
  command runs inside another program's streams (click's ``CliRunner``): then
  ``has_terminal()`` is False and the run must not send without ``--yes``.

Only ``y`` or ``yes`` (any case) is a yes; an empty line, end of input or
Ctrl-C is a no.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

TTY = "/dev/tty"
YES = frozenset({"y", "yes"})


@contextlib.contextmanager
def _tty() -> Iterator[tuple[TextIO, TextIO] | None]:
    """The terminal as (answers, questions), or None without a controlling terminal."""
    try:
        answers = open(TTY, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError:  # no controlling terminal (ENXIO), or no /dev/tty at all
        yield None
        return
    with answers, open(TTY, "w", encoding="utf-8", errors="replace") as questions:
        yield answers, questions


def _on_std() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _redirected() -> bool:
    """stdin and stderr are the process's own files (a pipe, a file), not streams an
    in-process harness put there (click's CliRunner): only then is /dev/tty the
    terminal of the person who ran the command."""
    try:
        sys.stdin.fileno()
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    return True


def has_terminal() -> bool:
    """A person could be asked: stdin and stderr are the terminal, or ``/dev/tty`` opens."""
    if _on_std():
        return True
    if not _redirected():
        return False
    with _tty() as tty:
        return tty is not None


def ask(question: str) -> bool | None:
    """Ask ``question`` with ``[y/N]``; True only for y/yes, None when there is no terminal."""
    if _on_std():
        return _ask(question, sys.stdin, sys.stderr)
    if not _redirected():
        return None
    with _tty() as tty:
        if tty is None:
            return None
        sys.stderr.flush()
        time.sleep(0.2)  # let a pipe (tee) show what was printed before the question
        return _ask(question, *tty)


def _ask(question: str, answers: TextIO, out: TextIO) -> bool:
    out.write(f"{question} [y/N]: ")
    out.flush()
    try:
        answer = answers.readline()
    except KeyboardInterrupt:
        with contextlib.suppress(OSError):
            out.write("\n")
        return False
    return answer.strip().lower() in YES


__all__ = ["ask", "has_terminal"]
