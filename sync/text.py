"""Small text helpers shared by every step: "did you mean", file names in messages, and
text that is safe to print on a terminal."""

from __future__ import annotations

import difflib
import re
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


#: What a terminal would act on rather than show: the C0 controls (ESC starts colour,
#: cursor and hyperlink sequences), DEL and the C1 controls (CSI, OSC as one byte), and
#: the invisible characters that reorder or hide text (bidi overrides, zero widths, BOM).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")


def printable(text: object, *, one_line: bool = True) -> str:
    """``text`` as data for a terminal: every control or invisible formatting character
    becomes U+FFFD, so no escape sequence in a file ever reaches the terminal;
    ``one_line`` turns line breaks and tabs into spaces first (cells in a table)."""
    out = "" if text is None else str(text)
    if one_line:
        out = _LINE_BREAKS.sub(" ", out)
    elif "\n" in out:
        return "\n".join(printable(part, one_line=True) for part in out.split("\n"))
    return _UNPRINTABLE.sub("\ufffd", out)


__all__ = ["closest", "did_you_mean", "file_name", "printable"]
