"""HTML to readable text: job descriptions exported as HTML, and HTML resumes."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
        *("tbody", "thead", "tfoot", "tr", "ul", "br"),
    }
)
# Blocks set off by a blank line; other blocks (div, li, br, tr …) by a line break.
_PARAGRAPH = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "dl"}
)
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z][a-zA-Z0-9]*(\s.*?)?/?&gt;", re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(" + "|".join(sorted(_BLOCK)) + r")\b", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collects text; block tags ask for line breaks, the widest request wins."""

    def __init__(self, keep_newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.out: list[str] = []
        self.dropping = 0
        self.breaks = 0  # line breaks owed before the next text
        self.bullet = False

    def _break(self, n: int) -> None:
        self.breaks = max(self.breaks, n)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += 1
        elif tag == "li":
            self._break(1)
            self.bullet = True
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _PARAGRAPH:
            self._break(2)
        elif tag in _BLOCK:
            self._break(1)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        data = re.sub(r"[ \t\r\f\v]+" if self.keep_newlines else r"\s+", " ", data)
        if not data.strip():
            if not self.breaks:
                self.out.append(data)
            return
        if self.out:
            self.out.append("\n" * self.breaks)
        if self.bullet:
            self.out.append("- ")
        self.breaks = 0
        self.bullet = False
        self.out.append(data)


def html_to_text(text: str) -> str:
    """HTML (or entity-escaped HTML such as Greenhouse's ``&lt;p&gt;``) → readable text.

    Block elements become line breaks, ``<li>`` becomes ``- `` items, entities are
    unescaped, scripts and styles are dropped, and blank lines are squeezed to
    one. Text without tags keeps its own line breaks.
    """
    for _ in range(3):  # escaped, or double-escaped (&amp;lt;p&amp;gt;)
        if _TAG.search(text) or not (_ESCAPED_TAG.search(text) or "&amp;lt;" in text):
            break
        text = html.unescape(text)
    if not _TAG.search(text):
        return _tidy_lines(html.unescape(text))
    parser = _TextExtractor(keep_newlines=not _BLOCK_TAG.search(text))
    parser.feed(text)
    parser.close()
    return _tidy_lines("".join(parser.out))


def _tidy_lines(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return out.strip()


__all__ = ["html_to_text"]
