"""The results sheet: one line per row in order, text never a formula, clean and
bounded cells, the Summary, CSV with BOM and neutralised text, atomic writes."""

from __future__ import annotations

import csv
import dataclasses
import re
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from helpers import readme_section
from openpyxl import load_workbook

import sync.results.sheets as sheets
import sync.results.tables as tables
from sync.errors import EXIT_MEANINGS, InputError, UsageError
from sync.records import ResultLine, RunSummary, Status
from sync.results import (
    RESULT_COLUMNS,
    count_statuses,
    neutralise_csv,
    read_results,
    summary_text_path,
    write_results,
)

FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-Ana-",
    "@SUM(A1)",
    "+44 20 7946 0958",
    "=1+1",
    "\t=cmd",
]
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def line(i: int, status: Status = Status.AI_ACCEPT, **changes: Any) -> ResultLine:
    base = ResultLine(
        source_file="applicants.csv",
        source_row=i + 2,
        candidate_name=f"Candidate {i}",
        candidate_email=f"c{i}@example.com",
        position="JOB-1",
        status=status,
        reason="",
        interview_url=f"https://app.jobmojito.com/interview/{i}?t=abc",
        position_def_set_id="pds-1",
        profile_interview_id=f"pi-{i}",
        http_status=200,
        attempts=1,
    )
    return dataclasses.replace(base, **changes)


def summary(**changes: Any) -> RunSummary:
    base = RunSummary(
        run_id="run-42",
        tool_version="0.1.0",
        mapping="greenhouse",
        inputs=[("exports/applicants.csv", SHA), ("exports/jobs.csv", "ab" * 32)],
        started_at="2024-05-01T12:00:00+02:00",
        finished_at="2024-05-01T10:30:05+00:00",
        dry_run=False,
        exit_code=1,
        notes=["token from JOBMOJITO_TOKEN"],
    )
    return dataclasses.replace(base, **changes)


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {
            name: zf.read(name).decode("utf-8")
            for name in zf.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def results_cells(path: Path) -> list[list[Any]]:
    wb = load_workbook(path)
    try:
        return [[c for c in row] for row in wb["Results"].iter_rows()]
    finally:
        wb.close()


def summary_values(path: Path) -> dict[str, list[Any]]:
    """Summary rows keyed by their first cell: the rest of the row's values."""
    wb = load_workbook(path, read_only=True)  # normal mode is slow on 65k links
    try:
        rows = wb["Summary"].iter_rows(values_only=True)
        return {str(r[0]): [v for v in r[1:] if v is not None] for r in rows if r[0] is not None}
    finally:
        wb.close()


class TestColumns:
    """The column set is the documented one, and every column is a ResultLine field."""

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_order(self, tmp_path: Path, suffix: str) -> None:
        """The sheet's header is the README's column table, in its order."""
        table = readme_section("The results sheet").split("| column | meaning |")[1]
        rows = table.strip().split("\n\n")[0].splitlines()[1:]  # below | --- | --- |
        cells = [row.split("|")[1] for row in rows]
        documented = [name for cell in cells for name in re.findall(r"`(\w+)`", cell)]
        assert list(RESULT_COLUMNS) == documented
        out = write_results(tmp_path / f"r{suffix}", [line(0)], summary())
        if suffix == ".csv":
            with out.open(encoding="utf-8-sig", newline="") as fh:
                header = next(csv.reader(fh))
        else:
            header = [c.value for c in results_cells(out)[0]]
        assert header == documented

    def test_columns_are_fields(self) -> None:
        fields = {f.name for f in dataclasses.fields(ResultLine)} | {"position_id"}  # a property
        assert set(RESULT_COLUMNS) <= fields


class TestCountStatuses:
    """Counts come out in Status order, zero counts left out."""

    def test_enum_order_and_non_zero_only(self) -> None:
        lines = [
            line(0, Status.FAILED),
            line(1, Status.AI_ACCEPT),
            line(2, Status.FAILED),
            line(3, Status.DRY_RUN),
            line(4, Status.AI_REJECT),
        ]
        counts = count_statuses(lines)
        assert list(counts.items()) == [
            ("ai_accept", 1),
            ("ai_reject", 1),
            ("failed", 2),
            ("dry_run", 1),
        ]

    def test_empty(self) -> None:
        assert count_statuses([]) == {}


class TestNeutraliseCsv:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other text is kept."""

    @pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1"])
    def test_formula_starts(self, value: str) -> None:
        assert neutralise_csv(value) == "'" + value

    @pytest.mark.parametrize("value", ["", "Ana", "a=b", " =1", "1+1", "'=x", "https://x"])
    def test_plain_text(self, value: str) -> None:
        assert neutralise_csv(value) == value


class TestXlsxLines:
    """The Results sheet holds a header and one row per ResultLine, in the order given."""

    def test_one_row_per_line_in_order(self, tmp_path: Path) -> None:
        lines = [line(i, status) for i, status in enumerate(Status)]
        lines.reverse()
        out = write_results(tmp_path / "r.xlsx", lines, summary())
        assert out == tmp_path / "r.xlsx"
        rows = read_results(out)
        assert [r["candidate_name"] for r in rows] == [x.candidate_name for x in lines]
        assert [r["status"] for r in rows] == [x.status.value for x in lines]

    def test_header_and_types(self, tmp_path: Path) -> None:
        lines = [line(0), line(1, Status.INVALID, http_status=None, attempts=0, reason="bad")]
        cells = results_cells(write_results(tmp_path / "r.xlsx", lines, summary()))
        assert [c.value for c in cells[0]] == list(RESULT_COLUMNS)
        first = dict(zip(RESULT_COLUMNS, cells[1], strict=True))
        assert first["source_row"].value == 2
        assert first["source_row"].data_type == "n"
        assert first["http_status"].value == 200
        assert first["attempts"].value == 1
        assert first["candidate_name"].data_type == "s"
        second = dict(zip(RESULT_COLUMNS, cells[2], strict=True))
        assert second["http_status"].value is None
        assert second["attempts"].value == 0
        assert second["reason"].value == "bad"

    def test_no_lines_still_a_sheet(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", [], summary())
        assert read_results(out) == []
        assert summary_values(out)["total"] == [0]


class TestXlsxLayout:
    """The header is bold, filled, frozen and filtered; widths are capped; URLs are links."""

    def test_header_style_freeze_filter(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", [line(i) for i in range(3)], summary())
        wb = load_workbook(out)
        ws = wb["Results"]
        assert wb.sheetnames == ["Results", "Problems", "Summary", "Statuses"]
        assert all(c.font.bold for c in ws[1])
        assert all(c.fill.fgColor.rgb == "FFDDEBF7" for c in ws[1])
        assert not ws["C2"].font.bold
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == "A1:N4"  # every column of RESULT_COLUMNS
        wb.close()

    def test_column_widths_fit_and_are_capped(self, tmp_path: Path) -> None:
        lines = [line(0, reason="x" * 500, candidate_name="Maximilian Mustermann-Schmidt")]
        wb = load_workbook(write_results(tmp_path / "r.xlsx", lines, summary()))
        dims = wb["Results"].column_dimensions
        assert dims["H"].width <= sheets.REASON_WIDTH + 1  # reason, capped
        assert dims["H"].width >= sheets.REASON_WIDTH - 1
        assert dims["C"].width >= len("Maximilian Mustermann-Schmidt")
        assert dims["A"].width >= len("source_file")
        wb.close()

    def test_interview_url_is_a_link(self, tmp_path: Path) -> None:
        lines = [line(0), line(1, interview_url=""), line(2, interview_url="javascript:alert(1)")]
        cells = results_cells(write_results(tmp_path / "r.xlsx", lines, summary()))
        col = RESULT_COLUMNS.index("interview_url")
        url = cells[1][col]
        assert url.value == "https://app.jobmojito.com/interview/0?t=abc"
        assert url.hyperlink is not None
        assert url.hyperlink.target == "https://app.jobmojito.com/interview/0?t=abc"
        assert url.style == "Hyperlink"
        assert cells[2][col].value is None
        assert cells[3][col].value == "javascript:alert(1)"
        assert cells[3][col].hyperlink is None

    def test_status_colours(self, tmp_path: Path) -> None:
        statuses = [Status.AI_ACCEPT, Status.RECRUITER_ACTION, Status.FAILED, Status.DRY_RUN]
        lines = [line(i, s) for i, s in enumerate(statuses)]
        cells = results_cells(write_results(tmp_path / "r.xlsx", lines, summary()))
        col = RESULT_COLUMNS.index("status")
        fills = [row[col].fill.fgColor.rgb for row in cells[1:]]
        assert fills[:3] == ["FFC6EFCE", "FFFFEB9C", "FFFFC7CE"]
        assert fills[3] not in fills[:3]


class TestFormulaSafety:
    """Formula-looking text is stored as a string cell and reads back exactly as typed."""

    @pytest.mark.parametrize("value", FORMULAS)
    def test_xlsx_reads_back_verbatim_as_string(self, tmp_path: Path, value: str) -> None:
        lines = [line(0, candidate_name=value, reason=value, position=value)]
        cells = results_cells(write_results(tmp_path / "r.xlsx", lines, summary()))
        row = dict(zip(RESULT_COLUMNS, cells[1], strict=True))
        for column in ("candidate_name", "reason", "position"):
            assert row[column].value == value
            assert row[column].data_type == "s"

    def test_no_formula_element_anywhere(self, tmp_path: Path) -> None:
        lines = [line(i, candidate_name=v, candidate_email=v) for i, v in enumerate(FORMULAS)]
        evil = summary(mapping="=cmd|' /C calc'!A0", run_id="+run", notes=["=1+2", "@x"])
        out = write_results(tmp_path / "r.xlsx", lines, evil)
        xml = sheet_xml(out)
        assert len(xml) == 4
        for text in xml.values():
            assert "<f>" not in text
            assert "<f " not in text
        values = summary_values(out)
        assert values["mapping"] == ["=cmd|' /C calc'!A0"]
        assert values["run id"] == ["+run"]
        assert "=1+2" in values

    def test_csv_apostrophe_prefix(self, tmp_path: Path) -> None:
        lines = [line(i, candidate_name=v) for i, v in enumerate(FORMULAS)]
        rows = read_results(write_results(tmp_path / "r.csv", lines, summary()))
        assert [r["candidate_name"] for r in rows] == ["'" + v for v in FORMULAS]


class TestCellCleaning:
    """Characters XML cannot hold are replaced and cells are cut to Excel's 32,767 limit."""

    @pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
    def test_control_characters_replaced(self, tmp_path: Path, suffix: str) -> None:
        name = "Ana\x00 Lu\x1bz\x07\x0b\ud800"
        lines = [line(0, candidate_name=name, reason="line one\nline\ttwo")]
        rows = read_results(write_results(tmp_path / f"r{suffix}", lines, summary()))
        assert rows[0]["candidate_name"] == "Ana\ufffd Lu\ufffdz\ufffd\ufffd\ufffd"
        assert rows[0]["reason"] == "line one\nline\ttwo"

    @pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
    def test_long_text_cut(self, tmp_path: Path, suffix: str) -> None:
        lines = [line(0, reason="y" * 40_000)]
        rows = read_results(write_results(tmp_path / f"r{suffix}", lines, summary()))
        assert rows[0]["reason"] == "y" * 32_767

    def test_cut_counts_utf16_units_and_keeps_pairs_whole(self, tmp_path: Path) -> None:
        text = "a" + "😀" * 20_000  # 40,001 UTF-16 units
        lines = [line(0, reason=text)]
        rows = read_results(write_results(tmp_path / "r.xlsx", lines, summary()))
        assert rows[0]["reason"] == "a" + "😀" * 16_383
        assert len(rows[0]["reason"].encode("utf-16-le")) // 2 == 32_767

    def test_excel_escape_lookalike_kept(self, tmp_path: Path) -> None:
        lines = [line(0, candidate_name="_x0041_ Ana")]
        rows = read_results(write_results(tmp_path / "r.xlsx", lines, summary()))
        assert rows[0]["candidate_name"] == "_x0041_ Ana"


class TestSummarySheet:
    """The Summary sheet tells counts, inputs with SHA-256, mapping, version, exit and times."""

    def test_content(self, tmp_path: Path) -> None:
        lines = [line(0), line(1), line(2, Status.INVALID), line(3, Status.FAILED)]
        values = summary_values(write_results(tmp_path / "r.xlsx", lines, summary()))
        assert values["run id"] == ["run-42"]
        assert values["tool version"] == ["0.1.0"]
        assert values["mapping"] == ["greenhouse"]
        assert values["dry run"] == ["no"]
        assert values["exit code"] == [1]
        assert values["exit meaning"] == [EXIT_MEANINGS[1]]
        assert values["started (UTC)"] == ["2024-05-01T10:00:00Z"]
        assert values["finished (UTC)"] == ["2024-05-01T10:30:05Z"]
        assert values["applicants.csv"] == [SHA]  # names only: no local paths
        assert values["jobs.csv"] == ["ab" * 32]
        assert values["token from JOBMOJITO_TOKEN"] == []

    def test_every_status_counted_and_total(self, tmp_path: Path) -> None:
        lines = [line(0), line(1), line(2, Status.INVALID), line(3, Status.FAILED)]
        values = summary_values(write_results(tmp_path / "r.xlsx", lines, summary()))
        assert values["ai_accept"] == [2]
        assert values["invalid"] == [1]
        assert values["failed"] == [1]
        assert "dry_run" not in values  # only the statuses that occurred
        assert values["total"] == [4]

    def test_only_counted_statuses_coloured(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "r.xlsx", [line(0, Status.FAILED)], summary())
        wb = load_workbook(out)
        fills = {
            row[0].value: row[0].fill.fgColor.rgb if row[0].fill.fill_type else None
            for row in wb["Summary"].iter_rows()
        }
        wb.close()
        assert fills["failed"] == "FFFFC7CE"
        assert "invalid" not in fills and "ai_accept" not in fills
        assert fills["total"] is None

    def test_dry_run_and_unparsed_times(self, tmp_path: Path) -> None:
        run = summary(dry_run=True, exit_code=0, started_at="", finished_at="yesterday")
        values = summary_values(write_results(tmp_path / "r.xlsx", [line(0)], run))
        assert values["dry run"] == ["yes"]
        assert values["exit meaning"] == [EXIT_MEANINGS[0]]
        assert values["started (UTC)"] == []
        assert values["finished (UTC)"] == ["yesterday"]


class TestCsv:
    """The CSV is UTF-8 with a BOM, one row per line, with a text summary beside it."""

    def test_bom_header_and_rows(self, tmp_path: Path) -> None:
        lines = [line(0, candidate_name='Zoë, "Jr"'), line(1, http_status=None)]
        out = write_results(tmp_path / "r.csv", lines, summary())
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        with out.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(RESULT_COLUMNS)
        assert len(rows) == 3
        first = dict(zip(RESULT_COLUMNS, rows[1], strict=True))
        assert first["candidate_name"] == 'Zoë, "Jr"'
        assert first["source_row"] == "2"
        assert first["http_status"] == "200"
        assert dict(zip(RESULT_COLUMNS, rows[2], strict=True))["http_status"] == ""

    def test_summary_text_beside_it(self, tmp_path: Path) -> None:
        lines = [line(0), line(1, Status.INVALID)]
        out = write_results(tmp_path / "r.csv", lines, summary(mapping="=evil\x1b[31m"))
        side = summary_text_path(out)
        assert side == tmp_path / "r.summary.txt"
        text = side.read_text(encoding="utf-8")
        assert "run-42" in text
        assert SHA in text
        assert re.search(r"ai_accept\s+1\n", text)
        assert re.search(r"total\s+2\n", text)
        assert "2024-05-01T10:00:00Z" in text
        assert "\x1b" not in text
        assert "- token from JOBMOJITO_TOKEN" in text

    def test_summary_text_empty_values(self, tmp_path: Path) -> None:
        run = summary(started_at="", notes=[])
        out = write_results(tmp_path / "r.csv", [], run)
        text = summary_text_path(out).read_text(encoding="utf-8")
        assert "\n  started (UTC)\n" in text
        assert "Notes\n  (none)\n" in text
        assert "total  0" in text


class TestUsage:
    """Only .xlsx and .csv are written; the message names the path and both choices."""

    @pytest.mark.parametrize("name", ["results.xls", "results.txt", "results"])
    def test_unknown_extension(self, tmp_path: Path, name: str) -> None:
        target = tmp_path / "out" / name
        with pytest.raises(UsageError) as err:
            write_results(target, [line(0)], summary())
        message = str(err.value)
        assert str(target) in message
        assert ".xlsx" in message
        assert ".csv" in message
        assert not (tmp_path / "out").exists()

    def test_suffix_case_ignored_and_parent_created(self, tmp_path: Path) -> None:
        out = write_results(tmp_path / "a" / "b" / "R.XLSX", [line(0)], summary())
        assert out.is_file()
        assert len(read_results(out)) == 1

    def test_read_results_errors(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError):
            read_results(tmp_path / "r.json")
        with pytest.raises(InputError, match="no such results file"):
            read_results(tmp_path / "missing.xlsx")


class TestAtomicWrite:
    """A write that fails leaves the previous file as it was and no temporary files."""

    @pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
    def test_failure_keeps_previous_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
    ) -> None:
        target = tmp_path / f"r{suffix}"
        write_results(target, [line(0)], summary())
        before = target.read_bytes()
        real_text = tables.cell_text
        calls = 0

        def crash_midway(value: object) -> str:
            nonlocal calls
            calls += 1
            if calls > 50:
                raise RuntimeError("disk on fire")
            return real_text(value)

        monkeypatch.setattr(tables, "cell_text", crash_midway)
        with pytest.raises(RuntimeError, match="disk on fire"):
            write_results(target, [line(i) for i in range(100)], summary())
        assert target.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            {target.name, summary_text_path(target).name} if suffix == ".csv" else {target.name}
        )

    def test_failure_removes_scratch_files(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        scratch = tmp_path / "scratch"
        scratch.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(scratch))

        def boom(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("crash before close")

        monkeypatch.setattr(sheets, "write_summary_sheet", boom)
        with pytest.raises(RuntimeError):
            write_results(tmp_path / "out" / "r.xlsx", [line(i) for i in range(10)], summary())
        assert list(scratch.iterdir()) == []
        assert list((tmp_path / "out").iterdir()) == []

    def test_replacing_keeps_file_mode(self, tmp_path: Path) -> None:
        target = tmp_path / "r.xlsx"
        write_results(target, [line(0)], summary())
        target.chmod(0o600)
        write_results(target, [line(0), line(1)], summary())
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert len(read_results(target)) == 2


class TestHyperlinkLimit:
    """Past Excel's 65,530 links per sheet, URLs are plain text and every row is still there."""

    @staticmethod
    def lines(n: int) -> list[ResultLine]:
        return [
            ResultLine("a.csv", i + 2, "", "", "", Status.AI_ACCEPT, interview_url=f"https://x/{i}")
            for i in range(n)
        ]

    @staticmethod
    def check(out: Path, limit: int, n: int) -> None:
        xml = sheet_xml(out)["xl/worksheets/sheet1.xml"]
        assert xml.count("<hyperlink ") == limit
        assert f'<hyperlink ref="I{limit + 1}"' in xml
        assert f'<hyperlink ref="I{limit + 2}"' not in xml
        rows = read_results(out)
        assert len(rows) == n
        assert [r["interview_url"] for r in rows[-8:]] == [
            f"https://x/{i}" for i in range(n - 8, n)
        ]
        notes = [k for k in summary_values(out) if k.startswith("interview_url:")]
        assert len(notes) == 1
        assert f"{n - limit} later URLs are plain text" in notes[0]

    def test_urls_past_the_limit_are_text(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tables, "EXCEL_LINKS_PER_SHEET", 20)
        out = write_results(tmp_path / "r.xlsx", self.lines(29), summary())
        self.check(out, 20, 29)

    @pytest.mark.slow
    def test_more_urls_than_excel_allows(self, tmp_path: Path) -> None:
        n = tables.EXCEL_LINKS_PER_SHEET + 7
        out = write_results(tmp_path / "r.xlsx", self.lines(n), summary())
        self.check(out, tables.EXCEL_LINKS_PER_SHEET, n)
