"""Personal data on disk and failures that are not bugs (issue 13): the ledger and the
results owner-only, one run per ledger file whatever its name, only a missing ledger is
new, a damaged or read-only one refused before sending; outputs checked before the first
request and never an input; a full disk, a bad token file or no memory is one line with
exit 2 (before sending) or 3 (during); a signal anywhere ends with exit 3 and a sheet."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hardening import (
    TOKEN,
    can_mount,
    cli,
    command,
    creates,
    env,
    mount_wrapper,
    one_line_error,
    read_csv,
    write_applicants,
)
from helpers import pdf_page

from sync.cli import cli as cli_group
from sync.errors import LedgerError, LedgerLockedError, SyncError
from sync.ledger import SQLiteLedger, open_ledger
from sync.results.history import run_history
from sync.run import run_sync
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

needs_mount = pytest.mark.skipif(not can_mount(), reason="needs root and mount namespaces")


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=3)) as sb:
        yield sb


def live(tmp_path: Path, sb: RunningSandbox, *extra: str, **kw: object):  # type: ignore[no-untyped-def]
    return cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic", "--out", "r.csv",
               "--base-url", sb.base_url, *extra, cwd=tmp_path, **kw)  # type: ignore[arg-type]  # fmt: skip


def start(ledger: SQLiteLedger) -> str:
    return ledger.start_run(inputs=[], mapping="m", dry_run=False, tool_version="t",
                            results_path="r")  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class TestFilesOwnerOnly:
    """Files holding personal data are readable by their owner only, whatever the umask."""

    def test_results_and_ledger_are_created_0600_under_umask_000(
        self, tmp_path: Path, sandbox: RunningSandbox
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        old = os.umask(0)
        try:
            done = live(tmp_path, sandbox)
            dry = cli("run", "--dry-run", "--applicants", "a.csv", "--mapping", "generic",
                      "--out", "d.xlsx", cwd=tmp_path)  # fmt: skip
        finally:
            os.umask(old)
        assert done.returncode == 0 and dry.returncode == 0, done.stderr + dry.stderr
        for name in ("r.csv", "r.summary.txt", "d.xlsx", "r.ledger.sqlite"):
            assert mode(tmp_path / name) == 0o600, name

    def test_a_pre_existing_0644_ledger_and_wal_become_0600(self, tmp_path: Path) -> None:
        path = tmp_path / "l.sqlite"
        with open_ledger(path) as ledger:
            start(ledger)
            path.chmod(0o644)
            Path(f"{path}-wal").chmod(0o644)
        with open_ledger(path):
            assert mode(path) == 0o600
            assert mode(Path(f"{path}-wal")) == 0o600

    def test_a_ledger_reached_through_a_symlink_is_created_0600_beside_its_target(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "real").mkdir()
        link = tmp_path / "ledger.sqlite"
        link.symlink_to(tmp_path / "real" / "ledger.sqlite")
        with open_ledger(link) as ledger:
            start(ledger)
            target = tmp_path / "real" / "ledger.sqlite"
            assert mode(target) == 0o600
            assert Path(f"{target}-wal").exists() and not Path(f"{link}-wal").exists()
        assert link.is_symlink()


class TestOneRunPerLedgerFile:
    """The run lock is on the real file: every name that reaches it meets the same lock."""

    @pytest.mark.parametrize("how", ["symlink", "hard link"])
    def test_a_second_name_for_the_ledger_is_refused_while_a_run_holds_it(
        self, tmp_path: Path, how: str
    ) -> None:
        path = tmp_path / "ledger.sqlite"
        other = tmp_path / "elsewhere.sqlite"
        with open_ledger(path) as first:
            start(first)
            if how == "symlink":
                other.symlink_to(path)
            else:
                os.link(path, other)
            with SQLiteLedger(other, lock_wait=0) as second, pytest.raises(LedgerLockedError):
                start(second)

    def test_a_lock_file_that_is_a_symlink_is_not_followed(self, tmp_path: Path) -> None:
        precious = tmp_path / "precious.txt"
        precious.write_text("do not truncate me")
        path = tmp_path / "ledger.sqlite"
        Path(f"{path}.lock").symlink_to(precious)
        with open_ledger(path) as ledger, pytest.raises(LedgerError, match="symbolic link"):
            start(ledger)
        assert precious.read_text() == "do not truncate me"


class TestOnlyAMissingLedgerIsNew:
    """An existing file that is not a ledger is refused; a damaged ledger before starting."""

    def test_an_empty_ledger_file_is_refused_and_nothing_is_sent(
        self, tmp_path: Path, sandbox: RunningSandbox
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        (tmp_path / "r.ledger.sqlite").touch()
        done = live(tmp_path, sandbox)
        assert done.returncode == 2
        assert "empty file, not a ledger" in one_line_error(done)
        assert creates(sandbox) == 0
        assert (tmp_path / "r.ledger.sqlite").stat().st_size == 0

    def test_an_sqlite_file_without_tables_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.db"
        sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
        with pytest.raises(LedgerError, match="without tables"):
            open_ledger(path)

    def test_a_ledger_with_damaged_pages_is_refused_before_starting_with_the_fix(
        self, tmp_path: Path, sandbox: RunningSandbox
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        path = tmp_path / "r.ledger.sqlite"
        with open_ledger(path) as ledger:
            run = start(ledger)
            ledger.record_plan(run, [], [])
            ledger.finish_run(run, exit_code=0, counts={})
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.close()
        size = path.stat().st_size
        with path.open("r+b") as fh:  # scribble over every page but the first
            fh.seek(size // pages)
            fh.write(b"\xa5" * (size - size // pages))
        before = path.read_bytes()
        done = live(tmp_path, sandbox)
        assert done.returncode == 2
        line = one_line_error(done)
        assert "damaged" in line and "Restore it from a backup" in line
        assert creates(sandbox) == 0
        assert path.read_bytes() == before  # no 'killed' run was written into it

    @needs_mount
    def test_a_read_only_ledger_is_refused_with_one_line(
        self, tmp_path: Path, sandbox: RunningSandbox
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        folder = tmp_path / "ledgers"
        with open_ledger(folder / "l.sqlite"):
            pass
        ro = f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}"
        done = live(tmp_path, sandbox, "--ledger", str(folder / "l.sqlite"),
                    wrap=mount_wrapper(ro))  # fmt: skip
        assert done.returncode == 2
        assert "read-only" in one_line_error(done)
        assert creates(sandbox) == 0


class TestOutputsBeforeTheFirstRequest:
    """Every output is proved writable before anything is sent, and is never an input."""

    @needs_mount
    @pytest.mark.parametrize(
        ("mount", "says"),
        [
            ("mount --bind {out} {out} && mount -o remount,bind,ro {out}", "read-only"),
            ("mount -t tmpfs -o size=32k tmpfs {out}", "the disk is full"),
        ],
        ids=["read-only folder", "full disk"],
    )
    def test_an_unwritable_results_folder_stops_the_run_before_any_request(
        self, tmp_path: Path, sandbox: RunningSandbox, mount: str, says: str
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        out = tmp_path / "out"
        out.mkdir()
        done = live(tmp_path, sandbox, "--out", str(out / "r.xlsx"), "--ledger", "l.sqlite",
                    wrap=mount_wrapper(mount.format(out=out)))  # fmt: skip
        assert done.returncode == 2
        assert says in one_line_error(done)
        assert creates(sandbox) == 0

    def test_out_equal_to_the_applicants_is_refused_and_the_export_kept(
        self, tmp_path: Path
    ) -> None:
        path = write_applicants(tmp_path / "a.csv", ["Ana"])
        before = path.read_bytes()
        done = cli("run", "--dry-run", "--applicants", "a.csv", "--mapping", "generic",
                   "--out", "./a.csv", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2
        assert "overwrite its own input" in one_line_error(done)
        assert path.read_bytes() == before

    def test_out_that_is_the_ledger_by_a_hard_link_is_refused(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        with open_ledger(tmp_path / "l.sqlite"):
            pass
        os.link(tmp_path / "l.sqlite", tmp_path / "r.csv")
        done = cli("run", "--applicants", "a.csv", "--mapping", "generic", "--out", "r.csv",
                   "--ledger", "l.sqlite", "--base-url", "http://127.0.0.1:9/",
                   cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2
        assert "is the ledger" in one_line_error(done)


class TestOperationalFailures:
    """A failure of the machine is one line and exit 2 or 3, never 'Internal error'."""

    def test_a_token_file_that_is_a_folder_or_not_utf8_is_one_line(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        environ = env()
        del environ["JOBMOJITO_TOKEN"]
        (tmp_path / "folder").mkdir(mode=0o700)
        binary = tmp_path / "binary"
        binary.write_bytes(b"\xff\xfe\x00tok\x80en")
        binary.chmod(0o600)
        for token_file, says in ((tmp_path / "folder", "is a folder"), (binary, "not UTF-8")):
            (tmp_path / "jobmojito-sync.toml").write_text(f'token_file = "{token_file}"\n')
            done = cli("run", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv", cwd=tmp_path, environ=environ)  # fmt: skip
            assert done.returncode == 2
            assert says in one_line_error(done)

    def test_out_of_memory_is_one_line_not_a_bug(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])

        def no_memory(*args: object, **kwargs: object) -> None:
            raise MemoryError

        monkeypatch.setattr("sync.run.read_inputs", no_memory)
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(
            cli_group, ["run", "--dry-run", "--applicants", "a.csv", "--mapping", "generic"]
        )
        assert result.exit_code == 2
        assert "out of memory" in result.output and "Internal error" not in result.output

    def test_a_full_disk_under_the_ledger_while_sending_stops_with_exit_3_and_a_sheet(
        self, tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana", "Bo", "Cy", "Di"])
        record = SQLiteLedger.record_outcome
        calls = []

        def fills_up(self: SQLiteLedger, *args: object) -> None:
            calls.append(args)
            if len(calls) == 2:
                raise sqlite3.OperationalError("database or disk is full")
            record(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(SQLiteLedger, "record_outcome", fills_up)
        report = run_sync(applicants=tmp_path / "a.csv", mapping="generic", concurrency=1,
                          out=tmp_path / "r.csv", base_url=sandbox.base_url,
                          token=TOKEN)  # fmt: skip
        assert report.exit_code == 3
        assert "the disk is full" in report.aborted
        rows = read_csv(tmp_path / "r.csv")
        assert len(rows) == 4 and rows[0]["status"] == "ai_accept"

    def test_a_ledger_that_fails_after_sending_says_how_to_get_the_sheet(
        self, tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Sending done, the sheet not yet rendered from the ledger: one line, exit 3,
        naming the command that writes the sheet again, and the run recorded as ended."""
        write_applicants(tmp_path / "a.csv", ["Ana", "Bo"])
        lines = SQLiteLedger.result_lines
        failing = [True]

        def unreadable(self: SQLiteLedger, run_id: str) -> object:
            if failing[0]:
                raise sqlite3.OperationalError("database or disk is full")
            return lines(self, run_id)

        monkeypatch.setattr(SQLiteLedger, "result_lines", unreadable)
        ledger = tmp_path / "l.sqlite"
        with pytest.raises(SyncError) as caught:
            run_sync(applicants=tmp_path / "a.csv", mapping="generic", out=tmp_path / "r.csv",
                     ledger=ledger, base_url=sandbox.base_url, token=TOKEN)  # fmt: skip
        assert caught.value.exit_code == 3
        said = str(caught.value)
        assert "the disk is full" in said
        assert f"`jobmojito-sync report --ledger {ledger}` writes it again" in said
        assert not (tmp_path / "r.csv").exists()
        failing[0] = False
        [run] = run_history(ledger)
        assert (run["state"], run["exit_code"]) == ("finished", 3)
        assert sandbox.stats()["enrolments_created"] == 2  # sent: the ledger holds them


class TestSignals:
    """SIGINT or SIGTERM anywhere in a run (here: while a slow resume is parsed during
    planning) ends the run with exit 3 and a results sheet."""

    @staticmethod
    def slow_pdf(ops: int) -> bytes:
        """A one-page PDF whose text takes ``ops`` operators: slow to read."""
        return pdf_page("BT /F1 12 Tf " + "1 0 0 1 10 10 Tm (ab) Tj " * ops + "ET")

    @pytest.mark.slow
    @pytest.mark.usefixtures("ctrl_c_at_its_default")
    @pytest.mark.parametrize(("sig", "dry"), [(signal.SIGINT, False), (signal.SIGTERM, True)])
    def test_a_signal_while_planning_ends_with_exit_3_and_a_sheet(
        self, tmp_path: Path, sandbox: RunningSandbox, sig: signal.Signals, dry: bool
    ) -> None:
        (tmp_path / "cvs").mkdir()
        (tmp_path / "cvs" / "slow.pdf").write_bytes(self.slow_pdf(150_000))
        write_applicants(tmp_path / "a.csv", ["Ana", "Bo"], resume="slow.pdf")
        mapping = yaml.safe_load((Path(__file__).parents[1] / "mappings/generic.yaml").read_text())
        mapping["name"] = "files"
        mapping["fields"]["candidate_resume"]["transforms"] = ["file"]
        (tmp_path / "files.yaml").write_text(yaml.safe_dump(mapping))
        args = ["run", "--applicants", "a.csv", "--mapping", "files.yaml", "--resumes", "cvs",
                "--out", "r.csv", "--base-url", sandbox.base_url]  # fmt: skip
        args += ["--dry-run"] if dry else []
        proc = subprocess.Popen(command(*args), cwd=tmp_path, env=env(), text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not _parse_worker(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)  # the parse worker starts when planning reads the resume
            assert _parse_worker(proc.pid), "the resume was never parsed"
            time.sleep(0.5)
            if sig == signal.SIGINT:
                os.killpg(proc.pid, sig)  # Ctrl-C: the whole process group
            else:
                os.kill(proc.pid, sig)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode == 3, stderr[-3000:]
        assert (tmp_path / "r.csv").exists(), stderr[-3000:]
        assert "Internal error" not in stderr and "Traceback" not in stderr
        rows = read_csv(tmp_path / "r.csv")
        assert [r["status"] for r in rows] == ["not_sent", "not_sent"]
        assert f"interrupted ({sig.name})" in rows[0]["reason"]
        assert [r["candidate_email"] for r in rows] == ["ana@example.com", "bo@example.com"]
        assert creates(sandbox) == 0


def _parse_worker(pid: int) -> bool:
    """Whether the resume parser's worker process runs under ``pid`` (not merely another
    child, such as multiprocessing's resource tracker, which starts first)."""
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            return True
    return False


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat_line = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class TestNamesAndHeaders:
    """A file name is a name unless --latest makes it a glob; a header is data in YAML."""

    def test_a_file_name_with_brackets_is_not_a_glob_without_latest(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "export[2026].csv", ["Ana"])
        write_applicants(tmp_path / "export2.csv", ["Bo"])  # what [2026] would match as a glob
        done = cli("run", "--dry-run", "--applicants", "export[2026].csv", "--mapping",
                   "generic", "--out", "r.csv", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert [r["candidate_email"] for r in read_csv(tmp_path / "r.csv")] == ["ana@example.com"]
        globbed = cli("run", "--dry-run", "--applicants", "export[2]*.csv", "--latest",
                      "--mapping", "generic", "--out", "g.csv", cwd=tmp_path)  # fmt: skip
        assert globbed.returncode == 0, globbed.stderr
        assert [r["candidate_email"] for r in read_csv(tmp_path / "g.csv")] == ["bo@example.com"]

    def test_mappings_init_on_a_header_with_a_line_break_writes_yaml_that_reads_it_back(
        self, tmp_path: Path
    ) -> None:
        header = 'E-mail\njobs:\n  evil: "x"'
        (tmp_path / "odd.csv").write_text(
            f'"Name","{header.replace(chr(34), chr(34) * 2)}"\nAna,ana@example.com\n'
        )
        done = cli("mappings", "init", "odd.csv", "--out", "odd.yaml", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        data = yaml.safe_load((tmp_path / "odd.yaml").read_text())
        assert "jobs" not in data
        assert data["detect"]["columns"] == ["Name", header]
