"""Writing the outcomes: the sheet of enrolled candidates, the results apart, the import files.

``write_outcomes`` picks the format from ``--out``'s extension, as the results
sheet does, with the same writer (``sync.results.tables``: numbers as numbers,
every other cell text and never a formula, atomic replacement):

``.xlsx``
    Sheet "Outcomes": one line per enrolled candidate (``outcome_columns``), the
    ``interview_status`` cell green when completed, amber when started, the
    interview URL a link; sheet "Not matched": the results that match no
    enrolment of the ledger (``UNMATCHED_COLUMNS``), never mixed in; sheet
    "Summary".
``.csv``
    ``<stem>.csv`` (Outcomes), ``<stem>.unmatched.csv`` (Not matched) and
    ``<stem>.summary.txt``.

Beside either, one ``<stem>_<layout>_import.csv`` per import layout chosen
(``sync.outcomes.layouts``). No transcript and no recording URL is ever among
the values written: the lines hold none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from sync.outcomes.layouts import ImportLayout
from sync.outcomes.lines import (
    COMPLETED,
    NUMBER_COLUMNS,
    STARTED,
    UNMATCHED_COLUMNS,
    OutcomeLine,
    UnmatchedLine,
    outcome_columns,
)
from sync.records import Status
from sync.results.sheets import STATUS_COLOURS
from sync.results.summary import Section, summary_text, summary_text_path
from sync.results.tables import Table, atomic, sheet_suffix, write_csv_table, write_workbook

__all__ = ["PROGRESS_COLOURS", "import_path", "unmatched_csv_path", "write_outcomes"]

#: The interview_status cell: green once completed, amber while started.
PROGRESS_COLOURS = {
    COMPLETED: STATUS_COLOURS[Status.AI_ACCEPT.value],
    STARTED: STATUS_COLOURS[Status.RECRUITER_ACTION.value],
}


def unmatched_csv_path(path: Path) -> Path:
    """``outcomes.csv`` -> ``outcomes.unmatched.csv``."""
    return path.with_name(f"{path.stem}.unmatched.csv")


def import_path(path: Path, layout: ImportLayout) -> Path:
    """``Outcomes 2026.xlsx`` -> ``outcomes_2026_lever_import.csv``: a name Lever accepts."""
    stem = re.sub(r"[^a-z0-9_-]+", "_", path.stem.lower()).strip("_") or "outcomes"
    return path.with_name(f"{stem}_{layout.name}_import.csv")


def write_outcomes(
    path: Path,
    lines: Sequence[OutcomeLine],
    unmatched: Sequence[UnmatchedLine],
    sections: list[Section],
    *,
    details: bool,
    imports: dict[ImportLayout, list[OutcomeLine]],
    run_id: str,
) -> list[Path]:
    """Write the outcomes (and the import files) atomically; every path written."""
    path = Path(path)
    suffix = sheet_suffix(path, "outcomes")
    columns = outcome_columns(details=details)
    rows = (line.values(details=details) for line in lines)
    apart = (line.values() for line in unmatched)
    written = [path]
    if suffix == ".xlsx":
        tables = [
            Table(
                "Outcomes",
                columns,
                rows,
                numbers=NUMBER_COLUMNS,
                link="interview_url",
                coloured="interview_status",
                colours=PROGRESS_COLOURS,
            ),
            Table("Not matched", UNMATCHED_COLUMNS, apart, numbers=frozenset({"score"})),
        ]
        with atomic(path) as tmp:
            write_workbook(
                tmp,
                tables,
                lambda notes: _with_notes(sections, notes),
                title="jobmojito-sync outcomes",
                subject=f"outcomes run {run_id}",
                summary_title="jobmojito-sync outcomes summary",
                coloured_section=LINES_BY_STATUS,
            )
    else:
        with atomic(path) as tmp:
            write_csv_table(tmp, columns, rows)
        other = unmatched_csv_path(path)
        with atomic(other) as tmp:
            write_csv_table(tmp, UNMATCHED_COLUMNS, apart)
        text = summary_text(
            path, sections, heading="jobmojito-sync outcomes summary", label="outcomes"
        )
        with atomic(summary_text_path(path)) as tmp:
            tmp.write_text(text, encoding="utf-8")
        written += [other, summary_text_path(path)]
    for layout, chosen in imports.items():
        target = import_path(path, layout)
        with atomic(target) as tmp:
            write_csv_table(tmp, layout.columns, (layout.row(line) for line in chosen))
        written.append(target)
    return written


#: The Summary section whose statuses are coloured like the sheet's.
LINES_BY_STATUS = "Lines by interview status"


def _with_notes(sections: list[Section], notes: list[str]) -> list[Section]:
    if not notes:
        return sections
    out = []
    for name, columns, rows in sections:
        if name == "Notes":
            rows = [*rows, *((note,) for note in notes)]
        out.append((name, columns, rows))
    return out
