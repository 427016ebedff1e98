"""Who gets an interview: every operator of ``select:`` and ``--where`` on real exports.

Each test writes a real CSV (the generic columns plus the state columns a real
export has), runs ``prepare`` (read, select, map, plan) and looks at what became
of every row: ``dry_run`` (selected and valid), ``excluded`` with its reason, or
``invalid`` when a condition could not read a cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import APPLICANT_COLUMNS, SAMPLES, applicant, readme_section, write_export

from sync.errors import InputError, MappingError
from sync.mapping import list_mappings, load_mapping
from sync.mapping.conditions import OPERATORS, Select
from sync.mapping.starter import starter_mapping
from sync.options import SyncOptions
from sync.readers import read_table
from sync.run import prepare

TODAY = date(2026, 11, 30)

FIELDS = "\n".join(f"  {c}: {{column: {c}}}" for c in APPLICANT_COLUMNS)


def export(folder: Path, header: Sequence[str], cells: Sequence[Sequence[str]]) -> Path:
    """The generic columns for one valid candidate per row, then ``header``'s cells."""
    rows = [[*applicant(f"Person {i}", f"p{i}@example.com"), *row] for i, row in enumerate(cells)]
    return write_export(folder / "applicants.csv", [*APPLICANT_COLUMNS, *header], rows)


def mapping_file(folder: Path, select: str, *, jobs: str = "") -> Path:
    """A mapping of the generic columns with ``select`` as its select: section."""
    path = folder / "sel.yaml"
    path.write_text(
        f"version: 1\nname: sel\nselect:\n{select}\n{jobs}fields:\n{FIELDS}\n", encoding="utf-8"
    )
    return path


def outcomes(
    folder: Path,
    header: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    mapping: str | Path = "generic",
    today: date = TODAY,
    **options: Any,
) -> list[tuple[str, str]]:
    """(status, reason) of every row, in order."""
    opts = SyncOptions(
        applicants=export(folder, header, cells),
        mapping=str(mapping),
        dry_run=True,
        out=folder / "r.csv",
        **options,
    )
    return [
        (p.status.value if p.status else "", p.reason) for p in prepare(opts, today=today).planned
    ]


def kept(results: list[tuple[str, str]]) -> list[bool]:
    """Whether each row was selected (valid and would be sent)."""
    return [status == "dry_run" for status, _ in results]


SENT = ("dry_run", "valid; would be sent")


class TestTextOperators:
    """equals, not_equals, in, not_in: case and spaces ignored; the reason quotes the cell."""

    def test_equals(self, tmp_path: Path) -> None:
        got = outcomes(
            tmp_path,
            ["Stage"],
            [["Phone screen"], [" PHONE  screen "], ["Offer"], [""]],
            where=["Stage = phone screen"],
        )
        assert got == [
            SENT,
            SENT,
            ("excluded", "Stage is 'Offer'"),
            ("excluded", "Stage is blank"),
        ]

    def test_not_equals_keeps_blank(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Stage"], [["Hired"], ["hired"], [""], ["Applied"]],
                       where=["Stage != Hired"])  # fmt: skip
        assert got == [
            ("excluded", "Stage is 'Hired'"),
            ("excluded", "Stage is 'hired'"),
            SENT,
            SENT,
        ]

    def test_in_with_a_quoted_comma(self, tmp_path: Path) -> None:
        got = outcomes(
            tmp_path,
            ["Stage"],
            [["Applied"], ["Phone screen, remote"], ["Phone screen"], ["Offer"]],
            where=['Stage in Applied, "Phone screen, remote"'],
        )
        assert kept(got) == [True, True, False, False]
        assert got[3] == ("excluded", "Stage is 'Offer'")

    def test_not_in(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Status"], [["Rejected"], ["Active"], ["HIRED"]],
                       where=["Status not in Rejected, Hired"])  # fmt: skip
        assert got == [
            ("excluded", "Status is 'Rejected'"),
            SENT,
            ("excluded", "Status is 'HIRED'"),
        ]


class TestBlankAndYesNo:
    """is blank / not blank, and true / false in the spellings exports use."""

    def test_blank(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Archived At"], [[""], ["2026-11-02 10:00:00"]],
                       where=["Archived At is blank"])  # fmt: skip
        assert got == [SENT, ("excluded", "Archived At is '2026-11-02 10:00:00'")]

    def test_not_blank(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Stage"], [[""], ["New"]], where=["Stage is not blank"])
        assert got == [("excluded", "Stage is blank"), SENT]

    @pytest.mark.parametrize("yes", ["TRUE", "true", "Yes", "y", "1", "x", "X", "✓", "ja", "oui"])
    def test_spellings_of_yes(self, tmp_path: Path, yes: str) -> None:
        got = outcomes(tmp_path, ["Hired"], [[yes]], where=["Hired is false"])
        assert got == [("excluded", f"Hired is '{yes}'")]
        assert kept(outcomes(tmp_path, ["Hired"], [[yes]], where=["Hired is true"])) == [True]

    @pytest.mark.parametrize("no", ["FALSE", "false", "No", "n", "0", "", "nein", "non"])
    def test_spellings_of_no_and_blank(self, tmp_path: Path, no: str) -> None:
        assert kept(outcomes(tmp_path, ["Hired"], [[no]], where=["Hired is false"])) == [True]
        assert outcomes(tmp_path, ["Hired"], [[no]], where=["Hired is true"])[0][0] == "excluded"

    def test_other_text_makes_the_row_invalid_not_excluded(self, tmp_path: Path) -> None:
        """A cell the condition cannot read is a problem someone must see."""
        ((status, reason),) = outcomes(tmp_path, ["Hired"], [["maybe"]], where=["Hired is false"])
        assert status == "invalid"
        assert reason.startswith("Hired: 'maybe' is neither true nor false")

    def test_a_failing_condition_wins_over_an_unreadable_cell(self, tmp_path: Path) -> None:
        """A rejected candidate with a bad cell is excluded, not an alarm."""
        got = outcomes(tmp_path, ["Hired", "Status"], [["maybe", "Rejected"]],
                       where=["Hired is false", "Status != Rejected"])  # fmt: skip
        assert got == [("excluded", "Status is 'Rejected'")]


class TestPatterns:
    """~ and !~: a regular expression searched in the cell, case ignored."""

    def test_matches(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Tags"], [["Remote-OK, senior"], ["onsite"], [""]],
                       where=["Tags ~ ^remote"])  # fmt: skip
        assert got == [
            SENT,
            ("excluded", "Tags 'onsite' does not match '^remote'"),
            ("excluded", "Tags is blank"),
        ]

    def test_not_matches(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Tags"], [["do-not-contact"], ["vip"], [""]],
                       where=["Tags !~ do.not.contact"])  # fmt: skip
        assert got == [("excluded", "Tags 'do-not-contact' matches 'do.not.contact'"), SENT, SENT]


class TestDateOperators:
    """since, after, until, before and within N days compare the day a cell names."""

    CELLS = (("2026-10-31 23:59:00",), ("01.11.2026",), ("2026-11-02T08:00:00Z",), ("",))

    @pytest.mark.parametrize(
        ("where", "expected", "reason"),
        [
            ("Applied On >= 2026-11-01", [False, True, True], "2026-10-31, before 2026-11-01"),
            ("Applied On > 2026-11-01", [False, False, True], "2026-10-31, not after 2026-11-01"),
            ("Applied On <= 2026-11-01", [True, True, False], "2026-11-02, after 2026-11-01"),
            ("Applied On < 01.11.2026", [True, False, False], "2026-11-01, not before 2026-11-01"),
        ],
    )  # fmt: skip
    def test_comparisons(
        self, tmp_path: Path, where: str, expected: list[bool], reason: str
    ) -> None:
        got = outcomes(tmp_path, ["Applied On"], self.CELLS, where=[where])
        assert kept(got)[:3] == expected
        assert ("excluded", f"Applied On {reason}") in got
        assert got[3] == ("excluded", "Applied On is blank")

    def test_within_the_last_days(self, tmp_path: Path) -> None:
        got = outcomes(tmp_path, ["Applied On"], [["2026-11-23"], ["2026-11-22"]],
                       where=["Applied On within 7d"])  # fmt: skip
        assert got == [SENT, ("excluded", "Applied On 2026-11-22, more than 7 days ago")]
        again = outcomes(tmp_path, ["Applied On"], [["2026-11-23"], ["2026-11-22"]],
                         where=["Applied On >= 7d"])  # fmt: skip
        assert again == got

    @pytest.mark.parametrize(
        "cell",
        ["2026-11-05", "2026-11-05 09:00:00", "2026-11-05T12:00:00.000Z", "2026-11-05 08:30:00 UTC",
         "05.11.2026", "05.11.2026 15:59:12", "05-11-26 09:00", "11/05/2026", "Nov 5, 2026",
         "5 Nov 2026", "46331", "46331.5", "1762300800", "1762300800000"],
    )  # fmt: skip
    def test_every_export_form(self, tmp_path: Path, cell: str) -> None:
        """2026-11-05 as each ATS writes it (1762300800 is 2025-11-05 in Unix time)."""
        day = "2025-11-05" if cell.startswith("17623") else "2026-11-05"
        got = outcomes(tmp_path, ["Applied On"], [[cell]], where=[f"Applied On >= {day}"])
        assert kept(got) == [True], got
        later = "2025-11-06" if cell.startswith("17623") else "2026-11-06"
        assert outcomes(tmp_path, ["Applied On"], [[cell]], where=[f"Applied On >= {later}"]) == [
            ("excluded", f"Applied On {day}, before {later}")
        ]

    def test_a_column_shows_its_slash_order(self, tmp_path: Path) -> None:
        """13/11/2026 in the column says day first: 05/11/2026 is then 5 November."""
        got = outcomes(tmp_path, ["Applied On"], [["05/11/2026"], ["13/11/2026"]],
                       where=["Applied On >= 2026-11-01"])  # fmt: skip
        assert kept(got) == [True, True]

    def test_an_undecided_slash_column_reads_month_first_with_a_note(self, tmp_path: Path) -> None:
        opts = SyncOptions(
            applicants=export(tmp_path, ["Applied On"], [["05/11/2026"]]),
            mapping="generic",
            dry_run=True,
            where=["Applied On >= 2026-05-11"],
        )
        prepared = prepare(opts, today=TODAY)
        assert prepared.planned[0].status is not None
        assert prepared.planned[0].status.value == "dry_run"
        assert any("read month first" in w for w in prepared.warnings)

    def test_a_cell_that_is_no_date_makes_the_row_invalid(self, tmp_path: Path) -> None:
        ((status, reason),) = outcomes(tmp_path, ["Applied On"], [["last week"]],
                                       where=["Applied On >= 2026-11-01"])  # fmt: skip
        assert status == "invalid"
        assert reason.startswith("Applied On: 'last week' is not a date such as 2026-11-01")


class TestMappingSelect:
    """The select: section: conditions as keys, any: groups, optional columns."""

    def test_keys_text_and_any(self, tmp_path: Path) -> None:
        path = mapping_file(
            tmp_path,
            "  where:\n"
            "    - {column: [Status, Application Status], not_in: [Rejected, Hired]}\n"
            '    - "Hired is false"\n'
            "    - any:\n"
            "        - {column: Stage, in: [Applied]}\n"
            "        - {column: Applied On, since: 2026-11-20}\n",
        )
        got = outcomes(
            tmp_path,
            ["Application Status", "Hired", "Stage", "Applied On"],
            [
                ["Active", "false", "Applied", "2026-01-01"],
                ["Active", "false", "Offer", "2026-11-25"],
                ["Rejected", "false", "Applied", "2026-11-25"],
                ["Active", "TRUE", "Applied", "2026-11-25"],
                ["Active", "false", "Offer", "2026-11-01"],
            ],
            mapping=path,
        )
        assert got == [
            SENT,
            SENT,
            ("excluded", "Application Status is 'Rejected'"),
            ("excluded", "Hired is 'TRUE'"),
            ("excluded", "none of: Stage is 'Offer'; Applied On 2026-11-01, before 2026-11-20"),
        ]

    def test_column_alternatives_take_the_first_non_blank_cell(self, tmp_path: Path) -> None:
        path = mapping_file(
            tmp_path, "  where:\n    - {column: [Rejected On, Rejection Date], is: blank}"
        )
        got = outcomes(tmp_path, ["Rejected On", "Rejection Date"],
                       [["", ""], ["", "2026-11-20"]], mapping=path)  # fmt: skip
        assert got == [SENT, ("excluded", "Rejection Date is '2026-11-20'")]

    def test_an_optional_condition_on_a_missing_column_is_left_out_and_noted(
        self, tmp_path: Path
    ) -> None:
        path = mapping_file(
            tmp_path, "  where:\n    - {column: Status, equals: Active, optional: true}"
        )
        opts = SyncOptions(applicants=export(tmp_path, ["Stage"], [["x"]]), mapping=str(path),
                           dry_run=True)  # fmt: skip
        prepared = prepare(opts, today=TODAY)
        assert [p.status.value for p in prepared.planned if p.status] == ["dry_run"]
        assert "select: 'Status = Active' left out: the file has no column 'Status'" in (
            prepared.warnings
        )

    def test_a_missing_column_stops_the_run_with_the_headers(self, tmp_path: Path) -> None:
        path = mapping_file(tmp_path, "  where:\n    - {column: Status, equals: Active}")
        opts = SyncOptions(applicants=export(tmp_path, ["Stage"], [["x"]]), mapping=str(path),
                           dry_run=True)  # fmt: skip
        with pytest.raises(InputError) as err:
            prepare(opts, today=TODAY)
        message = str(err.value)
        assert message.startswith(
            "applicants.csv: no column for the select condition 'Status = Active' of mapping"
            " 'sel': looked for 'Status' in applicants.csv"
        )
        assert "The file's headers: candidate_name, candidate_email" in message
        assert "Stage" in message

    def test_a_where_column_the_file_lacks_stops_the_run(self, tmp_path: Path) -> None:
        with pytest.raises(
            InputError, match=r"no column for --where 'Stag = x'.*did you mean 'Stage'"
        ):
            outcomes(tmp_path, ["Stage"], [["x"]], where=["Stag = x"])

    def test_an_operator_word_inside_a_column_name(self, tmp_path: Path) -> None:
        """iCIMS' bin columns hold 'in': the reading whose column the file has wins."""
        column = "Currently in Standard Stage Hired"
        got = outcomes(tmp_path, [column], [["Yes"], [""]], where=[f"{column} is false"])
        assert got == [("excluded", f"{column} is 'Yes'"), SENT]
        quoted = outcomes(tmp_path, [column], [["Yes"], [""]], where=[f'"{column}" is false'])
        assert quoted == got


class TestJobsConditions:
    """Conditions on the joined jobs file; a row whose job is missing is invalid, not excluded."""

    def test_jobs_column(self, tmp_path: Path) -> None:
        jobs = write_export(tmp_path / "jobs.csv", ["Job ID", "Job Status"],
                            [["J1", "Open"], ["J2", "Closed"]])  # fmt: skip
        path = mapping_file(
            tmp_path,
            "  where:\n    - {column: jobs.Job Status, equals: Open}",
            jobs="jobs:\n  applicants_key: Job ID\n  jobs_key: Job ID\n",
        )
        got = outcomes(tmp_path, ["Job ID"], [["J1"], ["J2"], ["J9"]], mapping=path, jobs=jobs)
        assert got[0] == SENT
        assert got[1] == ("excluded", "Job Status is 'Closed'")
        assert got[2][0] == "invalid"
        assert "job key 'J9' (column 'Job ID') not found in jobs.csv" in got[2][1]


class TestMappingFileMistakes:
    """A select: mistake names the file, the key path and what is allowed."""

    @staticmethod
    def error(tmp_path: Path, select: str) -> str:
        path = mapping_file(tmp_path, select)
        with pytest.raises(MappingError) as err:
            load_mapping(path)
        return str(err.value)

    def test_a_misspelt_operator(self, tmp_path: Path) -> None:
        message = self.error(tmp_path, "  where:\n    - {column: Status, not_inn: [Hired]}")
        assert message == (
            f"{tmp_path / 'sel.yaml'}: select.where[0].not_inn: unknown operator or key (did you"
            " mean not_in? allowed: column, equals, not_equals, in, not_in, is, since, after,"
            " until, before, within_days, matches, not_matches, any, optional)"
        )

    def test_a_misspelt_section_key(self, tmp_path: Path) -> None:
        message = self.error(tmp_path, "  wher: []")
        assert "select.wher: unknown key (did you mean where? allowed: application_date," in message

    @pytest.mark.parametrize(
        ("select", "says"),
        [
            ("  where:\n    - {column: S, equals: a, in: [b]}",
             "select.where[0]: give exactly one operator (it has equals and in: write one"),
            ("  where:\n    - {column: S}", "select.where[0]: give exactly one operator;"),
            ("  where:\n    - {equals: a}", "select.where[0]: give the column the condition is on"),
            ("  where:\n    - {column: S, is: maybe}",
             "select.where[0].is: must be blank, not blank, true or false, got 'maybe'"),
            ("  where:\n    - {column: S, since: 03/04/2026}",
             "select.where[0].since: '03/04/2026' reads two ways (day or month first)"),
            ("  where:\n    - {column: S, matches: '('}",
             "select.where[0].matches: not a regular expression"),
            ("  where:\n    - {column: jobs.S, equals: a}",
             "'jobs.S' refers to the jobs file, but the mapping has no jobs: section"),
            ("  where:\n    - 'S ?? a'", "select.where[0]: 'S ?? a': no operator; write"),
            ("  where:\n    - {column: S, within_days: 0}", "select.where[0].within_days:"),
            ("  application_date: [jobs.Posted]",
             "select.application_date[0]: give a column of the applicants file"),
        ],
    )  # fmt: skip
    def test_each_mistake_is_named(self, tmp_path: Path, select: str, says: str) -> None:
        assert says in self.error(tmp_path, select)


class TestDocumented:
    """README's "Choosing who gets an interview" stays true to the shipped mappings."""

    def test_every_shipped_default_is_in_the_table(self) -> None:
        text = readme_section("Choosing who gets an interview")
        for mapping in list_mappings():
            assert mapping.select is not None, mapping.name
            row = next(ln for ln in text.splitlines() if ln.startswith(f"| `{mapping.name}` |"))
            for condition in mapping.select.where:
                assert f"`{condition.describe()}`" in row, (mapping.name, condition.describe())
            assert mapping.select.application_date[0] in row, mapping.name
            assert row.count("`") // 2 == len(mapping.select.where) + 1, row

    def test_every_key_and_operator_is_explained(self) -> None:
        text = readme_section("Choosing who gets an interview")
        for key in [*Select.model_fields, "column", *OPERATORS, "optional"]:
            assert f"{key}:" in text or f"`{key}`" in text, key


class TestStarterMapping:
    """`mappings init` proposes a select: from the state columns the export has."""

    def test_lever_full_export(self) -> None:
        table = read_table(SAMPLES / "lever_full" / "candidates.csv")
        data = yaml.safe_load(starter_mapping(table, name="mine"))
        select = Select.model_validate(data["select"])
        assert select.application_date == ["Created At (GMT)"]
        assert [c.describe() for c in select.where] == [
            "Archived At (GMT) is blank",
            "Archive Reason is blank",
            "Current Stage not in Hired",  # the terminal values the file holds
            "Hired is false",  # a yes/no column
            "Profile Archive Reason is blank",
        ]

    def test_no_state_column_says_so(self, tmp_path: Path) -> None:
        table = read_table(export(tmp_path, [], [[]]))
        assert "# select: no column tells a row's state" in starter_mapping(table)
