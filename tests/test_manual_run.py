"""The manual run as a person lives with it (issue 14): the real CLI on a pseudo-terminal,
through pipes, and with no terminal at all, against the sandbox over loopback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from openpyxl import load_workbook
from screens import TOKEN, cli, on_terminal, people, without_terminal, write_applicants

from sync.errors import EXIT_DECLINED, EXIT_MEANINGS
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=5)) as sb:
        yield sb


def creates(sb: RunningSandbox) -> int:
    return int(sb.stats()["enrolments_created"])


def run_args(sb: RunningSandbox, *extra: str) -> list[str]:
    return ["run", "--applicants", "applicants.csv", "--mapping", "generic",
            "--out", "results.xlsx", "--base-url", sb.base_url, *extra]  # fmt: skip


def sheet(path: Path) -> list[dict[str, object]]:
    wb = load_workbook(path, read_only=True)
    rows = list(wb["Results"].iter_rows(values_only=True))
    wb.close()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


class TestNoTerminalNoSend:
    """Without a terminal to ask on and without --yes, nothing is sent: exit 2, naming --yes."""

    def test_cron_without_yes_stops_before_sending(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", people(3))
        done = without_terminal(run_args(sandbox), tmp_path)
        assert done.returncode == 2, done.stderr
        assert "nothing sent" in done.stderr and "--yes" in done.stderr
        assert "yes = true" in done.stderr
        assert sandbox.stats()["requests"] == 0
        assert not (tmp_path / "results.xlsx").exists()

    def test_piped_yes_is_not_a_yes(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        """``echo y | jobmojito-sync run`` with no terminal: text on stdin never confirms."""
        write_applicants(tmp_path / "applicants.csv", people(2))
        done = without_terminal(run_args(sandbox), tmp_path, stdin="y\n")
        assert done.returncode == 2 and "--yes" in done.stderr
        assert sandbox.stats()["requests"] == 0

    def test_yes_in_the_config_file_confirms(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(3))
        (tmp_path / "jobmojito-sync.toml").write_text("yes = true\n", encoding="utf-8")
        done = without_terminal(run_args(sandbox), tmp_path)
        assert done.returncode == 0, done.stderr
        assert creates(sandbox) == 3

    def test_dash_dash_yes_sends(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(2))
        done = without_terminal(run_args(sandbox, "--yes"), tmp_path)
        assert done.returncode == 0, done.stderr
        assert creates(sandbox) == 2

    def test_a_dry_run_needs_no_yes(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(2))
        done = without_terminal(
            ["run", "--applicants", "applicants.csv", "--mapping", "generic", "--dry-run"],
            tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "results.xlsx").exists()


class TestAskedOnTheTerminal:
    """The question goes to the terminal itself when stdin or stderr is redirected."""

    def test_piped_to_tee_asks_on_the_terminal_and_logs_the_run(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", people(3))
        session = on_terminal(f"{cli(*run_args(sandbox))} 2>&1 | tee run.log", tmp_path, answer="y")
        assert session.asked, session.screen
        assert session.code == 0, session.screen
        assert f"Send 3 candidates to {sandbox.base_url}? [y/N]: y" in session.screen
        assert creates(sandbox) == 3
        log = (tmp_path / "run.log").read_text(encoding="utf-8")
        assert "3 to send" in log and "Preview: the first rows to send" in log  # the preview
        assert "3 sent:" in log and "results: results.xlsx" in log  # and the outcome
        events = [json.loads(ln) for ln in log.splitlines() if ln.startswith("{")]
        said = [e["answer"] for e in events if e["event"] == "confirmation"]
        assert said == ["yes"]  # the log keeps the answer; the question went to the terminal
        assert "\x1b[" not in log  # a file gets no colours

    def test_stdin_piped_asks_the_person_not_the_pipe(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", people(3))
        session = on_terminal(f"echo y | {cli(*run_args(sandbox))}", tmp_path, answer="n")
        assert session.asked
        assert session.code == EXIT_DECLINED
        assert creates(sandbox) == 0
        assert "nothing sent" in session.screen and "Error" not in session.screen

    def test_declining_is_not_an_error(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(2))
        session = on_terminal(cli(*run_args(sandbox)), tmp_path, answer="")
        assert session.asked and session.code == EXIT_DECLINED == 4
        assert "nothing sent" in session.screen
        assert not re.search(r"^Error", session.screen, re.M)
        assert sandbox.stats()["requests"] == 0
        assert EXIT_MEANINGS[EXIT_DECLINED].startswith("declined")

    def test_the_question_names_where_the_candidates_go(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", people(1))
        session = on_terminal(cli(*run_args(sandbox)), tmp_path, answer="n")
        assert f"Send 1 candidate to {sandbox.base_url}? [y/N]" in session.screen


class TestLimitCounts:
    """``--limit 2`` announces, asks, logs and sends 2; the rest wait for a later run."""

    def test_every_count_is_the_limit(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(7))
        session = on_terminal(
            f"{cli(*run_args(sandbox, '--limit', '2'))} 2>run.log", tmp_path, answer="y"
        )
        assert session.code == 0
        log = (tmp_path / "run.log").read_text(encoding="utf-8")
        assert "7 in applicants.csv — 2 to send, 5 held back by --limit 2" in log
        assert "Send 2 candidates" in session.screen
        started = [json.loads(ln) for ln in log.splitlines() if '"run started"' in ln]
        assert started[0]["to_send"] == 2 and started[0]["held_back"] == 5
        assert creates(sandbox) == 2
        rows = sheet(tmp_path / "results.xlsx")
        held = [r for r in rows if r["status"] == "not_sent"]
        assert len(held) == 5
        assert {r["reason"] for r in held} == {"held back by --limit 2"}

        again = on_terminal(cli(*run_args(sandbox)), tmp_path, answer="y")
        assert "Send 5 candidates" in again.screen  # the two are skipped, the five go now
        assert creates(sandbox) == 7


class TestProblemsAtTheTerminal:
    """Invalid rows are shown grouped by cause, with counts and example rows, before the
    question and at the end."""

    def test_grouped_before_the_question_and_at_the_end(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        rows = [*people(2), ("Bad One", "bad1@"), ("Bad Two", "bad2@"), *people(1, start=5)]
        rows += [("Bad Three", "bad3@")]
        write_applicants(tmp_path / "applicants.csv", rows)
        session = on_terminal(cli(*run_args(sandbox)), tmp_path, answer="y")
        screen = session.screen
        cause = "3 rows: candidate_email is not a valid e-mail address (rows 4, 5, 7)"
        before, _, after = screen.partition("[y/N]")
        assert "3 rows need attention (not sent):" in before and cause in before
        assert "3 rows need attention:" in after and cause in after
        assert session.code == 1
        assert "3 sent:" in after and "3 need attention" in after


class TestCellTextIsData:
    """A file's text never steers the terminal: no markup, no hyperlink, no escape sequence."""

    HOSTILE: ClassVar[list[str]] = [
        "Ana [/bold] Silva",
        "[link=https://evil.example/]click me[/link]",
        "Bo \x1b[2J\x1b]8;;https://evil.example/\x1b\\x\x1b]8;;\x1b\\",
        "Cy \x9b31mred \u202eevil",
    ]

    def write_xlsx(self, path: Path) -> None:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path))
        ws = workbook.add_worksheet()
        header = ["candidate_name", "candidate_email", "candidate_country_code",
                  "candidate_resume", "position_name", "position_location",
                  "position_country_code", "mojito_language_code"]  # fmt: skip
        for col, name in enumerate(header):
            ws.write_string(0, col, name)
        for row, name in enumerate(self.HOSTILE, start=1):
            values = [name, f"p{row}@example.com", "PT", "cv", f"Job {name}", "Lisbon", "PT"]
            values.append("en" if row != 4 else "xx [bold]")
            for col, value in enumerate(values):
                ws.write_string(row, col, value)
        workbook.close()

    def test_preview_and_outcome_print_cells_as_typed(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        self.write_xlsx(tmp_path / "applicants.xlsx")
        args = ["run", "--applicants", "applicants.xlsx", "--mapping", "generic",
                "--base-url", sandbox.base_url]  # fmt: skip
        session = on_terminal(cli(*args), tmp_path, answer="y", width=160)
        assert session.code == 1, session.screen  # the last row's language is bad: exit 1
        assert "Ana [/bold] Silva" in session.screen
        assert "[link=https://evil." in session.screen  # as typed (cut to the column's width)
        assert b"\x1b]8;" not in session.raw  # no terminal hyperlink at all
        assert b"evil.example/\x1b" not in session.raw
        assert b"\x1b[2J" not in session.raw and b"\x9b" not in session.raw
        assert "\u202e" not in session.raw.decode("utf-8", "replace")
        assert "Internal error" not in session.screen and "Traceback" not in session.screen
        assert creates(sandbox) == 3


class TestNarrowTerminal:
    """On a 40-column terminal nothing is cut inside a word: headings and the run id stay whole."""

    def test_no_word_is_split(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", [*people(3), ("Bad", "bad@")])
        session = on_terminal(cli(*run_args(sandbox)), tmp_path, answer="y", width=40)
        screen = session.screen
        assert session.code == 1
        run_id = re.search(r"^run (\S+)$", screen, re.M)
        assert run_id and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{4}", run_id.group(1)), screen
        # Wrapped only between words: joined with spaces, the lines give the text back.
        text = " ".join(line.strip() for line in screen.splitlines())
        assert "Preview: the first rows to send" in text
        wb = load_workbook(tmp_path / "results.xlsx", read_only=True)
        headline = next(wb["Summary"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
        wb.close()
        assert isinstance(headline, str) and "need" in headline
        assert headline in text


class TestResultsNeverOverwrittenSilently:
    """A second run keeps the previous sheet as results.1.xlsx and says so; --overwrite replaces."""

    def test_kept_then_replaced_on_request(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(2))
        first = without_terminal(run_args(sandbox, "--yes"), tmp_path)
        assert first.returncode == 0, first.stderr
        before = (tmp_path / "results.xlsx").read_bytes()

        second = on_terminal(cli(*run_args(sandbox, "--yes")), tmp_path)
        assert "results: results.xlsx (the previous sheet kept as results.1.xlsx)" in (
            second.screen
        )
        assert (tmp_path / "results.1.xlsx").read_bytes() == before
        assert {r["status"] for r in sheet(tmp_path / "results.xlsx")} == {"skipped"}

        third = without_terminal(run_args(sandbox, "--yes", "--overwrite"), tmp_path)
        assert third.returncode == 0
        assert not (tmp_path / "results.2.xlsx").exists()
        finished = [json.loads(ln) for ln in third.stderr.splitlines() if '"run finished"' in ln]
        assert finished[0]["kept"] == ""


class TestQuietLogLines:
    """--quiet prints nothing when all is well; what it prints carries the date and time."""

    def test_quiet_lines_are_dated(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", [*people(1), ("Bad", "bad@")])
        done = without_terminal(["--quiet", *run_args(sandbox, "--yes")], tmp_path)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert lines, "a run that needs a person says so"
        assert all(ISO_TIME.search(line) for line in lines), lines
        outcome = json.loads(lines[-1])
        assert outcome["event"] == "outcome" and outcome["exit_code"] == 1
        assert "1 needs attention" in outcome["headline"]

    def test_quiet_errors_are_dated(self, tmp_path: Path) -> None:
        done = without_terminal(["--quiet", "run", "--applicants", "missing.csv"], tmp_path)
        assert done.returncode == 2
        (line,) = done.stderr.strip().splitlines()
        event = json.loads(line)
        assert event["level"] == "error" and "missing.csv" in event["message"]
        assert ISO_TIME.search(event["timestamp"])

    def test_quiet_and_clean_prints_nothing(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", people(2))
        done = without_terminal(["--quiet", *run_args(sandbox, "--yes")], tmp_path)
        assert done.returncode == 0
        assert done.stderr == "" and done.stdout == ""


class TestInterruptedBar:
    """After Ctrl-C the bar stays where sending stopped; unsent rows are counted, not done."""

    def test_ctrl_c_mid_run(self, tmp_path: Path) -> None:
        config = SandboxConfig(token=TOKEN, seed=5, latency_ms=150)
        with run_sandbox(config) as sb:
            write_applicants(tmp_path / "applicants.csv", people(30))
            args = run_args(sb, "--yes", "--concurrency", "1", "--rate", "5")
            session = on_terminal(cli(*args), tmp_path, interrupt_after=b"3/30", width=120)
            sent = creates(sb)
        assert session.code == 3, session.screen
        bar = [ln for ln in session.screen.splitlines() if ln.startswith("sending")][-1]
        done, total = map(int, re.search(r"(\d+)/(\d+)", bar).groups())  # type: ignore[union-attr]
        assert total == 30 and done < 30
        assert done >= sent - 1  # what was sent (one may have been in flight)
        assert re.search(r"not_sent=\d+", bar)
        lines = session.screen.splitlines()
        stopping = [i for i, ln in enumerate(lines) if "stopping: requests in flight" in ln]
        assert stopping and stopping[0] < lines.index(bar)  # the log line above the bar
        assert re.search(r"^stopped: interrupted", session.screen, re.M)


class TestWhereTheQuestionGoes:
    """/dev/tty is asked only for a process whose own streams are redirected; a program
    running the CLI inside its own streams (click's CliRunner) has no one to ask."""

    @pytest.fixture()
    def tty(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
        import os

        import sync.cli.ask

        master, slave = os.openpty()
        monkeypatch.setattr(sync.cli.ask, "TTY", os.ttyname(slave))
        monkeypatch.setattr(sync.cli.ask.time, "sleep", lambda s: None)
        yield master
        os.close(master)
        os.close(slave)

    def test_redirected_streams_ask_the_terminal(
        self, tty: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        import os
        import sys

        from sync.cli.ask import ask, has_terminal

        with (tmp_path / "in").open("w+") as stdin, (tmp_path / "err").open("w+") as stderr:
            stdin.write("y\n")  # what a pipe says is never the answer
            stdin.seek(0)
            monkeypatch.setattr(sys, "stdin", stdin)
            monkeypatch.setattr(sys, "stderr", stderr)
            assert has_terminal()
            os.write(tty, b"n\n")
            assert ask("Send 2 candidates to http://x/?") is False
            os.write(tty, b"YES\n")
            assert ask("Send 2 candidates to http://x/?") is True
        shown = os.read(tty, 4096).decode()
        assert shown.count("Send 2 candidates to http://x/? [y/N]: ") == 2

    def test_inside_another_programs_streams_nobody_is_asked(
        self, tty: int, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from click.testing import CliRunner

        from sync.cli import cli as command

        write_applicants(tmp_path / "applicants.csv", people(2))
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("JOBMOJITO_TOKEN", TOKEN)
        result = CliRunner().invoke(command, run_args(sandbox), input="y\n")
        assert result.exit_code == 2 and "--yes" in result.output
        assert sandbox.stats()["requests"] == 0
