"""The Summary of an outcomes run, and its counts (``history``, XCom).

``Gathered`` is what an outcomes run learnt from the API; ``counts`` the few
numbers ``history`` and Airflow's XCom show (never a name or a score);
``sections`` the Summary sheet (or ``<stem>.summary.txt``): the run, the lines
written by interview status, the import files with how to bring each in, and
the notes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sync import __version__
from sync.errors import EXIT_MEANINGS, AbortError
from sync.ledger.base import EnrolledCandidate, utc_now
from sync.options import LAST_RUN, SyncOptions
from sync.outcomes.fetch import Reading
from sync.outcomes.layouts import ImportLayout
from sync.outcomes.lines import COMPLETED, NOT_STARTED, STARTED, OutcomeLine
from sync.outcomes.match import Matching
from sync.outcomes.sheets import LINES_BY_STATUS, import_path
from sync.results.summary import Section

__all__ = ["OUTCOMES_EXIT_MEANINGS", "Gathered", "counts", "sections", "since_notes"]

#: What an outcomes run's exit code means (the run's own are ``sync.errors.EXIT_MEANINGS``).
OUTCOMES_EXIT_MEANINGS: dict[int, str] = {
    0: "every enrolment has its line",
    1: "written, but some AI assessments could not be read (see note)",
    2: "usage or configuration error; nothing was read",
    3: "stopped: the results could not all be read, or the token was refused",
}


@dataclass(slots=True)
class Gathered:
    """What the API said: every enrolment's line, the results apart, and how it went."""

    lines: list[OutcomeLine]
    written: list[OutcomeLine]
    matching: Matching
    reading: Reading | None = None
    requests: int = 0
    throttled: int = 0
    unread: set[str] = field(default_factory=set)  # identities whose assessment is missing
    aborted: AbortError | None = None


def _bucket(progress: str) -> str:
    return {NOT_STARTED: "not_started", STARTED: "started", COMPLETED: "completed"}.get(
        progress, "other"
    )


def counts(gathered: Gathered) -> dict[str, int]:
    """For ``history`` and XCom: every enrolment by progress, and what was written."""
    by_progress = Counter(_bucket(line.outcome.progress) for line in gathered.lines)
    counts = {
        "enrolments": len(gathered.lines),
        "written": len(gathered.written),
        "changed": sum(1 for line in gathered.lines if line.changed),
    }
    for key in ("not_started", "started", "completed", "other"):
        if by_progress[key] or key != "other":
            counts[key] = by_progress[key]
    counts["unmatched"] = len(gathered.matching.unmatched)
    return counts


def since_notes(since: str | None, candidates: Sequence[EnrolledCandidate]) -> list[str]:
    if since is None:
        return ["every enrolment of the ledger, whatever changed"]
    if since != LAST_RUN:
        return [f"only the lines whose outcome changed at or after {since}"]
    seen = [c.last for c in candidates if c.last is not None]
    if not seen:
        return ["changed since the last outcomes run: there was none, so every line is new"]
    last = max(seen, key=lambda s: s.seen_at)
    return [
        "only what changed since each line was last written (the last outcomes run:"
        f" {last.run_id}, {last.seen_at})"
    ]


def sections(
    options: SyncOptions,
    run_id: str,
    layout: str,
    started: str,
    exit_code: int,
    gathered: Gathered,
    imports: dict[ImportLayout, list[OutcomeLine]],
    out: Path,
    notes: list[str],
) -> list[Section]:
    reading = gathered.reading
    run: list[tuple[str | int, ...]] = [
        ("run id", run_id),
        ("tool version", __version__),
        ("ledger", str(options.ledger_location())),
        ("changed since", options.changed_since or "(all)"),
        ("layout", layout),
        ("exit code", exit_code),
        ("exit meaning", OUTCOMES_EXIT_MEANINGS.get(exit_code, EXIT_MEANINGS.get(exit_code, ""))),
        ("started (UTC)", started),
        ("finished (UTC)", utc_now()),
        ("enrolments", len(gathered.lines)),
        ("lines written", len(gathered.written)),
        ("results read", len(reading.results) if reading else 0),
        ("pages read", reading.pages if reading else 0),
        ("results superseded", gathered.matching.superseded),
        ("results not matched", len(gathered.matching.unmatched)),
        ("requests", gathered.requests),
        ("throttled (429)", gathered.throttled),
    ]
    by_progress = Counter(line.outcome.progress for line in gathered.written)
    order = [
        NOT_STARTED,
        STARTED,
        COMPLETED,
        *sorted(set(by_progress) - {NOT_STARTED, STARTED, COMPLETED}),
    ]
    statuses: list[tuple[str | int, ...]] = [(p, by_progress.get(p, 0)) for p in order]
    statuses.append(("total", len(gathered.written)))
    files: list[tuple[str | int, ...]] = [
        (import_path(out, lay).name, f"{lay.title}: {len(chosen)} lines; {lay.how}")
        for lay, chosen in imports.items()
    ]
    return [
        ("Outcomes run", ("item", "value"), run),
        (LINES_BY_STATUS, ("interview status", "lines"), statuses),
        ("Import files", ("file", "what"), files),
        ("Notes", ("note",), [(note,) for note in notes]),
    ]
