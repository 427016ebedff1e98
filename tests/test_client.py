"""The API client: every outcome classified, Retry-After read, the token kept secret."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import candidate, merchant_status
from pydantic import SecretStr
from structlog.testing import capture_logs

import sync.jobmojito
from sync import __version__
from sync.errors import AuthError, ConfigError, SyncError
from sync.jobmojito import (
    MAX_RETRY_AFTER,
    NOTHING_SENT,
    ApiClient,
    Failure,
    Reply,
    RequestFailed,
    TokenSource,
    Verdict,
    classify,
    parse_retry_after,
)

TOKEN = "tok-client-test-5f1c2a9e"
BASE = "https://api.test/functions/v1/"
ENROLLED = {
    "status": "ai_accept",
    "interview_url": "https://cool.jobmojito.com/i/abc",
    "position_def_set_id": "pos-1",
    "profile_interview_id": "pi-1",
}


def answer(
    status: int, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
):
    """A MockTransport handler that always gives this answer."""

    def handler(request: httpx.Request) -> httpx.Response:
        if raw is not None:
            return httpx.Response(status, content=raw, headers=headers)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def failing(exc_type: type[httpx.TransportError]):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(f"simulated {exc_type.__name__}", request=request)

    return handler


def client_for(handler, token: str = TOKEN, **kw: Any) -> ApiClient:
    return ApiClient(
        BASE,
        TokenSource(SecretStr(token)),
        timeout=kw.pop("timeout", 1.0),
        concurrency=kw.pop("concurrency", 2),
        transport=httpx.MockTransport(handler),
        **kw,
    )


async def send_one(handler) -> Reply[Any]:
    async with client_for(handler) as client:
        return await client.create_for_candidate({"candidate_email": "a@example.com"})


async def create(base_url: str, token: str, email: str = "a@example.com") -> Reply[Any]:
    """One for-candidate request over real HTTP, with a 0.3 s timeout."""
    async with ApiClient(base_url, TokenSource(token), timeout=0.3, concurrency=1) as client:
        return await client.create_for_candidate(candidate(email))


GATEWAY_503 = (
    {"code": "BOOT_ERROR", "message": "Function failed to start"},
    {"sb-error-code": "BOOT_ERROR"},
)

# (case, handler, expected verdict) — the outcome table of DESIGN.md "Sending".
CASES = [
    ("200 enrolled", answer(200, ENROLLED), Verdict.SUCCESS),
    (
        "200 already-applied",
        answer(200, {**ENROLLED, "status": "already-applied"}),
        Verdict.SUCCESS,
    ),
    ("200 extra keys", answer(200, {**ENROLLED, "new_field": 1}), Verdict.SUCCESS),
    ("201 enrolled", answer(201, ENROLLED), Verdict.SUCCESS),
    ("200 truncated JSON", answer(200, raw=b'{"status": "ai_acc'), Verdict.RETRY_FEW),
    ("200 HTML", answer(200, raw=b"<html>hello</html>"), Verdict.RETRY_FEW),
    ("200 no interview_url", answer(200, {"status": "ai_accept"}), Verdict.RETRY_FEW),
    ("200 unknown status", answer(200, {**ENROLLED, "status": "pending"}), Verdict.RETRY_FEW),
    ("200 JSON list", answer(200, [1, 2]), Verdict.RETRY_FEW),
    ("204 empty", answer(204), Verdict.RETRY_FEW),
    (
        "301 redirect",
        answer(301, headers={"location": "https://elsewhere.test/"}),
        Verdict.REJECTED,
    ),
    ("400", answer(400, {"error": "Bad request"}), Verdict.REJECTED),
    (
        "404 unknown position",
        answer(404, {"error": "not found", "name": "position_def_set_id"}),
        Verdict.REJECTED,
    ),
    ("409", answer(409, {"error": "conflict"}), Verdict.REJECTED),
    ("422", answer(422, {"error": "invalid email", "name": "candidate_email"}), Verdict.REJECTED),
    ("401 gateway", answer(401, {"code": 401, "message": "Invalid JWT"}), Verdict.AUTH),
    ("403", answer(403, {"error": "not permitted"}), Verdict.AUTH),
    ("408", answer(408), Verdict.RETRY_PATIENT),
    (
        "429",
        answer(429, {"error": "rate limit exceeded"}, {"Retry-After": "1"}),
        Verdict.RETRY_PATIENT,
    ),
    ("503 BOOT_ERROR", answer(503, *GATEWAY_503), Verdict.RETRY_PATIENT),
    (
        "504 IDLE_TIMEOUT",
        answer(504, {"code": "IDLE_TIMEOUT", "message": "x"}, {"sb-error-code": "IDLE_TIMEOUT"}),
        Verdict.RETRY_PATIENT,
    ),
    (
        "546 WORKER_RESOURCE_LIMIT",
        answer(
            546,
            {"code": "WORKER_RESOURCE_LIMIT", "message": "x"},
            {"sb-error-code": "WORKER_RESOURCE_LIMIT"},
        ),
        Verdict.RETRY_PATIENT,
    ),
    ("500", answer(500, {"error": "Internal server error"}), Verdict.RETRY_FEW),
    ("502 HTML", answer(502, raw=b"<html>bad gateway</html>"), Verdict.RETRY_FEW),
    ("501", answer(501), Verdict.RETRY_FEW),
    ("connect error", failing(httpx.ConnectError), Verdict.RETRY_PATIENT),
    ("connect timeout", failing(httpx.ConnectTimeout), Verdict.RETRY_PATIENT),
    ("pool timeout", failing(httpx.PoolTimeout), Verdict.RETRY_PATIENT),
    ("write timeout", failing(httpx.WriteTimeout), Verdict.RETRY_PATIENT),
    ("write error", failing(httpx.WriteError), Verdict.RETRY_PATIENT),
    ("read timeout", failing(httpx.ReadTimeout), Verdict.RETRY_FEW),
    ("dropped", failing(httpx.RemoteProtocolError), Verdict.RETRY_FEW),
    ("reset while reading", failing(httpx.ReadError), Verdict.RETRY_FEW),
    ("proxy error", failing(httpx.ProxyError), Verdict.RETRY_FEW),
]


class TestClassification:
    """Every outcome of an attempt sorts into the verdict DESIGN.md gives it."""

    @pytest.mark.parametrize(
        ("handler", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
    )
    async def test_outcome_table(self, handler, expected):
        reply = await send_one(handler)
        assert classify(reply) is expected

    async def test_success_carries_the_parsed_body(self):
        reply = await send_one(answer(200, ENROLLED))
        assert reply.body is not None
        assert reply.body.status == "ai_accept"
        assert reply.body.interview_url == ENROLLED["interview_url"]
        assert reply.failure is None

    @pytest.mark.parametrize(
        ("handler", "unknown"),
        [
            (answer(503, *GATEWAY_503), False),
            (answer(546, {"code": "WORKER_RESOURCE_LIMIT", "message": "x"}), False),
            (answer(429), False),
            (failing(httpx.ConnectError), False),
            (answer(500, {"error": "boom"}), True),
            (answer(504), True),
            (failing(httpx.ReadTimeout), True),
            (failing(httpx.RemoteProtocolError), True),
            (answer(200, raw=b"{"), True),
        ],
    )
    async def test_outcome_unknown_says_whether_the_api_may_have_acted(self, handler, unknown):
        assert (await send_one(handler)).outcome_unknown is unknown


class TestFailures:
    """A reply without a usable answer says why as a ``Failure``, never as an exception."""

    @pytest.mark.parametrize(
        ("handler", "failure"),
        [
            (failing(httpx.ConnectError), Failure.CONNECT_ERROR),
            (failing(httpx.ConnectTimeout), Failure.CONNECT_TIMEOUT),
            (failing(httpx.PoolTimeout), Failure.POOL_TIMEOUT),
            (failing(httpx.WriteTimeout), Failure.WRITE_TIMEOUT),
            (failing(httpx.WriteError), Failure.WRITE_TIMEOUT),
            (failing(httpx.ReadTimeout), Failure.READ_TIMEOUT),
            (failing(httpx.RemoteProtocolError), Failure.DROPPED),
            (failing(httpx.ReadError), Failure.DROPPED),
            (failing(httpx.ProxyError), Failure.TRANSPORT_ERROR),
            (answer(200, raw=b"{"), Failure.MALFORMED_BODY),
            (answer(200, {"status": "ai_accept"}), Failure.UNEXPECTED_BODY),
        ],
    )
    async def test_each_failure_has_its_kind(self, handler, failure):
        assert (await send_one(handler)).failure is failure

    def test_the_kinds_keep_their_words(self):
        """The values are what messages show: renaming one changes the output."""
        assert [str(f) for f in Failure] == [
            "connect_error",
            "connect_timeout",
            "pool_timeout",
            "write_timeout",
            "read_timeout",
            "dropped",
            "transport_error",
            "malformed_body",
            "unexpected_body",
        ]

    @pytest.mark.parametrize(
        ("error", "before"),
        [
            (httpx.ConnectError, True),
            (httpx.ConnectTimeout, True),
            (httpx.PoolTimeout, True),
            (httpx.WriteTimeout, True),
            (httpx.WriteError, True),  # not fully written: the API cannot have acted
            (httpx.ReadTimeout, False),
            (httpx.RemoteProtocolError, False),
            (httpx.ReadError, False),
            (httpx.ProxyError, False),  # unknown where it failed: assume it may have left
        ],
    )
    async def test_nothing_sent_is_the_failures_before_the_request_left(self, error, before):
        """A failure before the request left is NOTHING_SENT: retried patiently, the outcome
        known; any other may have reached the API: outcome unknown, few retries."""
        reply = await send_one(failing(error))
        assert (reply.failure in NOTHING_SENT) is before
        assert reply.outcome_unknown is not before
        assert classify(reply) is (Verdict.RETRY_PATIENT if before else Verdict.RETRY_FEW)

    async def test_nothing_sent_over_real_sockets(self, sandbox):
        """Nobody listening: nothing sent. The sandbox enrolling, then answering too late or
        hanging up: the API acted, and the reply says the outcome is unknown."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]  # closed again before the request
        refused = await create(f"http://127.0.0.1:{closed}/functions/v1/", sandbox.token)
        assert refused.failure is Failure.CONNECT_ERROR and refused.failure in NOTHING_SENT
        assert not refused.outcome_unknown
        sandbox.configure(slow_seconds=5)
        for fault, failure in [("slow", Failure.READ_TIMEOUT), ("drop", Failure.DROPPED)]:
            sandbox.inject(fault)
            reply = await create(sandbox.base_url, sandbox.token, f"{fault}@example.com")
            assert reply.failure is failure and failure not in NOTHING_SENT
            assert reply.outcome_unknown
        assert sandbox.stats()["enrolments_created"] == 2  # both reached the API

    def test_summary_without_text_names_the_failure(self):
        assert Reply(None, failure=Failure.DROPPED).summary == "dropped"
        assert Reply(None).summary == "no answer"


class TestErrorText:
    """Error replies carry a short text for the results sheet, never an unknown body."""

    @pytest.mark.parametrize(
        ("handler", "text"),
        [
            (
                answer(422, {"error": "invalid email", "name": "candidate_email"}),
                "422 candidate_email: invalid email",
            ),
            (answer(404, {"error": "Position not found"}), "404 Position not found"),
            (answer(503, *GATEWAY_503), "503 BOOT_ERROR"),
            (answer(401, {"code": 401, "message": "Invalid JWT"}), "401 Invalid JWT"),
            (
                answer(
                    500,
                    {"error": "Internal server error"},
                    {"sb-error-code": "EDGE_FUNCTION_ERROR"},
                ),
                "500 EDGE_FUNCTION_ERROR: Internal server error",
            ),
            (answer(502, raw=b"<html>upstream said jane@example.com</html>"), "502 Bad Gateway"),
            (failing(httpx.ReadTimeout), "read timeout"),
            (
                answer(200, {"status": "ai_accept"}),
                "200 with an unexpected body (interview_url: Field required)",
            ),
            (answer(200, raw=b"{"), "200 with a body that is not valid JSON"),
        ],
    )
    async def test_text(self, handler, text):
        assert (await send_one(handler)).error == text

    async def test_an_error_body_quoting_the_token_is_scrubbed(self):
        reply = await send_one(answer(500, {"error": f"bad header: Bearer {TOKEN}; token={TOKEN}"}))
        assert TOKEN not in reply.error
        assert reply.error == "500 bad header: Bearer ***; token=***"

    async def test_field_named_by_the_api_is_kept(self):
        reply = await send_one(answer(422, {"error": "invalid", "name": "candidate_email"}))
        assert reply.code == "candidate_email"

    async def test_gateway_code_is_kept(self):
        assert (await send_one(answer(503, *GATEWAY_503))).code == "BOOT_ERROR"


class TestRetryAfter:
    """Retry-After is read as seconds or an HTTP date, clamped to [0, 120]."""

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            ("5", 5.0),
            ("0", 0.0),
            ("1.5", 1.5),
            ("-3", 0.0),
            ("1000", MAX_RETRY_AFTER),
            (" 7 ", 7.0),
        ],
    )
    def test_seconds(self, value, seconds):
        assert parse_retry_after(value) == seconds

    def test_http_date_in_the_future(self):
        now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
        value = format_datetime(now + timedelta(seconds=30), usegmt=True)
        assert parse_retry_after(value, now=now) == pytest.approx(30.0)

    def test_http_date_in_the_past_is_zero(self):
        now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
        assert (
            parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now)
            == 0.0
        )

    def test_far_http_date_is_clamped(self):
        now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
        value = format_datetime(now + timedelta(days=1), usegmt=True)
        assert parse_retry_after(value, now=now) == MAX_RETRY_AFTER

    @pytest.mark.parametrize("value", [None, "", "soon", "nan", "Tue, 99 Foo 2025"])
    def test_garbage_is_none(self, value):
        assert parse_retry_after(value) is None

    async def test_reply_carries_retry_after(self):
        reply = await send_one(answer(429, {"error": "slow down"}, {"Retry-After": "3"}))
        assert reply.retry_after == 3.0


class TestTokenSource:
    """The token is sent as given, refreshed by a command, and never shown."""

    def test_repr_and_str_hide_the_token(self):
        tokens = TokenSource(SecretStr(TOKEN), "print-token")
        assert TOKEN not in repr(tokens)
        assert TOKEN not in str(tokens)
        assert tokens.bearer() == TOKEN

    @pytest.mark.parametrize("token", [None, "", "   ", SecretStr("")])
    def test_missing_token_is_a_config_error(self, token):
        with pytest.raises(ConfigError, match="JOBMOJITO_TOKEN"):
            TokenSource(token)

    def test_refresh_runs_the_command_once(self):
        command = f"{sys.executable} -c \"print('tok-fresh-0042')\""
        tokens = TokenSource(TOKEN, command)
        assert tokens.refresh() is True
        assert tokens.bearer() == "tok-fresh-0042"
        assert tokens.generation == 1

    def test_command_only_gives_the_first_token(self):
        tokens = TokenSource(None, f"{sys.executable} -c \"print('tok-first-0001')\"")
        assert not tokens.has_token
        assert tokens.refresh() is True
        assert tokens.bearer() == "tok-first-0001"

    def test_failing_command_is_not_echoed(self):
        script = "import sys; sys.stderr.write('leaked tok-secret-7777'); sys.exit(3)"
        tokens = TokenSource(TOKEN, f'{sys.executable} -c "{script}"')
        with capture_logs() as logs:
            assert tokens.refresh() is False
        assert tokens.bearer() == TOKEN
        assert tokens.generation == 0
        assert "tok-secret-7777" not in json.dumps(logs, default=str)
        assert any(entry.get("exit_status") == 3 for entry in logs)

    def test_same_token_again_is_not_a_refresh(self):
        tokens = TokenSource(TOKEN, f"{sys.executable} -c \"print('{TOKEN}')\"")
        assert tokens.refresh() is False
        assert tokens.generation == 0

    @pytest.mark.parametrize("command", ["/nonexistent/print-token", "unbalanced 'quote"])
    def test_broken_command_is_no_refresh(self, command):
        assert TokenSource(TOKEN, command).refresh() is False

    def test_no_command_is_no_refresh(self):
        assert TokenSource(TOKEN).refresh() is False
        assert not TokenSource(TOKEN).can_refresh


class TestRequests:
    """Requests carry the bearer token, a versioned User-Agent and the JSON body."""

    async def test_headers_path_and_body(self):
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json=ENROLLED)

        async with client_for(handler) as client:
            await client.create_for_candidate({"candidate_email": "a@example.com"})
        (request,) = seen
        assert request.method == "POST"
        assert str(request.url) == BASE + "job-interview-create-for-candidate-with-token"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["user-agent"] == f"jobmojito-sync/{__version__}"
        assert json.loads(request.content) == {"candidate_email": "a@example.com"}

    async def test_base_url_without_trailing_slash(self):
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(str(request.url))
            return httpx.Response(200, json=merchant_status())

        client = ApiClient(
            "http://127.0.0.1:9/functions/v1",
            TokenSource(TOKEN),
            timeout=1,
            concurrency=1,
            transport=httpx.MockTransport(handler),
        )
        async with client:
            await client.merchant_status()
        assert seen == ["http://127.0.0.1:9/functions/v1/merchant-status"]

    @pytest.mark.parametrize("url", ["ftp://api.test/", "api.test/functions/v1", "http://", ""])
    def test_a_base_url_that_is_not_http_is_a_config_error(self, url):
        with pytest.raises(ConfigError, match="base URL"):
            ApiClient(url, TokenSource(TOKEN), timeout=1, concurrency=1)

    async def test_reply_records_the_token_generation(self):
        reply = await send_one(answer(200, ENROLLED))
        assert reply.token_generation == 0

    async def test_merchant_status_parses(self):
        async with client_for(answer(200, merchant_status(invitations_available=22))) as client:
            status = await client.merchant_status()
        assert status.invitations_available == 22

    @pytest.mark.parametrize("code", [401, 403])
    async def test_merchant_status_refused_is_auth_error_without_the_token(self, code):
        async with client_for(answer(code, {"code": code, "message": "Invalid JWT"})) as client:
            with pytest.raises(AuthError) as caught:
                await client.merchant_status()
        assert f"{code}" in str(caught.value)
        assert "JOBMOJITO_TOKEN" in str(caught.value)
        assert TOKEN not in str(caught.value)

    @pytest.mark.parametrize(
        "handler",
        [answer(500, {"error": "boom"}), answer(200, {"x": 1}), failing(httpx.ConnectError)],
    )
    async def test_merchant_status_other_failures_raise_request_failed(self, handler):
        async with client_for(handler) as client:
            with pytest.raises(RequestFailed):
                await client.merchant_status()

    async def test_request_failed_is_a_sync_error_with_the_replys_summary(self):
        async with client_for(failing(httpx.ConnectError)) as client:
            with pytest.raises(RequestFailed) as caught:
                await client.merchant_status()
        assert isinstance(caught.value, SyncError)
        assert caught.value.exit_code == 2
        assert str(caught.value) == "cannot connect to the API"
        assert caught.value.failure is Failure.CONNECT_ERROR

    async def test_token_never_in_replies_or_logs(self):
        outcomes = []
        with capture_logs() as logs:
            for _, handler, _ in CASES:
                reply = await send_one(handler)
                outcomes.append(repr(reply))
                outcomes.append(reply.error)
        assert TOKEN not in "\n".join(outcomes)
        assert TOKEN not in json.dumps(logs, default=str)

    async def test_unopened_client_refuses(self):
        client = client_for(answer(200, ENROLLED))
        with pytest.raises(RuntimeError, match="async with"):
            await client.create_for_candidate({})

    async def test_opening_with_a_command_only_runs_it(self):
        tokens = TokenSource(None, f"{sys.executable} -c \"print('tok-cmd-0003')\"")
        seen: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers["authorization"])
            return httpx.Response(200, json=ENROLLED)

        async with ApiClient(
            BASE, tokens, timeout=1, concurrency=1, transport=httpx.MockTransport(handler)
        ) as c:
            await c.create_for_candidate({})
        assert seen == ["Bearer tok-cmd-0003"]

    async def test_opening_with_a_failing_command_is_a_config_error(self):
        tokens = TokenSource(None, f'{sys.executable} -c "import sys; sys.exit(1)"')
        with pytest.raises(ConfigError, match="JOBMOJITO_TOKEN"):
            async with ApiClient(BASE, tokens, timeout=1, concurrency=1):
                pass


class TestPackage:
    """``sync.jobmojito`` exports its public names, and loads httpx only for the client."""

    def test_every_exported_name_resolves(self):
        for name in sync.jobmojito.__all__:
            assert getattr(sync.jobmojito, name) is not None, name

    def test_models_and_validation_do_not_load_httpx(self):
        code = (
            "import sys, sync.jobmojito, sync.jobmojito.validate\nprint('httpx' in sys.modules)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code],
            cwd=Path(__file__).parents[1],
            capture_output=True,
            text=True,
            check=True,
        )
        assert proc.stdout.strip() == "False"
