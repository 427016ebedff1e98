"""The throwaway PostgreSQL server the suite starts (tests/postgres_server.py).

It must be a real server that runs as an unprivileged user even when the suite runs
as root, ask for a password over TCP, and leave nothing behind: not when the test
process is SIGKILLed (the server dies with it), not a temp directory, not a port
squatted by somebody else in the meantime.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import postgres_server
import psycopg
import pytest


class TestTheServer:
    """What the session's server is."""

    def test_it_is_real_and_not_root(self, postgres_url: str) -> None:
        with psycopg.connect(postgres_url) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()
            assert version is not None and int(version[0]) >= 150000
            row = conn.execute("SELECT current_user, inet_server_addr()::text").fetchone()
            assert row == ("postgres", "127.0.0.1/32")
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()
            assert backend is not None
            if sys.platform == "linux":  # the OS user the server runs as: never root
                uid = Path(f"/proc/{backend[0]}").stat().st_uid
                expected = postgres_server._run_as()
                assert uid == (expected[0] if expected else os.geteuid()) != 0

    def test_tcp_asks_for_the_password(self, postgres_url: str) -> None:
        """SCRAM over TCP, as in production: the password in the URL is really checked."""
        password = urlsplit(postgres_url).password
        assert password
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(postgres_url.replace(f":{password}@", ":not-it@"), connect_timeout=5)


OWNER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    import postgres_server
    with postgres_server.postgres_server(Path(sys.argv[2])) as url:
        print(url, flush=True)
        time.sleep(600)
    """
)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class TestNothingLeftBehind:
    """The fixture's safety nets."""

    def test_the_server_dies_with_a_sigkilled_test_process(self, tmp_path: Path) -> None:
        """No teardown runs after SIGKILL; PR_SET_PDEATHSIG takes the server down too."""
        here = str(Path(postgres_server.__file__).parent)
        owner = subprocess.Popen([sys.executable, "-c", OWNER, here, str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert owner.stdout is not None
            url = owner.stdout.readline().strip()
            port = urlsplit(url).port
            assert port is not None and port_open(port)
            owner.send_signal(signal.SIGKILL)
            owner.wait(10)
            deadline = time.monotonic() + 15
            while port_open(port):
                assert time.monotonic() < deadline, "orphaned server still listening"
                time.sleep(0.1)
        finally:
            if owner.poll() is None:
                owner.kill()
                owner.wait()
            if owner.stdout is not None:
                owner.stdout.close()

    def test_a_dead_runs_temp_dir_is_removed_next_time(self) -> None:
        stale = Path(tempfile.mkdtemp(prefix=postgres_server.TMP_PREFIX))
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        (stale / "owner.pid").write_text(str(dead.pid))  # a pid that no longer runs
        postgres_server._remove_stale_dirs()
        assert not stale.exists()

    def test_a_port_taken_meanwhile_is_retried(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Between choosing a free port and postgres binding it, another may take it."""
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", 0))
            squatter.listen()
            taken = squatter.getsockname()[1]
            chosen: list[int] = []
            real_free_port = postgres_server._free_port

            def first_taken_then_free() -> int:
                chosen.append(taken if not chosen else real_free_port())
                return chosen[-1]

            monkeypatch.setattr(postgres_server, "_free_port", first_taken_then_free)
            with postgres_server.postgres_server(tmp_path) as url:
                assert urlsplit(url).port == chosen[-1] != taken
                assert len(chosen) == 2  # one failed start, one retry
                with psycopg.connect(url) as conn:
                    assert conn.execute("SELECT 1").fetchone() == (1,)
            assert (tmp_path / "postgres" / "last-server.log").is_file()
