"""Every resume and country source a mapping can declare, and every refusal.

Real CSV files and resume folders/zips written by the tests, a mapping file
written by the test, and ``prepare`` (read → map → derive → validate → plan).
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sync.errors import InputError
from sync.locations import country_from_location, country_from_phone
from sync.options import SyncOptions
from sync.records import PlannedRow, Status
from sync.run import prepare

RESUME = "Ana Silva\nBackend engineer in Lisbon since 2019, Python, PostgreSQL and AWS.\n"
HEADERS = ["ID", "Name", "Email", "Phone", "City", "Country", "Job", "Office", "Resume"]

MAPPING = """
version: 1
name: acme
fields:
  candidate_name: {column: Name}
  candidate_email: {column: Email, transforms: [email]}
  position_name: {column: Job}
  position_location: {column: Office}
  mojito_language_code: {column: Language, transforms: [language], default: en}
resume:
  text: [Resume text]
  files: [Resume]
  ids: [ID]
  urls: [Resume URL]
  profile: [Headline, Summary]
candidate_country:
  columns: [Country]
  location: [City]
  phone: [Phone]
"""


def row(**values: str) -> dict[str, str]:
    base = {
        "ID": "101",
        "Name": "Ana Silva",
        "Email": "ana@example.com",
        "Phone": "",
        "City": "",
        "Country": "PT",
        "Job": "Engineer",
        "Office": "Berlin",
        "Resume": "",
        "Resume text": RESUME,
    }
    base.update(values)
    return base


def bare(**values: str) -> dict[str, str]:
    """A row whose resume must come from somewhere else than its text column."""
    return row(**{"Resume text": "", **values})


def run(tmp_path: Path, rows: list[dict[str, str]], **options: Any) -> list[PlannedRow]:
    headers = list(dict.fromkeys(h for r in rows for h in r))
    with (tmp_path / "export.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, headers)
        writer.writeheader()
        writer.writerows(rows)
    mapping = tmp_path / "acme.yaml"
    mapping.write_text(options.pop("mapping_text", MAPPING), encoding="utf-8")
    opts = SyncOptions(
        applicants=tmp_path / "export.csv",
        mapping=str(mapping),
        dry_run=True,
        out=tmp_path / "r.csv",
        **options,
    )
    return prepare(opts).planned


def folder(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "cv"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


class TestResumeSources:
    """A resume comes from the first source that works; each is noted and counted."""

    def test_a_text_column_is_recognised_by_its_content(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row()])
        assert p.status is Status.DRY_RUN and p.payload["candidate_resume"] == RESUME.strip()

    def test_near_empty_text_is_missing(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(**{"Resume text": "see attached"})])
        assert p.status is Status.INVALID
        assert "'Resume text' holds too little text for a resume" in p.reason

    def test_a_file_name_in_the_text_column_is_looked_up(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"ana.txt": RESUME})
        (p,) = run(tmp_path, [row(**{"Resume text": "ana.txt"})], resumes=cv)
        assert p.payload["candidate_resume"] == RESUME.strip()
        assert "resume from ana.txt" in p.notes

    def test_the_file_named_in_a_column(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"Resumes/21338490.txt": RESUME})
        (p,) = run(tmp_path, [bare(ID="9", Resume="21338490.txt")], resumes=cv)
        assert p.status is Status.DRY_RUN and p.notes.endswith("resume from 21338490.txt")

    @pytest.mark.parametrize(
        "name",
        ["101.txt", "101-attachments/resume.txt", "101_Ana_Silva.txt", "101-Ana Silva.txt"],
    )
    def test_the_id_in_a_file_or_folder_name(self, tmp_path: Path, name: str) -> None:
        cv = folder(tmp_path, {name: RESUME, "102-attachments/resume.txt": "other " * 20})
        (p,) = run(tmp_path, [bare()], resumes=cv)
        assert p.payload["candidate_resume"] == RESUME.strip()
        assert "(by ID)" in p.notes

    def test_the_resume_among_a_candidates_attachments(self, tmp_path: Path) -> None:
        files = {"101-attachments/Ana_CV.txt": RESUME, "101-attachments/cover.txt": "x " * 40}
        (p,) = run(tmp_path, [bare()], resumes=folder(tmp_path, files))
        assert p.payload["candidate_resume"] == RESUME.strip()

    def test_the_e_mail_in_a_file_name(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"ana@example.com.txt": RESUME})
        (p,) = run(tmp_path, [bare(ID="")], resumes=cv)
        assert "(by e-mail)" in p.notes

    def test_the_full_name_when_no_one_else_has_it(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"CV Silva Ana.txt": RESUME})
        (p,) = run(tmp_path, [bare(ID="")], resumes=cv)
        assert "(by name)" in p.notes

    def test_a_shared_name_matches_no_file(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"Ana_Silva.txt": RESUME})
        rows = [bare(ID=""), bare(ID="", Email="other.ana@example.com")]
        planned = run(tmp_path, rows, resumes=cv)
        assert all(p.status is Status.INVALID for p in planned)
        assert "other candidates share the name" in planned[0].reason

    def test_two_files_for_one_name_are_refused_not_chosen(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"a/cv.txt": RESUME, "b/cv.txt": RESUME})
        (p,) = run(tmp_path, [bare(ID="", Resume="cv.txt")], resumes=cv)
        assert p.status is Status.INVALID
        assert "file 'cv.txt' is ambiguous: a/cv.txt, b/cv.txt" in p.reason

    def test_an_id_naming_two_files_is_refused(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {"101-a.txt": RESUME, "101-b.txt": RESUME})
        (p,) = run(tmp_path, [bare()], resumes=cv)
        assert "id 101 names several files" in p.reason

    def test_a_scanned_file_counts_as_missing_and_the_next_source_serves(
        self, tmp_path: Path
    ) -> None:
        cv = folder(tmp_path, {"scan.txt": "  \n ", "ana@example.com.txt": RESUME})
        (p,) = run(tmp_path, [bare(ID="", Resume="scan.txt")], resumes=cv)
        assert p.status is Status.DRY_RUN and "(by e-mail)" in p.notes

    def test_hidden_files_and_macos_copies_are_never_matched(self, tmp_path: Path) -> None:
        cv = folder(tmp_path, {".101.txt": RESUME, ".hidden/101.txt": RESUME})
        with zipfile.ZipFile(tmp_path / "cv.zip", "w") as zf:
            zf.writestr("__MACOSX/._101.txt", "junk " * 30)
        for source in (cv, tmp_path / "cv.zip"):
            (p,) = run(tmp_path, [bare(Email="x@example.com")], resumes=source)
            assert p.status is Status.INVALID, source

    def test_the_export_folder_is_not_searched_by_default(self, tmp_path: Path) -> None:
        (tmp_path / "ana.txt").write_text(RESUME, encoding="utf-8")  # beside the export
        (p,) = run(tmp_path, [bare(Resume="ana.txt")])
        assert p.status is Status.INVALID
        assert "the export names file 'ana.txt'; add --resumes DIR|ZIP" in p.reason

    def test_a_link_needs_fetch_resume_urls(self, tmp_path: Path) -> None:
        url = "https://files.example.com/r/1.pdf?Signature=abc"
        (p,) = run(tmp_path, [bare(**{"Resume URL": url})])
        assert "add --fetch-resume-urls ('Resume URL' holds a link)" in p.reason
        assert "Signature" not in p.reason

    def test_profile_fields_only_when_asked_and_marked(self, tmp_path: Path) -> None:
        r = bare(Headline="Backend engineer", Summary="Eight years of Python services at scale.")
        (without,) = run(tmp_path, [r])
        assert "or --resume-fallback profile" in without.reason
        (p,) = run(tmp_path, [r], resume_fallback="profile")
        assert p.payload["candidate_resume"].startswith("[Composed by jobmojito-sync")
        assert "Summary:\nEight years" in p.payload["candidate_resume"]
        assert "resume composed from profile fields (Headline, Summary)" in p.notes

    def test_no_source_at_all_stops_the_run_with_the_remedy(self, tmp_path: Path) -> None:
        text = MAPPING.replace("  text: [Resume text]\n", "").replace(
            "  profile: [Headline, Summary]\n", ""
        )
        with pytest.raises(InputError, match=r"no source for candidate_resume.*add --resumes DIR"):
            run(tmp_path, [bare()], mapping_text=text)

    def test_files_no_row_used_and_rows_no_file_matched_are_summarised(
        self, tmp_path: Path
    ) -> None:
        cv = folder(tmp_path, {"101.txt": RESUME, "999.txt": RESUME})
        headers = tmp_path / "export.csv"
        run(tmp_path, [bare(), bare(ID="102", Email="b@example.com", Name="Bo Li")], resumes=cv)
        opts = SyncOptions(applicants=headers, mapping=str(tmp_path / "acme.yaml"),
                           dry_run=True, out=tmp_path / "r.csv", resumes=cv)  # fmt: skip
        prepared = prepare(opts)
        assert "resume files no row used (1): 999.txt" in prepared.warnings
        assert "rows no resume file matched (1): rows 3" in prepared.warnings
        assert prepared.sources["resume: id in a file name"] == 1


class TestCountrySources:
    """A country comes from a column, location text, a phone, or (asked) the job/default."""

    def test_a_country_column_in_any_language(self, tmp_path: Path) -> None:
        planned = run(tmp_path, [row(Country=c) for c in ("Deutschland", "PRT", "Espagne")])
        assert [p.payload["candidate_country_code"] for p in planned] == ["DE", "PT", "ES"]
        # a value read from its own column is not derived: no note
        assert not any(n.startswith("country ") for p in planned for n in p.notes.split("; "))

    @pytest.mark.parametrize(
        ("city", "code"),
        [("Lisboa", "PT"), ("Boston, MA", "US"), ("São Luís, MA", "BR"), ("Toronto, ON", "CA")],
    )
    def test_location_text(self, tmp_path: Path, city: str, code: str) -> None:
        (p,) = run(tmp_path, [row(Country="", City=city)])
        assert p.payload["candidate_country_code"] == code
        assert f"country {code} from location" in p.notes

    def test_a_colliding_state_code_alone_is_refused(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Country="", City="MA")])
        assert p.status is Status.INVALID
        assert "'MA' could be a region of several countries" in p.reason
        assert "add --default-country XX or --candidate-country-from job" in p.reason

    def test_an_international_phone(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Country="", Phone="+49 89 1234567")])
        assert (
            p.payload["candidate_country_code"] == "DE" and "country DE from phone +49" in p.notes
        )

    def test_a_national_phone_without_a_country_is_refused(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Country="", Phone="(626) 456-7890")])
        assert p.status is Status.INVALID
        assert "the phone number has no international prefix" in p.reason
        assert "626" not in p.reason

    def test_the_jobs_country_only_when_asked(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Country="")], candidate_country_from="job")
        assert p.payload["candidate_country_code"] == "DE" and "country DE from the job" in p.notes

    def test_a_default_only_when_asked(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Country="Atlantis")], default_country="France")
        assert p.payload["candidate_country_code"] == "FR"

    def test_no_source_at_all_stops_the_run_with_the_remedy(self, tmp_path: Path) -> None:
        text = MAPPING.replace(
            "  columns: [Country]\n  location: [City]\n  phone: [Phone]\n", "  columns: [Land]\n"
        )
        r = {k: v for k, v in row().items() if k not in ("Country", "City", "Phone")}
        with pytest.raises(
            InputError, match="add --default-country XX or --candidate-country-from job"
        ):
            run(tmp_path, [r], mapping_text=text)
        (p,) = run(tmp_path, [r], mapping_text=text, default_country="PT")
        assert p.payload["candidate_country_code"] == "PT"


class TestPositionAndLanguage:
    """The job's country and language: one rule for every mapping, defaults only where empty."""

    def test_the_offices_country_gives_the_language(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Office="Berlin")])
        assert p.payload["position_country_code"] == "DE"
        assert p.payload["mojito_language_code"] == "de"

    def test_a_language_column_wins(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Office="Berlin", Language="English")])
        assert p.payload["mojito_language_code"] == "en"

    def test_run_wide_defaults_fill_only_where_the_export_is_silent(self, tmp_path: Path) -> None:
        planned = run(
            tmp_path,
            [row(Office="Remote"), row(Office="Lyon", Email="b@example.com")],
            position_country="CH",
            language="fr",
        )
        remote, lyon = planned
        assert remote.payload["position_country_code"] == "CH"
        assert remote.payload["mojito_language_code"] == "fr"  # CH has no single language
        assert lyon.payload["position_country_code"] == "FR"

    def test_a_missing_location_names_the_option(self, tmp_path: Path) -> None:
        (p,) = run(tmp_path, [row(Office="")])
        assert (
            "position_location: none in the export (no jobs file); add --position-location"
            in p.reason
        )
        (q,) = run(tmp_path, [row(Office="")], position_location="Porto, Portugal")
        assert q.payload["position_country_code"] == "PT"


class TestLocations:
    """The gazetteer answers only when the text is unambiguous."""

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("New York, New York, USA", "US"),
            ("Atlanta, Georgia", "US"),
            ("Tbilisi, Georgia", "GE"),
            ("Berlin, DE", "DE"),
            ("Dover, DE", "US"),
            ("10115 Berlin", "DE"),
            ("München", "DE"),
        ],
    )
    def test_answers(self, text: str, code: str) -> None:
        assert country_from_location(text).code == code

    @pytest.mark.parametrize("text", ["Georgia", "Vancouver", "CA", "Remote", "Dublin, Atlantis"])
    def test_refusals(self, text: str) -> None:
        found = country_from_location(text)
        assert found.code is None and found.how

    def test_a_shared_calling_code_without_a_valid_number_is_refused(self) -> None:
        assert country_from_phone("+44 7700 900123").code is None  # GB, GG, IM, JE
        assert country_from_phone("0049 89 1234567").code == "DE"
