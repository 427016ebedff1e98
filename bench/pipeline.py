"""Read + map + validate (+ plan) of 100,000 generated applicants; results writing.

Each measurement runs in its own process so that its peak memory (ru_maxrss)
is its own: ``python -m bench.pipeline csv|xlsx|results DIR`` prints one JSON
object.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

ROWS = 100_000
COUNTRIES = ["DE", "France", "PT", "Brazil", "GB", "ES", "PL", "SE", "Japan", "IN"]


def make_inputs(folder: Path, rows: int = ROWS) -> dict[str, Path]:
    """Write applicants (CSV and XLSX) and jobs CSV, generic columns; cached by size."""
    folder.mkdir(parents=True, exist_ok=True)
    applicants_csv = folder / f"applicants_{rows}.csv"
    applicants_xlsx = folder / f"applicants_{rows}.xlsx"
    jobs_csv = folder / "jobs.csv"
    headers = [
        "candidate_external_id",
        "candidate_name",
        "candidate_email",
        "candidate_country_code",
        "candidate_linkedin_url",
        "position_external_id",
        "candidate_resume",
    ]

    def row(i: int) -> list[str]:
        return [
            f"C-{i:07d}",
            f"Candidate {i} Example",
            f"candidate{i}@example.com",
            COUNTRIES[i % len(COUNTRIES)],
            f"https://www.linkedin.com/in/c{i}",
            f"JOB-{i % 50}",
            f"Candidate {i}\nExperience: {i % 17} years of work\nSkills: Python, SQL, people",
        ]

    if not applicants_csv.exists():
        with applicants_csv.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for i in range(rows):
                w.writerow(row(i))
    if not applicants_xlsx.exists():
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("applicants")
        ws.append(headers)
        for i in range(rows):
            ws.append(row(i))
        wb.save(applicants_xlsx)
    if not jobs_csv.exists():
        with jobs_csv.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "position_external_id",
                    "position_name",
                    "position_location",
                    "position_country_code",
                    "mojito_language_code",
                ]
            )
            for j in range(50):
                w.writerow([f"JOB-{j}", f"Role {j}", "Remote", "DE", "en"])
    return {"csv": applicants_csv, "xlsx": applicants_xlsx, "jobs": jobs_csv}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, folder: Path) -> dict[str, float]:
    from sync.options import SyncOptions
    from sync.plan import result_line
    from sync.run import prepare

    files = make_inputs(folder)
    if kind in ("csv", "xlsx"):
        options = SyncOptions(
            applicants=files[kind], jobs=files["jobs"], mapping="generic", dry_run=True
        )
        t0 = time.perf_counter()
        prepared = prepare(options)
        elapsed = time.perf_counter() - t0
        n = len(prepared.planned)
        return {"rows": n, "seconds": elapsed, "rows_per_s": n / elapsed, "peak_mb": _peak_mb()}
    if kind == "results":
        from sync.records import RunSummary
        from sync.results import write_results

        options = SyncOptions(
            applicants=files["csv"], jobs=files["jobs"], mapping="generic", dry_run=True
        )
        lines = [result_line(p) for p in prepare(options).planned]
        for i, line in enumerate(lines):
            line.interview_url = f"https://sandbox.jobmojito.local/interview/{i}?token=abc{i}"
        summary = RunSummary("bench", "0", "generic", [], "", "", True)
        t0 = time.perf_counter()
        write_results(folder / "results_bench.xlsx", lines, summary)
        elapsed = time.perf_counter() - t0
        return {
            "rows": len(lines),
            "seconds": elapsed,
            "rows_per_s": len(lines) / elapsed,
            "peak_mb": _peak_mb(),
        }
    raise SystemExit(f"unknown kind {kind!r}")


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], Path(sys.argv[2]))))
