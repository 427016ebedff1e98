"""Real files, real quirks: cover sheets, rows wider than the header, padded headers,
NUL bytes; and the notes column kept by the results sheet and the ledger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openpyxl import Workbook

from sync.ledger import open_ledger
from sync.ledger.schema import _SCHEMA_V1, SCHEMA_VERSION
from sync.options import SyncOptions
from sync.readers import read_table
from sync.records import ResultLine, RunSummary, Status
from sync.results import read_results, write_results
from sync.run import prepare
from tests.test_sources import MAPPING, RESUME

HEADER = ["Name", "Email", "Country", "Job", "Office", "Resume text"]


def options(tmp_path: Path, applicants: Path) -> SyncOptions:
    (tmp_path / "acme.yaml").write_text(MAPPING, encoding="utf-8")
    return SyncOptions(applicants=applicants, mapping=str(tmp_path / "acme.yaml"),
                       dry_run=True, out=tmp_path / "r.csv")  # fmt: skip


class TestWorkbooks:
    """The sheet whose header fits the mapping is read, whatever comes first."""

    def test_a_cover_sheet_is_passed_over_and_named(self, tmp_path: Path) -> None:
        wb = Workbook()
        cover = wb.active
        assert cover is not None
        cover.title = "Read me"
        cover.append(["This export lists the applications of the last 12 months."])
        cover.append(["Name", "the candidate"])  # one known word is not a header
        data = wb.create_sheet("Applications")
        data.append(HEADER)
        data.append(["Ana Silva", "ana@example.com", "PT", "Engineer", "Berlin", RESUME])
        wb.save(tmp_path / "export.xlsx")
        prepared = prepare(options(tmp_path, tmp_path / "export.xlsx"))
        assert prepared.applicants.sheet == "Applications"
        assert any("read sheet 'Applications'" in w and "'Read me'" in w for w in prepared.warnings)
        assert prepared.planned[0].status is Status.DRY_RUN


class TestDelimitedQuirks:
    """A wide row is that row's problem; padded headers and NUL bytes are harmless."""

    def test_a_row_wider_than_the_header_is_invalid_alone(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        good = f'Ana Silva,ana@example.com,PT,Engineer,Berlin,"{RESUME}"'
        wide = f'Bo Li,bo@example.com,PT,Engineer,Berlin,"{RESUME}",oops'
        path.write_text(",".join(HEADER) + "\n" + good + "\n" + wide + "\n", encoding="utf-8")
        ana, bo = prepare(options(tmp_path, path)).planned
        assert ana.status is Status.DRY_RUN
        assert bo.status is Status.INVALID
        assert "row: 7 cells but the header has 6 columns (column G holds 'oops'" in bo.reason

    def test_headers_match_ignoring_surrounding_spaces_and_nul_bytes(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        header = " Name ,Email\x00,Country ,Job,Office,  Resume text"
        row = f'Ana Silva,ana@exam\x00ple.com,PT,Engineer,Berlin,"{RESUME}"'
        path.write_bytes((header + "\n" + row + "\n").encode("utf-8"))
        table = read_table(path)
        assert table.headers == tuple(HEADER)
        assert any("NUL" in note for note in table.notes)
        (p,) = prepare(options(tmp_path, path)).planned
        assert p.payload["candidate_email"] == "ana@example.com"

    def test_the_lever_sample_keeps_its_trailing_space_header(self) -> None:
        sample = Path(__file__).resolve().parent.parent / "sample_data" / "lever_full"
        table = read_table(sample / "candidates.csv")
        assert "Archived At (GMT)" in table.headers  # "Archived At (GMT) " in the file
        assert any("NUL" in note for note in table.notes)


class TestNotesAreKept:
    """Where each value came from survives the results sheet and the ledger."""

    def line(self) -> ResultLine:
        return ResultLine("a.csv", 2, "Ana", "ana@example.com", "Engineer", Status.DRY_RUN,
                          notes="country DE from phone +49; resume from 21338490.pdf")  # fmt: skip

    def test_results_sheets_have_a_notes_column(self, tmp_path: Path) -> None:
        summary = RunSummary("r1", "0", "acme", [], "", "", True,
                             sources={"country: phone": 1})  # fmt: skip
        for name in ("r.xlsx", "r.csv"):
            write_results(tmp_path / name, [self.line()], summary)
            (row,) = read_results(tmp_path / name)
            assert row["notes"] == "country DE from phone +49; resume from 21338490.pdf"
        assert "Values by source" in (tmp_path / "r.summary.txt").read_text(encoding="utf-8")
        assert "country: phone" in (tmp_path / "r.summary.txt").read_text(encoding="utf-8")

    def test_an_old_ledger_is_migrated_and_keeps_notes(self, tmp_path: Path) -> None:
        path = tmp_path / "old.sqlite"
        conn = sqlite3.connect(path)
        conn.executescript(_SCHEMA_V1)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.commit()
        conn.close()
        with open_ledger(path) as ledger:
            run = ledger.start_run(inputs=[], mapping="acme", dry_run=False, tool_version="0",
                                   results_path="r.xlsx")  # fmt: skip
            ledger.record_plan(run, [self.line()], [False])
            (line,) = ledger.result_lines(run)
            ledger.finish_run(run, exit_code=0, counts={})
        assert line.notes == "country DE from phone +49; resume from 21338490.pdf"
        conn = sqlite3.connect(path)
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert int(version[0]) == SCHEMA_VERSION
