"""Resume matching: 10,000 rows against a folder of 10,000 files and a zip of 10,000.

A third of the rows name their file in a column (``Files``), a third are found
by their id (``<id>-attachments/resume.txt``), a third by their e-mail in the
file name. The figure is the whole ``prepare`` (read, map, find and read every
resume, countries from the phone, validate, plan): target under 10 s each.
"""

from __future__ import annotations

import csv
import time
import zipfile
from pathlib import Path

ROWS = 10_000
MAPPING = """
version: 1
name: bench
fields:
  candidate_name: {column: Name}
  candidate_email: {column: Email, transforms: [email]}
  position_name: {column: Job}
  position_location: {column: Office}
resume:
  files: [Files]
  ids: [ID]
candidate_country:
  phone: [Phone]
"""


def _file(i: int) -> tuple[str, str]:
    text = f"Candidate {i}\nBackend engineer, {i % 20} years of Python, SQL and cloud services.\n"
    if i % 3 == 0:
        return f"files/{100000 + i}.txt", text
    if i % 3 == 1:
        return f"{100000 + i}-attachments/resume.txt", text
    return f"by-mail/c{i}@example.com.txt", text


def make_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    export, cv_dir, cv_zip = folder / "export.csv", folder / "cv", folder / "cv.zip"
    (folder / "bench.yaml").write_text(MAPPING, encoding="utf-8")
    if not export.exists():
        with export.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["ID", "Name", "Email", "Phone", "Job", "Office", "Files"])
            for i in range(ROWS):
                named = f"{100000 + i}.txt" if i % 3 == 0 else ""
                w.writerow([100000 + i, f"Person {i} Example", f"c{i}@example.com",
                            "+49 89 1234567", "Engineer", "Berlin", named])  # fmt: skip
    if not cv_dir.exists():
        for i in range(ROWS):
            name, text = _file(i)
            (cv_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (cv_dir / name).write_text(text, encoding="utf-8")
    if not cv_zip.exists():
        with zipfile.ZipFile(cv_zip, "w", zipfile.ZIP_DEFLATED) as zf:
            for i in range(ROWS):
                name, text = _file(i)
                zf.writestr(name, text)
    return {"export": export, "folder": cv_dir, "zip": cv_zip, "mapping": folder / "bench.yaml"}


def bench_resumes(folder: Path) -> dict[str, float]:
    from sync.options import SyncOptions
    from sync.records import Status
    from sync.run import prepare

    paths = make_inputs(folder)
    out: dict[str, float] = {}
    for kind in ("folder", "zip"):
        options = SyncOptions(applicants=paths["export"], mapping=str(paths["mapping"]),
                              resumes=paths[kind], dry_run=True, out=folder / "r.csv")  # fmt: skip
        start = time.perf_counter()
        planned = prepare(options).planned
        seconds = time.perf_counter() - start
        ok = sum(p.status is Status.DRY_RUN for p in planned)
        out[f"10,000 rows, {kind} of 10,000 files: seconds"] = seconds
        out[f"10,000 rows, {kind}: rows with a resume"] = ok
    return out


if __name__ == "__main__":
    import tempfile

    for key, value in bench_resumes(Path(tempfile.gettempdir()) / "jobmojito-bench").items():
        print(f"{key:<48} {value:>10,.2f}")
