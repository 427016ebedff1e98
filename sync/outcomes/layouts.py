"""Import layouts: the outcomes in the file an ATS's own import takes back.

An ATS can take outcomes back only where it documents an import that adds to
candidates it already has. Of the shipped mappings, Lever does: its candidate
import template (help.lever.co, "How do I add multiple / import many
candidates?" and the support-assisted bulk import) carries notes, ``DateNote-N``,
``UserNote-N``, ``IsSecretNote-N`` and ``Note-N``, and Lever matches rows to the
profiles it has by e-mail (research/ats_exports.md §2: the template starts with
``Lever Profile ID``). The others document imports that create candidates
(Greenhouse, Personio, Recruitee, Teamtailor, Ashby) or none at all: they get the
generic sheet, which any ATS's bulk edit or a person can read.

A layout is data: its columns in the template's order (Lever asks that every
heading is kept) and the value of each for one ``OutcomeLine``; the note text is
``note_text``, the same for every layout. Each import file is a comma-separated
CSV (Lever refuses other delimiters) named ``<stem>_<layout>_import.csv`` in
letters, digits, ``_`` and ``-`` only (Lever's rule for file names).

``choose_layouts`` decides which lines go to which import file: ``auto`` sends
each line to the layout of the mapping that enrolled it (if it has one),
``generic`` writes none, a layout's name sends every line to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sync.errors import UsageError
from sync.outcomes.lines import SCORES, OutcomeLine

AUTO = "auto"
GENERIC = "generic"


@dataclass(frozen=True)
class ImportLayout:
    """How one ATS's import takes outcomes back."""

    name: str  # the shipped mapping it belongs to
    title: str
    id_column: str  # the column holding the ATS's own candidate id
    columns: tuple[str, ...]
    fill: Callable[[OutcomeLine], Mapping[str, str]]
    how: str  # one line: how to bring the file in

    def row(self, line: OutcomeLine) -> list[object]:
        values = self.fill(line)
        return [values.get(column, "") for column in self.columns]


def _score_text(line: OutcomeLine) -> str:
    scores = dict(zip(SCORES, line.outcome.scores, strict=True))
    main = scores.pop("score")
    subs = ", ".join(
        f"{name.removeprefix('score_').replace('_', ' ')} {value:g}"
        for name, value in scores.items()
        if value is not None
    )
    if main is None:
        return ""
    return f"score {main:g}" + (f" ({subs})" if subs else "")


def note_text(line: OutcomeLine) -> str:
    """The outcome as one note: what a recruiter reads on the candidate in the ATS."""
    o = line.outcome
    facts = [f"interview {o.progress}"]
    if o.decision:
        facts.append(f"decision {o.decision}")
    if o.shortlisted:
        facts.append("shortlisted")
    if score := _score_text(line):
        facts.append(score)
    if o.duration_minutes is not None:
        facts.append(f"{o.duration_minutes:g} min")
    text = "JobMojito AI interview: " + ", ".join(facts) + "."
    where = line.position + (f" (job {line.ats_job_id})" if line.ats_job_id else "")
    if where.strip():
        text += f" Position: {where.strip()}."
    if line.interview_url:
        text += f" Interview link: {line.interview_url}"
    if line.ai_summary:
        text += f"\nAI assessment: {line.ai_summary}"
    return text


def _lever_date(moment: str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, as Lever's exports write dates; as given if unreadable."""
    try:
        when = datetime.fromisoformat(moment.strip())
    except ValueError:
        return moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _lever(line: OutcomeLine) -> dict[str, str]:
    return {
        "Lever Profile ID": line.ats_candidate_id,
        "Full Name": line.candidate_name,
        "Email": line.candidate_email,
        "DateNote-0": _lever_date(line.changed_at),
        "IsSecretNote-0": "no",
        "Note-0": note_text(line),
    }


LEVER = ImportLayout(
    name="lever",
    title="Lever — candidate import with notes",
    id_column="Lever Profile ID",
    # Lever's template, every heading kept in its order (research/ats_exports.md §2).
    columns=(
        "Lever Profile ID",
        "Full Name",
        "Email",
        "Date Added",
        "Stage",
        "Archive Reason",
        "Archive Date",
        "Sources",
        "Origin",
        "Tags",
        "Phone",
        "Location",
        "Links",
        "Referrer",
        "Resume Filename",
        "Company",
        "Owner",
        "Lever Posting URL",
        "Posting Owner",
        "Posting Hiring Manager",
        "DateNote-0",
        "UserNote-0",
        "IsSecretNote-0",
        "Note-0",
    ),
    fill=_lever,
    how=(
        "send it to Lever Support as a note import (help.lever.co: bulk importing with"
        " assistance); Lever matches each row to the existing profile by Email and adds"
        " Note-0 to it"
    ),
)

#: The import layouts, by the name of the shipped mapping they belong to.
LAYOUTS: Mapping[str, ImportLayout] = {LEVER.name: LEVER}


def choose_layouts(
    name: str, lines: Sequence[OutcomeLine], *, mappings: Iterable[str] = ()
) -> dict[ImportLayout, list[OutcomeLine]]:
    """The import files to write: each layout with its lines, in line order.

    ``name`` is ``auto``, ``generic`` or a layout's name (``SyncOptions`` allows no
    other). ``mappings`` are those of every enrolment, written or not: a layout that
    applies gets its file even with no line (a header only), so yesterday's file of
    the same name is never left behind to be imported twice.
    """
    if name not in (AUTO, GENERIC, *LAYOUTS):
        raise UsageError(
            f"no outcomes layout {name!r} (choose {AUTO}, {GENERIC}, {', '.join(LAYOUTS)})"
        )
    if name == GENERIC:
        return {}
    if name in LAYOUTS:
        return {LAYOUTS[name]: list(lines)}
    chosen: dict[ImportLayout, list[OutcomeLine]] = {
        LAYOUTS[mapping]: [] for mapping in dict.fromkeys(mappings) if mapping in LAYOUTS
    }
    for line in lines:
        layout = LAYOUTS.get(line.mapping)
        if layout is not None:
            chosen.setdefault(layout, []).append(line)
    return chosen
