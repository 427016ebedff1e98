"""Resumes from real PDF, DOCX, RTF, HTML and text files, in folders and zip archives."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import docx
import pytest
from helpers import text_pdf
from pypdf import PdfWriter

from sync.errors import FieldProblem
from sync.readers.resumes import ResumeStore
from sync.run import run_sync


def scanned_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)  # pixels only, no text layer
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf("Secret CV")))
    writer.encrypt(user_password="open-sesame", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Python"
    table.rows[0].cells[1].text = "8 years"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


RTF = (
    rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}{\info{\author Nobody}}"
    rb"\f0\fs24 Jos\'e9 P\'e9rez\par Senior engineer \u8211? Madrid\par}"
)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "resumes"
    d.mkdir()
    (d / "ana.pdf").write_bytes(text_pdf("Ana Silva", "Backend engineer (Python)"))
    (d / "bo.docx").write_bytes(make_docx("Bo Li", "Head of Sales"))
    (d / "jose.rtf").write_bytes(RTF)
    (d / "scan.pdf").write_bytes(scanned_pdf())
    (d / "locked.pdf").write_bytes(encrypted_pdf())
    (d / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog garbage")
    (d / "fake.docx").write_bytes(b"this is not a word file")
    (d / "Chloé Dubois CV.txt").write_text("Chloé Dubois\nLyon", encoding="utf-8")
    (d / "renamed.txt").write_bytes(text_pdf("Really a PDF"))  # sniffed by its bytes
    return d


class TestFormats:
    def test_pdf_text(self, folder: Path) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("ana.pdf") == "Ana Silva\nBackend engineer (Python)"

    def test_docx_paragraphs_and_tables(self, folder: Path) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("bo.docx") == "Bo Li\nHead of Sales\nPython\t8 years"

    def test_rtf(self, folder: Path) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("jose.rtf") == "José Pérez\nSenior engineer – Madrid"

    def test_format_comes_from_the_bytes_not_the_name(self, folder: Path) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("renamed.txt") == "Really a PDF"

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            ("scan.pdf", "has no text layer (a scanned PDF?)"),
            ("locked.pdf", "is an encrypted PDF (password protected)"),
            ("broken.pdf", "is not a readable PDF"),
            ("fake.docx", "is not a readable DOCX"),
        ],
    )
    def test_unreadable_files_are_row_problems(self, folder: Path, name: str, reason: str) -> None:
        with ResumeStore([folder]) as store, pytest.raises(FieldProblem) as info:
            store.read_text(name)
        assert info.value.message.startswith(f"file '{name}' {reason}")


class TestFinding:
    def test_case_and_accent_insensitive(self, folder: Path) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("CHLOE DUBOIS CV.TXT").startswith("Chloé Dubois")

    def test_base_name_anywhere_below_the_folder(self, folder: Path) -> None:
        (folder / "2026" / "nov").mkdir(parents=True)
        (folder / "2026" / "nov" / "deep.txt").write_text("deep", encoding="utf-8")
        with ResumeStore([folder]) as store:
            assert store.read_text("deep.txt") == "deep"

    def test_two_candidates_are_ambiguous_not_guessed(self, folder: Path) -> None:
        for sub in ("a", "b"):
            (folder / sub).mkdir()
            (folder / sub / "cv.txt").write_text(sub, encoding="utf-8")
        with ResumeStore([folder]) as store, pytest.raises(FieldProblem) as info:
            store.read_text("cv.txt")
        assert (
            info.value.message
            == "file 'cv.txt' is ambiguous: a/cv.txt, b/cv.txt; name it with its folder"
        )

    def test_email_fallback(self, folder: Path) -> None:
        (folder / "ana.silva@example.com_resume.txt").write_text("by mail", encoding="utf-8")
        with ResumeStore([folder]) as store:
            assert store.read_text("Resume.pdf", email="Ana.Silva@example.com") == "by mail"
            with pytest.raises(FieldProblem, match="not found"):
                store.read_text("Resume.pdf", email="nobody@example.com")

    def test_size_cap(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("sync.readers.resumes.MAX_FILE_BYTES", 1000)
        (folder / "huge.txt").write_text("x" * 5000, encoding="utf-8")
        with ResumeStore([folder]) as store, pytest.raises(FieldProblem, match="over the 20 MB"):
            store.read_text("huge.txt")

    def test_long_text_is_cut_with_a_note(self, folder: Path) -> None:
        (folder / "long.txt").write_text("word " * 100, encoding="utf-8")
        with ResumeStore([folder], max_chars=50) as store:
            text = store.read_text("long.txt")
        assert text.startswith("word word") and len(text) < 120
        assert text.endswith("[resume cut by jobmojito-sync at 50 characters]")

    def test_parse_time_limit_kills_the_worker_and_goes_on(self, folder: Path) -> None:
        with ResumeStore([folder], parse_seconds=0.000_001) as store:
            with pytest.raises(FieldProblem, match=r"took longer than 1e-06 s to read; refused"):
                store.read_text("ana.pdf")
            store.parse_seconds = 30
            assert store.read_text("bo.docx").startswith("Bo Li")  # a fresh worker

    def test_same_file_is_parsed_once(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        with ResumeStore([folder]) as store:
            assert store.read_text("ana.pdf")
            (folder / "ana.pdf").unlink()  # served from the cache from now on
            assert store.read_text("ana.pdf").startswith("Ana Silva")


class TestZip:
    @pytest.fixture()
    def archive(self, tmp_path: Path) -> Path:
        path = tmp_path / "cv.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("export/resumes/Ana_Silva_Resume.pdf", text_pdf("Ana from the zip"))
            zf.writestr("export/resumes/bo.docx", make_docx("Bo from the zip"))
            zf.writestr("../evil.txt", "outside")
            zf.writestr("/etc/passwd.txt", "root")
            zf.writestr("bomb.txt", b"0" * (25 * 1024 * 1024))
        return path

    def test_entries_by_path_and_by_name(self, archive: Path) -> None:
        with ResumeStore([archive]) as store:
            assert store.read_text("export/resumes/bo.docx") == "Bo from the zip\nPython\t8 years"
            assert store.read_text("ana_silva_resume.PDF") == "Ana from the zip"

    @pytest.mark.parametrize("ref", ["../evil.txt", "/etc/passwd.txt"])
    def test_zip_slip_entries_are_never_served(self, archive: Path, ref: str) -> None:
        with ResumeStore([archive]) as store, pytest.raises(FieldProblem, match="refused"):
            store.read_text(ref)
        assert not (archive.parent.parent / "evil.txt").exists()

    def test_zip_bomb_is_a_row_problem(self, archive: Path) -> None:
        with ResumeStore([archive]) as store, pytest.raises(FieldProblem) as info:
            store.read_text("bomb.txt")
        assert "refused" in info.value.message or "20 MB" in info.value.message

    def test_nothing_is_extracted(self, archive: Path) -> None:
        before = sorted(p.name for p in archive.parent.rglob("*"))
        with ResumeStore([archive]) as store:
            store.read_text("bo.docx")
        assert sorted(p.name for p in archive.parent.rglob("*")) == before


def test_dry_run_end_to_end_with_a_resume_zip(tmp_path: Path) -> None:
    """The real pipeline: applicants naming files in a zip; each row's outcome and reason."""
    archive = tmp_path / "cv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("cv/Ana Silva.pdf", text_pdf("Ana Silva", "Python"))
        zf.writestr("cv/bo.docx", make_docx("Bo Li"))
        zf.writestr("cv/scan.pdf", scanned_pdf())
        zf.writestr("cv/locked.pdf", encrypted_pdf())
    applicants = tmp_path / "applicants.csv"
    header = ["candidate_name", "candidate_email", "candidate_country_code", "resume_file",
              "position_name", "position_location", "position_country_code",
              "mojito_language_code"]  # fmt: skip
    people = [
        ("Ana Silva", "ana@example.com", "PT", "ANA SILVA.pdf"),
        ("Bo Li", "bo@example.com", "SG", "bo.docx"),
        ("Cy Scan", "cy@example.com", "US", "scan.pdf"),
        ("Di Lock", "di@example.com", "DE", "locked.pdf"),
        ("Ed Gone", "ed@example.com", "GB", "missing.pdf"),
    ]
    with applicants.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for person in people:
            writer.writerow([*person, "Engineer", "Lisbon", "PT", "en"])
    mapping = tmp_path / "cvzip.yaml"
    mapping.write_text(
        "version: 1\nname: cvzip\nfields:\n"
        "  candidate_name: {column: candidate_name}\n"
        "  candidate_email: {column: candidate_email}\n"
        "  candidate_country_code: {column: candidate_country_code}\n"
        "  candidate_resume: {column: resume_file, transforms: [file]}\n"
        "  position_name: {column: position_name}\n"
        "  position_location: {column: position_location}\n"
        "  position_country_code: {column: position_country_code}\n"
        "  mojito_language_code: {column: mojito_language_code}\n",
        encoding="utf-8",
    )
    out = tmp_path / "results.csv"
    report = run_sync(applicants=applicants, mapping=str(mapping), resumes=archive, out=out,
                      dry_run=True)  # fmt: skip
    assert report.exit_code == 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = {line["candidate_name"]: line for line in csv.DictReader(fh)}
    assert lines["Ana Silva"]["status"] == "dry_run"
    assert lines["Bo Li"]["status"] == "dry_run"
    assert lines["Cy Scan"]["status"] == "invalid"
    assert "has no text layer" in lines["Cy Scan"]["reason"]
    assert "encrypted PDF" in lines["Di Lock"]["reason"]
    assert "file 'missing.pdf' not found" in lines["Ed Gone"]["reason"]
