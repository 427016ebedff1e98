"""The workbook's two sheets that tell a person what to do: "Problems" and "Statuses".

- "Problems" lists only the rows that need a person (``sync.results.problems``:
  invalid, repeated, refused by the API, no answer), grouped by cause, largest
  group first, each row with its cause and what to do about it. A problem an
  earlier run already reported reads ``invalid (known since …)`` in amber, as on
  the Results sheet. A run without problems says so in one line.
- "Statuses" explains every status in plain words (``sync.results.statuses``):
  whether the row was sent, what it means, what to do, and how many rows of
  this run have it (a positions run: every status a job can have, in a job's
  words). Each status cell has the colour it has on the Results sheet.

Both are written by the XLSX writer (``sync.results.sheets``) with its formats;
every text goes through ``cell_text`` (never a formula, no control characters).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sync.records import Status
from sync.results.cells import cell_text
from sync.results.problems import Cause
from sync.results.shown import colour_key
from sync.results.statuses import guide
from sync.results.summary import without_local_paths

PROBLEM_COLUMNS = (
    "source_file",
    "source_row",
    "candidate_name",
    "candidate_email",
    "position",
    "status",
    "cause",
    "what to do",
    "reason",
)
STATUS_COLUMNS = ("status", "sent to the API?", "rows in this run", "what it means", "what to do")
NO_PROBLEMS = "No row needs a person."
WRAPPED_WIDTH = 70  # the long texts wrap at this width
_STATUS = PROBLEM_COLUMNS.index("status")


def write_problems_sheet(
    ws: Any, causes: Sequence[Cause], *, header: Any, colours: Mapping[str, Any], widest: int
) -> None:
    """Fill the Problems sheet: one row per problem row, grouped by cause."""
    widths = [len(name) + 3 for name in PROBLEM_COLUMNS]
    for col, name in enumerate(PROBLEM_COLUMNS):
        ws.write_string(0, col, name, header)
    row = 0
    for cause in causes:
        for line in cause.lines:
            row += 1
            values = (
                line.source_file,
                line.source_row,
                line.candidate_name,
                line.candidate_email,
                line.position,
                line.shown_status,
                without_local_paths(cause.text),
                cause.fix,
                without_local_paths(line.reason),
            )
            for col, value in enumerate(values):
                if isinstance(value, int):
                    ws.write_number(row, col, value)
                    continue
                text = cell_text(value)
                if not text:
                    continue
                widths[col] = max(widths[col], len(text))
                fmt = colours.get(colour_key(text)) if col == _STATUS else None
                ws.write_string(row, col, text, fmt)
    if row == 0:
        ws.write_string(1, 0, NO_PROBLEMS)
        widths[0] = max(widths[0], len(NO_PROBLEMS))
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(width + 2, widest))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(row, 1), len(PROBLEM_COLUMNS) - 1)


def write_statuses_sheet(
    ws: Any,
    counts: Mapping[str, int],
    *,
    header: Any,
    colours: Mapping[str, Any],
    wrapped: Any,
    jobs: bool = False,
) -> None:
    """Fill the Statuses sheet: every status of the run's kind (``jobs``: a positions
    run's), what it means and what to do."""
    for col, name in enumerate(STATUS_COLUMNS):
        ws.write_string(0, col, name, header)
    said_of = guide(jobs)
    # A candidate's statuses in their order; a job's as its guide tells them (made first).
    shown = list(said_of) if jobs else [status for status in Status if status in said_of]
    for row, status in enumerate(shown, start=1):
        said = said_of[status]
        ws.write_string(row, 0, status.value, colours.get(status.value))
        ws.write_string(row, 1, "yes" if said.sent else "no")
        ws.write_number(row, 2, counts.get(status.value, 0))
        ws.write_string(row, 3, said.meaning, wrapped)
        ws.write_string(row, 4, said.todo, wrapped)
    widest_status = max(len(s.value) for s in Status)
    ws.set_column(0, 0, widest_status + 4)
    ws.set_column(1, 1, len(STATUS_COLUMNS[1]) + 2)
    ws.set_column(2, 2, len(STATUS_COLUMNS[2]) + 2)
    ws.set_column(3, 3, WRAPPED_WIDTH)
    ws.set_column(4, 4, WRAPPED_WIDTH + 1)  # a different width: the two stay separate columns
    ws.freeze_panes(1, 0)


__all__ = [
    "NO_PROBLEMS",
    "PROBLEM_COLUMNS",
    "STATUS_COLUMNS",
    "write_problems_sheet",
    "write_statuses_sheet",
]
