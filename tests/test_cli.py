"""The real CLI on the sample data and on bad input (issue 2's acceptance)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sync.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, stdin=subprocess.DEVNULL)  # fmt: skip


def sample_rows(name: str) -> int:
    with (SAMPLES / name).open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_dry_run_on_the_sample_data(tmp_path: Path, ext: str) -> None:
    out = tmp_path / "results.xlsx"
    done = run("run", "--dry-run", "--applicants", str(SAMPLES / f"applicants.{ext}"),
               "--jobs", str(SAMPLES / f"jobs.{ext}"), "--mapping", "generic",
               "--out", str(out))  # fmt: skip
    assert done.returncode == 1, done.stderr  # the sample holds deliberately bad rows
    wb = load_workbook(out)
    ws = wb["Results"]
    rows = list(ws.iter_rows(values_only=True))
    header, lines = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "status" in header and "reason" in header
    assert len(lines) == sample_rows("applicants.csv")
    assert [ln["source_row"] for ln in lines] == sorted(ln["source_row"] for ln in lines)
    statuses = {ln["status"] for ln in lines}
    assert statuses == {"dry_run", "invalid", "duplicate"}
    for ln in lines:
        if ln["status"] == "invalid":
            assert str(ln["reason"]).split(":")[0] in {
                "candidate_email", "candidate_country_code", "candidate_resume", "position",
            }, ln["reason"]  # fmt: skip
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title


def test_formula_looking_cells_stay_text(tmp_path: Path) -> None:
    tricky = ['=HYPERLINK("http://x","y")', "-Ana-", "@SUM(A1)", "+44 20 7946 0958"]
    applicants = tmp_path / "applicants.csv"
    with applicants.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["candidate_name", "candidate_email", "candidate_country_code",
                         "candidate_resume", "position_name", "position_location",
                         "position_country_code", "mojito_language_code"])  # fmt: skip
        for i, name in enumerate(tricky):
            writer.writerow([name, f"p{i}@example.com", "GB", "cv", "Job", "London", "GB", "en"])
    for out in ("r.xlsx", "r.csv"):
        done = run("run", "--dry-run", "--applicants", str(applicants), "--mapping", "generic",
                   "--out", str(tmp_path / out))  # fmt: skip
        assert done.returncode == 0, done.stderr
    ws = load_workbook(tmp_path / "r.xlsx")["Results"]
    names = [row[2].value for row in ws.iter_rows(min_row=2)]
    assert names == tricky  # exactly as typed
    assert all(row[2].data_type == "s" for row in ws.iter_rows(min_row=2))
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        csv_names = [line["candidate_name"] for line in csv.DictReader(fh)]
    assert csv_names == ["'" + t for t in tricky]  # OWASP: neutralised for spreadsheets


BAD_FILES = {
    "missing.csv": None,
    "empty.csv": b"",
    "dup.csv": b"a,b,a\n1,2,3\n",
    "bin.csv": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_files_exit_2_with_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if BAD_FILES[name] is not None:
        path.write_bytes(BAD_FILES[name])  # type: ignore[arg-type]
    done = run("run", "--dry-run", "--applicants", str(path), "--mapping", "generic",
               "--out", str(tmp_path / "r.xlsx"))  # fmt: skip
    assert done.returncode == 2
    assert name in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_mapping_mistakes_exit_2(tmp_path: Path) -> None:
    applicants = SAMPLES / "applicants.csv"
    unknown = run("run", "--dry-run", "--applicants", str(applicants), "--mapping", "grenhouse")
    assert unknown.returncode == 2 and "grenhouse" in unknown.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text("version: 1\nname: typo\nfeilds: {}\n", encoding="utf-8")
    bad = run("run", "--dry-run", "--applicants", str(applicants), "--mapping", str(typo))
    assert bad.returncode == 2
    assert "feilds" in bad.stderr and "fields" in bad.stderr and "Traceback" not in bad.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = run("--debug", "run", "--dry-run", "--applicants", str(tmp_path / "nope.csv"))
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_an_internal_error_exits_70(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("sync.run.execute", boom)
    result = CliRunner().invoke(cli, ["run", "--dry-run", "--applicants",
                                      str(SAMPLES / "applicants.csv")])  # fmt: skip
    assert result.exit_code == 70


def test_results_extension_is_checked(tmp_path: Path) -> None:
    done = run("run", "--dry-run", "--applicants", str(SAMPLES / "applicants.csv"),
               "--out", str(tmp_path / "r.txt"))  # fmt: skip
    assert done.returncode == 2 and ".xlsx or .csv" in done.stderr


@pytest.mark.parametrize("command", ["run", "mappings", "report", "history", "sandbox"])
def test_help_teaches(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
