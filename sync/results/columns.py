"""What a Results sheet shows: its columns for each kind of run, and the colour of a status.

A run over applicants shows ``RESULT_COLUMNS``, one line per input row; a
positions run (``jobmojito-sync positions``) ``POSITION_COLUMNS``, one line per
job, each a header over a ``ResultLine`` field. ``layout_of`` picks a run's
columns (without the links when they are omitted: they are credentials), and
the XLSX and CSV writers (``sync.results.sheets``) lay every sheet out from it.
``STATUS_COLOURS`` is a status's fill, the same on every sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from sync.records import RunSummary, Status

RESULT_COLUMNS: tuple[str, ...] = (
    "source_file",
    "source_row",
    "candidate_name",
    "candidate_email",
    "position",
    "position_id",
    "status",
    "reason",
    "interview_url",
    "position_def_set_id",
    "profile_interview_id",
    "http_status",
    "attempts",
    "notes",
)
#: The sheet of a positions run, one line per job: (header, the ``ResultLine`` field shown).
POSITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "source_file"),
    ("source_row", "source_row"),
    ("job", "identity"),  # the job's key
    ("position", "position"),
    ("status", "status"),
    ("reason", "reason"),
    ("interview_def_set_id", "position_def_set_id"),
    ("recruiter_link", "interview_url"),  # a signed link to the interview's results
    ("http_status", "http_status"),
    ("attempts", "attempts"),
)
NUMBER_COLUMNS = frozenset({"source_row", "http_status", "attempts"})
# Excel's own "Good", "Neutral" and "Bad" styles for accepted, waiting and problem rows;
# a colour of its own for every other status, so that each reads at a glance.
_GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
_AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
_BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
_DECLINED = {"bg_color": "#FCE4D6", "font_color": "#843C0C"}  # a decision, not a problem
STATUS_COLOURS: dict[str, dict[str, str]] = {
    Status.AI_ACCEPT.value: _GOOD,
    Status.RECRUITER_ACCEPT.value: _GOOD,
    Status.ALREADY_APPLIED.value: {"bg_color": "#E2EFDA", "font_color": "#375623"},
    Status.RECRUITER_ACTION.value: _AMBER,
    Status.NOT_SENT.value: _AMBER,
    Status.AI_REJECT.value: _DECLINED,
    Status.RECRUITER_REJECT.value: _DECLINED,
    **{s.value: _BAD for s in Status if s.is_problem},
    Status.DUPLICATE.value: {"bg_color": "#E4DFEC", "font_color": "#5B3C88"},
    Status.SKIPPED.value: {"bg_color": "#EDEDED", "font_color": "#404040"},
    Status.DRY_RUN.value: {"bg_color": "#DDEBF7", "font_color": "#1F4E78"},
    Status.CREATED.value: _GOOD,
    Status.ADOPTED.value: _GOOD,
    Status.UPDATED.value: _GOOD,
    Status.CHANGED.value: _AMBER,
    Status.GONE.value: _AMBER,
}


class Layout:
    """The columns of a Results sheet: headers, the ``ResultLine`` field each shows, and
    a getter of a line's values."""

    def __init__(self, columns: Sequence[tuple[str, str]]) -> None:
        self.headers = tuple(header for header, _ in columns)
        self.fields = tuple(field for _, field in columns)
        self.values = attrgetter(*self.fields)

    def column(self, field: str) -> int:
        """The column showing ``field``; -1 if none does."""
        return self.fields.index(field) if field in self.fields else -1


def layout_of(summary: RunSummary, *, links: bool) -> Layout:
    """A positions run's columns or the candidates', without the links unless ``links``."""
    pairs = POSITION_COLUMNS if summary.positions else tuple((c, c) for c in RESULT_COLUMNS)
    return Layout([p for p in pairs if links or p[1] != "interview_url"])


def result_columns(*, links: bool = True) -> tuple[str, ...]:
    """The Results columns: ``RESULT_COLUMNS``, without ``interview_url`` unless ``links``."""
    return RESULT_COLUMNS if links else tuple(c for c in RESULT_COLUMNS if c != "interview_url")


__all__ = [
    "NUMBER_COLUMNS",
    "POSITION_COLUMNS",
    "RESULT_COLUMNS",
    "STATUS_COLOURS",
    "Layout",
    "layout_of",
    "result_columns",
]
