"""The three ways it is run (issue 6): cron without a terminal, the config file, and a
person at a terminal answering the confirmation prompt. The CLI in-process where no
terminal is involved; on a real pseudo-terminal, in a real process, where one is.
The sandbox over loopback."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest
from helpers import Cli, process_env, read_sheet, sync_command, write_applicants

from sync.sandbox import RunningSandbox


@pytest.fixture
def token(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """JOBMOJITO_TOKEN is the sandbox's."""
    monkeypatch.setenv("JOBMOJITO_TOKEN", sandbox.token)
    return sandbox.token


def creates(sb: RunningSandbox) -> int:
    by_endpoint = sb.stats()["by_endpoint"]
    return sum(v for k, v in by_endpoint.items() if k.startswith("job-interview-create"))


class TestCron:
    @pytest.mark.usefixtures("token")
    def test_glob_latest_out_dir_json_lines_then_a_quick_all_skipped_rerun(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        exports = tmp_path / "exports"
        old = write_applicants(exports / "applicants_2026-11-20.csv", names=["Old"])
        new = write_applicants(exports / "applicants_2026-11-21.csv", names=["Ana", "Bo"], bad=1)
        os.utime(old, (time.time(), time.time()))  # the newest by mtime wins, not by name
        os.utime(new, (time.time() + 60, time.time() + 60))
        args = ["run", "--applicants", str(exports / "applicants_*.csv"), "--latest",
                "--mapping", "generic", "--out-dir", str(tmp_path / "out"),
                "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
        done = cli(*args)
        assert done.exit_code == 1, done.stderr[-2000:]  # the bad row needs a person
        (results,) = (tmp_path / "out").glob("results-*.xlsx")
        assert creates(sandbox) == 2

        events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
        assert events, done.stderr
        rows = [e for e in events if e.get("event") == "row"]
        summary = [e for e in events if e.get("event") == "run finished"]
        assert len(rows) == 2 and len(summary) == 1  # one line per row sent, one summary
        assert summary[0]["exit_code"] == 1
        assert "━" not in done.stderr and "\r" not in done.stderr  # no progress bar
        assert "ana@example.com" not in done.stderr  # e-mails masked in logs

        quiet = cli("--quiet", *args)
        assert quiet.exit_code == 0  # the same bad row: known since last night (--fail-on new)
        assert creates(sandbox) == 2  # the rerun sent nothing
        assert len(list((tmp_path / "out").glob("results-*.xlsx"))) == 2
        assert results.exists()

    @pytest.mark.usefixtures("token")
    def test_quiet_clean_run_prints_nothing(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Cy", "Di"])
        done = cli("--quiet", "run", "--applicants", "applicants.csv", "--mapping", "generic",
                   "--out", "r.csv", "--base-url", sandbox.base_url, "--yes")  # fmt: skip
        assert done.exit_code == 0, done.stderr
        assert done.stdout == "" and "{" not in done.stderr
        assert [r["status"] != "" for r in read_sheet(tmp_path / "r.csv")] == [True, True]


class TestConfig:
    def test_file_then_environment_then_flags(self, cli: Cli, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Ana"])
        conf = tmp_path / "etc" / "nightly.toml"
        conf.parent.mkdir()
        conf.write_text('applicants = "../applicants.csv"\nmapping = "generic"\n'
                        'dry_run = true\nout = "../from-file.csv"\n', encoding="utf-8")  # fmt: skip
        env = {"JOBMOJITO_SYNC_CONFIG": str(conf)}
        assert cli("run", env=env).exit_code == 0
        assert (tmp_path / "from-file.csv").exists()  # relative to the config file's folder

        env["JOBMOJITO_OUT"] = str(tmp_path / "from-env.csv")
        assert cli("run", env=env).exit_code == 0
        assert (tmp_path / "from-env.csv").exists()

        assert cli("run", "--out", "from-flag.csv", env=env).exit_code == 0
        assert (tmp_path / "from-flag.csv").exists()

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("concurency = 4\n", "concurency"),
            ("concurrency = 0\n", "concurrency"),
            ('token = "abc"\n', "token"),
        ],
    )
    def test_mistakes_name_the_file_and_key(
        self, cli: Cli, tmp_path: Path, text: str, expected: str
    ) -> None:
        conf = tmp_path / "jobmojito-sync.toml"
        conf.write_text(text, encoding="utf-8")
        done = cli("run", "--applicants", "x.csv", "--dry-run",
                   env={"JOBMOJITO_SYNC_CONFIG": str(conf)})  # fmt: skip
        assert done.exit_code == 2
        assert "jobmojito-sync.toml" in done.stderr and expected in done.stderr
        assert "Traceback" not in done.stderr

    def test_token_file_must_be_private(
        self, cli: Cli, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Ed"])
        token_file = tmp_path / "token"
        token_file.write_text(sandbox.token + "\n", encoding="utf-8")
        token_file.chmod(0o644)
        args = ["run", "--applicants", "applicants.csv", "--mapping", "generic", "--out", "r.csv",
                "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
        env = {"JOBMOJITO_TOKEN_FILE": str(token_file)}  # and no JOBMOJITO_TOKEN
        refused = cli(*args, env=env)
        assert refused.exit_code == 2 and f"chmod 600 {token_file}" in refused.stderr
        assert sandbox.stats()["requests"] == 0

        token_file.chmod(0o600)
        done = cli(*args, env=env)
        assert done.exit_code == 0, done.stderr[-2000:]
        assert creates(sandbox) == 1
        assert sandbox.token not in refused.stderr + done.stderr + done.stdout


@pytest.mark.usefixtures("token")
def test_history_lists_runs_newest_first(cli: Cli, sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", names=["Ana", "Bo"])
    args = ["run", "--applicants", "applicants.csv", "--mapping", "generic", "--out", "r.csv",
            "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
    assert cli(*args).exit_code == 0
    write_applicants(tmp_path / "applicants.csv", names=["Ana", "Bo", "Cy"])
    assert cli(*args).exit_code == 0
    ledger = str(tmp_path / "r.ledger.sqlite")

    listed = cli("history", "--ledger", ledger, "--json")
    runs = [json.loads(ln) for ln in listed.stdout.splitlines()]
    assert len(runs) == 2
    newest, oldest = runs[0]["counts"], runs[1]["counts"]  # newest first: the 3-row run
    assert newest.get("skipped") == 2 and sum(newest.values()) == 3
    assert sum(oldest.values()) == 2 and "skipped" not in oldest

    one = cli("history", "--ledger", ledger, "--limit", "1")
    assert one.exit_code == 0 and runs[0]["run_id"] in one.stdout
    assert runs[1]["run_id"] not in one.stdout


# ------------------------------------------------- a person at a terminal: real processes


def drive(args: list[str], cwd: Path, token: str, answer: str | None) -> tuple[str, str, int]:
    """Run the CLI on a pseudo-terminal; answer its prompt. (output before the prompt,
    output after it, exit code)."""
    master, slave = pty.openpty()
    env = process_env(JOBMOJITO_TOKEN=token, COLUMNS="160", TERM="xterm")
    proc = subprocess.Popen(sync_command(*args), cwd=cwd, env=env, stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True)  # fmt: skip
    os.close(slave)
    before, after = b"", b""
    deadline = time.monotonic() + 60
    asked = answer is None
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                if asked:
                    after += chunk
                else:
                    before += chunk
                    if b"[y/N]" in before:
                        os.write(master, answer.encode() + b"\n")  # type: ignore[union-attr]
                        asked = True
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return _plain(before), _plain(after), code


def _plain(raw: bytes) -> str:
    """Terminal output without colour codes and carriage returns."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw.decode(errors="replace")).replace("\r", "")


@pytest.mark.slow
class TestManualRun:
    def args(self, sb: RunningSandbox) -> list[str]:
        return ["run", "--applicants", "applicants.csv", "--out", "results.xlsx",
                "--base-url", sb.base_url]  # fmt: skip

    def test_no_sends_nothing_after_the_preview(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Ana", "Bo", "Cy"])
        before, _, code = drive(self.args(sandbox), tmp_path, sandbox.token, "n")
        assert "mapping: generic" in before  # detected, not named
        assert "detected from the headers" in before
        assert "first rows" in before and "ana@example.com" in before
        assert "3 to send" in before and "Send 3 candidates" in before
        assert code == 4  # declining is not an error
        assert sandbox.stats()["requests"] == 0

    def test_yes_sends_then_shows_the_outcomes_and_the_results_path(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Ana", "Bo", "Cy"])
        before, after, code = drive(self.args(sandbox), tmp_path, sandbox.token, "y")
        assert creates(sandbox) == 0 or "Send 3 candidates" in before
        assert code == 0, before + after
        assert creates(sandbox) == 3
        assert "total" in after and "results: results.xlsx" in after

    def test_dash_dash_yes_skips_the_prompt(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", names=["Ana"])
        before, after, code = drive([*self.args(sandbox), "--yes"], tmp_path, sandbox.token, None)
        assert code == 0 and "[y/N]" not in before + after
        assert creates(sandbox) == 1
