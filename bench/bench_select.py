"""Selection over 100,000 rows: what it costs beside reading and mapping them.

``python -m bench.bench_select DIR`` prints one JSON object. The export is the
pipeline bench's generic one plus the columns selection reads (a status, a
yes/no, a stage and an application date with a time), and the run has four
conditions: the generic mapping's ``status not in …`` default, two ``--where``
and ``--since 30d``; then nearer the worst case, with conditions most rows meet.
Target: selection under 10 % of read + map (of every row, selected or not).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROWS = 100_000
STATUSES = ["active", "active", "active", "rejected", "hired"]
STAGES = ["Applied", "Phone screen", "Interview", "Offer"]


def make_export(folder: Path, rows: int = ROWS) -> Path:
    """The generic applicants export with selection columns; cached by size."""
    path = folder / f"applicants_select_{rows}.csv"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "candidate_external_id",
                "candidate_name",
                "candidate_email",
                "candidate_country_code",
                "position_external_id",
                "position_name",
                "candidate_resume",
                "status",
                "hired",
                "stage",
                "application_date",
            ]
        )
        for i in range(rows):
            applied = start + timedelta(minutes=5 * i)
            w.writerow(
                [
                    f"C-{i:07d}",
                    f"Candidate {i} Example",
                    f"candidate{i}@example.com",
                    "DE",
                    f"JOB-{i % 50}",
                    f"Role {i % 50}",
                    f"Candidate {i}\nExperience: {i % 17} years of work\nSkills: Python, SQL",
                    STATUSES[i % len(STATUSES)],
                    "TRUE" if i % 11 == 0 else "FALSE",
                    STAGES[i % len(STAGES)],
                    applied.strftime("%Y-%m-%d %H:%M:%S"),
                ]
            )
    return path


def measure(folder: Path) -> dict[str, float]:
    from sync.inputs import read_inputs
    from sync.mapping import bind
    from sync.mapping.select import Selector, SelectSettings
    from sync.mapping.sources import DERIVED_FIELDS
    from sync.options import SyncOptions
    from sync.run import prepare

    today = datetime(2026, 12, 1, tzinfo=UTC).date()
    options = SyncOptions(
        applicants=make_export(folder),
        mapping="generic",
        dry_run=True,
        where=["hired is false", "stage in Applied, Phone screen"],
        since="30d",
    )
    t0 = time.perf_counter()
    inputs = read_inputs(options)
    read = time.perf_counter() - t0

    bound = bind(inputs.mapping, inputs.applicants, inputs.jobs, derived=DERIVED_FIELDS)
    settings = SelectSettings(
        today=today, where=tuple(options.where), since=options.since, last_run=None
    )
    t0 = time.perf_counter()
    split = Selector(bound, settings).split()
    select = time.perf_counter() - t0

    # Nearer the worst case: the rows the mapping's default keeps (60 %) meet every other
    # condition, so all four are evaluated for them.
    worst = SelectSettings(
        today=today, where=("hired is not blank", "stage is not blank"), since="400d"
    )
    t0 = time.perf_counter()
    kept_all = len(Selector(bound, worst).split().rows)
    select_all = time.perf_counter() - t0

    # Read + map with every row mapped: the same run without conditions.
    plain = options.model_copy(update={"where": [], "since": None})
    mapping = inputs.mapping.model_copy(update={"select": None})
    t0 = time.perf_counter()
    prepared = prepare(plain, inputs=type(inputs)(inputs.applicants, None, mapping, ""))
    mapped = time.perf_counter() - t0
    return {
        "rows": len(prepared.planned),
        "selected": len(split.rows),
        "read_seconds": read,
        "map_seconds": mapped,
        "select_seconds": select,
        "share": select / (read + mapped),
        "kept_all": kept_all,
        "select_all_seconds": select_all,
        "share_all": select_all / (read + mapped),
    }


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
