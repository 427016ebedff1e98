"""Cell safety: every value the results write is a number or plain text, never a formula.

Candidate data comes from outside (an ATS export), so a name such as
``=HYPERLINK("http://x","y")`` or a phone ``+44 20 7946 0958`` must reach the
sheet exactly as typed and never run. These rules guarantee it for both formats:

- only real numbers are number cells (``is_number``); everything else is text;
- text is cleaned of characters XML cannot hold (control characters, DEL and
  the C1 controls, lone surrogates: each becomes U+FFFD) and cut to Excel's
  limit of 32,767 UTF-16 code units per cell, never inside a pair (``cell_text``);
- in a CSV, where a cell has no type, text a spreadsheet would run as a formula
  gets a leading apostrophe (``neutralise_csv``, as OWASP advises for CSV
  injection); in an XLSX it is a string cell, which never runs;
- only web addresses Excel accepts become links (``linkable``): never
  ``javascript:`` or a file path.
"""

from __future__ import annotations

import re

EXCEL_CELL_CHARS = 32_767  # characters (UTF-16 code units) in one cell
EXCEL_URL_CHARS = 2_079  # longest URL Excel accepts as a link

# Characters XML 1.0 cannot hold (tab, LF and CR are kept), DEL and the C1
# controls (terminal escapes in the summary text), lone surrogates.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# OWASP's formula triggers, plus their full-width forms that some Excel locales accept.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_number(value: object) -> bool:
    """``value`` goes in as a number cell (an int or float, not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value: object) -> str:
    """``value`` as cell text: XML-illegal characters replaced, cut to Excel's limit."""
    text = "" if value is None else str(value)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_CHARS // 2:
        text = _cut(text)
    return text


def _cut(text: str) -> str:
    """``text`` cut to 32,767 UTF-16 code units (Excel's count), never inside a pair."""
    if len(text.encode("utf-16-le")) // 2 <= EXCEL_CELL_CHARS:
        return text
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > EXCEL_CELL_CHARS:
            return text[:i]
    return text  # pragma: no cover - the length check above makes this unreachable


def neutralise_csv(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def linkable(url: str) -> bool:
    """Only web addresses become links, and only those Excel accepts."""
    return url[:8].lower().startswith(("https://", "http://")) and len(url) <= EXCEL_URL_CHARS
