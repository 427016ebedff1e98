"""Which lines the Results sheet lists (``--results``), and how a status cell reads.

``--results problems|selected|all`` keeps the Results sheet of an export of tens of
thousands of historical rows readable: ``problems`` lists the rows that need a
person (``sync.results.statuses.ATTENTION``) and the rows not sent yet,
``selected`` every row but the ``excluded`` ones, ``all`` every row. The Summary,
the Problems and the Statuses sheets count every row either way, and a note says
what the Results sheet left out.

A problem an earlier run already reported (``ResultLine.known_since``) reads
``invalid (known since 2026-11-29)`` and is amber (``KNOWN``), not red: it is
waiting for someone to fix it in the ATS, not news.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter

from sync.records import ResultLine, Status
from sync.results.statuses import ATTENTION

KNOWN = "known"  # the colour key of a problem an earlier run reported
KNOWN_COLOUR = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}  # amber, as a waiting row
_KNOWN_MARK = " (known since "  # how ``ResultLine.shown_status`` says it

#: ``--results``: which lines the Results sheet shows.
SHOWN_LINES: dict[str, Callable[[ResultLine], bool]] = {
    "all": lambda line: True,
    "selected": lambda line: line.status is not Status.EXCLUDED,
    "problems": lambda line: line.status in ATTENTION or line.status is Status.NOT_SENT,
}
_WHAT = {"problems": "problem and unsent", "selected": "selected"}


def shown_lines(
    lines: Sequence[ResultLine], results: str
) -> tuple[Sequence[ResultLine], list[str]]:
    """The lines ``--results`` shows, and the note that says so when it is not all."""
    if results == "all":
        return lines, []
    keep = SHOWN_LINES[results]
    shown = [line for line in lines if keep(line)]
    return shown, [
        f"the Results sheet shows the {len(shown):,} {_WHAT[results]} rows of {len(lines):,}"
        f" (--results {results}); the counts here are of every row"
    ]


def shown_rows(lines: Iterable[ResultLine], columns: Sequence[str]) -> Iterator[list[object]]:
    """Each line's values of ``columns``, its status as the sheet shows it."""
    values = attrgetter(*columns)
    at = columns.index("status")
    for line in lines:
        row = list(values(line))
        row[at] = line.shown_status
        yield row


def colour_key(status_text: str) -> str:
    """The colour key of a status cell's text: the status, or ``KNOWN`` for a problem an
    earlier run reported (``invalid (known since …)``)."""
    return KNOWN if _KNOWN_MARK in status_text else status_text


__all__ = ["KNOWN", "KNOWN_COLOUR", "SHOWN_LINES", "colour_key", "shown_lines", "shown_rows"]
