"""From jobs export to planned interviews: the positions: section, the defaults, the plan.

Mapping files and jobs exports are real files written by the test; the plan is
pure (the ledger's knowledge comes in as values).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sync.errors import ConfigError, InputError, MappingError
from sync.jobmojito.models import AvatarTemplate, InterviewListItem
from sync.ledger.base import KnownPosition
from sync.mapping import load_mapping
from sync.mapping.positions import bind_positions, map_jobs
from sync.positions.plan import Action, Defaults, PlannedJob, adopt, digests, plan_jobs
from sync.positions.templates import choose_template
from sync.readers import read_table
from sync.records import Status

TEMPLATE_ID = "baa3bf7c-6926-46fd-9005-16738a31f72d"
HEAD = """\
version: 1
name: acme
jobs: {applicants_key: Job ID, jobs_key: Job ID}
fields:
  candidate_name: {column: Name}
  candidate_email: {column: Email}
  candidate_country_code: {column: Country}
  candidate_resume: {column: Resume}
"""
POSITIONS = """\
positions:
  fields:
    name: {column: Title}
    location: {column: Office}
    description: {column: Post, transforms: [html], default: null}
    mojito_language_code: {column: Language, transforms: [language], default: en}
"""


def mapping_file(tmp_path: Path, positions: str = POSITIONS, head: str = HEAD) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(head + textwrap.dedent(positions), encoding="utf-8")
    return path


def mapping_error(tmp_path: Path, positions: str, head: str = HEAD) -> list[str]:
    path = mapping_file(tmp_path, positions, head)
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    return [line.removeprefix(f"{path}: ") for line in str(info.value).splitlines()]


def jobs_file(
    tmp_path: Path, rows: list[str], header: str = "Job ID,Title,Office,Post,Language"
) -> Path:
    path = tmp_path / "jobs.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def mapped(tmp_path: Path, rows: list[str]):
    mapping = load_mapping(mapping_file(tmp_path))
    return list(map_jobs(bind_positions(mapping, read_table(jobs_file(tmp_path, rows)))))


def planned(tmp_path: Path, rows: list[str], **kw) -> list[PlannedJob]:
    defaults = kw.pop("defaults", Defaults(template_id=TEMPLATE_ID))
    return plan_jobs(mapped(tmp_path, rows), defaults=defaults, **{"known": {}, **kw})


ROWS = ["J1,Backend Engineer,Berlin,<p>Python &amp; APIs</p>,German", "J2,Analyst,Lisbon,,"]


class TestTheSection:
    """Every mistake in positions: names the file, the key and what is allowed."""

    def test_a_misspelt_key_of_a_field(self, tmp_path):
        lines = mapping_error(tmp_path, POSITIONS.replace("{column: Office}", "{colum: Office}"))
        assert lines == [
            "positions.fields.location.colum: unknown key (did you mean column? allowed:"
            " column, template, const, default, transforms, max_length)"
        ]

    def test_an_unknown_interview_field_and_the_questions(self, tmp_path):
        extra = "    descripton: {column: X}\n    questions: {column: Q}\n"
        assert mapping_error(tmp_path, POSITIONS + extra) == [
            "positions.fields.descripton: unknown interview field (did you mean description?)",
            "positions.fields.questions: the questions come from the questions sheet (--questions)",
        ]

    def test_the_required_fields(self, tmp_path):
        assert mapping_error(tmp_path, "positions:\n  fields:\n    name: {column: Title}\n") == [
            "positions.fields: missing location, mojito_language_code, required by the API"
            " (give each a column, template or const)"
        ]

    def test_jobs_columns_are_named_without_jobs_prefix(self, tmp_path):
        lines = mapping_error(
            tmp_path, POSITIONS.replace("{column: Title}", "{column: jobs.Title}")
        )
        assert lines == [
            "positions.fields.name.column: positions are made from the jobs file alone; name"
            " its column without 'jobs.' ('Title')"
        ]

    def test_a_jobs_section_is_needed(self, tmp_path):
        head = HEAD.replace("jobs: {applicants_key: Job ID, jobs_key: Job ID}\n", "")
        assert mapping_error(tmp_path, POSITIONS, head) == [
            "positions: needs a jobs: section, whose jobs_key names each job (and which"
            " applicants' rows belong to it)"
        ]

    def test_same_transform_rules_as_candidate_fields(self, tmp_path):
        lines = mapping_error(tmp_path, POSITIONS.replace("[html]", "[htm]"))
        assert lines[0].startswith("positions.fields.description.transforms[0]: unknown transform")

    @pytest.mark.parametrize("name", ["generic", "greenhouse", "teamtailor"])
    def test_the_shipped_sections_fit_their_sample_jobs(self, name):
        samples = Path(__file__).resolve().parent.parent / "sample_data"
        jobs = samples / (
            "jobs.csv"
            if name == "generic"
            else f"{name}/jobs.{'xlsx' if name == 'greenhouse' else 'csv'}"
        )
        mapping = load_mapping(name)
        jobs_table = read_table(jobs, expect=mapping.referenced_columns())
        out = plan_jobs(map_jobs(bind_positions(mapping, jobs_table)), known={},
                        defaults=Defaults(template_id=TEMPLATE_ID))  # fmt: skip
        assert out and all(p.status is None for p in out), [p.reason for p in out]
        assert all(p.body["code"] == p.key for p in out)


class TestMappedJobs:
    """A jobs row: its key, its payload through the transforms, the key as its code."""

    def test_payload_and_code(self, tmp_path):
        first, second = mapped(tmp_path, ROWS)
        assert first.key == "J1"
        assert first.payload == {
            "name": "Backend Engineer", "location": "Berlin", "description": "Python & APIs",
            "mojito_language_code": "de", "code": "J1",
        }  # fmt: skip
        assert second.payload["mojito_language_code"] == "en"  # the default

    def test_a_blank_key_is_the_rows_problem(self, tmp_path):
        (job,) = mapped(tmp_path, [",Backend,Berlin,,"])
        assert job.problems == ("job key: the cell of column 'Job ID' is blank",)

    def test_a_missing_required_column_names_the_files_headers(self, tmp_path):
        mapping = load_mapping(mapping_file(tmp_path))
        table = read_table(jobs_file(tmp_path, ["J1,B,,"], header="Job ID,Title,Post,Language"))
        with pytest.raises(InputError, match=r"no column for location.*The file's headers: Job ID"):
            bind_positions(mapping, table)

    def test_a_mapping_without_the_section_is_refused(self, tmp_path):
        table = read_table(jobs_file(tmp_path, ROWS))
        with pytest.raises(MappingError, match="has no positions: section"):
            bind_positions(load_mapping("lever"), table)


class TestDefaults:
    """status, type and visibility: the option, else the mapping, else the default."""

    def test_built_in_defaults(self, tmp_path):
        body = planned(tmp_path, ROWS)[0].body
        assert (body["status"], body["type"], body["visibility"]) == (
            "active", "interview", "merchant_invite",
        )  # fmt: skip
        assert body["interview_template_id"] == TEMPLATE_ID

    def test_the_mapping_then_the_option(self, tmp_path):
        extra = "    status: {const: draft}\n    visibility: {const: merchant_unlisted}\n"
        mapping = load_mapping(mapping_file(tmp_path, POSITIONS + extra))
        jobs = list(map_jobs(bind_positions(mapping, read_table(jobs_file(tmp_path, ROWS)))))
        body = plan_jobs(jobs, known={}, defaults=Defaults(TEMPLATE_ID))[0].body
        assert (body["status"], body["visibility"]) == ("draft", "merchant_unlisted")
        chosen = Defaults(TEMPLATE_ID, status="active", visibility="merchant_public")
        body = plan_jobs(jobs, known={}, defaults=chosen)[0].body
        assert (body["status"], body["visibility"]) == ("active", "merchant_public")

    def test_invalid_values_make_the_job_invalid(self, tmp_path):
        (job,) = planned(tmp_path, ["J1,Backend,Berlin,,Klingon"])
        assert job.status is Status.INVALID
        assert job.reason.startswith("mojito_language_code: 'klingon' is not a platform language")


def known(job: PlannedJob, **over) -> KnownPosition:
    values = {"interview_def_set_id": "11111111-2222-4333-8444-555555555555", "run_id": "r1",
              "digests": job.digests, "name": job.name}  # fmt: skip
    values.update(over)
    return KnownPosition(job.key, "created", **values)


class TestAgainstTheLedger:
    """Known jobs are skipped; changed ones reported, updated with --update; gone ones listed."""

    def test_known_and_unchanged_is_skipped_with_its_id(self, tmp_path):
        first = planned(tmp_path, ROWS)
        again = planned(tmp_path, ROWS, known={j.key: known(j) for j in first})
        assert [j.status for j in again] == [Status.SKIPPED, Status.SKIPPED]
        assert again[0].line().position_def_set_id == "11111111-2222-4333-8444-555555555555"

    def test_changed_is_reported_then_only_the_change_is_sent(self, tmp_path):
        first = planned(tmp_path, ROWS)
        ledger = {j.key: known(j) for j in first}
        rows = ["J1,Backend Engineer,Berlin,<p>Python only</p>,German", ROWS[1]]
        changed = planned(tmp_path, rows, known=ledger)[0]
        assert changed.status is Status.CHANGED and changed.action is None
        assert "description; --update sends the change" in changed.reason
        update = planned(tmp_path, rows, known=ledger, defaults=Defaults(TEMPLATE_ID, update=True))[
            0
        ]
        assert update.status is None and update.action is Action.UPDATE
        assert update.body == {
            "position_id": "11111111-2222-4333-8444-555555555555", "description": "Python only",
        }  # fmt: skip

    def test_a_language_change_cannot_be_updated(self, tmp_path):
        first = planned(tmp_path, ROWS)
        ledger = {j.key: known(j) for j in first}
        rows = ["J1,Backend Engineer,Berlin,<p>Python &amp; APIs</p>,French", ROWS[1]]
        job = planned(tmp_path, rows, known=ledger, defaults=Defaults(TEMPLATE_ID, update=True))[0]
        assert job.status is Status.CHANGED
        assert "mojito_language_code cannot be changed by an update" in job.reason

    def test_a_position_learned_from_an_enrolment_is_skipped_and_noted(self, tmp_path):
        learned = KnownPosition("J1", "enrolment", position_def_set_id="pds-1", run_id="r0")
        jobs = planned(tmp_path, ROWS, known={"J1": learned})
        assert jobs[0].status is Status.SKIPPED and "fields are noted" in jobs[0].reason
        assert jobs[0].line().position_def_set_id == "pds-1"

    def test_gone_jobs_are_listed_but_not_enrolment_only_ones(self, tmp_path):
        first = planned(tmp_path, ROWS)
        ledger = {j.key: known(j) for j in first}
        ledger["ext:old"] = KnownPosition("ext:old", "enrolment", position_def_set_id="p")
        jobs = planned(tmp_path, ROWS[:1], known=ledger)
        assert [(j.key, j.status) for j in jobs] == [("J1", Status.SKIPPED), ("J2", Status.GONE)]
        assert jobs[1].line().source_file == "" and "the interview is kept" in jobs[1].reason

    def test_a_job_listed_twice_is_a_duplicate(self, tmp_path):
        jobs = planned(tmp_path, [ROWS[0], ROWS[0]])
        assert jobs[1].status is Status.DUPLICATE
        assert jobs[1].reason == "job 'J1' is listed twice; the first is row 2"

    def test_digests_do_not_store_the_text(self):
        assert digests({"description": "secret plans"})["description"] != "secret plans"


class TestAdoption:
    """An existing definition with a job's code is adopted, the newest when several."""

    def test_adopts_by_code(self, tmp_path):
        jobs = planned(tmp_path, ROWS)
        listing = [
            InterviewListItem.model_validate({"id": "new", "code": "J1"}),
            InterviewListItem.model_validate({"id": "old", "code": "J1"}),
            InterviewListItem.model_validate({"id": "other", "name": "Analyst"}),  # no code
        ]
        notes = adopt(jobs, listing)
        assert jobs[0].status is Status.ADOPTED and jobs[0].known is not None
        assert jobs[0].known.interview_def_set_id == "new"
        assert jobs[1].status is None  # a name alone is never enough
        assert notes == [
            "job 'J1': 2 interviews carry code 'J1' (new, old); the newest, new, is adopted"
        ]


def template(id_: str, name: str, status: str = "active") -> AvatarTemplate:
    return AvatarTemplate(id=id_, name=name, status=status)


TEMPLATES = [
    template(TEMPLATE_ID, "Emma"),
    template("46b98d37-1557-4391-beca-03037ead19f2", "Lukas"),
    template("0c3f5a8e-2b71-4d9a-8e6f-3a1b2c4d5e6f", "Old", "archived"),
]


class TestTemplates:
    """--template by id or name; none given: the only active one; else a clear refusal."""

    def test_by_name_ignoring_case_and_by_id(self):
        assert choose_template("emma", TEMPLATES).id == TEMPLATE_ID
        assert choose_template(TEMPLATES[1].id.upper(), TEMPLATES).name == "Lukas"

    def test_none_given(self):
        assert choose_template(None, TEMPLATES[:1] + TEMPLATES[2:]).name == "Emma"
        with pytest.raises(ConfigError, match="2 active interview templates; choose one"):
            choose_template(None, TEMPLATES)

    def test_unknown_name_and_id(self):
        with pytest.raises(
            ConfigError, match=r"no interview template has this name \(did you mean 'Emma'\?\)"
        ):
            choose_template("Emmma", TEMPLATES)
        with pytest.raises(ConfigError, match="no interview template has this id"):
            choose_template("99999999-2222-4333-8444-555555555555", TEMPLATES)
