"""Tests for sync.readers: every input file is written by the test into tmp_path."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest

from sync.errors import InputError
from sync.readers import list_sheets, normalise_header, read_table, sniff_format
from sync.records import Table

# ----------------------------------------------------------------------- helpers


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_text(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes(tmp_path, name, text.encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """A real workbook via openpyxl; each sheet's rows start at A1 (None = empty cell)."""
    book = openpyxl.Workbook()
    for index, (title, rows) in enumerate(sheets.items()):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = str(value).lower()
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}">'
            f"<text:p>{flag.upper()}</text:p></table:table-cell>"
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
        "</table:table-cell>"
    )


def write_ods(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """A minimal OpenDocument spreadsheet: mimetype, content.xml, manifest."""
    tables = ""
    for title, rows in sheets.items():
        body = "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        tables += f'<table:table table:name="{escape(title)}">{body}</table:table>'
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def values(table: Table) -> list[dict[str, str]]:
    return [row.values for row in table.rows]


def lines(table: Table) -> list[int]:
    return [row.line for row in table.rows]


def read_error(path: Path, **kwargs: object) -> str:
    with pytest.raises(InputError) as caught:
        read_table(path, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


# ------------------------------------------------------------------------- tests


class TestEncodings:
    """CSV bytes decode the way Excel wrote them, and the encoding used is reported."""

    def test_utf8(self, tmp_path: Path) -> None:
        """Plain UTF-8 keeps non-ASCII text exactly."""
        path = write_text(tmp_path, "a.csv", "Name,City\nZoë Ølstad,Zürich\n")
        table = read_table(path)
        assert values(table) == [{"Name": "Zoë Ølstad", "City": "Zürich"}]
        assert table.encoding == "utf-8"
        assert table.notes == ()

    def test_utf8_bom_is_not_part_of_first_header(self, tmp_path: Path) -> None:
        """Excel's "CSV UTF-8" BOM never reaches the first header name."""
        path = write_bytes(tmp_path, "a.csv", b"\xef\xbb\xbfEmail,Name\r\na@x.com,Ann\r\n")
        table = read_table(path)
        assert table.headers == ("Email", "Name")
        assert values(table) == [{"Email": "a@x.com", "Name": "Ann"}]
        assert table.encoding == "utf-8-sig"

    def test_utf16le_bom_tab_separated(self, tmp_path: Path) -> None:
        """Excel's "Unicode Text" (UTF-16 LE with BOM, tab-separated) reads as a table."""
        text = "Name\tEmail\tCity\r\nJosé\tj@x.com\tMálaga\r\n"
        path = write_bytes(tmp_path, "a.txt", b"\xff\xfe" + text.encode("utf-16-le"))
        table = read_table(path)
        assert table.headers == ("Name", "Email", "City")
        assert values(table) == [{"Name": "José", "Email": "j@x.com", "City": "Málaga"}]
        assert table.delimiter == "\t"
        assert table.encoding == "utf-16-le"

    def test_utf16le_without_bom(self, tmp_path: Path) -> None:
        """UTF-16 without a BOM is recognised by its NUL bytes, with a note."""
        text = "Name\tEmail\r\nAnn\ta@x.com\r\n"
        path = write_bytes(tmp_path, "a.txt", text.encode("utf-16-le"))
        table = read_table(path)
        assert values(table) == [{"Name": "Ann", "Email": "a@x.com"}]
        assert any("UTF-16-LE" in note for note in table.notes)

    def test_cp1252_fallback_with_note(self, tmp_path: Path) -> None:
        """A Windows "CSV (Comma delimited)" file decodes as cp1252 and says so."""
        path = write_text(tmp_path, "a.csv", "Name;Salary\nRené;€ 50.000\n", "cp1252")
        table = read_table(path)
        assert values(table) == [{"Name": "René", "Salary": "€ 50.000"}]
        assert table.encoding == "cp1252"
        assert "decoded as cp1252 (not valid UTF-8)" in table.notes

    def test_forced_encoding_is_used(self, tmp_path: Path) -> None:
        """--encoding overrides the guess (latin-1 bytes read as latin-1)."""
        path = write_text(tmp_path, "a.csv", "Name\nRené\n", "latin-1")
        table = read_table(path, encoding="latin-1")
        assert values(table) == [{"Name": "René"}]
        assert table.encoding == "latin-1"
        assert table.notes == ()

    def test_forced_wrong_encoding_names_the_flag(self, tmp_path: Path) -> None:
        """Undecodable text under a forced encoding names the byte, line and --encoding."""
        path = write_text(tmp_path, "a.csv", "Name\nAnn\nRené\n", "cp1252")
        message = read_error(path, encoding="utf-8")
        assert message.startswith(f"{path}: cannot decode byte 0xe9 on line 3 as utf-8")
        assert "--encoding" in message

    def test_damaged_utf16_says_so(self, tmp_path: Path) -> None:
        """A UTF-16 file cut mid-character names the BOM it carries and --encoding."""
        data = b"\xff\xfe" + "Name\tEmail\r\nAnn\ta@x.com\r\n".encode("utf-16-le")
        path = write_bytes(tmp_path, "a.txt", data[:-1])
        message = read_error(path)
        assert "as utf-16-le: the file starts with a UTF-16-LE byte-order mark" in message
        assert "--encoding" in message

    def test_unknown_encoding_name(self, tmp_path: Path) -> None:
        """A misspelled --encoding is reported as such, not as a decoding error."""
        path = write_text(tmp_path, "a.csv", "Name\nAnn\n")
        message = read_error(path, encoding="utf-9")
        assert "unknown encoding 'utf-9' given with --encoding" in message

    def test_nul_bytes_are_removed_with_note(self, tmp_path: Path) -> None:
        """Stray NUL bytes (seen in a real Lever export) vanish and are reported."""
        path = write_bytes(tmp_path, "a.csv", b"Name,Email\nAn\x00n,a@x.com\x00\n")
        table = read_table(path)
        assert values(table) == [{"Name": "Ann", "Email": "a@x.com"}]
        assert "removed 2 NUL bytes (\\x00)" in table.notes


class TestDelimiters:
    """The delimiter is sniffed among , ; tab | and can be forced."""

    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_each_delimiter_is_sniffed(self, tmp_path: Path, delimiter: str) -> None:
        """Each supported delimiter splits the header and rows into the same cells."""
        rows = [["Name", "Email", "Note"], ["Ann", "a@x.com", "x"], ["Bob", "b@x.com", "y"]]
        text = "\n".join(delimiter.join(row) for row in rows) + "\n"
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert table.delimiter == delimiter
        assert table.headers == ("Name", "Email", "Note")
        assert values(table)[1] == {"Name": "Bob", "Email": "b@x.com", "Note": "y"}

    def test_delimiters_inside_quotes_do_not_count(self, tmp_path: Path) -> None:
        """Semicolons inside quoted cells do not outvote the real comma delimiter."""
        text = 'Name,Skills\nAnn,"python; sql; go"\nBob,"a;b;c;d"\nCy,"x;y"\n'
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert table.delimiter == ","
        assert values(table)[0] == {"Name": "Ann", "Skills": "python; sql; go"}

    def test_quoted_commas_in_a_semicolon_file(self, tmp_path: Path) -> None:
        """Commas inside quoted cells, even in every line, do not make it a comma file."""
        text = (
            '"Name, full";"Address, street, city"\n'
            '"Doe, Ann";"1 Main St, Springfield, IL"\n'
            '"Roe, Bob";"2 Elm St, Dover, DE"\n'
        )
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert table.delimiter == ";"
        assert values(table)[1] == {
            "Name, full": "Roe, Bob",
            "Address, street, city": "2 Elm St, Dover, DE",
        }

    def test_more_columns_win_among_consistent_delimiters(self, tmp_path: Path) -> None:
        """A tab file with one unquoted comma per line (iCIMS names) stays tab-separated."""
        text = (
            "Person Full Name: First, Last\tEmail\tJob\n"
            "Doe, Ann\ta@x.com\tDev\n"
            "Roe, Bob\tb@x.com\tQA\n"
        )
        table = read_table(write_text(tmp_path, "a.txt", text))
        assert table.delimiter == "\t"
        assert values(table)[0] == {
            "Person Full Name: First, Last": "Doe, Ann",
            "Email": "a@x.com",
            "Job": "Dev",
        }

    def test_semicolon_file_with_decimal_commas(self, tmp_path: Path) -> None:
        """A German export (; plus decimal commas) is split on semicolons."""
        text = "Name;Gehalt;Ort\nAnn;3,5;Berlin\nBob;4,25;Köln\n"
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert table.delimiter == ";"
        assert values(table)[1] == {"Name": "Bob", "Gehalt": "4,25", "Ort": "Köln"}

    def test_forced_delimiter(self, tmp_path: Path) -> None:
        """--delimiter wins over the sniffed one (and accepts the word 'tab')."""
        text = "a,b\tc\n1,2\t3\n"
        path = write_text(tmp_path, "a.csv", text)
        assert read_table(path, delimiter="tab").headers == ("a,b", "c")
        assert read_table(path, delimiter=",").headers == ("a", "b\tc")

    def test_excel_sep_line(self, tmp_path: Path) -> None:
        """Excel's "sep=;" first line sets the delimiter and, hidden in Excel, is no row."""
        path = write_text(tmp_path, "a.csv", "sep=;\r\nName;Note\r\nAnn;a,b,c\r\n")
        table = read_table(path)
        assert table.delimiter == ";"
        assert table.header_line == 1
        assert [(r.line, r.values) for r in table.rows] == [(2, {"Name": "Ann", "Note": "a,b,c"})]

    def test_single_column_file(self, tmp_path: Path) -> None:
        """A file with one column reads as a one-column table."""
        table = read_table(write_text(tmp_path, "a.csv", "Email\na@x.com\nb@x.com\n"))
        assert table.headers == ("Email",)
        assert values(table) == [{"Email": "a@x.com"}, {"Email": "b@x.com"}]


class TestCellsStayText:
    """Every cell is the text in the file: no numbers, NaN or reformatted dates."""

    def test_csv_cells_verbatim(self, tmp_path: Path) -> None:
        """Leading zeros, e-mails, dates, NA-like words and spaces survive unchanged."""
        text = (
            "Id,Email,Phone,Applied,Missing,Padded\n"
            "00123,ann@example.com,0044 7700,31.01.2024,NA, x \n"
            "1e5,null,+4420,2024-01-31 06:00:00.000,,\n"
        )
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert values(table) == [
            {
                "Id": "00123",
                "Email": "ann@example.com",
                "Phone": "0044 7700",
                "Applied": "31.01.2024",
                "Missing": "NA",
                "Padded": " x ",
            },
            {
                "Id": "1e5",
                "Email": "null",
                "Phone": "+4420",
                "Applied": "2024-01-31 06:00:00.000",
                "Missing": "",
                "Padded": "",
            },
        ]
        assert all(isinstance(v, str) for row in values(table) for v in row.values())


class TestRowNumbers:
    """Row.line is the row number Excel shows, whatever sits between records."""

    def test_multiline_cells_count_as_one_row(self, tmp_path: Path) -> None:
        """A quoted cell spanning lines is one row; rows after it keep Excel numbers."""
        text = (
            "Name,Cover letter\n"
            'Ann,"Dear team,\nI apply.\n\nRegards"\n'
            "Bob,short\n"
            '"Cy\r\nD",x\n'
            "Di,y\n"
        )
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert lines(table) == [2, 3, 4, 5]
        assert values(table)[0]["Cover letter"] == "Dear team,\nI apply.\n\nRegards"
        assert values(table)[2]["Name"] == "Cy\r\nD"

    def test_blank_rows_skipped_numbers_kept(self, tmp_path: Path) -> None:
        """Empty rows (blank lines, bare delimiters, spaces) are skipped, not renumbered."""
        text = "Name,Email\nAnn,a@x.com\n\n,\n  ,  \nBob,b@x.com\n"
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert [(r.line, r.values["Name"]) for r in table.rows] == [(2, "Ann"), (6, "Bob")]

    def test_short_rows_are_padded(self, tmp_path: Path) -> None:
        """A row with fewer cells than the header gets "" for the missing ones."""
        table = read_table(write_text(tmp_path, "a.csv", "A,B,C\n1\n1,2\n"))
        assert values(table) == [{"A": "1", "B": "", "C": ""}, {"A": "1", "B": "2", "C": ""}]

    def test_extra_cells_make_that_row_invalid_not_the_file(self, tmp_path: Path) -> None:
        """A row with more values than the header keeps its problem; the file is read."""
        text = "A,B,C,D,E,F,G\n" + "1,2,3,4,5,6,7\n" * 12 + "1,2,3,4,5,6,7,8,9\n"
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert len(table.rows) == 13 and not table.rows[0].problems
        (problem,) = table.rows[-1].problems
        assert problem.startswith("row: 9 cells but the header has 7 columns")
        assert "column H holds '8'" in problem

    def test_trailing_empty_extra_cells_are_fine(self, tmp_path: Path) -> None:
        """Empty cells past the header (Excel's trailing delimiters) are not data."""
        table = read_table(write_text(tmp_path, "a.csv", "A,B\n1,2,,\n3,4,\n"))
        assert values(table) == [{"A": "1", "B": "2"}, {"A": "3", "B": "4"}]

    def test_unclosed_quote_is_an_error(self, tmp_path: Path) -> None:
        """A quote that never closes is reported instead of swallowing the rest of the file."""
        text = 'Name,Note\nAnn,ok\nBob,"oops\nCy,fine\nDi,fine\n'
        path = write_text(tmp_path, "a.csv", text)
        message = read_error(path)
        assert message.startswith(f"{path}: row 3 opens a quoted cell")

    def test_stray_quote_inside_a_cell_is_literal(self, tmp_path: Path) -> None:
        """A quote in the middle of an unquoted cell is text, as in Excel."""
        table = read_table(write_text(tmp_path, "a.csv", 'Name,Height\nAnn,5\'11"\nBob,"6"x\n'))
        assert [v["Height"] for v in values(table)] == ["5'11\"", "6x"]


class TestHeaderRow:
    """The header row is found below title rows, and numbering follows it."""

    TITLED = (
        "Candidates export,,,\n"
        "Generated 2024-01-31 by admin@example.com,,,\n"
        ",,,\n"
        "Confidential: do not share\n"
        "Name,Email,Job,Stage\n"
        "Ann,a@x.com,Dev,Applied\n"
    )

    def test_title_rows_without_expect(self, tmp_path: Path) -> None:
        """Without expect, the first row about as wide as the table is the header."""
        table = read_table(write_text(tmp_path, "a.csv", self.TITLED))
        assert table.header_line == 5
        assert table.headers == ("Name", "Email", "Job", "Stage")
        assert lines(table) == [6]
        assert "skipped 3 title rows above the header (the header is row 5)" in table.notes

    def test_expect_picks_the_best_matching_row(self, tmp_path: Path) -> None:
        """With expect, the row holding most known column names wins over wider rows."""
        text = "Report,Owner,Date,Filter,Scope\nEMAIL ADDRESS, Full  Name\na@x.com,Ann\n"
        path = write_text(tmp_path, "a.csv", text)
        table = read_table(path, expect=["Full Name", "Email address", "Phone"])
        assert table.header_line == 2
        assert table.headers == ("EMAIL ADDRESS", "Full  Name")
        assert [(r.line, r.values) for r in table.rows] == [
            (3, {"EMAIL ADDRESS": "a@x.com", "Full  Name": "Ann"})
        ]
        assert "skipped 1 title row above the header (the header is row 2)" in table.notes
        assert read_table(path).header_line == 1  # the heuristic alone picks the wide row

    def test_expect_ties_pick_the_earliest(self, tmp_path: Path) -> None:
        """Two rows with equally many matches: the first one is the header."""
        text = "Email,Name\nEmail,Name\nx,y\n"
        table = read_table(write_text(tmp_path, "a.csv", text), expect=["email", "name"])
        assert table.header_line == 1
        assert values(table)[0] == {"Email": "Email", "Name": "Name"}

    def test_expect_without_matches_falls_back(self, tmp_path: Path) -> None:
        """When no row holds an expected name, the width rule still finds the header."""
        text = "Export,,\nName,Email,Job\nAnn,a@x.com,Dev\n"
        table = read_table(write_text(tmp_path, "a.csv", text), expect=["candidate_email"])
        assert table.header_line == 2
        assert table.headers == ("Name", "Email", "Job")

    def test_header_cells_are_cleaned(self, tmp_path: Path) -> None:
        """Headers lose BOM, NUL and surrounding white space but keep their spelling."""
        text = "\ufeff Candidate Name ,\u200bE-Mail\t\n Ann ,a@x.com\n"
        table = read_table(write_text(tmp_path, "a.csv", text))
        assert table.headers == ("Candidate Name", "E-Mail")
        assert values(table) == [{"Candidate Name": " Ann ", "E-Mail": "a@x.com"}]

    def test_empty_header_without_data_is_dropped(self, tmp_path: Path) -> None:
        """An unnamed column that holds nothing disappears without a note."""
        table = read_table(write_text(tmp_path, "a.csv", "A,,B,\n1,,2,\n3,,4,\n"))
        assert table.headers == ("A", "B")
        assert values(table) == [{"A": "1", "B": "2"}, {"A": "3", "B": "4"}]
        assert table.notes == ()

    def test_empty_header_with_data_is_named_by_letter(self, tmp_path: Path) -> None:
        """An unnamed column with values becomes column_<Letter>, with a note."""
        table = read_table(write_text(tmp_path, "a.csv", "A,,B\n1,x,2\n3,,4\n"))
        assert table.headers == ("A", "column_B", "B")
        assert values(table)[0] == {"A": "1", "column_B": "x", "B": "2"}
        assert any("column B has values but no header" in note for note in table.notes)

    def test_duplicate_headers_name_both_columns(self, tmp_path: Path) -> None:
        """Two columns with the same name fail, naming both column letters."""
        path = write_text(tmp_path, "a.csv", "Name,Id,Email,Job,Stage,Email\nA,1,a,b,c,d\n")
        message = read_error(path)
        assert message.startswith(f"{path}: column 'Email' appears twice (columns C and F)")

    def test_duplicates_compare_normalised(self, tmp_path: Path) -> None:
        """'Email' and 'EMAIL ' are duplicates; three copies are all listed."""
        path = write_text(tmp_path, "a.csv", "Email,x,EMAIL ,y,email\n1,2,3,4,5\n")
        message = read_error(path)
        assert "column 'Email' appears 3 times (columns A, C and E" in message
        assert "'EMAIL'" in message


class TestGzip:
    """A gzipped CSV is read as CSV; the hash is of the file as stored."""

    def test_gzipped_csv(self, tmp_path: Path) -> None:
        """Content and format come from the decompressed CSV, sha256 from the .gz bytes."""
        raw = gzip.compress(b"Name;Email\nAnn;a@x.com\n")
        path = write_bytes(tmp_path, "export.csv.gz", raw)
        table = read_table(path)
        assert table.format == "csv"
        assert table.delimiter == ";"
        assert values(table) == [{"Name": "Ann", "Email": "a@x.com"}]
        assert table.sha256 == hashlib.sha256(raw).hexdigest()
        assert sniff_format(path) == "csv"

    def test_damaged_gzip(self, tmp_path: Path) -> None:
        """A cut-off gzip download is reported as damaged."""
        raw = gzip.compress(("Name,Email\n" + "Ann,a@x.com\n" * 500).encode())
        path = write_bytes(tmp_path, "export.csv.gz", raw[: len(raw) // 2])
        assert "gzip file is damaged or incomplete" in read_error(path)


class TestXlsx:
    """XLSX cells come out as the text a user sees in Excel."""

    def test_cell_types_as_text(self, tmp_path: Path) -> None:
        """Numbers, dates, times, bools and leading-zero text cells become display text."""
        path = write_xlsx(
            tmp_path / "a.xlsx",
            {
                "Candidates": [
                    ["Id", "Phone", "Score", "Applied", "Interview", "At", "Active", "Zip"],
                    [
                        123,
                        447700900123,
                        0.5,
                        dt.datetime(2024, 1, 31),
                        dt.datetime(2024, 1, 31, 6, 0),
                        dt.time(9, 30),
                        True,
                        "00123",
                    ],
                    [1.0, None, 0.1 + 0.2, dt.date(2024, 2, 1), None, None, False, "0042"],
                ]
            },
        )
        table = read_table(path)
        assert table.format == "xlsx"
        assert table.sheet == "Candidates"
        assert table.encoding is None and table.delimiter is None
        assert values(table) == [
            {
                "Id": "123",
                "Phone": "447700900123",
                "Score": "0.5",
                "Applied": "2024-01-31",
                "Interview": "2024-01-31 06:00:00",
                "At": "09:30:00",
                "Active": "TRUE",
                "Zip": "00123",
            },
            {
                "Id": "1",
                "Phone": "",
                "Score": "0.3",  # 0.30000000000000004 as Excel shows it
                "Applied": "2024-02-01",
                "Interview": "",
                "At": "",
                "Active": "FALSE",
                "Zip": "0042",
            },
        ]
        assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_sheet_chosen_by_name(self, tmp_path: Path) -> None:
        """sheet= picks that sheet (name case-insensitive), keeping its Excel row numbers."""
        path = write_xlsx(
            tmp_path / "a.xlsx",
            {"Jobs": [["Job"], ["Dev"]], "Applicants": [[], [], ["Name"], ["Ann"]]},
        )
        table = read_table(path, sheet="applicants")
        assert table.sheet == "Applicants"
        assert [(r.line, r.values) for r in table.rows] == [(4, {"Name": "Ann"})]
        assert table.header_line == 3
        assert values(read_table(path)) == [{"Job": "Dev"}]

    def test_first_sheet_empty_second_chosen(self, tmp_path: Path) -> None:
        """Without sheet=, an empty first sheet is passed over, with a note."""
        path = write_xlsx(tmp_path / "a.xlsx", {"Cover": [], "Data": [["Name"], ["Ann"]]})
        table = read_table(path)
        assert table.sheet == "Data"
        assert values(table) == [{"Name": "Ann"}]
        assert "read sheet 'Data', the first sheet with data" in table.notes

    def test_unknown_sheet_lists_the_sheets(self, tmp_path: Path) -> None:
        """A sheet name that does not exist fails, listing the sheets there are."""
        path = write_xlsx(tmp_path / "a.xlsx", {"Jobs": [["A"]], "Applicants": [["B"]]})
        message = read_error(path, sheet="Candidates")
        assert message == (
            f"{path}: there is no sheet 'Candidates'; the sheets are 'Jobs', 'Applicants'; "
            "pass one of them with --sheet"
        )

    def test_empty_chosen_sheet(self, tmp_path: Path) -> None:
        """Choosing an empty sheet fails, saying the sheet is empty."""
        path = write_xlsx(tmp_path / "a.xlsx", {"Empty": [], "Data": [["Name"], ["Ann"]]})
        assert "(sheet 'Empty'): no header row: the sheet is empty" in read_error(
            path, sheet="Empty"
        )

    def test_every_sheet_empty(self, tmp_path: Path) -> None:
        """A workbook with no data at all fails with a clear message."""
        path = write_xlsx(tmp_path / "a.xlsx", {"One": [], "Two": []})
        assert "every sheet of the workbook is empty" in read_error(path)

    def test_title_rows_and_offset_table_keep_excel_numbers(self, tmp_path: Path) -> None:
        """A table starting at B3 under a title keeps Excel's row numbers and drops column A."""
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet["B1"] = "Applicants report"
        sheet["B3"], sheet["C3"], sheet["D3"] = "Name", "Email", "Job"
        sheet["B4"], sheet["C4"], sheet["D4"] = "Ann", "a@x.com", "Dev"
        sheet["B6"], sheet["C6"], sheet["D6"] = "Bob", "b@x.com", "QA"
        path = tmp_path / "a.xlsx"
        book.save(path)
        table = read_table(path)
        assert table.header_line == 3
        assert table.headers == ("Name", "Email", "Job")
        assert lines(table) == [4, 6]
        assert "skipped 1 title row above the header (the header is row 3)" in table.notes

    def test_column_with_data_but_no_header(self, tmp_path: Path) -> None:
        """A spreadsheet column with values and no header cell is named by its letter."""
        path = write_xlsx(tmp_path / "a.xlsx", {"S": [["Name", None, "Email"], ["Ann", 7, "a"]]})
        table = read_table(path)
        assert table.headers == ("Name", "column_B", "Email")
        assert values(table) == [{"Name": "Ann", "column_B": "7", "Email": "a"}]

    def test_duplicate_headers_in_xlsx(self, tmp_path: Path) -> None:
        """Duplicate header cells name the sheet and both column letters."""
        path = write_xlsx(tmp_path / "a.xlsx", {"S": [["Email", "Name", "email"], [1, 2, 3]]})
        message = read_error(path)
        assert message.startswith(
            f"{path} (sheet 'S'): column 'Email' appears twice (columns A and C"
        )

    def test_truncated_xlsx(self, tmp_path: Path) -> None:
        """A cut-off XLSX is reported as damaged, not as a traceback or garbage text."""
        good = write_xlsx(tmp_path / "good.xlsx", {"S": [["Name"], ["Ann"]]}).read_bytes()
        path = write_bytes(tmp_path, "a.xlsx", good[: len(good) // 2])
        message = read_error(path)
        assert message.startswith(f"{path}: the XLSX file is damaged or incomplete")

    def test_zip_bomb_is_refused(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A workbook that would unpack past the limit is refused before reading."""
        path = write_xlsx(tmp_path / "a.xlsx", {"S": [["Name"], *[["x" * 100]] * 2000]})
        monkeypatch.setattr("sync.readers.sniff.MAX_UNCOMPRESSED_BYTES", 2**20 // 10)
        message = read_error(path)
        assert "refusing to open this XLSX: it would unpack to" in message
        assert "MB (limit" in message

    def test_gzip_bomb_is_refused(self, tmp_path: Path) -> None:
        """A gzip that would unpack past the limit is refused."""
        path = write_bytes(tmp_path, "a.csv.gz", gzip.compress(b"Name\n" + b"x\n" * 100_000))
        assert "refusing to unpack this gzip file" in read_error(path, max_bytes=50_000)

    def test_list_sheets_and_sniff(self, tmp_path: Path) -> None:
        """The helpers report the workbook's sheets and format by content."""
        path = write_xlsx(tmp_path / "export.csv", {"A": [["x"]], "B": [["y"]]})
        assert sniff_format(path) == "xlsx"
        assert list_sheets(path) == ["A", "B"]
        assert read_table(path).format == "xlsx"


class TestXls:
    """Legacy binary .xls workbooks are read through the same path."""

    def test_xls_cells(self, tmp_path: Path) -> None:
        """An .xls written by xlwt reads with numbers, dates and text as display text."""
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook()
        sheet = book.add_sheet("Applicants")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for col, head in enumerate(["Id", "Name", "Applied", "Score", "Zip"]):
            sheet.write(0, col, head)
        sheet.write(1, 0, 42.0)
        sheet.write(1, 1, "Ann")
        sheet.write(1, 2, dt.datetime(2024, 1, 31), date_style)
        sheet.write(1, 3, 0.25)
        sheet.write(1, 4, "00123")
        sheet.write(3, 1, "Bob")
        path = tmp_path / "legacy.xls"
        book.save(str(path))
        assert sniff_format(path) == "xls"
        table = read_table(path)
        assert table.format == "xls"
        assert table.sheet == "Applicants"
        assert values(table)[0] == {
            "Id": "42",
            "Name": "Ann",
            "Applied": "2024-01-31",
            "Score": "0.25",
            "Zip": "00123",
        }
        assert lines(table) == [2, 4]

    def test_garbage_with_ole2_magic(self, tmp_path: Path) -> None:
        """A damaged .xls (right magic, wrong content) fails with a clear message."""
        path = write_bytes(tmp_path, "a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
        assert read_error(path).startswith(f"{path}: cannot read this XLS file")


class TestOds:
    """OpenDocument spreadsheets read like XLSX."""

    def test_ods_cells_and_sheet(self, tmp_path: Path) -> None:
        """A hand-built ODS reads numbers, dates and bools as text from the named sheet."""
        path = write_ods(
            tmp_path / "a.ods",
            {
                "Notes": [["Nothing here"]],
                "Jobs": [
                    ["Title", "Id", "Open", "Since"],
                    ["Dev", 12, True, dt.date(2024, 1, 31)],
                    [None, None, None, None],
                    ["0042", 0.5, False, None],
                ],
            },
        )
        assert sniff_format(path) == "ods"
        assert list_sheets(path) == ["Notes", "Jobs"]
        table = read_table(path, sheet="Jobs")
        assert table.format == "ods"
        assert [(r.line, r.values) for r in table.rows] == [
            (2, {"Title": "Dev", "Id": "12", "Open": "TRUE", "Since": "2024-01-31"}),
            (4, {"Title": "0042", "Id": "0.5", "Open": "FALSE", "Since": ""}),
        ]


class TestUnreadableInput:
    """Files that are not tables fail with a message naming the file and what to do."""

    def test_missing_file(self, tmp_path: Path) -> None:
        """A path that does not exist is named in the message."""
        path = tmp_path / "nope.csv"
        assert read_error(path).startswith(f"{path}: file not found")

    def test_directory(self, tmp_path: Path) -> None:
        """A directory is not mistaken for an empty file."""
        assert "is a directory" in read_error(tmp_path)

    def test_empty_file(self, tmp_path: Path) -> None:
        """A 0-byte file is reported as empty."""
        path = write_bytes(tmp_path, "a.csv", b"")
        assert read_error(path).startswith(f"{path}: the file is empty (0 bytes)")

    def test_whitespace_only_file(self, tmp_path: Path) -> None:
        """A file of blank lines has no header row."""
        path = write_text(tmp_path, "a.csv", "\n  \r\n\t\n")
        assert read_error(path).startswith(f"{path}: no header row")

    def test_header_only_file_is_an_empty_table(self, tmp_path: Path) -> None:
        """A header with no data rows is a table with zero rows, not an error."""
        table = read_table(write_text(tmp_path, "a.csv", "Name,Email\n"))
        assert table.headers == ("Name", "Email")
        assert table.rows == ()

    def test_binary_garbage(self, tmp_path: Path) -> None:
        """Random binary data is refused rather than read as one odd column."""
        data = bytes((i * 37 + 11) % 256 for i in range(4000))
        path = write_bytes(tmp_path, "a.csv", data)
        assert read_error(path).startswith(f"{path}: this is not a CSV or spreadsheet file")

    def test_pdf_renamed_csv(self, tmp_path: Path) -> None:
        """A PDF with a .csv name is recognised as a PDF."""
        path = write_bytes(tmp_path, "a.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
        assert read_error(path).startswith(f"{path}: this is a PDF document")

    def test_zip_that_is_not_a_spreadsheet(self, tmp_path: Path) -> None:
        """A resumes ZIP given as input is named as a ZIP archive."""
        path = tmp_path / "resumes.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("cv.txt", "hello")
        assert read_error(path).startswith(f"{path}: this is a ZIP archive")

    def test_html_page_saved_as_xls(self, tmp_path: Path) -> None:
        """An HTML 'Excel export' or a saved login page is refused with advice."""
        path = write_text(tmp_path, "export.xls", "<html><body><table><tr><td>x</td>")
        assert "this is an HTML or XML page" in read_error(path)

    def test_text_with_spreadsheet_extension(self, tmp_path: Path) -> None:
        """A CSV named .xls is read as CSV, with a note about the extension."""
        table = read_table(write_text(tmp_path, "export.xls", "Name,Email\nAnn,a@x.com\n"))
        assert table.format == "csv"
        assert any("despite its .xls extension" in note for note in table.notes)

    def test_csv_has_no_sheets(self, tmp_path: Path) -> None:
        """list_sheets is empty for CSV, and --sheet on a CSV is noted, not fatal."""
        path = write_text(tmp_path, "a.csv", "Name\nAnn\n")
        assert list_sheets(path) == []
        assert sniff_format(path) == "csv"
        assert "--sheet 'Jobs' ignored: a.csv is a CSV file" in read_table(path, sheet="Jobs").notes


class TestNormaliseHeader:
    """normalise_header makes spellings of one column name compare equal."""

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("Email", "email"),
            ("\ufeffEmail", "email"),
            ("  E-Mail\u00a0 Address\n", "e-mail address"),
            ("First\r\nName", "first name"),
            ("Na\x00me\u200b", "name"),
            ("Straße", "strasse"),
            ("ＥＭＡＩＬ", "email"),
            ("Person Full Name: First, Last", "person full name: first, last"),
            ("", ""),
        ],
    )
    def test_cases(self, raw: str, expected: str) -> None:
        """Each raw spelling normalises to the expected key."""
        assert normalise_header(raw) == expected


class TestRowSource:
    """Rows and tables carry the path exactly as the caller gave it."""

    @pytest.mark.parametrize("as_type", [str, Path])
    def test_source_is_path_as_given(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_type: Callable[[str], object]
    ) -> None:
        """A relative path stays relative in Table.path and Row.source."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "in").mkdir()
        write_text(tmp_path / "in", "a.csv", "Name\nAnn\n")
        table = read_table(as_type("in/a.csv"))  # type: ignore[arg-type]
        assert table.path == "in/a.csv"
        assert table.name == "a.csv"
        assert [row.source for row in table.rows] == ["in/a.csv"]
