"""Mapping files: loading, every mistake's exact message, and the shipped mappings."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import sync.mapping.model
from sync.errors import MappingError
from sync.jobmojito.models import CANDIDATE_FIELDS, REQUIRED_CANDIDATE_FIELDS
from sync.mapping import (
    MappingFile,
    list_mappings,
    load_mapping,
    mapping_path,
    parse_mapping,
    shipped_mappings_dir,
)
from sync.mapping.transforms import TRANSFORMS

ALLOWED_TRANSFORMS = ", ".join(TRANSFORMS)
FIELD_KEYS = "column, template, const, default, transforms, max_length"

REQUIRED = """\
  candidate_name: {column: Name}
  candidate_email: {column: Email}
  candidate_country_code: {column: Country}
  candidate_resume: {column: Resume}
"""


def write(tmp_path: Path, body: str, name: str = "acme") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    return str(info.value)


def fields_file(tmp_path: Path, extra: str, *, head: str = "") -> Path:
    """A valid mapping plus ``extra`` lines under fields: (and ``head`` before fields:)."""
    return write(tmp_path, f"version: 1\nname: acme\n{head}fields:\n{REQUIRED}{extra}")


class TestLoading:
    """Names find shipped files, anything path-like is a path, and the result is validated."""

    def test_a_shipped_name(self):
        mapping = load_mapping("generic")
        assert mapping.name == "generic"
        assert mapping.path == shipped_mappings_dir() / "generic.yaml"

    def test_a_path_as_str_and_as_path(self, tmp_path: Path):
        path = fields_file(tmp_path, "")
        assert load_mapping(str(path)).name == "acme"
        assert load_mapping(path).path == path

    def test_a_yml_suffix_is_a_path(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        path = tmp_path / "acme.yml"
        path.write_text(fields_file(tmp_path, "").read_text(encoding="utf-8"), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        assert load_mapping("acme.yml").name == "acme"

    def test_shipped_dir_is_the_top_level_mappings_folder(self):
        assert shipped_mappings_dir() == Path(__file__).resolve().parents[1] / "mappings"
        assert (shipped_mappings_dir() / "greenhouse.yaml").is_file()

    def test_mapping_path_of_a_name(self):
        assert mapping_path("greenhouse") == shipped_mappings_dir() / "greenhouse.yaml"

    def test_unknown_name_suggests_the_nearest(self):
        shipped = ", ".join(sorted(p.stem for p in shipped_mappings_dir().glob("*.yaml")))
        with pytest.raises(MappingError) as info:
            load_mapping("grenhouse")
        assert str(info.value) == (
            f"unknown mapping 'grenhouse' (did you mean greenhouse? shipped: {shipped};"
            " or give the path of a .yaml file)"
        )

    def test_missing_file(self, tmp_path: Path):
        path = tmp_path / "none.yaml"
        assert error_of(path) == f"mapping file {path} not found"

    def test_not_utf8(self, tmp_path: Path):
        path = tmp_path / "acme.yaml"
        path.write_bytes(b"version: 1\nname: \xff\xfe\n")
        assert error_of(path) == f"{path}: not UTF-8 text; save it as UTF-8"

    def test_a_utf8_bom_is_fine(self, tmp_path: Path):
        path = fields_file(tmp_path, "")
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        assert load_mapping(path).name == "acme"

    def test_only_true_and_false_are_booleans(self, tmp_path: Path):
        """The Norway problem: NO and no stay text (country and language codes)."""
        path = fields_file(
            tmp_path,
            "  position_country_code: {column: C, default: NO}\n"
            "  mojito_language_code: {column: L, default: no}\n"
            "  is_embedded: {const: true}\n",
        )
        fields = load_mapping(path).fields
        assert fields["position_country_code"].default == "NO"
        assert fields["mojito_language_code"].default == "no"
        assert fields["is_embedded"].const is True

    def test_single_names_may_stand_for_lists(self, tmp_path: Path):
        path = fields_file(tmp_path, "  candidate_external_id: {column: ID, transforms: strip}\n")
        spec = load_mapping(path).fields["candidate_external_id"]
        assert spec.column == ["ID"]
        assert spec.transforms == ["strip"]

    def test_parse_mapping_without_a_file(self):
        text = f"version: 1\nname: inline\nfields:\n{REQUIRED}"
        assert parse_mapping(text).name == "inline"


# (file body, exact message after "<path>: ") — one mistake each.
ERRORS = [
    pytest.param(
        "  candidate_emial: {column: Email}\n",
        "fields.candidate_emial: unknown payload field (did you mean candidate_email?)",
        id="unknown-field",
    ),
    pytest.param(
        "  favourite_colour: {column: Colour}\n",
        "fields.favourite_colour: unknown payload field (see the API's request fields)",
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        "  candidate_external_id: {column: ID, transforms: [strip, lowercase]}\n",
        "fields.candidate_external_id.transforms[1]: unknown transform 'lowercase'"
        f" (allowed: {ALLOWED_TRANSFORMS})",
        id="unknown-transform",
    ),
    pytest.param(
        "  interview_attempts: {column: N, transforms: [int, strip]}\n",
        "fields.interview_attempts.transforms[0]: 'int' does not give text,"
        " so it must be the last transform",
        id="typed-transform-not-last",
    ),
    pytest.param(
        "  position_name: {column: Job, template: '{Job}'}\n",
        "fields.position_name: give exactly one of column, template, const",
        id="two-sources",
    ),
    pytest.param(
        "  position_name: {default: Chef}\n",
        "fields.position_name: give exactly one of column, template, const",
        id="no-source",
    ),
    pytest.param(
        "  position_name: {column: Job, const: Chef}\n",
        "fields.position_name: give exactly one of column, template, const",
        id="column-and-const",
    ),
    pytest.param(
        "  position_name: {column: jobs.Job Name}\n",
        "fields.position_name.column: 'jobs.Job Name' refers to the jobs file,"
        " but the mapping has no jobs: section (applicants_key, jobs_key)",
        id="jobs-column-without-jobs",
    ),
    pytest.param(
        "  position_name: {column: [Job, jobs.Job Name]}\n",
        "fields.position_name.column[1]: 'jobs.Job Name' refers to the jobs file,"
        " but the mapping has no jobs: section (applicants_key, jobs_key)",
        id="jobs-alternative-without-jobs",
    ),
    pytest.param(
        "  position_name: {template: '{Job} at {jobs.Office}'}\n",
        "fields.position_name.template: 'jobs.Office' refers to the jobs file,"
        " but the mapping has no jobs: section (applicants_key, jobs_key)",
        id="jobs-placeholder-without-jobs",
    ),
    pytest.param(
        "  interview_attempts: {const: 3, transforms: [int]}\n",
        "fields.interview_attempts.transforms: not allowed with const (a const is sent as written)",
        id="const-with-transforms",
    ),
    pytest.param(
        "  interview_attempts: {const: 3, default: 2}\n",
        "fields.interview_attempts.default: not allowed with const (a const is sent as written)",
        id="const-with-default",
    ),
    pytest.param(
        "  welcome_message: {template: 'Hi {First'}\n",
        "fields.welcome_message.template: unmatched '{' at character 4 (write {{ for a brace)",
        id="template-unmatched-open",
    ),
    pytest.param(
        "  welcome_message: {template: 'Hi {First} }'}\n",
        "fields.welcome_message.template: unmatched '}' at character 12 (write }} for a brace)",
        id="template-unmatched-close",
    ),
    pytest.param(
        "  welcome_message: {template: 'Hi {} there'}\n",
        "fields.welcome_message.template: empty placeholder {} at character 4",
        id="template-empty-placeholder",
    ),
    pytest.param(
        "  welcome_message: {template: 'Hello {{there}}'}\n",
        "fields.welcome_message.template: no {Column} placeholder; use const for fixed text",
        id="template-without-placeholder",
    ),
    pytest.param(
        "  candidate_external_id: {column: []}\n",
        "fields.candidate_external_id.column: give a column name (or a list of them)",
        id="empty-column-list",
    ),
    pytest.param(
        "  candidate_external_id: {column: ''}\n",
        "fields.candidate_external_id.column: empty column name",
        id="empty-column-name",
    ),
    pytest.param(
        "  candidate_external_id: {column: 2024}\n",
        "fields.candidate_external_id.column: expected a column name or a list of them,"
        " got the number 2024",
        id="column-number",
    ),
    pytest.param(
        "  candidate_external_id: {column: [ID, 7]}\n",
        "fields.candidate_external_id.column[1]: expected text, got the number 7"
        " (put it in quotes)",
        id="column-item-number",
    ),
    pytest.param(
        "  candidate_external_id: {column: ID, colum: Id}\n",
        "fields.candidate_external_id.colum: unknown key"
        f" (did you mean column? allowed: {FIELD_KEYS})",
        id="unknown-field-key",
    ),
    pytest.param(
        "  candidate_external_id: {column: ID, max_length: ten}\n",
        "fields.candidate_external_id.max_length: expected a whole number, got 'ten'",
        id="max-length-text",
    ),
    pytest.param(
        "  candidate_external_id: {column: ID, max_length: 0}\n",
        "fields.candidate_external_id.max_length: must be greater than 0, got the number 0",
        id="max-length-zero",
    ),
    pytest.param(
        "  candidate_external_id: {column: ID, transforms: {strip: yes}}\n",
        "fields.candidate_external_id.transforms: expected a list, got keys and values",
        id="transforms-not-a-list",
    ),
    pytest.param(
        "  candidate_external_id: ID\n",
        "fields.candidate_external_id: expected keys such as column, template or const,"
        " got 'ID' (for example {column: Email})",
        id="spec-is-text",
    ),
    pytest.param(
        "  candidate_external_id:\n",
        "fields.candidate_external_id: expected keys such as column, template or const,"
        " got nothing (for example {column: Email})",
        id="spec-is-empty",
    ),
]


class TestFieldErrors:
    """Each mistake under fields: is named by its key path, with what is allowed."""

    @pytest.mark.parametrize(("extra", "message"), ERRORS)
    def test_message(self, tmp_path: Path, extra: str, message: str):
        path = fields_file(tmp_path, extra)
        assert error_of(path) == f"{path}: {message}"

    def test_required_fields_must_be_mapped(self, tmp_path: Path):
        path = write(
            tmp_path,
            "version: 1\nname: acme\nfields:\n  candidate_name: {column: Name}\n"
            "  candidate_email: {column: Email}\n",
        )
        assert error_of(path) == (
            f"{path}: fields: missing candidate_country_code, candidate_resume,"
            " required by the API (give each a column, template or const)"
        )

    def test_every_mistake_is_reported_one_per_line(self, tmp_path: Path):
        path = fields_file(
            tmp_path,
            "  candidate_emial: {column: Email}\n"
            "  candidate_external_id: {column: ID, transforms: [lowercase]}\n",
        )
        assert error_of(path).splitlines() == [
            f"{path}: fields.candidate_emial: unknown payload field"
            " (did you mean candidate_email?)",
            f"{path}: fields.candidate_external_id.transforms[0]: unknown transform 'lowercase'"
            f" (allowed: {ALLOWED_TRANSFORMS})",
        ]


class TestDocumentErrors:
    """Mistakes in the file as a whole: syntax, top-level keys, name, version, sections."""

    def test_yaml_syntax_error_names_the_line(self, tmp_path: Path):
        path = write(tmp_path, "version: 1\nname: acme\nfields:\n  candidate_name: {column: Name\n")
        assert error_of(path) == (
            f"{path}: line 5, column 1: YAML syntax error:"
            " expected ',' or '}', but got '<stream end>'"
        )

    def test_bad_indentation(self, tmp_path: Path):
        path = write(tmp_path, "version: 1\nname: acme\n  title: x\n")
        assert error_of(path) == (
            f"{path}: line 3, column 8: YAML syntax error: mapping values are not allowed here"
        )

    def test_duplicate_keys_are_refused(self, tmp_path: Path):
        path = fields_file(tmp_path, "  candidate_email: {column: Mail}\n")
        assert error_of(path) == (f"{path}: line 8, column 3: duplicate key 'candidate_email'")

    def test_empty_file(self, tmp_path: Path):
        path = write(tmp_path, "# nothing yet\n")
        assert error_of(path) == f"{path}: the file is empty (see mappings/generic.yaml)"

    def test_not_a_mapping(self, tmp_path: Path):
        path = write(tmp_path, "- a\n- b\n")
        assert error_of(path) == f"{path}: expected keys such as version, name, fields; got a list"

    def test_missing_fields(self, tmp_path: Path):
        path = write(tmp_path, "version: 1\nname: acme\n")
        assert error_of(path) == f"{path}: fields: required key missing"

    def test_misspelt_top_level_key(self, tmp_path: Path):
        path = write(tmp_path, f"version: 1\nname: acme\nfeilds:\n{REQUIRED}")
        assert error_of(path).splitlines() == [
            f"{path}: fields: required key missing",
            f"{path}: feilds: unknown key (did you mean fields? allowed: version, name, title,"
            " source, detect, select, jobs, fields, resume, candidate_country, positions)",
        ]

    def test_fields_not_a_mapping(self, tmp_path: Path):
        path = write(tmp_path, "version: 1\nname: acme\nfields: [candidate_name]\n")
        assert error_of(path) == f"{path}: fields: expected keys and values, got a list"

    def test_wrong_version(self, tmp_path: Path):
        path = write(tmp_path, f"version: 2\nname: acme\nfields:\n{REQUIRED}")
        assert error_of(path) == (
            f"{path}: version: must be 1 (the only format version), got the number 2"
        )

    def test_missing_version_and_name(self, tmp_path: Path):
        path = write(tmp_path, f"fields:\n{REQUIRED}")
        assert error_of(path).splitlines() == [
            f"{path}: version: required key missing",
            f"{path}: name: required key missing",
        ]

    def test_name_must_equal_the_file_stem(self, tmp_path: Path):
        path = write(tmp_path, f"version: 1\nname: acme\nfields:\n{REQUIRED}", name="other")
        assert error_of(path) == f"{path}: name: 'acme' must equal the file name 'other'"

    def test_title_must_be_text(self, tmp_path: Path):
        path = write(tmp_path, f"version: 1\nname: acme\ntitle: 2024\nfields:\n{REQUIRED}")
        assert (
            error_of(path)
            == f"{path}: title: expected text, got the number 2024 (put it in quotes)"
        )

    def test_empty_detect_columns(self, tmp_path: Path):
        path = fields_file(tmp_path, "", head="detect: {columns: []}\n")
        assert error_of(path) == f"{path}: detect.columns: give at least one column name"

    def test_detect_alternatives_score_as_one_column(self, tmp_path: Path):
        from sync.mapping.detect import score_mappings

        path = fields_file(
            tmp_path, "", head="detect: {columns: [[First name, Vorname], [Email, E-Mail], Job]}\n"
        )
        mapping = load_mapping(path)
        assert mapping.detect is not None
        assert mapping.detect.names() == ["First name", "Vorname", "Email", "E-Mail", "Job"]
        german = score_mappings(["Vorname", "E-Mail", "Stelle"], [mapping])[0]
        assert (german.score, german.found, german.missing) == (
            2 / 3,
            ("Vorname", "E-Mail"),
            ("Job",),
        )
        english = score_mappings(["first name", "EMAIL", "Job"], [mapping])[0]
        assert english.score == 1.0

    def test_detect_entry_must_be_text(self, tmp_path: Path):
        path = fields_file(tmp_path, "", head="detect: {columns: [[A, 2]]}\n")
        assert "detect.columns" in error_of(path)

    def test_unknown_detect_key(self, tmp_path: Path):
        path = fields_file(tmp_path, "", head="detect: {colums: [A]}\n")
        assert error_of(path) == (
            f"{path}: detect.colums: unknown key (did you mean columns? allowed: columns)"
        )

    def test_jobs_needs_both_keys(self, tmp_path: Path):
        path = fields_file(tmp_path, "", head="jobs: {applicants_key: Job ID}\n")
        assert error_of(path) == f"{path}: jobs.jobs_key: required key missing"

    def test_jobs_key_is_named_without_the_prefix(self, tmp_path: Path):
        path = fields_file(
            tmp_path, "", head="jobs: {applicants_key: Job ID, jobs_key: jobs.Job ID}\n"
        )
        assert error_of(path) == (
            f"{path}: jobs.jobs_key: name the jobs file's column without 'jobs.' ('Job ID')"
        )

    def test_unknown_jobs_key(self, tmp_path: Path):
        path = fields_file(
            tmp_path, "", head="jobs: {applicants_key: A, jobs_key: B, job_key: C}\n"
        )
        assert error_of(path) == (
            f"{path}: jobs.job_key: unknown key (did you mean jobs_key?"
            " allowed: applicants_key, jobs_key)"
        )


class TestShippedMappings:
    """Every shipped mapping loads, names only payload fields and documents its source."""

    @pytest.fixture(params=[p.stem for p in sorted(shipped_mappings_dir().glob("*.yaml"))])
    def mapping(self, request: pytest.FixtureRequest) -> MappingFile:
        return load_mapping(request.param)

    def test_list_mappings_loads_every_file(self):
        names = [m.name for m in list_mappings()]
        assert names == sorted(p.stem for p in shipped_mappings_dir().glob("*.yaml"))
        assert {"generic", "greenhouse"} <= set(names)

    def test_fields_are_payload_fields(self, mapping: MappingFile):
        assert set(mapping.fields) <= CANDIDATE_FIELDS
        sections = {
            "candidate_resume": mapping.resume,
            "candidate_country_code": mapping.candidate_country,
        }
        given = set(mapping.fields) | {f for f, section in sections.items() if section is not None}
        assert set(REQUIRED_CANDIDATE_FIELDS) <= given

    def test_title_source_and_signature(self, mapping: MappingFile):
        assert mapping.title.strip()
        assert len(mapping.source.split()) >= 10
        assert mapping.detect is not None and len(mapping.detect.columns) >= 3

    def test_signature_columns_are_used_or_documented(self, mapping: MappingFile):
        referenced = {c.casefold() for c in mapping.referenced_columns()}
        assert mapping.detect is not None
        assert {c.casefold() for c in mapping.detect.names()} <= referenced

    def test_transforms_and_jobs_references_are_valid(self, mapping: MappingFile):
        for spec in mapping.fields.values():
            assert set(spec.transforms) <= set(TRANSFORMS)
            if mapping.jobs is None:
                assert not any(c.startswith("jobs.") for c in spec.column or ())

    def test_generic_header_documents_every_transform(self):
        header = (shipped_mappings_dir() / "generic.yaml").read_text(encoding="utf-8")
        for name in TRANSFORMS:
            assert re.search(rf"\b{name}\b", header), name

    def test_the_documented_example_is_valid(self):
        doc = sync.mapping.model.__doc__ or ""
        block = doc.split("too)::\n", 1)[1].split("\nA field has", 1)[0]
        mapping = parse_mapping(textwrap.dedent(block), stem="greenhouse")
        assert mapping.fields["candidate_name"].template == "{First Name} {Last Name}"
        assert mapping.fields["position_description_long"].max_length == 20000
