"""Mapping rows: binding columns to files once, then one payload (and its problems) per row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from sync.errors import InputError, MappingError
from sync.jobmojito.validate import validate_candidate
from sync.mapping import BoundMapping, MappingFile, bind, load_mapping, map_rows, parse_mapping
from sync.readers.resumes import ResumeStore
from sync.records import MappedRow, Row, Table


def table(name: str, headers: Sequence[str], *rows: Sequence[str], header_line: int = 1) -> Table:
    """A Table as sync.readers would return it (every cell text, Excel row numbers)."""
    return Table(
        path=f"/data/{name}",
        format="csv",
        headers=tuple(headers),
        rows=tuple(
            Row(f"/data/{name}", header_line + 1 + i, dict(zip(headers, cells, strict=True)))
            for i, cells in enumerate(rows)
        ),
        sha256="0" * 64,
        header_line=header_line,
    )


BASE = """\
  candidate_name: {column: Name}
  candidate_email: {column: Email, transforms: [email]}
  candidate_country_code: {column: Country, transforms: [country]}
  candidate_resume: {column: Resume}
"""
BASE_HEADERS = ("Name", "Email", "Country", "Resume")
BASE_CELLS = ("Ana Silva", "ana@example.com", "Portugal", "CV of Ana")
BASE_PAYLOAD = {
    "candidate_name": "Ana Silva",
    "candidate_email": "ana@example.com",
    "candidate_country_code": "PT",
    "candidate_resume": "CV of Ana",
}


def mapping(extra: str = "", *, head: str = "", base: str = BASE) -> MappingFile:
    return parse_mapping(f"version: 1\nname: test\n{head}fields:\n{base}{extra}")


def applicants(headers: Sequence[str] = (), *rows: Sequence[str]) -> Table:
    """Applicants with the base columns first, then ``headers``; rows give the extra cells."""
    return table(
        "applicants.csv",
        (*BASE_HEADERS, *headers),
        *[(*BASE_CELLS, *cells) for cells in (rows or [()])],
    )


def mapped(bound: BoundMapping, **kw: Any) -> list[MappedRow]:
    return list(map_rows(bound, **kw))


def derived(
    mapping: Any, t: Any, jobs: Any = None, store: ResumeStore | None = None
) -> list[MappedRow]:
    """Rows mapped as a run maps them: the derived fields found by their sources."""
    from sync.mapping.sources import DERIVED_FIELDS, Sources, SourceSettings

    bound = bind(mapping, t, jobs, derived=DERIVED_FIELDS)
    settings = SourceSettings(resumes=bool(store and store.base_dirs))
    sources = Sources(bound, settings, store=store)
    return list(map_rows(bound, resumes=store, sources=sources))


def only(bound: BoundMapping, **kw: Any) -> MappedRow:
    (row,) = mapped(bound, **kw)
    return row


JOBS = """\
jobs:
  applicants_key: Job ID
  jobs_key: [Job Code, Job ID]
"""


class TestColumns:
    """A column reference finds its header however it is spelt, and the first alternative wins."""

    def test_headers_match_case_space_and_bom_insensitively(self):
        t = table("a.csv", ["\ufeffNAME", " e-mail ", "country", "RESUME"], BASE_CELLS)
        m = mapping(base=BASE.replace("Email", "E-Mail"))
        assert only(bind(m, t)).payload == BASE_PAYLOAD

    def test_the_first_alternative_present_in_the_file_wins(self):
        m = mapping("  candidate_external_id: {column: [Application ID, Candidate ID, ID]}\n")
        row = only(bind(m, applicants(["ID", "Candidate ID"], ["x", "C-1"])))
        assert row.payload["candidate_external_id"] == "C-1"

    def test_a_blank_cell_falls_through_to_the_next_alternative(self):
        m = mapping("  candidate_external_id: {column: [Candidate ID, ID, Ref]}\n")
        bound = bind(m, applicants(["Candidate ID", "ID"], ["", "x"], ["y", "z"], [" ", ""]))
        assert [r.payload.get("candidate_external_id") for r in mapped(bound)] == ["x", "y", None]

    def test_cells_are_trimmed_and_blank_cells_left_out(self):
        m = mapping("  candidate_external_id: {column: ID}\n  welcome_message: {column: Hi}\n")
        row = only(bind(m, applicants(["ID", "Hi"], ["  C-1 \n", "   "])))
        assert row.payload["candidate_external_id"] == "C-1"
        assert "welcome_message" not in row.payload

    def test_empty_required_values_are_left_out_for_validation_to_report(self):
        t = table("a.csv", BASE_HEADERS, ("Ana", "", "PT", "CV"))
        row = only(bind(mapping(), t))
        assert "candidate_email" not in row.payload
        assert row.problems == ()

    def test_const_is_sent_as_written_and_not_shared_between_rows(self):
        m = mapping(
            "  interview_attempts: {const: 3}\n"
            "  is_embedded: {const: false}\n"
            "  custom_scoring: {const: {weight: 2}}\n"
        )
        first, second = mapped(bind(m, applicants([], [], [])))
        assert first.payload["interview_attempts"] == 3
        assert first.payload["is_embedded"] is False
        first.payload["custom_scoring"]["weight"] = 99
        assert second.payload["custom_scoring"] == {"weight": 2}


class TestBindRules:
    """Missing columns: required fields stop the run, others are left out or take a default."""

    def test_missing_required_column_is_an_input_error_listing_the_headers(self):
        m = mapping(base=BASE.replace("{column: Email,", "{column: [Email, Email Address],"))
        t = table("applicants.csv", ["Name", "Country", "Resume", "Phone"], ["a", "b", "c", "d"])
        with pytest.raises(InputError) as info:
            bind(m, t)
        assert str(info.value) == (
            "applicants.csv: no column for candidate_email, which the API requires: looked for"
            " 'Email' or 'Email Address' in applicants.csv. The file's headers: Name, Country,"
            " Resume, Phone"
        )

    def test_missing_required_column_suggests_a_near_header(self):
        t = table("applicants.csv", ["Name", "E-mail", "Country", "Resume"], BASE_CELLS)
        with pytest.raises(InputError) as info:
            bind(mapping(), t)
        assert str(info.value) == (
            "applicants.csv: no column for candidate_email, which the API requires: looked for"
            " 'Email' in applicants.csv (did you mean 'E-mail'?). The file's headers: Name,"
            " E-mail, Country, Resume"
        )

    def test_missing_optional_column_is_left_out_with_a_warning(self):
        m = mapping("  candidate_linkedin_url: {column: [LinkedIn, Social Media]}\n")
        bound = bind(m, applicants())
        assert bound.warnings == (
            "candidate_linkedin_url left out: no column 'LinkedIn' or 'Social Media'"
            " in applicants.csv",
        )
        assert only(bound).payload == BASE_PAYLOAD

    def test_default_null_makes_a_missing_column_silent(self):
        m = mapping("  candidate_linkedin_url: {column: LinkedIn, default: null}\n")
        bound = bind(m, applicants())
        assert bound.warnings == ()
        assert only(bound).payload == BASE_PAYLOAD

    def test_default_stands_in_for_a_missing_column(self):
        m = mapping("  mojito_language_code: {column: Language, default: en}\n")
        bound = bind(m, applicants())
        assert bound.warnings == (
            "mojito_language_code: no column 'Language' in applicants.csv; using the default 'en'",
        )
        assert only(bound).payload["mojito_language_code"] == "en"

    def test_default_stands_in_for_a_missing_required_column(self):
        m = mapping(
            base=BASE.replace(
                "{column: Country, transforms: [country]}", "{column: Country, default: US}"
            )
        )
        t = table("a.csv", ["Name", "Email", "Resume"], ["Ana", "a@x.com", "CV"])
        assert only(bind(m, t)).payload["candidate_country_code"] == "US"

    def test_default_fills_an_empty_result(self):
        m = mapping(
            "  mojito_language_code: {column: Language, transforms: [language], default: en}\n"
        )
        rows = mapped(bind(m, applicants(["Language"], ["de-DE"], [""])))
        assert [r.payload["mojito_language_code"] for r in rows] == ["de", "en"]

    def test_a_jobs_file_needs_a_jobs_section(self):
        jobs = table("jobs.csv", ["Job ID"], ["J-1"])
        with pytest.raises(MappingError) as info:
            bind(mapping(), applicants(), jobs)
        assert str(info.value) == (
            "mapping 'test' has no jobs: section, so it cannot join jobs.csv; leave out the jobs"
            " file or add a jobs: section (applicants_key, jobs_key)"
        )

    def test_required_field_from_jobs_without_a_jobs_file(self):
        m = mapping(base=BASE.replace("{column: Resume}", "{column: jobs.Resume}"), head=JOBS)
        t = table("a.csv", ["Name", "Email", "Country", "Job ID"], ["Ana", "a@x.com", "PT", "J"])
        with pytest.raises(InputError) as info:
            bind(m, t)
        assert str(info.value) == (
            "a.csv: no column for candidate_resume, which the API requires: looked for"
            " 'jobs.Resume' (no jobs file given). The file's headers: Name, Email, Country, Job ID"
        )

    def test_binding_records_the_sources_used(self):
        bound = bind(mapping("  interview_attempts: {const: 2}\n"), applicants())
        sources = {f.name: f.sources for f in bound.fields}
        assert sources["candidate_email"] == ("applicants.csv:Email",)
        assert sources["interview_attempts"] == ()


class TestTemplates:
    """Templates substitute columns, collapse white space, and are empty when all parts are."""

    def test_render_and_collapse_white_space(self):
        m = mapping(base=BASE.replace("{column: Name}", '{template: "{First Name}  {Last Name}"}'))
        t = table(
            "a.csv",
            ["First Name", "Last Name", "Email", "Country", "Resume"],
            [" Ana\n", "da  Silva", "a@x.com", "PT", "CV"],
            ["", "Silva", "b@x.com", "PT", "CV"],
            ["", "", "c@x.com", "PT", "CV"],
        )
        rows = mapped(bind(m, t))
        assert [r.payload.get("candidate_name") for r in rows] == ["Ana da Silva", "Silva", None]

    def test_literal_text_alone_does_not_make_a_value(self):
        m = mapping('  welcome_message: {template: "Hello {Nick}!", default: Hello!}\n')
        rows = mapped(bind(m, applicants(["Nick"], ["Ana"], [""])))
        assert [r.payload["welcome_message"] for r in rows] == ["Hello Ana!", "Hello!"]

    def test_double_braces_are_literal(self):
        m = mapping('  welcome_message: {template: "{{Hi}} {Nick}"}\n')
        assert only(bind(m, applicants(["Nick"], ["Ana"]))).payload["welcome_message"] == "{Hi} Ana"

    def test_a_missing_placeholder_column_renders_empty_with_a_warning(self):
        m = mapping('  welcome_message: {template: "Hi {Nick} {Middle}"}\n')
        bound = bind(m, applicants(["Nick"], ["Ana"]))
        assert bound.warnings == (
            "welcome_message: template column 'Middle' in applicants.csv not found;"
            " it renders empty",
        )
        assert only(bound).payload["welcome_message"] == "Hi Ana"

    def test_all_placeholder_columns_missing_counts_as_absent(self):
        m = mapping(base=BASE.replace("{column: Name}", '{template: "{First Name} {Last Name}"}'))
        with pytest.raises(InputError, match="no column for candidate_name"):
            bind(m, applicants())

    def test_jobs_placeholders(self):
        m = mapping('  position_name: {template: "{jobs.Title} ({Level})"}\n', head=JOBS)
        jobs = table("jobs.csv", ["Job ID", "Title"], ["J-1", "Chef"])
        row = only(bind(m, applicants(["Job ID", "Level"], ["J-1", "senior"]), jobs))
        assert row.payload["position_name"] == "Chef (senior)"


class TestRowTransforms:
    """Transforms run per row; a value they cannot read is a problem of that row only."""

    def test_transforms_apply_in_order(self):
        m = mapping("  candidate_external_id: {column: IDs, transforms: [first, upper]}\n")
        row = only(bind(m, applicants(["IDs"], ['["c-1", "c-2"]'])))
        assert row.payload["candidate_external_id"] == "C-1"

    def test_several_emails_in_one_cell(self):
        t = table("a.csv", BASE_HEADERS, ("Ana", "ANA@X.com; ana@y.com", "PT", "CV"))
        assert only(bind(mapping(), t)).payload["candidate_email"] == "ana@x.com"

    def test_a_field_problem_becomes_a_row_problem(self):
        m = mapping(
            "  interview_attempts: {column: Attempts, transforms: [int]}\n"
            "  is_embedded: {column: Embed, transforms: [bool]}\n"
        )
        rows = mapped(bind(m, applicants(["Attempts", "Embed"], ["two", "maybe"], ["2", "yes"])))
        assert rows[0].problems == (
            "interview_attempts: 'two' is not a whole number",
            "is_embedded: 'maybe' is not yes or no (use true/false, yes/no, 1/0)",
        )
        assert rows[0].payload == BASE_PAYLOAD
        assert rows[1].problems == ()
        assert rows[1].payload["interview_attempts"] == 2
        assert rows[1].payload["is_embedded"] is True

    def test_max_length_cuts_with_a_note(self):
        m = mapping("  position_description: {column: Text, max_length: 10}\n")
        rows = mapped(bind(m, applicants(["Text"], ["0123456789"], ["0123456789ABC"])))
        assert rows[0].payload["position_description"] == "0123456789"
        assert rows[1].payload["position_description"] == (
            "0123456789… [truncated by jobmojito-sync at 10 characters]"
        )

    def test_typed_values_are_not_truncated(self):
        m = mapping("  max_duration: {column: D, transforms: [int], max_length: 2}\n")
        assert only(bind(m, applicants(["D"], ["1200"]))).payload["max_duration"] == 1200


FILE_BASE = BASE.replace("{column: Resume}", "{column: Resume, transforms: [file]}")


class TestResumeFiles:
    """``file`` reads the named resume through the store; failures are row problems."""

    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        folder = tmp_path / "resumes"
        folder.mkdir()
        (folder / "ana.txt").write_text("Ana Silva\nPython", encoding="utf-8")
        (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
        return folder

    def run(self, cell: str, store: ResumeStore | None) -> MappedRow:
        t = table("a.csv", BASE_HEADERS, ("Ana", "a@x.com", "PT", cell))
        return only(bind(mapping(base=FILE_BASE), t), resumes=store)

    def test_reads_the_file(self, folder: Path):
        row = self.run("ana.txt", ResumeStore([folder]))
        assert row.payload["candidate_resume"] == "Ana Silva\nPython"
        assert row.problems == ()

    def test_missing_file(self, folder: Path):
        row = self.run("bob.txt", ResumeStore([folder]))
        assert row.problems == (f"candidate_resume: file 'bob.txt' not found in {folder}",)
        assert "candidate_resume" not in row.payload

    def test_path_traversal_is_refused(self, folder: Path):
        row = self.run("../secret.txt", ResumeStore([folder]))
        assert row.problems == (
            f"candidate_resume: file '../secret.txt' is outside {folder}; refused",
        )
        assert "candidate_resume" not in row.payload

    def test_no_store(self):
        row = self.run("ana.txt", None)
        assert row.problems == (
            "candidate_resume: cannot read file 'ana.txt': no resume folder given (--resumes)",
        )

    def test_empty_cell_reads_nothing(self, folder: Path):
        row = self.run("", ResumeStore([folder]))
        assert row.problems == ()
        assert "candidate_resume" not in row.payload


JOB_FIELDS = """\
  position_external_id: {column: Job ID}
  position_name: {column: jobs.Title}
  position_location: {column: [Office, jobs.Office]}
  mojito_language_code: {column: jobs.Language, transforms: [language], default: en}
"""


def jobs_table(*rows: Sequence[str]) -> Table:
    return table("jobs.csv", ["Job Code", "Title", "Office", "Language"], *rows)


class TestJoin:
    """Applicant rows find their job by key; unknown keys and duplicate jobs are reported."""

    def test_jobs_fields_come_from_the_joined_row(self):
        jobs = jobs_table(["J-1", "Chef", "Lyon", "French"], ["J-2", "Baker", "Paris", ""])
        rows = mapped(
            bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-2"], [" J-1 "]), jobs)
        )
        assert [r.payload["position_name"] for r in rows] == ["Baker", "Chef"]
        assert [r.payload["mojito_language_code"] for r in rows] == ["en", "fr"]
        assert [r.payload["position_location"] for r in rows] == ["Paris", "Lyon"]

    def test_an_applicants_column_listed_first_wins_over_the_jobs_one(self):
        jobs = jobs_table(["J-1", "Chef", "Lyon", "fr"])
        t = applicants(["Job ID", "Office"], ["J-1", "Remote"])
        row = only(bind(mapping(JOB_FIELDS, head=JOBS), t, jobs))
        assert row.payload["position_location"] == "Remote"

    def test_unknown_job_key_is_a_row_problem(self):
        jobs = jobs_table(["J-1", "Chef", "Lyon", "fr"])
        row = only(bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-999"]), jobs))
        assert row.problems == (
            "position: job key 'J-999' (column 'Job ID') not found in jobs.csv",
        )
        assert row.payload["position_external_id"] == "J-999"
        assert "position_name" not in row.payload

    def test_an_empty_job_key_joins_nothing_and_is_no_problem(self):
        jobs = jobs_table(["J-1", "Chef", "Lyon", "fr"])
        row = only(bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], [""]), jobs))
        assert row.problems == ()
        assert "position_name" not in row.payload

    def test_duplicate_job_keys_are_an_input_error_naming_both_rows(self):
        jobs = jobs_table(
            ["J-1", "Chef", "Lyon", "fr"], ["J-2", "x", "y", "z"], ["J-1 ", "Cook", "", ""]
        )
        with pytest.raises(InputError) as info:
            bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-1"]), jobs)
        assert str(info.value) == (
            "jobs.csv: job key 'J-1' (column 'Job Code') appears twice, in rows 2 and 4;"
            " each job must be listed once"
        )

    def test_missing_applicants_key_column(self):
        jobs = jobs_table(["J-1", "Chef", "Lyon", "fr"])
        m = mapping(
            JOB_FIELDS.replace("{column: Job ID}", "{column: Job ID, default: null}"), head=JOBS
        )
        with pytest.raises(InputError) as info:
            bind(m, applicants(["Job"], ["J-1"]), jobs)
        assert str(info.value) == (
            "applicants.csv: no column 'Job ID' to join jobs.csv on. The file's headers: Name,"
            " Email, Country, Resume, Job"
        )

    def test_missing_jobs_key_column(self):
        jobs = table("jobs.csv", ["Code", "Title"], ["J-1", "Chef"])
        with pytest.raises(InputError) as info:
            bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-1"]), jobs)
        assert str(info.value) == (
            "jobs.csv: no column 'Job Code' or 'Job ID' to join applicants.csv on."
            " The file's headers: Code, Title"
        )

    def test_without_a_jobs_file_jobs_fields_are_absent(self):
        bound = bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-1"]))
        assert bound.join is None
        assert bound.warnings == (
            "position_name left out: no column 'jobs.Title' (no jobs file given)",
            "position_location left out: no column 'Office' in applicants.csv"
            " nor 'jobs.Office' (no jobs file given)",
            "mojito_language_code: no column 'jobs.Language' (no jobs file given);"
            " using the default 'en'",
        )
        row = only(bound)
        assert row.problems == ()
        assert row.payload["mojito_language_code"] == "en"
        assert "position_name" not in row.payload

    def test_a_jobs_column_missing_from_the_jobs_file_is_named(self):
        jobs = table("jobs.csv", ["Job ID"], ["J-1"])
        bound = bind(mapping(JOB_FIELDS, head=JOBS), applicants(["Job ID"], ["J-1"]), jobs)
        assert bound.warnings[0] == "position_name left out: no column 'Title' in jobs.csv"


class TestMapRows:
    """Every applicant row yields exactly one MappedRow, in order, lazily."""

    def test_one_per_row_in_order_with_the_row_kept(self):
        t = table("a.csv", BASE_HEADERS, *[(f"N{i}", f"n{i}@x.com", "PT", "CV") for i in range(5)])
        rows = mapped(bind(mapping(), t))
        assert [r.row for r in rows] == list(t.rows)
        assert [r.row.line for r in rows] == [2, 3, 4, 5, 6]
        assert [r.payload["candidate_email"] for r in rows] == [f"n{i}@x.com" for i in range(5)]

    def test_it_is_an_iterator(self):
        it = map_rows(bind(mapping(), applicants([], [], [])))
        assert next(it).row.line == 2

    def test_referenced_columns_cover_keys_columns_and_placeholders(self):
        m = mapping(
            '  position_name: {template: "{jobs.Title} {Level}"}\n'
            "  welcome_message: {column: [Hi, jobs.Hi]}\n",
            head=JOBS,
        )
        assert m.referenced_columns() == [
            "Job ID",
            "Job Code",
            "Name",
            "Email",
            "Country",
            "Resume",
            "Title",
            "Level",
            "Hi",
        ]


# ------------------------------------------------------------------ golden payloads


class TestGenericGolden:
    """The generic mapping turns API-named columns (+ a jobs file) into exact payloads."""

    APPLICANTS = (
        "candidate_external_id", "candidate_name", "candidate_email", "candidate_country_code",
        "candidate_linkedin_url", "position_external_id", "candidate_resume", "interview_attempts",
    )  # fmt: skip
    JOBS_HEADERS = (
        "position_external_id", "position_name", "position_location", "position_country_code",
        "mojito_language_code", "seniority_level", "position_description",
    )  # fmt: skip

    def test_payloads(self):
        t = table(
            "applicants.csv",
            self.APPLICANTS,
            ["C-1", " Ana  Silva ", "Ana@Example.com", "Portugal",
             "https://www.linkedin.com/in/ana", "JOB-101", "Ana Silva\nPython", "2"],
            ["C-2", "Bruno Müller", "bruno@example.com", "Deutschland", "", "JOB-103",
             "Bruno\nSQL", ""],
            ["C-3", "Lost Job", "lost@example.com", "ES", "", "JOB-999", "CV", ""],
        )  # fmt: skip
        jobs = table(
            "jobs.csv",
            self.JOBS_HEADERS,
            ["JOB-101", "Backend Engineer", "Berlin", "Germany", "de", "senior",
             "<p>Build <b>Python</b> services.</p><ul><li>APIs</li><li>Data</li></ul>"],
            ["JOB-103", "Junior Data Analyst", "São Paulo", "Brazil", "pt-BR", "",
             "Analyse funnels &amp; report."],
        )  # fmt: skip
        bound = bind(load_mapping("generic"), t, jobs)
        assert bound.warnings == ()
        rows = mapped(bound)
        assert rows[0].payload == {
            "candidate_name": "Ana Silva",
            "candidate_email": "ana@example.com",
            "candidate_country_code": "PT",
            "candidate_resume": "Ana Silva\nPython",
            "candidate_external_id": "C-1",
            "candidate_linkedin_url": "https://www.linkedin.com/in/ana",
            "position_external_id": "JOB-101",
            "position_name": "Backend Engineer",
            "position_location": "Berlin",
            "position_country_code": "DE",
            "mojito_language_code": "de",
            "seniority_level": "senior",
            "position_description": "Build Python services.\n\n- APIs\n- Data",
            "interview_attempts": 2,
        }
        assert rows[1].payload == {
            "candidate_name": "Bruno Müller",
            "candidate_email": "bruno@example.com",
            "candidate_country_code": "DE",
            "candidate_resume": "Bruno\nSQL",
            "candidate_external_id": "C-2",
            "position_external_id": "JOB-103",
            "position_name": "Junior Data Analyst",
            "position_location": "São Paulo",
            "position_country_code": "BR",
            "mojito_language_code": "br",
            "position_description": "Analyse funnels & report.",
        }
        assert rows[2].problems == (
            "position: job key 'JOB-999' (column 'position_external_id') not found in jobs.csv",
        )
        for row in rows[:2]:
            assert row.problems == ()
            assert validate_candidate(row.payload).problems == ()

    def test_applicants_alone(self):
        t = table(
            "applicants.csv",
            ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
             "position_name", "position_location", "position_country_code",
             "mojito_language_code"],
            ["Ana", "ana@example.com", "PT", "CV", "Chef", "Lyon", "France", "French"],
        )  # fmt: skip
        bound = bind(load_mapping("generic"), t)
        assert bound.warnings == ()
        assert only(bound).payload == {
            "candidate_name": "Ana",
            "candidate_email": "ana@example.com",
            "candidate_country_code": "PT",
            "candidate_resume": "CV",
            "position_name": "Chef",
            "position_location": "Lyon",
            "position_country_code": "FR",
            "mojito_language_code": "fr",
        }


class TestGreenhouseGolden:
    """The Greenhouse mapping turns a candidate export, Jobs report and resumes into payloads."""

    HEADERS = (
        "Candidate ID", "First Name", "Last Name", "Company", "Title", "Email", "Phone",
        "Social Media", "Website", "Address", "Job", "Job ID", "Requisition ID", "Stage",
        "Status", "Office", "Department", "Resume",
    )  # fmt: skip

    def test_payloads(self, tmp_path: Path):
        (tmp_path / "ana.txt").write_text(
            "Ana Silva\nBackend, Python and PostgreSQL", encoding="utf-8"
        )
        (tmp_path / "bo.html").write_text(
            "<h1>Bo Li</h1><p>Sales &amp; more, EMEA and APAC accounts</p>", encoding="utf-8"
        )
        t = table(
            "greenhouse.xlsx",
            self.HEADERS,
            ["1001", "Ana", "Silva", "Acme", "Engineer", "ANA@example.com, ana@home.pt",
             "+351", "https://twitter.com/ana https://www.linkedin.com/in/ana-silva",
             "", "Rua A 1, Lisboa, Portugal", "Senior Backend Engineer", "4001",
             "REQ-1", "Application Review", "Active", "Berlin, Germany", "Engineering",
             "ana.txt"],
            ["1002", "Bo", "Li", "", "", "bo@example.com", "", "", "", "Singapore",
             "Head of Sales", "4002", "REQ-2", "Offer", "Active", "Remote - UK",
             "Sales", "bo.html"],
        )  # fmt: skip
        jobs = table(
            "jobs.xlsx",
            ["Job ID", "Job Name", "Office", "Department", "Requisition ID", "Status",
             "Job Post", "Language"],
            ["4001", "Senior Backend Engineer", "Berlin, Germany", "Engineering", "REQ-1",
             "Open", "&lt;p&gt;Build &amp;amp; run APIs.&lt;/p&gt;", "en-US"],
            ["4002", "Head of Sales", "Remote - UK", "Sales", "REQ-2", "Open", "", "de"],
        )  # fmt: skip
        rows = derived(load_mapping("greenhouse"), t, jobs, store=ResumeStore([tmp_path]))
        assert rows[0].payload == {
            "candidate_name": "Ana Silva",
            "candidate_email": "ana@example.com",
            "candidate_country_code": "PT",
            "candidate_resume": "Ana Silva\nBackend, Python and PostgreSQL",
            "candidate_external_id": "1001",
            "candidate_linkedin_url": "https://www.linkedin.com/in/ana-silva",
            "position_external_id": "4001",
            "position_name": "Senior Backend Engineer",
            "position_location": "Berlin, Germany",
            "position_country_code": "DE",
            "position_description_long": "Build & run APIs.",
            "mojito_language_code": "en",
            "seniority_level": "senior",
            "interview_department": "Engineering",
        }
        assert rows[1].payload == {
            "candidate_name": "Bo Li",
            "candidate_email": "bo@example.com",
            "candidate_country_code": "SG",
            "candidate_resume": "Bo Li\n\nSales & more, EMEA and APAC accounts",
            "candidate_external_id": "1002",
            "position_external_id": "4002",
            "position_name": "Head of Sales",
            "position_location": "Remote - UK",
            # The office's location text names the country (sync.locations).
            "position_country_code": "GB",
            "mojito_language_code": "de",
            "seniority_level": "managerial",
            "interview_department": "Sales",
        }
        assert [r.problems for r in rows] == [(), ()]
        assert validate_candidate(rows[0].payload).problems == ()
        assert validate_candidate(rows[1].payload).problems == ()

    def test_candidate_export_alone(self, tmp_path: Path):
        t = table(
            "greenhouse.csv",
            ["Candidate ID", "First Name", "Last Name", "Email", "Job", "Office", "Address",
             "Resume"],
            ["7", "Ana", "Silva", "ana@example.com", "Chef", "Lyon, France", "Lisbon, Portugal",
             "nope.txt"],
        )  # fmt: skip
        (row,) = derived(load_mapping("greenhouse"), t, store=ResumeStore([tmp_path]))
        assert row.payload == {
            "candidate_name": "Ana Silva",
            "candidate_email": "ana@example.com",
            "candidate_country_code": "PT",
            "candidate_external_id": "7",
            "position_name": "Chef",
            "position_location": "Lyon, France",
            "position_country_code": "FR",
            "mojito_language_code": "fr",  # no language column: the job's country's
            "seniority_level": "intermediate",
        }
        (problem,) = row.problems
        assert problem.startswith("candidate_resume: file 'nope.txt' not found in")

    def test_without_a_resume_column_the_run_stops(self):
        t = table(
            "gh.csv", ["First Name", "Last Name", "Email", "Address"], ["A", "B", "a@x.com", "PT"]
        )
        with pytest.raises(InputError) as info:
            derived(load_mapping("greenhouse"), t)
        assert str(info.value).startswith(
            "gh.csv: no source for candidate_resume, which the API requires: the export holds"
            " no resume text; add --resumes DIR|ZIP"
        )
