"""The three ways it is run (issue 6): cron without a terminal, the config file, and a
person at a terminal answering the confirmation prompt. The real CLI, the sandbox
over loopback."""

from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

TOKEN = "ops-test-token-51f2"
HEADER = ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
          "position_name", "position_location", "position_country_code",
          "mojito_language_code"]  # fmt: skip


def write_applicants(path: Path, names: list[str], *, bad: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for name in names:
            email = f"{name.lower()}@example.com"
            writer.writerow([name, email, "PT", f"CV of {name}", "Analyst", "Lisbon", "PT", "en"])
        if bad:
            writer.writerow(["Bad", "bad@", "PT", "cv", "Analyst", "Lisbon", "PT", "en"])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


ROOT = Path(__file__).resolve().parents[1]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JOBMOJITO")}
    # This checkout's sync, whatever the cwd (an installed copy may be another one).
    base.update({"JOBMOJITO_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), **extra})
    return base


def cli(
    *args: str, cwd: Path, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI with no terminal: stdin, stdout and stderr are not TTYs (cron)."""
    return subprocess.run(
        [sys.executable, "-m", "sync", *args],
        cwd=cwd,
        env=environ or env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=5)) as sb:
        yield sb


def creates(sb: RunningSandbox) -> int:
    by_endpoint = sb.stats()["by_endpoint"]
    return sum(v for k, v in by_endpoint.items() if k.startswith("job-interview-create"))


class TestCron:
    def test_glob_latest_out_dir_json_lines_then_a_quick_all_skipped_rerun(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        exports = tmp_path / "exports"
        old = write_applicants(exports / "applicants_2026-11-20.csv", ["Old"])
        new = write_applicants(exports / "applicants_2026-11-21.csv", ["Ana", "Bo"], bad=True)
        os.utime(old, (time.time(), time.time()))  # the newest by mtime wins, not by name
        os.utime(new, (time.time() + 60, time.time() + 60))
        args = ["run", "--applicants", str(exports / "applicants_*.csv"), "--latest",
                "--mapping", "generic", "--out-dir", str(tmp_path / "out"),
                "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr[-2000:]  # the bad row needs a person
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

        quiet = cli("--quiet", *args, cwd=tmp_path)
        assert quiet.returncode == 1
        assert creates(sandbox) == 2  # the rerun sent nothing
        assert len(list((tmp_path / "out").glob("results-*.xlsx"))) == 2
        assert results.exists()

    def test_quiet_clean_run_prints_nothing(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Cy", "Di"])
        done = cli("--quiet", "run", "--applicants", "applicants.csv", "--mapping", "generic",
                   "--out", "r.csv", "--base-url", sandbox.base_url, "--yes",
                   cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout == "" and "{" not in done.stderr
        assert [r["status"] != "" for r in read_csv(tmp_path / "r.csv")] == [True, True]


class TestConfig:
    def test_file_then_environment_then_flags(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Ana"])
        conf = tmp_path / "etc" / "nightly.toml"
        conf.parent.mkdir()
        conf.write_text('applicants = "../applicants.csv"\nmapping = "generic"\n'
                        'dry_run = true\nout = "../from-file.csv"\n', encoding="utf-8")  # fmt: skip
        e = env(JOBMOJITO_SYNC_CONFIG=str(conf))
        assert cli("run", cwd=tmp_path, environ=e).returncode == 0
        assert (tmp_path / "from-file.csv").exists()  # relative to the config file's folder

        e["JOBMOJITO_OUT"] = str(tmp_path / "from-env.csv")
        assert cli("run", cwd=tmp_path, environ=e).returncode == 0
        assert (tmp_path / "from-env.csv").exists()

        assert cli("run", "--out", "from-flag.csv", cwd=tmp_path, environ=e).returncode == 0
        assert (tmp_path / "from-flag.csv").exists()

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("concurency = 4\n", "concurency"),
            ("concurrency = 0\n", "concurrency"),
            ('token = "abc"\n', "token"),
        ],
    )
    def test_mistakes_name_the_file_and_key(self, tmp_path: Path, text: str, expected: str) -> None:
        conf = tmp_path / "jobmojito-sync.toml"
        conf.write_text(text, encoding="utf-8")
        done = cli("run", "--applicants", "x.csv", "--dry-run", cwd=tmp_path,
                   environ=env(JOBMOJITO_SYNC_CONFIG=str(conf)))  # fmt: skip
        assert done.returncode == 2
        assert "jobmojito-sync.toml" in done.stderr and expected in done.stderr
        assert "Traceback" not in done.stderr

    def test_token_file_must_be_private(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Ed"])
        token_file = tmp_path / "token"
        token_file.write_text(TOKEN + "\n", encoding="utf-8")
        token_file.chmod(0o644)
        e = env()
        del e["JOBMOJITO_TOKEN"]
        args = ["run", "--applicants", "applicants.csv", "--mapping", "generic", "--out", "r.csv",
                "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
        e["JOBMOJITO_TOKEN_FILE"] = str(token_file)
        refused = cli(*args, cwd=tmp_path, environ=e)
        assert refused.returncode == 2 and f"chmod 600 {token_file}" in refused.stderr
        assert sandbox.stats()["requests"] == 0

        token_file.chmod(0o600)
        done = cli(*args, cwd=tmp_path, environ=e)
        assert done.returncode == 0, done.stderr[-2000:]
        assert creates(sandbox) == 1
        assert TOKEN not in refused.stderr + done.stderr + done.stdout


def drive(args: list[str], cwd: Path, answer: str | None) -> tuple[str, str, int]:
    """Run the CLI on a pseudo-terminal; answer its prompt. (output before the prompt,
    output after it, exit code)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "sync", *args], cwd=cwd,
                            env=env(COLUMNS="160", TERM="xterm"), stdin=slave, stdout=slave,
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


class TestManualRun:
    def args(self, sb: RunningSandbox) -> list[str]:
        return ["run", "--applicants", "applicants.csv", "--out", "results.xlsx",
                "--base-url", sb.base_url]  # fmt: skip

    def test_no_sends_nothing_after_the_preview(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Ana", "Bo", "Cy"])
        before, _, code = drive(self.args(sandbox), tmp_path, "n")
        assert "mapping: generic" in before  # detected, not named
        assert "detected from the headers" in before
        assert "first rows" in before and "ana@example.com" in before
        assert "3 to send" in before and "Send 3 candidates" in before
        assert code == 4  # declining is not an error
        assert sandbox.stats()["requests"] == 0

    def test_yes_sends_then_shows_the_outcomes_and_the_results_path(
        self, sandbox: RunningSandbox, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Ana", "Bo", "Cy"])
        before, after, code = drive(self.args(sandbox), tmp_path, "y")
        assert creates(sandbox) == 0 or "Send 3 candidates" in before
        assert code == 0, before + after
        assert creates(sandbox) == 3
        assert "total" in after and "results: results.xlsx" in after

    def test_dash_dash_yes_skips_the_prompt(self, sandbox: RunningSandbox, tmp_path: Path) -> None:
        write_applicants(tmp_path / "applicants.csv", ["Ana"])
        before, after, code = drive([*self.args(sandbox), "--yes"], tmp_path, None)
        assert code == 0 and "[y/N]" not in before + after
        assert creates(sandbox) == 1


def test_history_lists_runs_newest_first(sandbox: RunningSandbox, tmp_path: Path) -> None:
    write_applicants(tmp_path / "applicants.csv", ["Ana", "Bo"])
    args = ["run", "--applicants", "applicants.csv", "--mapping", "generic", "--out", "r.csv",
            "--base-url", sandbox.base_url, "--yes"]  # fmt: skip
    assert cli(*args, cwd=tmp_path).returncode == 0
    write_applicants(tmp_path / "applicants.csv", ["Ana", "Bo", "Cy"])
    assert cli(*args, cwd=tmp_path).returncode == 0
    ledger = str(tmp_path / "r.ledger.sqlite")

    runs = [json.loads(ln) for ln in cli("history", "--ledger", ledger, "--json",
                                         cwd=tmp_path).stdout.splitlines()]  # fmt: skip
    assert len(runs) == 2
    newest, oldest = runs[0]["counts"], runs[1]["counts"]  # newest first: the 3-row run
    assert newest.get("skipped") == 2 and sum(newest.values()) == 3
    assert sum(oldest.values()) == 2 and "skipped" not in oldest

    one = cli("history", "--ledger", ledger, "--limit", "1", cwd=tmp_path)
    assert one.returncode == 0 and runs[0]["run_id"] in one.stdout
    assert runs[1]["run_id"] not in one.stdout
