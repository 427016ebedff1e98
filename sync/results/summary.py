"""The Summary of a run: what it is made of, and the text file beside a CSV.

The Summary opens with the run in one sentence (``sync.results.statuses.headline``),
then tells the run (id, tool version, mapping, dry run, exit code and its
meaning, which problems fail the run and how many earlier runs already
reported, start and end in UTC), the rows by status that occurred with the
total, the rows each selection condition excluded ("Excluded by condition"),
where derived values came from (rows per source: "resume: id in a file name"
…), the input files by name with their SHA-256, and the notes. It names
no local path: a workbook is forwarded, and a folder name can say more than it
should (file names and hashes identify the inputs). ``summary_sections`` builds
that content once; the XLSX writer lays it out as the "Summary" sheet, and
``summary_text`` as ``<stem>.summary.txt`` beside a CSV (a CSV holds one table
only). The counts are ``count_statuses`` of the lines written, so the Summary
and the Results cannot disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sync.errors import EXIT_ABORTED, EXIT_MEANINGS
from sync.records import ResultLine, RunSummary, Status
from sync.results.cells import cell_text
from sync.results.statuses import headline
from sync.text import file_name

_STATUS_ORDER = {s.value: i for i, s in enumerate(Status)}

#: The Summary's "fail on" line, by ``--fail-on``.
FAIL_ON_MEANINGS = {
    "new": "new problems only (--fail-on new): a problem an earlier run reported exits 0",
    "any": "any problem (--fail-on any)",
}
KNOWN_ONLY_MEANING = (
    "finished; the only problems are ones earlier runs already reported (--fail-on new)"
)

# (title, column names, rows): one block of the Summary.
Section = tuple[str, tuple[str, ...], list[tuple[str | int, ...]]]

# An absolute path in a note: /home/ana/exports/x.csv, ~/x.csv, C:\\Users\\ana\\x.csv.
_LOCAL_PATH = re.compile(r"(?<![\w.:/])(?:~|[A-Za-z]:)?[/\\](?:[^\s/\\'\"]+[/\\])+(?=[^\s/\\'\"])")


def count_statuses(lines: Iterable[ResultLine]) -> dict[str, int]:
    """Status value -> number of lines, in ``Status`` order, non-zero counts only."""
    counts = Counter(str(line.status) for line in lines)
    order = sorted(counts, key=lambda s: (_STATUS_ORDER.get(s, len(_STATUS_ORDER)), s))
    return {status: counts[status] for status in order}


def count_known_problems(lines: Iterable[ResultLine]) -> int:
    """Problem lines an earlier run on the ledger reported first (``known_since``)."""
    return sum(1 for line in lines if line.known_since and line.status.is_problem)


def exit_code_for(counts: dict[str, int], aborted: bool, *, forgiven: int = 0) -> int:
    """The run's exit code from its outcome counts (``sync.errors.EXIT_MEANINGS``), the one
    rule for a run and for a group's sheet rebuilt from the ledger; ``forgiven`` problem
    rows (known from earlier runs, with ``--fail-on new``) do not make it 1."""
    if aborted:
        return EXIT_ABORTED
    problems = sum(counts.get(s.value, 0) for s in Status if s.is_problem)
    return 1 if problems > forgiven else 0


def summary_sections(
    summary: RunSummary, counts: dict[str, int], *, extra_notes: list[str]
) -> list[Section]:
    """The Summary's content, shared by the XLSX sheet and the CSV's text file."""
    total = sum(counts.values())
    code = summary.exit_code
    meaning = EXIT_MEANINGS.get(code, "not an exit code jobmojito-sync uses")
    if code == 0 and summary.known_problems:
        meaning = KNOWN_ONLY_MEANING
    run: list[tuple[str | int, ...]] = [
        ("run id", summary.run_id),
        ("tool version", summary.tool_version),
        ("mapping", summary.mapping),
        ("dry run", "yes" if summary.dry_run else "no"),
        ("exit code", code),
        ("exit meaning", meaning),
        *(
            [("fail on", FAIL_ON_MEANINGS.get(summary.fail_on, summary.fail_on))]
            if summary.fail_on
            else []
        ),
        ("problems earlier runs reported", summary.known_problems),
        ("started (UTC)", _utc(summary.started_at)),
        ("finished (UTC)", _utc(summary.finished_at)),
        ("rows", total),
    ]
    by_status: list[tuple[str | int, ...]] = [(s, n) for s, n in counts.items() if n]
    by_status.append(("total", total))
    inputs: list[tuple[str | int, ...]] = [(file_name(path), sha) for path, sha in summary.inputs]
    notes: list[tuple[str | int, ...]] = [
        (without_local_paths(note),) for note in [*summary.notes, *extra_notes] if note
    ]
    sections: list[Section] = [
        ("Run", ("item", "value"), run),
        ("Rows by status", ("status", "rows"), by_status),
    ]
    if summary.selection:
        by_condition: list[tuple[str | int, ...]] = list(summary.selection.items())
        sections.append(("Excluded by condition", ("condition", "rows"), by_condition))
    if summary.sources:
        by_source: list[tuple[str | int, ...]] = list(summary.sources.items())
        sections.append(("Values by source", ("source", "rows"), by_source))
    sections += [
        ("Input files", ("file", "sha256"), inputs),
        ("Notes", ("note",), notes),
    ]
    return sections


def summary_headline(summary: RunSummary, counts: dict[str, int]) -> str:
    """The run in one sentence, as the Summary opens."""
    return headline(counts, dry_run=summary.dry_run, jobs=summary.positions)


def without_local_paths(text: str) -> str:
    """``text`` with every absolute path cut to its file name (``/home/ana/x.csv`` -> ``x.csv``)."""
    return _LOCAL_PATH.sub("", text)


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
    head: str = "",
    *,
    heading: str = "jobmojito-sync run summary",
    label: str = "results",
) -> str:
    """The Summary as plain text, for the file beside the CSV ``results``."""
    out = [heading, f"{label}: {cell_text(results.name)}", ""]
    if head:
        out[2:2] = [cell_text(head), ""]
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
