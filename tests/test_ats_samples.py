"""Every ATS sample export in sample_data/<ats>/ is detected and mapped as hand-checked.

Each folder holds an export written to look like that ATS's real one and an
``expected.json``::

    {
      "mapping": "lever",                 # the mapping --mapping auto must pick
      "applicants": "applicants.csv",     # file names inside the folder
      "jobs": "jobs.csv",                 # or null
      "resumes": "resumes.zip",           # folder or zip for --resumes, or null
      "options": {"candidate_country_from": "job"},  # run options (flags), if any
      "rows": {"2": {...}},               # Excel row -> the whole payload, hand-checked
      "invalid": {"9": "candidate_email"}, # Excel row -> text its reason contains
      "excluded": {"11": "Status is 'Hired'"},  # Excel row -> its exclusion reason
      "notes": {"2": "resume from 21338490.pdf"}  # Excel row -> text its notes contain
    }

"excluded" lists exactly the archived, rejected, hired, withdrawn and
disqualified rows of the sample (hand-checked against its file): the mapping's
``select:`` defaults must exclude those and no other. Every other row must map
to a valid payload. Adding an ATS is adding a folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import SAMPLES, Cli, read_sheet, write_export

from sync.mapping.detect import MARGIN, all_signature_columns, choose_mapping, score_mappings
from sync.options import SyncOptions
from sync.readers import read_table
from sync.records import Status
from sync.run import prepare

FOLDERS = sorted(p.parent for p in SAMPLES.glob("*/expected.json"))


def _expected(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return data


def _options(folder: Path, exp: dict[str, Any], **extra: Any) -> SyncOptions:
    fields: dict[str, Any] = {
        "applicants": folder / exp["applicants"],
        "jobs": folder / exp["jobs"] if exp.get("jobs") else None,
        "resumes": folder / exp["resumes"] if exp.get("resumes") else None,
        "dry_run": True,
        "out": Path("unused.csv"),
    }
    fields.update(exp.get("options", {}))
    fields.update(extra)
    return SyncOptions(**fields)


def test_there_are_samples() -> None:
    assert len(FOLDERS) >= 1


@pytest.fixture(params=FOLDERS, ids=[f.name for f in FOLDERS])
def folder(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_detected_with_a_clear_lead(folder: Path) -> None:
    exp = _expected(folder)
    table = read_table(folder / exp["applicants"], expect=all_signature_columns())
    choice = choose_mapping(table.headers, file_name=table.name)
    assert choice.mapping.name == exp["mapping"]
    scores = score_mappings(table.headers)
    assert scores[0].mapping.name == exp["mapping"]
    if len(scores) > 1:
        assert scores[0].score - scores[1].score >= MARGIN, [
            (s.mapping.name, round(s.score, 2)) for s in scores[:3]
        ]


def test_payloads_and_outcomes(folder: Path) -> None:
    exp = _expected(folder)
    prepared = prepare(_options(folder, exp))
    assert prepared.mapping.name == exp["mapping"]
    by_line = {p.row.line: p for p in prepared.planned}
    assert len(by_line) == len(prepared.applicants.rows)

    for line, payload in exp["rows"].items():
        row = by_line[int(line)]
        assert row.status is Status.DRY_RUN, (line, row.reason)
        assert row.payload == payload, line

    invalid = {int(k): v for k, v in exp.get("invalid", {}).items()}
    excluded = {int(k): v for k, v in exp.get("excluded", {}).items()}
    for line, row in by_line.items():
        if line in excluded:
            assert row.status is Status.EXCLUDED, (line, row.status, row.reason)
            assert row.reason == excluded[line], line
        elif line in invalid:
            assert row.status in (Status.INVALID, Status.DUPLICATE), line
            assert invalid[line] in row.reason, (line, row.reason)
        else:
            assert row.status is Status.DRY_RUN, (line, row.reason)
    for line, note in exp.get("notes", {}).items():
        assert note in by_line[int(line)].notes, (line, by_line[int(line)].notes)


def test_tolerates_reordered_and_extra_columns(folder: Path, tmp_path: Path) -> None:
    """Real exports differ by account: custom fields, another column order."""
    exp = _expected(folder)
    table = read_table(folder / exp["applicants"], expect=all_signature_columns())
    headers = [*reversed(table.headers), "Custom field: T-shirt size", "Internal notes"]
    shuffled = write_export(
        tmp_path / "applicants.csv",
        headers,
        [[*(row.values.get(h, "") for h in reversed(table.headers)), "M", "call back"]
         for row in table.rows],
    )  # fmt: skip

    original = prepare(_options(folder, exp))
    moved = prepare(_options(folder, exp, applicants=shuffled))
    assert moved.mapping.name == exp["mapping"]
    # Header-row offsets (title rows) may differ: compare in input order.
    assert [p.payload for p in moved.planned] == [p.payload for p in original.planned]
    assert [p.status for p in moved.planned] == [p.status for p in original.planned]


def test_cli_dry_run(cli: Cli, folder: Path, tmp_path: Path) -> None:
    """``run --dry-run`` with --mapping auto: the mapping named, one line per row."""
    exp = _expected(folder)
    out = tmp_path / "results.csv"
    args = ["run", "--dry-run", "--out", str(out)]
    args += ["--applicants", str(folder / exp["applicants"])]
    if exp.get("jobs"):
        args += ["--jobs", str(folder / exp["jobs"])]
    if exp.get("resumes"):
        args += ["--resumes", str(folder / exp["resumes"])]
    for key, value in exp.get("options", {}).items():
        flag = "--" + key.replace("_", "-")
        args += [flag] if value is True else [flag, str(value)]
    done = cli(*args)
    problems = any(p.status is Status.INVALID for p in prepare(_options(folder, exp)).planned)
    assert done.exit_code == (1 if problems else 0), done.stderr[-2000:]
    assert exp["mapping"] in done.stderr + done.stdout
    lines = read_sheet(out)
    table = read_table(folder / exp["applicants"], expect=all_signature_columns())
    assert len(lines) == len(table.rows)
    excluded = {ln["source_row"]: ln["reason"] for ln in lines if ln["status"] == "excluded"}
    assert excluded == exp.get("excluded", {})
    notes = {line["source_row"]: line["notes"] for line in lines}
    for line, note in exp.get("notes", {}).items():
        assert note in notes[line], (line, notes[line])
