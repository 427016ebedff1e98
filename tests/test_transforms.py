"""Transforms: each named transform, table-driven; the resume store behind ``file``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import readme_section

from sync.errors import FieldProblem
from sync.jobmojito.models import LANGUAGE_CODES
from sync.mapping.transforms import (
    SENIORITY_LEVELS,
    TRANSFORMS,
    TYPED_TRANSFORMS,
    file_transform,
)
from sync.places import PLATFORM_LANGUAGES
from sync.readers.resumes import ResumeStore


def apply(name: str, text: str) -> object:
    return TRANSFORMS[name](text)


class TestRegistry:
    """The set of transforms is small, fixed and documented."""

    def test_the_names_are_exactly_the_documented_set(self):
        """README's "Transforms, a small fixed set: ..." names exactly these, in this order."""
        text = readme_section("Mapping files").split("Transforms, a small fixed set:")[1]
        listed = re.sub(r"\([^()]*\)", "", text.split("\n\n")[0])  # the examples in (...)
        assert re.findall(r"`([^`]+)`", listed) == list(TRANSFORMS)

    def test_every_transform_has_a_docstring(self):
        for name, fn in TRANSFORMS.items():
            assert fn.__doc__ and fn.__doc__.strip(), name

    def test_typed_transforms_are_the_non_text_ones(self, resumes: Path):
        """TYPED_TRANSFORMS (which must end a chain) are exactly the transforms whose
        result is not text: a number or a truth value."""
        cells = {
            "strip": " a ", "lower": "A", "upper": "a", "collapse_spaces": "a  b",
            "first": "a; b", "first_last": "Silva, Ana", "email": "ana@example.com",
            "country": "Portugal", "language": "English", "country_language": "Berlin, Germany",
            "html": "<b>x</b>", "file": "ana.txt", "int": "12", "number": "1.5", "bool": "yes",
            "seniority": "Senior engineer", "linkedin": "https://www.linkedin.com/in/ana",
        }  # fmt: skip
        assert cells.keys() == TRANSFORMS.keys()  # a new transform is sorted here too
        store = ResumeStore([resumes])
        for name, cell in cells.items():
            transform = file_transform(store) if name == "file" else TRANSFORMS[name]
            value = transform(cell)
            assert value not in ("", None), name
            assert (name in TYPED_TRANSFORMS) is not isinstance(value, str), (name, value)

    def test_platform_languages_are_the_schema_enum(self):
        assert set(LANGUAGE_CODES) == PLATFORM_LANGUAGES

    def test_field_problem_is_not_a_sync_error(self):
        from sync.errors import SyncError

        assert not issubclass(FieldProblem, SyncError)
        assert str(FieldProblem("bad")) == "bad"


TEXT_CASES = [
    ("strip", "  a b \n", "a b"),
    ("lower", "ÀBC", "àbc"),
    ("upper", "de", "DE"),
    ("collapse_spaces", "  Ana \n  Silva\t ", "Ana Silva"),
    ("first", '["a@x.com", "b@y.com"]', "a@x.com"),
    ("first", "a, b", "a"),
    ("first", "a; b", "a"),
    ("first", " | a | b", "a"),
    ("first", "one\ntwo", "one"),
    ("first", "[not json", "[not json"),
    ("email", "Ana.Silva@Example.COM", "ana.silva@example.com"),
    ("email", "a@x.com,b@y.com", "a@x.com"),
    ("email", "a@x.com, b@y.com", "a@x.com"),
    ("email", '["First@X.com","b@y.com"]', "first@x.com"),
    ("email", "Ana Silva <ana@example.com>", "ana@example.com"),
    ("email", "mailto:ana@example.com", "ana@example.com"),
    ("email", "not an address", "not an address"),
    ("email", " bob@ ", "bob@"),
    ("linkedin", "https://www.linkedin.com/in/ana", "https://www.linkedin.com/in/ana"),
    (
        "linkedin",
        "https://twitter.com/ana, https://github.com/ana; linkedin.com/in/ana-s",
        "https://linkedin.com/in/ana-s",
    ),
    (
        "linkedin",
        '["https://x.com/a", "https://de.linkedin.com/in/a"]',
        "https://de.linkedin.com/in/a",
    ),
    ("linkedin", "https://twitter.com/ana https://notlinkedin.com/x", ""),
]


class TestTextTransforms:
    """Plain-text transforms give the documented text for each kind of input."""

    @pytest.mark.parametrize(("name", "text", "expected"), TEXT_CASES)
    def test_case(self, name: str, text: str, expected: str):
        assert apply(name, text) == expected


COUNTRY_CASES = [
    ("DE", "DE"),
    ("de", "DE"),
    ("DEU", "DE"),
    ("fra", "FR"),
    ("Germany", "DE"),
    ("Deutschland", "DE"),
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("United Kingdom", "GB"),
    ("England", "GB"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("United States of America", "US"),
    ("Holland", "NL"),
    ("The Netherlands", "NL"),
    ("Nederland", "NL"),
    ("Schweiz", "CH"),
    ("Suisse", "CH"),
    ("España", "ES"),
    ("Espana", "ES"),
    ("Brasil", "BR"),
    ("Österreich", "AT"),
    ("Czechia", "CZ"),
    ("Czech Republic", "CZ"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("South Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("  japan ", "JP"),
    ("Berlin, Germany", "DE"),
    ("São Paulo, Brasil", "BR"),
    ("New York, NY, USA", "US"),
    ("Seoul, Korea, Republic of", "KR"),
    # Names in the languages of localised exports (pycountry's ISO 3166 translations).
    ("Indien", "IN"),
    ("Vereinigte Staaten", "US"),
    ("Espagne", "ES"),
    ("Verenigd Koninkrijk", "GB"),
    ("München, Deutschland", "DE"),
    ("Georgia", "GE"),  # English wins over any translation
    # A trailing two-letter part is not taken as a country (US states, not Georgia/Gabon).
    ("Atlanta, GA", "Atlanta, GA"),
    ("Remote", "Remote"),
    ("Atlantis", "Atlantis"),
]


class TestCountry:
    """Names, aliases, codes and "City, Country" become ISO alpha-2; unknown text stays."""

    @pytest.mark.parametrize(("text", "expected"), COUNTRY_CASES)
    def test_case(self, text: str, expected: str):
        assert apply("country", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana, Silva", "Ana Silva"),
        (" María José ,  García ", "María José García"),
        ("Ana Silva", "Ana Silva"),
        ("a, b, c", "a, b, c"),
    ],
)
def test_first_last(text: str, expected: str):
    assert apply("first_last", text) == expected


class TestCountryLanguage:
    """A job's country gives its interview language when the export has none."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Berlin, Germany", "de"),
            ("Brasil", "br"),
            ("Lisbon, Portugal", "pt"),
            ("CA", "en"),
            ("Casablanca, Marokko", "ar"),
            ("Zürich, Switzerland", ""),  # several languages: the default decides
            ("Atlantis", ""),
            ("", ""),
        ],
    )
    def test_case(self, text: str, expected: str):
        assert apply("country_language", text) == expected


LANGUAGE_CASES = [
    ("en", "en"),
    ("EN", "en"),
    ("en-US", "en"),
    ("en_GB", "en"),
    ("English", "en"),
    ("german", "de"),
    ("Deutsch", "de"),
    ("deu", "de"),
    ("ger", "de"),
    ("Français", "fr"),
    ("fra", "fr"),
    ("Español", "es"),
    ("pt", "pt"),
    ("pt-PT", "pt"),
    ("pt-BR", "br"),
    ("pt_BR", "br"),
    ("Portuguese", "pt"),
    ("Português", "pt"),
    ("Brazilian Portuguese", "br"),
    ("Portuguese (Brazil)", "br"),
    ("nb", "no"),
    ("nn", "no"),
    ("no", "no"),
    ("nb-NO", "no"),
    ("Norsk", "no"),
    ("tl", "fil"),
    ("fil", "fil"),
    ("Tagalog", "fil"),
    ("zh", "zh"),
    ("zh-CN", "zh"),
    ("zh-Hant-TW", "zh"),
    ("Chinese", "zh"),
    ("Greek", "el"),
    ("ell", "el"),
    ("Malay", "ms"),
    ("日本語", "ja"),
    ("Türkçe", "tr"),
    ("he", "he"),
    ("Hebrew", "Hebrew"),
    ("Klingon", "Klingon"),
]


class TestLanguage:
    """Names, ISO codes and locales become platform codes, with the platform's specials."""

    @pytest.mark.parametrize(("text", "expected"), LANGUAGE_CASES)
    def test_case(self, text: str, expected: str):
        assert apply("language", text) == expected

    def test_every_platform_code_maps_to_itself(self):
        for code in PLATFORM_LANGUAGES:
            assert apply("language", code) == code


SENIORITY_CASES = [
    ("Software Engineering Intern", "entry-level"),
    ("Junior Data Analyst", "entry-level"),
    ("Graduate Trainee", "entry-level"),
    ("Backend Engineer", "intermediate"),
    ("Chef de projet", "intermediate"),
    ("Senior Backend Engineer", "senior"),
    ("Sr. Designer", "senior"),
    ("Lead Designer", "senior"),
    ("Principal Engineer", "senior"),
    ("Staff Engineer", "senior"),
    ("Engineering Manager", "managerial"),
    ("Head of Sales", "managerial"),
    ("Senior Manager, Finance", "managerial"),
    ("Director of Operations", "director"),
    ("VP Engineering", "director"),
    ("Vice President, Sales", "director"),
    ("CEO", "executive"),
    ("Chief Technology Officer", "executive"),
    ("President", "executive"),
    ("C-level advisor", "executive"),
    ("entry-level", "entry-level"),
    ("Mid-Senior level", "senior"),
    ("Associate", "intermediate"),
]


class TestSeniority:
    """A job title maps to one of the API's six levels by keyword, highest first."""

    @pytest.mark.parametrize(("text", "expected"), SENIORITY_CASES)
    def test_case(self, text: str, expected: str):
        assert apply("seniority", text) == expected

    def test_every_result_is_an_api_level(self):
        for text, _ in SENIORITY_CASES:
            assert apply("seniority", text) in SENIORITY_LEVELS


HTML_CASES = [
    (
        "<p>Build our <b>Python</b> services.</p><ul><li>APIs</li><li>Data</li></ul><p>End</p>",
        "Build our Python services.\n\n- APIs\n- Data\n\nEnd",
    ),
    # Greenhouse's job board: entity-escaped HTML.
    (
        "&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;&lt;ul&gt;&lt;li&gt;One&lt;/li&gt;&lt;/ul&gt;",
        "Hello & welcome\n\n- One",
    ),
    # Escaped twice.
    ("&amp;lt;p&amp;gt;Hi&amp;lt;/p&amp;gt;", "Hi"),
    (
        "<style>p {color: red}</style><script>alert(1)</script><h2>Title</h2><p>a<br>b</p>",
        "Title\n\na\nb",
    ),
    ("<div>a</div><div>b</div>x<br/>y", "a\nb\nx\ny"),
    ("Caf&eacute; &amp; bar &#8211; ok", "Café & bar – ok"),
    # Plain text keeps its own line breaks.
    ("Line one\nLine two\n\n\n\nLine three", "Line one\nLine two\n\nLine three"),
    ("Line one\n<b>bold</b> two", "Line one\nbold two"),
    ("a < b and c > d", "a < b and c > d"),
]


class TestHtml:
    """HTML and escaped HTML become readable text with line breaks and list items."""

    @pytest.mark.parametrize(("text", "expected"), HTML_CASES)
    def test_case(self, text: str, expected: str):
        assert apply("html", text) == expected


TYPED_CASES = [
    ("int", "3", 3),
    ("int", " 3.0 ", 3),
    ("int", "+7", 7),
    ("int", "1,200", 1200),
    ("number", "1200", 1200),
    ("number", "0.5", 0.5),
    ("number", "0,5", 0.5),
    ("number", "1,234.5", 1234.5),
    ("bool", "true", True),
    ("bool", "Yes", True),
    ("bool", "y", True),
    ("bool", "1", True),
    ("bool", "x", True),
    ("bool", "FALSE", False),
    ("bool", "no", False),
    ("bool", "0", False),
    ("bool", "n", False),
]

TYPED_PROBLEMS = [
    ("int", "3.5", "'3.5' is not a whole number"),
    ("int", "three", "'three' is not a whole number"),
    ("number", "lots", "'lots' is not a number"),
    ("number", "nan", "'nan' is not a number"),
    ("bool", "maybe", "'maybe' is not yes or no (use true/false, yes/no, 1/0)"),
]


class TestTypedTransforms:
    """int, number and bool give typed values, and a FieldProblem for text they cannot read."""

    @pytest.mark.parametrize(("name", "text", "expected"), TYPED_CASES)
    def test_case(self, name: str, text: str, expected: object):
        value = apply(name, text)
        assert value == expected
        assert type(value) is type(expected)

    @pytest.mark.parametrize(("name", "text", "message"), TYPED_PROBLEMS)
    def test_problem(self, name: str, text: str, message: str):
        with pytest.raises(FieldProblem) as info:
            apply(name, text)
        assert info.value.message == message


@pytest.fixture
def resumes(tmp_path: Path) -> Path:
    folder = tmp_path / "resumes"
    folder.mkdir()
    (folder / "ana.txt").write_text("Ana Silva\nPython, SQL\n", encoding="utf-8")
    (folder / "bom.txt").write_bytes("\ufeffBOM first".encode())
    (folder / "latin.txt").write_bytes("Bruno Müller – CV".encode("cp1252"))
    (folder / "notes.md").write_text("# Ana\n\n- Python", encoding="utf-8")
    (folder / "cv.html").write_text("<h1>Ana</h1><p>Python &amp; SQL</p>", encoding="utf-8")
    (folder / "empty.txt").write_text(" \n ", encoding="utf-8")
    (folder / "cv.pdf").write_bytes(b"%PDF-1.4")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.txt").write_text("deep", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("do not read", encoding="utf-8")
    return folder


class TestResumeStore:
    """Files named in cells are read as text from the given folders, and never from outside."""

    @pytest.mark.parametrize(
        ("ref", "expected"),
        [
            ("ana.txt", "Ana Silva\nPython, SQL"),
            (" ana.txt ", "Ana Silva\nPython, SQL"),
            ("bom.txt", "BOM first"),
            ("latin.txt", "Bruno Müller – CV"),
            ("notes.md", "# Ana\n\n- Python"),
            ("cv.html", "Ana\n\nPython & SQL"),
            ("sub/deep.txt", "deep"),
            ("sub\\deep.txt", "deep"),
        ],
    )
    def test_reads(self, resumes: Path, ref: str, expected: str):
        assert ResumeStore([resumes]).read_text(ref) == expected

    def test_folders_are_searched_in_order(self, resumes: Path, tmp_path: Path):
        other = tmp_path / "other"
        other.mkdir()
        (other / "ana.txt").write_text("other Ana", encoding="utf-8")
        (other / "only.txt").write_text("only here", encoding="utf-8")
        store = ResumeStore([resumes, other])
        assert store.read_text("ana.txt") == "Ana Silva\nPython, SQL"
        assert store.read_text("only.txt") == "only here"

    @pytest.mark.parametrize("ref", ["../secret.txt", "sub/../../secret.txt"])
    def test_paths_escaping_the_folder_are_refused(self, resumes: Path, ref: str):
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes]).read_text(ref)
        assert info.value.message == f"file '{ref}' is outside {resumes}; refused"

    def test_absolute_path_outside_is_refused(self, resumes: Path, tmp_path: Path):
        ref = str(tmp_path / "secret.txt")
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes]).read_text(ref)
        assert info.value.message == f"file '{ref}' is outside {resumes}; refused"

    def test_absolute_path_inside_is_read(self, resumes: Path):
        assert ResumeStore([resumes]).read_text(str(resumes / "ana.txt")).startswith("Ana")

    @pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
    def test_symlink_pointing_outside_is_refused(self, resumes: Path, tmp_path: Path):
        (resumes / "link.txt").symlink_to(tmp_path / "secret.txt")
        with pytest.raises(FieldProblem, match="is outside"):
            ResumeStore([resumes]).read_text("link.txt")

    def test_missing_file(self, resumes: Path):
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes]).read_text("nobody.txt")
        assert info.value.message == f"file 'nobody.txt' not found in {resumes}"

    def test_missing_file_names_every_folder(self, resumes: Path, tmp_path: Path):
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes, tmp_path]).read_text("nobody.txt")
        assert info.value.message == f"file 'nobody.txt' not found in {resumes} or {tmp_path}"

    def test_empty_file(self, resumes: Path):
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes]).read_text("empty.txt")
        assert info.value.message == "file 'empty.txt' is empty"

    def test_unsupported_type(self, resumes: Path):
        (resumes / "cv.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
        with pytest.raises(FieldProblem) as info:
            ResumeStore([resumes]).read_text("cv.doc")
        assert info.value.message == (
            "file 'cv.doc' is not a supported resume format (.pdf, .docx, .rtf, .html, .txt, .md)"
        )

    def test_a_folder_is_not_a_file(self, resumes: Path):
        with pytest.raises(FieldProblem, match="not found"):
            ResumeStore([resumes]).read_text("sub")

    def test_email_is_accepted_for_later_matching(self, resumes: Path):
        assert ResumeStore([resumes]).read_text("ana.txt", email="ana@example.com")


class TestFileTransform:
    """``file`` reads through the store given for the run; without one it is a row problem."""

    def test_reads_through_the_store(self, resumes: Path):
        assert file_transform(ResumeStore([resumes]))(" ana.txt") == "Ana Silva\nPython, SQL"

    def test_without_a_store(self):
        with pytest.raises(FieldProblem) as info:
            file_transform(None)("ana.txt")
        assert (
            info.value.message == "cannot read file 'ana.txt': no resume folder given (--resumes)"
        )

    def test_the_registry_entry_refuses_to_run_unbound(self):
        with pytest.raises(FieldProblem):
            TRANSFORMS["file"]("ana.txt")
