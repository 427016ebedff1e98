"""Help and small things (issue 14): every option explained, where the token comes from,
history with column headers, and a pipe closed early ending quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.records import ResultLine, Status

ROOT = Path(__file__).resolve().parents[1]


def every_option() -> list[tuple[str, str]]:
    found = []
    stack: list[tuple[str, click.Command]] = [("", cli)]
    while stack:
        name, command = stack.pop()
        found += [(name, p.name or "") for p in command.params if isinstance(p, click.Option)]
        if isinstance(command, click.Group):
            stack += [(f"{name} {sub}".strip(), c) for sub, c in command.commands.items()]
    return sorted(found)


class TestHelp:
    """``--help`` describes every option, and ``run --help`` says where the token comes from."""

    @pytest.mark.parametrize(("command", "option"), every_option())
    def test_every_option_has_a_description(self, command: str, option: str) -> None:
        group: click.Command = cli
        for part in command.split():
            assert isinstance(group, click.Group)
            group = group.commands[part]
        (param,) = [p for p in group.params if p.name == option]
        assert isinstance(param, click.Option) and (param.help or "").strip(), (command, option)

    def test_run_help_names_both_token_sources(self) -> None:
        text = CliRunner().invoke(cli, ["run", "--help"], terminal_width=100).output
        flat = " ".join(text.split())
        assert "JOBMOJITO_TOKEN" in flat and "token_file" in flat
        assert "--interview-links" in flat and "--overwrite" in flat

    def test_exit_four_is_explained_in_the_group_help(self) -> None:
        text = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
        assert "4 declined at the question (nothing sent)" in text


class TestHistory:
    """``history`` prints a header line naming its columns, then a line per run."""

    def test_headers_then_runs(self, tmp_path: Path) -> None:
        from sync.ledger import open_ledger

        ledger = tmp_path / "l.sqlite"
        with open_ledger(ledger) as store:
            run_id = store.start_run(
                inputs=[("a.csv", "0" * 64)],
                mapping="generic",
                dry_run=False,
                tool_version="t",
                results_path="r.xlsx",
            )
            line = ResultLine("a.csv", 2, "Ann", "ann@example.com", "Analyst", Status.AI_ACCEPT)
            store.record_plan(run_id, [line], [False])
            store.finish_run(run_id, exit_code=0, counts={"ai_accept": 1})
        result = CliRunner().invoke(cli, ["history", "--ledger", str(ledger)])
        assert result.exit_code == 0, result.output
        header, first = result.output.splitlines()[:2]
        for column in ("run id", "state", "exit", "mapping", "started (UTC)", "rows by status"):
            assert column in header
        assert first.startswith(run_id) and "ai_accept=1" in first
        assert first.index("generic") == header.index("mapping")  # under its header


class TestPipes:
    """A reader that stops early (``| head``) ends the command quietly, never as a bug."""

    def test_mappings_list_into_a_reader_that_is_gone(self) -> None:
        done = subprocess.run(
            ["bash", "-c", f"'{sys.executable}' -m sync mappings list | true;"
             " echo ${PIPESTATUS[0]}"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )  # fmt: skip
        assert done.stdout.strip() == "141"  # as a shell reports a command its reader left
        assert "Internal error" not in done.stderr and "Traceback" not in done.stderr
        assert done.stderr == ""
