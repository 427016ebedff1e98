"""Small hostile files (issue 13): each costs memory bounded by what it holds, and ends as
a one-line message or a row's problem, never a crash. Every file is made by the test,
and the CLI runs under a memory cap (RLIMIT_AS in the child), so a regression fails
the test instead of the machine."""

from __future__ import annotations

import gzip
import io
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
import xlwt
from hardening import cli, one_line_error, write_applicants

from sync.errors import FieldProblem, InputError
from sync.jobmojito.fields import MAX_SHOWN, shown
from sync.readers import read_table
from sync.readers.documents import MAX_RESUME_CHARS, ParseWorker, document_text
from sync.readers.extent import check_extent, sheet_extent
from sync.resolve import resolve_options
from sync.run import prepare

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="S">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
CELL = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'


def xlsx(path: Path, cells: list[tuple[int, int, str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    for row, col, value in cells:
        sheet.write(row, col, value)
    book.close()
    return path


def ods(rows_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", ODS_HEAD + rows_xml + ODS_TAIL, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx(paragraphs: int, text: str = "Experienced analyst. ") -> bytes:
    """A real DOCX whose document.xml holds ``paragraphs`` paragraphs."""
    import docx as python_docx

    buffer = io.BytesIO()
    python_docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    body = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" * paragraphs
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body.encode(), 1)
            target.writestr(info.filename, data)
    return out.getvalue()


class TestWorkbooks:
    """Reading a workbook is bounded by its used cells, not by its dimensions."""

    def test_one_value_at_the_last_cell_of_a_sheet_reads_in_bounded_memory(
        self, tmp_path: Path
    ) -> None:
        path = xlsx(tmp_path / "far.xlsx", [(1048575, 16383, "x")])
        assert path.stat().st_size < 10_000
        done = cli("run", "--dry-run", "--applicants", str(path), "--mapping", "generic",
                   "--out", "r.csv", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2, done.stderr[-2000:]
        assert "no column for candidate_name" in one_line_error(done)  # read, then judged

    @pytest.mark.parametrize(
        ("cells", "corner"),
        [
            ([(0, 0, "a"), (1048575, 16383, "x")], "XFD1048576"),
            ([(0, 0, "a"), (199999, 999, "x")], "ALL200000"),
        ],
    )
    def test_a_stray_value_far_from_the_table_is_refused_naming_its_cell(
        self, tmp_path: Path, cells: list[tuple[int, int, str]], corner: str
    ) -> None:
        path = xlsx(tmp_path / "stray.xlsx", cells)
        done = cli("run", "--dry-run", "--applicants", str(path), "--mapping", "generic",
                   "--out", "r.csv", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2, done.stderr[-2000:]
        line = one_line_error(done)
        assert corner in line and "only 2 hold a value" in line

    def test_an_xls_with_values_at_both_corners_is_refused(self, tmp_path: Path) -> None:
        book = xlwt.Workbook()
        sheet = book.add_sheet("S")
        sheet.write(0, 0, "a")
        sheet.write(65535, 255, "x")
        book.save(str(tmp_path / "far.xls"))
        done = cli("run", "--dry-run", "--applicants", "far.xls", "--mapping", "generic",
                   "--out", "r.csv", cwd=tmp_path, cap=600 * 2**20)  # fmt: skip
        assert done.returncode == 2, done.stderr[-2000:]
        assert "IV65536" in one_line_error(done)

    def test_ods_repeated_cells_count_as_the_cells_they_stand_for(self) -> None:
        repeated = ods(
            '<table:table-row table:number-rows-repeated="100000">'
            '<table:table-cell table:number-columns-repeated="10000" office:value-type="string">'
            "<text:p>x</text:p></table:table-cell></table:table-row>"
        )
        extent = sheet_extent(repeated, "ods", 0)
        assert extent is not None and extent.used == 1_000_000_000
        with pytest.raises(InputError, match="holds 1,000,000,000 cells"):
            check_extent(extent, "rep.ods", "S")
        empty_gap = ods(
            f"<table:table-row>{CELL}"
            '<table:table-cell table:number-columns-repeated="16000"/>'
            f"{CELL}</table:table-row>"
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/>'
            f"</table:table-row><table:table-row>{CELL}</table:table-row>"
        )
        extent = sheet_extent(empty_gap, "ods", 0)
        assert extent is not None and extent.used == 3  # repeated empty cells are free
        with pytest.raises(InputError, match="only 3 hold a value"):
            check_extent(extent, "gap.ods", "S")

    @pytest.mark.parametrize(
        ("cells", "used", "first", "last"),
        [
            # every cell placed (as Excel writes it); one stray far away; empty <c/> ignored
            (
                '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2"/></row>'
                '<row r="9"><c r="AB9"><v>1</v></c></row>',
                2,
                (1, 1),
                (8, 27),
            ),
            # no r at all (some writers leave it out): counted along rows and cells
            (
                "<row><c><v>1</v></c><c><v>2</v></c></row><row><c/><c><v>3</v></c></row>",
                3,
                (0, 0),
                (1, 1),
            ),
            # placed and unplaced mixed: the unplaced one follows its neighbour
            ('<row r="3"><c r="D3"><v>1</v></c><c><v>2</v></c></row>', 2, (2, 3), (2, 4)),
            # a text longer than a chunk read does not hide the stray cell after it
            (
                '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 3_000_000 + "</t></is></c>"
                '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                2,
                (0, 0),
                (1048575, 16383),
            ),
            # the same where the text's cell leaves r out (counted cell by cell)
            (
                '<row r="1"><c t="inlineStr"><is><t>' + "x" * 3_000_000 + "</t></is></c>"
                '</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                2,
                (0, 0),
                (1048575, 16383),
            ),
        ],
        ids=["placed", "unplaced", "mixed", "long-text", "long-text-unplaced"],
    )
    def test_the_extent_of_cells_with_and_without_their_place(
        self, cells: str, used: int, first: tuple[int, int], last: tuple[int, int]
    ) -> None:
        sheet = (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{cells}</sheetData></worksheet>"
        )
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            archive.writestr(
                "xl/workbook.xml",
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
            )
            archive.writestr(
                "xl/_rels/workbook.xml.rels",
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
            )
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
        extent = sheet_extent(data.getvalue(), "xlsx", 0)
        assert extent is not None
        assert (extent.used, extent.first, extent.last) == (used, first, last)

    def test_a_table_below_and_right_of_a1_keeps_its_row_numbers_and_columns(
        self, tmp_path: Path
    ) -> None:
        path = xlsx(
            tmp_path / "offset.xlsx",
            [(4, 2, "Name"), (4, 3, "Email"), (5, 2, "Ana"), (5, 3, "ana@example.com")],
        )
        table = read_table(path)
        assert table.headers == ("Name", "Email")
        assert [(r.line, r.values["Email"]) for r in table.rows] == [(6, "ana@example.com")]


class TestResumes:
    """A resume costs bounded memory and time, and the run has a budget for them all."""

    def test_docx_unpacking_to_hundreds_of_megabytes_is_refused_unopened(self) -> None:
        body = b"<w:p>" + b"a" * (80 * 2**20) + b"</w:p>"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", body)
        assert len(out.getvalue()) < 1_000_000
        worker = ParseWorker()
        try:
            with pytest.raises(FieldProblem, match="unpacks to 80 MB"):
                document_text("cv.docx", out.getvalue(), worker=worker, parse_seconds=20,
                              max_chars=MAX_RESUME_CHARS)  # fmt: skip
            assert worker.pool is None  # never sent to the worker
        finally:
            worker.kill()

    def test_each_parse_runs_under_a_memory_cap(self) -> None:
        """A DOCX whose XML needs far more memory than the cap is refused; the run goes on."""
        data = docx(400_000)  # about 20 MB of XML, a few hundred MB as lxml's tree
        worker = ParseWorker(memory=64 * 2**20)
        try:
            with pytest.raises(FieldProblem, match="needs more than 64 MB of memory"):
                document_text("big.docx", data, worker=worker, parse_seconds=60,
                              max_chars=MAX_RESUME_CHARS)  # fmt: skip
            text = document_text("ok.docx", docx(3), worker=worker, parse_seconds=60,
                                 max_chars=MAX_RESUME_CHARS)  # fmt: skip
            assert "Experienced analyst" in text  # a fresh worker reads the next one
        finally:
            worker.kill()

    def test_the_run_has_a_budget_for_parsing_resumes(self) -> None:
        worker = ParseWorker(budget=30.0)
        try:
            assert document_text("a.docx", docx(3), worker=worker, parse_seconds=20,
                                 max_chars=MAX_RESUME_CHARS)  # fmt: skip
            assert 0 < worker.budget < 30.0  # the parse was charged
            worker.budget = 0.0
            started = time.monotonic()
            with pytest.raises(FieldProblem, match="minutes for reading PDF and DOCX resumes"):
                document_text("b.docx", docx(3), worker=worker, parse_seconds=20,
                              max_chars=MAX_RESUME_CHARS)  # fmt: skip
            assert time.monotonic() - started < 1  # refused without parsing
        finally:
            worker.kill()

    def test_resume_text_from_a_cell_is_cut_like_a_resume_file(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"], resume="x" * 3_000_000)
        options = resolve_options(
            {"applicants": tmp_path / "a.csv", "mapping": "generic", "dry_run": True}
        )
        [planned] = prepare(options).planned
        resume = planned.payload["candidate_resume"]
        assert len(resume) < MAX_RESUME_CHARS + 100 and resume.startswith("x" * 1000)
        assert "truncated by jobmojito-sync" in resume


class TestMappingAndTables:
    """A YAML alias bomb and an oversized export end at once with one line."""

    BOMB = (
        "version: 1\nname: bomb\nfields:\n  candidate_name: {column: candidate_name}\n"
        "  candidate_email: {column: candidate_email}\n"
        "  candidate_resume: {column: candidate_resume}\n"
        "  candidate_country_code: {const: &a9 [&a8 [&a7 [&a6 [&a5 [&a4 [&a3 [&a2 [&a1"
        " [x,x,x,x,x,x,x,x,x],*a1,*a1,*a1,*a1,*a1,*a1,*a1,*a1],*a2,*a2,*a2,*a2,*a2,*a2,*a2,*a2],"
        "*a3,*a3,*a3,*a3,*a3,*a3,*a3,*a3],*a4,*a4,*a4,*a4,*a4,*a4,*a4,*a4],*a5,*a5,*a5,*a5,*a5,"
        "*a5,*a5,*a5],*a6,*a6,*a6,*a6,*a6,*a6,*a6,*a6],*a7,*a7,*a7,*a7,*a7,*a7,*a7,*a7],*a8,*a8,"
        "*a8,*a8,*a8,*a8,*a8,*a8]}\n"
    )

    def test_yaml_alias_bomb_mapping_is_refused_at_once(self, tmp_path: Path) -> None:
        (tmp_path / "bomb.yaml").write_text(self.BOMB)
        write_applicants(tmp_path / "a.csv", ["Ana"])
        started = time.monotonic()
        done = cli("run", "--dry-run", "--applicants", "a.csv", "--mapping", "bomb.yaml",
                   "--out", "r.csv", cwd=tmp_path, cap=1 * 2**30, timeout=60)  # fmt: skip
        assert done.returncode == 2
        assert "expands to more than 100,000 values" in one_line_error(done)
        assert time.monotonic() - started < 30

    def test_a_message_never_writes_a_nested_value_out_whole(self) -> None:
        value: list[object] = ["x"] * 9
        for _ in range(9):
            value = [value] * 9  # 9**10 leaves, shared
        started = time.monotonic()
        assert len(shown(value)) <= MAX_SHOWN
        assert time.monotonic() - started < 1

    def test_a_csv_over_the_input_limit_is_refused_before_parsing(self, tmp_path: Path) -> None:
        path = write_applicants(tmp_path / "a.csv", [f"N{i}" for i in range(40_000)])
        assert path.stat().st_size > 2 * 2**20
        done = cli("run", "--dry-run", "--applicants", "a.csv", "--mapping", "generic",
                   "--out", "r.csv", "--max-input-mb", "1", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2
        assert "over the limit of 1 MB" in one_line_error(done)

    def test_a_gzipped_csv_whose_content_is_over_the_limit_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "a.csv.gz"
        path.write_bytes(gzip.compress(b"candidate_name\n" + b"Ana\n" * 600_000))
        assert path.stat().st_size < 100_000
        done = cli("run", "--dry-run", "--applicants", "a.csv.gz", "--mapping", "generic",
                   "--out", "r.csv", "--max-input-mb", "1", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2
        assert "refusing to unpack this gzip file" in one_line_error(done)
