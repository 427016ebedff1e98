"""The Summary of a run: what it is made of, and the text file beside a CSV.

The Summary tells the run (id, tool version, mapping, dry run, exit code and
its meaning, start and end in UTC), the rows by status with the total, the
input files with their SHA-256, and the notes. ``summary_sections`` builds that
content once; the XLSX writer lays it out as the "Summary" sheet, and
``summary_text`` as ``<stem>.summary.txt`` beside a CSV (a CSV holds one table
only). The counts are ``count_statuses`` of the lines written, so the Summary
and the Results cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sync.errors import EXIT_MEANINGS
from sync.records import ResultLine, RunSummary, Status
from sync.results.cells import cell_text

_STATUS_ORDER = {s.value: i for i, s in enumerate(Status)}

# (title, column names, rows): one block of the Summary.
Section = tuple[str, tuple[str, ...], list[tuple[str | int, ...]]]


def count_statuses(lines: Iterable[ResultLine]) -> dict[str, int]:
    """Status value -> number of lines, in ``Status`` order, non-zero counts only."""
    counts = Counter(str(line.status) for line in lines)
    order = sorted(counts, key=lambda s: (_STATUS_ORDER.get(s, len(_STATUS_ORDER)), s))
    return {status: counts[status] for status in order}


def summary_sections(
    summary: RunSummary, counts: dict[str, int], *, extra_notes: list[str]
) -> list[Section]:
    """The Summary's content, shared by the XLSX sheet and the CSV's text file."""
    total = sum(counts.values())
    code = summary.exit_code
    run: list[tuple[str | int, ...]] = [
        ("run id", summary.run_id),
        ("tool version", summary.tool_version),
        ("mapping", summary.mapping),
        ("dry run", "yes" if summary.dry_run else "no"),
        ("exit code", code),
        ("exit meaning", EXIT_MEANINGS.get(code, "not an exit code jobmojito-sync uses")),
        ("started (UTC)", _utc(summary.started_at)),
        ("finished (UTC)", _utc(summary.finished_at)),
        ("rows", total),
    ]
    by_status: list[tuple[str | int, ...]] = [(s.value, counts.get(s.value, 0)) for s in Status]
    by_status += [(s, n) for s, n in counts.items() if s not in _STATUS_ORDER]
    by_status.append(("total", total))
    inputs: list[tuple[str | int, ...]] = [(name, sha) for name, sha in summary.inputs]
    notes: list[tuple[str | int, ...]] = [
        (note,) for note in [*summary.notes, *extra_notes] if note
    ]
    return [
        ("Run", ("item", "value"), run),
        ("Rows by status", ("status", "rows"), by_status),
        ("Input files", ("file", "sha256"), inputs),
        ("Notes", ("note",), notes),
    ]


def _utc(moment: str) -> str:
    """An ISO 8601 time with a zone, shown in UTC; anything else as given."""
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if parsed.tzinfo is None:
        return moment
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def summary_text_path(csv_path: Path) -> Path:
    """Where the summary of a CSV results file goes: ``<stem>.summary.txt`` beside it."""
    return csv_path.with_name(f"{csv_path.stem}.summary.txt")


def summary_text(
    results: Path,
    sections: list[Section],
    *,
    heading: str = "jobmojito-sync run summary",
    label: str = "results",
) -> str:
    """The Summary as plain text, for the file beside the CSV ``results``."""
    out = [heading, f"{label}: {cell_text(results.name)}", ""]
    for name, columns, rows in sections:
        out.append(name)
        if not rows:
            out.append("  (none)")
        keys = [cell_text(values[0]) for values in rows]
        pad = max((len(k) for k in keys), default=0)
        for key, values in zip(keys, rows, strict=True):
            if len(columns) == 1:
                out.append(f"  - {key}")
            else:
                rest = "  ".join(cell_text(v) for v in values[1:])
                out.append(f"  {key:<{pad}}  {rest}".rstrip())
        out.append("")
    return "\n".join(out)
