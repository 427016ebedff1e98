"""The token's path (issue 13): refreshed whenever the API refuses it, never sent in clear
to another machine, refused up front when a header cannot carry it, scrubbed from
every answer; a wrong base URL stops the run before anything is sent."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from hardening import TOKEN, cli, creates, env, one_line_error, read_csv, write_applicants

from sync.dispatch import DispatchSettings, RowOutcome, dispatch
from sync.errors import ConfigError
from sync.jobmojito import ApiClient, TokenSource
from sync.jobmojito.client import check_base_url
from sync.records import PlannedRow, Row, Status
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

FRESH = "fresh-token-after-refresh-77a1"


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def token_command(tmp_path: Path, tokens: list[str]) -> tuple[str, Path]:
    """A token command printing ``tokens`` one per run (the last again after them),
    and the file counting its runs."""
    script = tmp_path / "print_token.py"
    counter = tmp_path / "token_runs"
    script.write_text(
        "import pathlib, sys\n"
        f"counter = pathlib.Path({str(counter)!r})\n"
        "n = int(counter.read_text()) if counter.exists() else 0\n"
        "counter.write_text(str(n + 1))\n"
        f"tokens = {tokens!r}\n"
        "print(tokens[min(n, len(tokens) - 1)])\n"
    )
    return f"{sys.executable} {script}", counter


class TestRefresh:
    """An expired token is refreshed with the token command on the first refusal, the
    pre-flight's included, and as often as a long run needs."""

    def test_expired_token_at_start_is_refreshed_at_the_preflight_and_the_run_completes(
        self, tmp_path: Path
    ) -> None:
        command, counter = token_command(tmp_path, [FRESH])
        write_applicants(tmp_path / "a.csv", ["Ana", "Bo"])
        with run_sandbox(SandboxConfig(token=FRESH, seed=1)) as sb:
            done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                       "--base-url", sb.base_url, "--token-command", command,
                       cwd=tmp_path, environ=env(JOBMOJITO_TOKEN="expired-token-0000"))  # fmt: skip
            assert done.returncode == 0, done.stderr[-2000:]
            assert creates(sb) == 2
        assert counter.read_text() == "1"  # the command ran once, at the pre-flight
        assert [r["status"] for r in read_csv(tmp_path / "r.csv")] == ["ai_accept"] * 2
        assert FRESH not in done.stderr and "expired-token-0000" not in done.stderr

    def test_token_is_refreshed_as_often_as_a_long_run_needs(self, tmp_path: Path) -> None:
        """Each token is good for two requests; six rows need two refreshes, not one."""
        tokens = ["t1-rotating-token", "t2-rotating-token", "t3-rotating-token"]
        command, counter = token_command(tmp_path, tokens)
        state = {"valid": "t0-rotating-token", "uses": 0, "next": 0}

        def handler(request: httpx.Request) -> httpx.Response:
            bearer = request.headers["authorization"].removeprefix("Bearer ")
            if bearer != state["valid"] or state["uses"] >= 2:
                if state["uses"] >= 2 and bearer == state["valid"]:
                    state["valid"], state["uses"] = tokens[state["next"]], 0
                    state["next"] += 1
                return httpx.Response(401, json={"code": 401, "message": "JWT expired"})
            state["uses"] += 1
            i = json.loads(request.content)["candidate_email"].split("@")[0]
            return httpx.Response(200, json={"status": "ai_accept", "interview_url": f"u/{i}"})

        outcomes: dict[int, RowOutcome] = {}
        rows = [
            PlannedRow(i, Row("a.csv", i + 2, {}), {"candidate_email": f"c{i}@x.com"}, f"c{i}")
            for i in range(6)
        ]

        async def main() -> None:
            tokens_source = TokenSource("t0-rotating-token", command)
            async with ApiClient(
                "https://api.test/functions/v1/",
                tokens_source,
                timeout=5,
                concurrency=1,
                transport=httpx.MockTransport(handler),
            ) as client:
                await dispatch(
                    rows,
                    client=client,
                    settings=DispatchSettings(concurrency=1, rate=1000),
                    journal=_Journal(),
                    run_id="r",
                    on_outcome=lambda p, o: outcomes.__setitem__(p.index, o),
                )

        asyncio.run(main())
        assert [outcomes[i].status for i in range(6)] == [Status.AI_ACCEPT] * 6
        assert counter.read_text() == "2"


class _Journal:
    def __init__(self) -> None:
        self.n = 0

    def begin_attempt(self, run_id: str, row_index: int) -> int:
        self.n += 1
        return self.n

    def finish_attempt(self, attempt_id: int, **kw: Any) -> None:
        return None


class TestInClear:
    """The bearer token crosses the network in clear only to this machine, or when asked."""

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:8787/functions/v1/", "http://localhost/x/", "http://[::1]:80/"]
    )
    def test_plain_http_to_this_machine_is_allowed(self, url: str) -> None:
        assert check_base_url(url).scheme == "http"

    def test_plain_http_to_another_host_is_refused_before_anything_is_read(
        self, tmp_path: Path
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                   "--base-url", "http://api.example.com/functions/v1/", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 2
        assert "in clear" in one_line_error(done) and "--allow-insecure-http" in done.stderr
        assert not (tmp_path / "r.ledger.sqlite").exists()  # nothing started

    def test_allow_insecure_http_lets_the_client_use_it(self) -> None:
        with pytest.raises(ConfigError, match="in clear"):
            ApiClient("http://10.0.0.7/v1/", TokenSource(TOKEN), timeout=1, concurrency=1)
        client = ApiClient(
            "http://10.0.0.7/v1/",
            TokenSource(TOKEN),
            timeout=1,
            concurrency=1,
            allow_insecure_http=True,
        )
        assert client.base_url == "http://10.0.0.7/v1/"


class TestUnsendableToken:
    """A token no HTTP header can carry is refused up front, with a message that says why
    and never shows the token."""

    @pytest.mark.parametrize(
        ("token", "why"),
        [("abc-token\ndef-more", "line break"), ("abc-tokén-123456", "non-ASCII")],
    )
    def test_token_with_a_newline_or_non_ascii_is_refused_before_sending(
        self, tmp_path: Path, token: str, why: str
    ) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana"])
        started = time.monotonic()
        done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                   "--base-url", "http://127.0.0.1:9/functions/v1/",
                   cwd=tmp_path, environ=env(JOBMOJITO_TOKEN=token))  # fmt: skip
        assert done.returncode == 2
        line = one_line_error(done)
        assert why in line and "network error" not in done.stderr
        assert "abc-to" not in done.stderr
        assert time.monotonic() - started < 30  # no circuit pause

    def test_token_file_with_a_line_break_inside_is_refused(self, tmp_path: Path) -> None:
        token_file = tmp_path / "token"
        token_file.write_text("first-half\nsecond-half\n")
        token_file.chmod(0o600)
        write_applicants(tmp_path / "a.csv", ["Ana"])
        (tmp_path / "jobmojito-sync.toml").write_text(f'token_file = "{token_file}"\n')
        environ = env()
        del environ["JOBMOJITO_TOKEN"]
        done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                   cwd=tmp_path, environ=environ)  # fmt: skip
        assert done.returncode == 2
        assert "line break" in one_line_error(done) and "first-half" not in done.stderr


class _EchoingApi(BaseHTTPRequestHandler):
    """An API whose every 200 answer quotes the bearer token it was sent."""

    def do_GET(self) -> None:
        self._answer({"credits_interview_monthly": None, "invitations_available": None,
                      "note": self.headers["Authorization"]})  # fmt: skip

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        token = self.headers["Authorization"].removeprefix("Bearer ")
        self._answer({
            "status": "ai_accept",
            "interview_url": f"https://cool.jobmojito.com/i/1?token=abc&echo={token}",
            "position_def_set_id": f"pos-{token}",
            "profile_interview_id": f"pi-{token}",
        })  # fmt: skip

    def _answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return None


class TestEchoedToken:
    """A 200 body that echoes the token reaches neither the results nor the ledger."""

    def test_token_in_a_200_body_is_scrubbed_from_the_sheet_and_the_ledger_bytes(
        self, tmp_path: Path
    ) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingApi)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            write_applicants(tmp_path / "a.csv", ["Ana", "Bo"])
            base = f"http://127.0.0.1:{server.server_address[1]}/functions/v1/"
            done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                       "--base-url", base, cwd=tmp_path)  # fmt: skip
        finally:
            server.shutdown()
            server.server_close()
        assert done.returncode == 0, done.stderr[-2000:]
        rows = read_csv(tmp_path / "r.csv")
        assert [r["status"] for r in rows] == ["ai_accept", "ai_accept"]
        assert "echo=***" in rows[0]["interview_url"]  # the API's own ?token= survives
        ledger = tmp_path / "r.ledger.sqlite"
        with sqlite3.connect(ledger) as conn:  # a checkpoint: the WAL's pages into the file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        for path in tmp_path.iterdir():
            if path.is_file():
                assert TOKEN.encode() not in path.read_bytes(), path.name


class TestWrongBaseUrl:
    """A 404 from the pre-flight means a wrong base URL: the run stops before sending."""

    def test_preflight_404_stops_the_run_with_nothing_sent(self, tmp_path: Path) -> None:
        write_applicants(tmp_path / "a.csv", ["Ana", "Bo"])
        with run_sandbox(SandboxConfig(token=TOKEN, seed=1)) as sb:
            wrong = sb.base_url.replace("/functions/v1/", "/functions/v2/")
            done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                       "--base-url", wrong, cwd=tmp_path)  # fmt: skip
            assert creates(sb) == 0
        assert done.returncode == 2
        line = one_line_error(done)
        assert "404" in line and "base URL is wrong" in line and "Nothing was sent" in line


class TestRunOptionsLog:
    """Every run logs the config file and the base URL it uses (a ./jobmojito-sync.toml
    in the working folder may set them)."""

    def test_config_file_and_base_url_are_logged(
        self, tmp_path: Path, sandbox: RunningSandbox
    ) -> None:
        (tmp_path / "jobmojito-sync.toml").write_text(f'base_url = "{sandbox.base_url}"\n')
        write_applicants(tmp_path / "a.csv", ["Ana"])
        done = cli("run", "--yes", "--applicants", "a.csv", "--mapping", "generic",
                       "--out", "r.csv",
                   "--dry-run", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        events = [json.loads(x) for x in done.stderr.splitlines() if x.startswith("{")]
        [options] = [e for e in events if e["event"] == "run options"]
        assert options["config"] == "jobmojito-sync.toml"
        assert options["base_url"] == sandbox.base_url


@pytest.fixture()
def sandbox() -> Iterator[RunningSandbox]:
    with run_sandbox(SandboxConfig(token=TOKEN, seed=5)) as sb:
        yield sb
