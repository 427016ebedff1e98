"""--mapping auto: which shipped mapping fits a file; a starter mapping when none does."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import SAMPLES, Cli, read_sheet, write_export

from sync.errors import MappingError
from sync.mapping import list_mappings, load_mapping, parse_mapping
from sync.mapping.detect import choose_mapping, score_mappings


def test_every_shipped_ats_mapping_has_a_signature_that_only_it_fits() -> None:
    """Each mapping's own signature picks it with a clear lead over every other mapping."""
    for mapping in list_mappings():
        if mapping.name == "generic":
            continue
        assert mapping.detect is not None
        headers = [entry[0] for entry in mapping.detect.columns]
        choice = choose_mapping(headers)
        assert choice.mapping.name == mapping.name
        assert "100% fit" in choice.reason


def test_two_mappings_that_fit_alike_are_refused_with_both_named() -> None:
    lever = load_mapping("lever")
    assert lever.path is not None
    text = lever.path.read_text(encoding="utf-8").replace("name: lever", "name: twin")
    twin = parse_mapping(text, stem="twin")
    headers = [e[0] for e in lever.detect.columns] if lever.detect else []
    with pytest.raises(MappingError) as err:
        choose_mapping(headers, file_name="export.csv", mappings=[lever, twin])
    message = str(err.value)
    assert "export.csv: cannot tell which mapping fits" in message
    assert "'lever'" in message and "'twin'" in message
    assert "choose one with --mapping" in message


def test_a_file_no_mapping_fits_names_the_closest_and_the_way_out() -> None:
    with pytest.raises(MappingError) as err:
        choose_mapping(["Foo", "Bar", "Email"], file_name="odd.csv")
    message = str(err.value)
    assert message.startswith("odd.csv: no shipped mapping fits its headers; the closest is")
    assert "jobmojito-sync mappings init odd.csv" in message


def test_scores_tolerate_missing_optional_and_extra_columns() -> None:
    headers = ["Profile ID", "Posting ID", "Posting Title", "Origin", "Current Stage",
               "Custom: Shoe size", "Stage - Founder chat"]  # fmt: skip
    best = score_mappings(headers)[0]
    assert best.mapping.name == "lever"
    assert 0.6 <= best.score < 1.0
    assert "Posting Location" in best.missing


def test_mappings_detect_shows_scores_and_the_choice(cli: Cli) -> None:
    done = cli("mappings", "detect", str(SAMPLES / "personio" / "bewerbungen.csv"))
    assert done.exit_code == 0, done.stderr
    first = done.stdout.splitlines()[0].split()
    assert first[:2] == ["1.00", "personio"]
    assert "--mapping auto would use 'personio'" in done.stdout


def test_mappings_init_writes_a_commented_starter_that_loads(cli: Cli, tmp_path: Path) -> None:
    export = write_export(
        tmp_path / "acme_export.csv",
        ["Full Name", "E-mail Address", "Country", "CV", "Job Title", "Job Location"],
        [["Ana Silva", "ana@example.com", "Portugal", "ana.txt", "Engineer", "Lisbon, Portugal"]],
    )
    out = tmp_path / "acme_export.yaml"
    done = cli("mappings", "init", str(export), "--out", str(out))
    assert done.exit_code == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "# guess" in text and "Every column below is a GUESS" in text
    mapping = load_mapping(out)  # loads as written: the user only has to check it
    fields = mapping.fields
    assert fields["candidate_name"].column == ["Full Name"]
    assert fields["candidate_email"].column == ["E-mail Address"]
    assert fields["candidate_email"].transforms == ["email"]
    assert mapping.candidate_country is not None
    assert mapping.candidate_country.columns == ["Country"]
    assert fields["position_name"].column == ["Job Title"]
    assert mapping.resume is not None and mapping.resume.files == ["CV"]  # cells name files
    assert fields["position_location"].column == ["Job Location"]
    # and, as written, it maps the file it was made for to a valid payload
    (tmp_path / "ana.txt").write_text(
        "Ana Silva, backend engineer in Lisbon since 2019: Python, SQL.", encoding="utf-8"
    )
    results = tmp_path / "r.csv"
    run = cli("run", "--dry-run", "--applicants", str(export), "--mapping", str(out),
              "--out", str(results), "--resumes", str(tmp_path))  # fmt: skip
    assert run.exit_code == 0, run.stderr
    (line,) = read_sheet(results)
    assert line["status"] == "dry_run"
