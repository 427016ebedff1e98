"""Small text helpers shared by every step: "did you mean" and file names in messages."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from pathlib import PurePath


def closest(
    word: str,
    choices: Iterable[str],
    *,
    cutoff: float = 0.6,
    key: Callable[[str], str] | None = None,
) -> str | None:
    """The choice closest to ``word`` (difflib's ratio >= ``cutoff``), or ``None``.

    ``key`` normalises both sides before comparing (the choice is returned as given).
    """
    options = list(choices)
    if key is None:
        found = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
        return found[0] if found else None
    keyed = {key(option): option for option in reversed(options)}
    found = difflib.get_close_matches(key(word), list(keyed), n=1, cutoff=cutoff)
    return keyed[found[0]] if found else None


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    cutoff: float = 0.6,
    key: Callable[[str], str] | None = None,
    quote: str = "",
) -> str:
    """``" (did you mean X?)"`` for the closest choice, or ``""`` when none is close."""
    found = closest(word, choices, cutoff=cutoff, key=key)
    return f" (did you mean {quote}{found}{quote}?)" if found is not None else ""


def file_name(path: str | PurePath) -> str:
    """The last part of a path, as messages and the results sheet show a file.

    Both ``/`` and ``\\`` separate parts, so a Windows path from a config file
    shows its name too.
    """
    return str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


__all__ = ["closest", "did_you_mean", "file_name"]
