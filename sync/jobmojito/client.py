"""The HTTP client for the JobMojito API: endpoints, the bearer token, classification.

One ``ApiClient`` owns one ``httpx.AsyncClient`` for the whole run: HTTP/1.1
keep-alive, a pool of exactly ``concurrency`` connections, and a pool timeout
long enough that nobody waits it out (the dispatcher never runs more requests
at once than the pool holds, and never cancels a send: both are known ways to
get ``PoolTimeout`` from httpx).

An attempt never raises for what the network or the API did: it returns a
``Reply`` (status, parsed body, error text, ``Retry-After``, the kind of
transport failure), and ``classify`` sorts every ``Reply`` into one
``Verdict``: what the dispatcher does next (meltano's "one method classifies a
response"). ``classify`` is the single place to change that policy.

The token never appears in a ``repr``, an exception, a ``Reply`` or a log
line: httpx exceptions carry the request (and so its headers), so they are
turned into fixed messages here and never passed on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import enum
import importlib.util
import json
import math
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import httpx
import pydantic
import structlog
from pydantic import SecretStr

from sync import __version__
from sync.errors import AuthError, ConfigError
from sync.jobmojito.models import ApiErrorBody, CandidateResponse, MerchantStatus
from sync.redact import redact, redact_secrets, register_secret

__all__ = [
    "CANDIDATE_PATH",
    "MAX_RETRY_AFTER",
    "MERCHANT_STATUS_PATH",
    "ApiClient",
    "Reply",
    "RequestFailed",
    "TokenSource",
    "Verdict",
    "auth_message",
    "classify",
    "parse_retry_after",
]

log = structlog.get_logger("sync.jobmojito.client")

CANDIDATE_PATH = "job-interview-create-for-candidate-with-token"
MERCHANT_STATUS_PATH = "merchant-status"
#: ``Retry-After`` is clamped to [0, MAX_RETRY_AFTER] seconds.
MAX_RETRY_AFTER = 120.0
TOKEN_COMMAND_TIMEOUT = 30.0


# --------------------------------------------------------------------------- token


class TokenSource:
    """The API token, and the command that prints a fresh one (``token_command``).

    ``bearer()`` gives the token for one request; ``generation`` counts
    refreshes, so a 401 can be matched with the token it was sent with.
    ``refresh()`` runs the command once (no shell, 30 s timeout). The token is
    registered with the log scrubber and never shown by ``repr`` or ``str``.
    """

    def __init__(
        self,
        token: SecretStr | str | None,
        command: str | None = None,
        *,
        command_timeout: float = TOKEN_COMMAND_TIMEOUT,
    ) -> None:
        if isinstance(token, SecretStr):
            token = token.get_secret_value()
        token = (token or "").strip() or None
        command = (command or "").strip() or None
        if token is None and command is None:
            raise ConfigError(
                "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
                " config file, or token_command); nothing was sent"
            )
        self._token = token
        self._command = command
        self._timeout = command_timeout
        self.generation = 0
        register_secret(token)

    def __repr__(self) -> str:
        token = "***" if self._token else "None"
        return f"TokenSource(token={token}, command={'set' if self._command else 'None'})"

    __str__ = __repr__

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def can_refresh(self) -> bool:
        """Whether a command is configured that can print a fresh token."""
        return self._command is not None

    def bearer(self) -> str:
        """The token to send. Raises ``ConfigError`` when there is none yet."""
        if self._token is None:
            raise ConfigError("no API token: the token command has not printed one yet")
        return self._token

    def refresh(self) -> bool:
        """Run the token command once; return whether it printed a new token.

        Its stderr is never echoed (it may hold the token); a failure is logged
        with the exit status only.
        """
        if self._command is None:
            return False
        try:
            args = shlex.split(self._command)
        except ValueError:
            log.warning("token command cannot be parsed (unbalanced quotes?)")
            return False
        if not args:
            return False
        try:
            done = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=self._timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            log.warning("token command timed out", seconds=self._timeout)
            return False
        except OSError as exc:
            log.warning("token command could not run", program=args[0], error=exc.strerror)
            return False
        lines = done.stdout.strip().splitlines()
        token = lines[-1].strip() if lines else ""
        if done.returncode != 0 or not token:
            log.warning(
                "token command printed no token",
                program=args[0],
                exit_status=done.returncode,
            )
            return False
        register_secret(token)
        if token == self._token:
            log.warning("token command printed the same token again", program=args[0])
            return False
        self._token = token
        self.generation += 1
        log.info("token refreshed by the token command", program=args[0])
        return True


def auth_message(reply: Reply[Any] | None = None, *, refreshed: bool = False) -> str:
    """The user's message for a refused token (``AuthError``)."""
    what = reply.error if reply is not None and reply.error else "401"
    again = " even after the token command printed a new one" if refreshed else ""
    return (
        f"the API refused the token ({what}){again}; nothing more was sent. Set a valid"
        " JOBMOJITO_TOKEN (access tokens expire, an hour by default) or a token_command"
        " that prints a fresh one, then run again: rows already enrolled are skipped"
    )


# --------------------------------------------------------------------------- replies


class Verdict(enum.StrEnum):
    """What the dispatcher does with one attempt's outcome."""

    SUCCESS = "success"  # 2xx with a body that fits the response model
    REJECTED = "rejected"  # a permanent 4xx: the row is `rejected` with the API's message
    AUTH = "auth"  # 401/403: refresh the token once, else stop the whole run
    RETRY_PATIENT = "retry_patient"  # nothing happened, or the server says "later"
    RETRY_FEW = "retry_few"  # outcome unknown, or a 500 that may not be temporary

    @property
    def retryable(self) -> bool:
        return self in (Verdict.RETRY_PATIENT, Verdict.RETRY_FEW)


#: Transport failures, by what they say about the request.
NOTHING_SENT = frozenset({"connect_error", "connect_timeout", "pool_timeout", "write_timeout"})


BodyT = TypeVar("BodyT", bound=pydantic.BaseModel)


@dataclass(frozen=True, slots=True)
class Reply(Generic[BodyT]):
    """The raw outcome of one attempt; ``body`` is the parsed 2xx answer.

    ``http_status`` is ``None`` when no answer came (``failure`` says why:
    ``connect_error``, ``connect_timeout``, ``pool_timeout``, ``write_timeout``,
    ``read_timeout``, ``dropped``, ``transport_error``). With an answer,
    ``failure`` is ``malformed_body`` (not JSON) or ``unexpected_body`` (JSON
    that does not fit the response model) when a 2xx could not be read.
    ``error`` is the text for the results sheet ("422 candidate_email: invalid
    email"), ``code`` the gateway's ``sb-error-code`` or the field the API
    named. ``token_generation`` is the token the request was sent with.
    """

    http_status: int | None
    body: BodyT | None = None
    error: str = ""
    retry_after: float | None = None
    failure: str | None = None
    code: str = ""
    token_generation: int = 0

    @property
    def outcome_unknown(self) -> bool:
        """Whether the API may have acted on the request (a resend answers already-applied)."""
        status = self.http_status
        if status is None:
            return self.failure not in NOTHING_SENT
        if 200 <= status < 300:
            return True  # an answer that could not be read
        return status >= 500 and status not in (503, 546)

    @property
    def summary(self) -> str:
        """A short cause for messages: the error text, else the status."""
        if self.error:
            return self.error
        if self.http_status is not None:
            return str(self.http_status)
        return self.failure or "no answer"


def classify(reply: Reply[Any]) -> Verdict:
    """Sort one attempt's outcome (DESIGN.md "Sending").

    ==========================================  ==============  ==========================
    outcome                                     verdict         why
    ==========================================  ==============  ==========================
    2xx, body fits the model                    success
    401, 403                                    auth            the token is refused
    429, 408, 503, 504, 546                     retry_patient   the server says "later"
    connect error / timeout, pool timeout,      retry_patient   nothing was sent
    write timeout
    500, 502, other 5xx                         retry_few       may be a bug, not temporary
    read timeout, dropped connection,           retry_few       outcome unknown: the
    2xx that is not JSON or not the model                       API dedupes a resend
    other 4xx (400, 404, 409, 422, ...), 3xx    rejected        permanent; the API's reason
    ==========================================  ==============  ==========================
    """
    status = reply.http_status
    if status is None:
        if reply.failure in NOTHING_SENT:
            return Verdict.RETRY_PATIENT
        return Verdict.RETRY_FEW
    if 200 <= status < 300:
        if reply.failure is None and reply.body is not None:
            return Verdict.SUCCESS
        return Verdict.RETRY_FEW
    if status in (401, 403):
        return Verdict.AUTH
    if status in (408, 429, 503, 504, 546):
        return Verdict.RETRY_PATIENT
    if status >= 500:
        return Verdict.RETRY_FEW
    return Verdict.REJECTED


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date, clamped to [0, 120].

    Garbage gives ``None`` (the caller's own backoff applies).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    seconds: float
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


class RequestFailed(Exception):
    """A call other than the per-row send failed (no answer, or not a usable one)."""

    def __init__(self, reply: Reply[Any]) -> None:
        super().__init__(reply.summary)
        self.reply = reply


# --------------------------------------------------------------------------- client


_FAILURE_TEXT = {
    "connect_error": "cannot connect to the API",
    "connect_timeout": "connect timeout",
    "pool_timeout": "no free connection in the pool",
    "write_timeout": "write timeout",
    "read_timeout": "read timeout",
    "dropped": "connection dropped before an answer",
    "transport_error": "network error",
}


def _failure_kind(exc: httpx.TransportError) -> str:
    # Order matters: the timeouts and ConnectError are subclasses of broader kinds.
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect_timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "pool_timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "write_timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read_timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connect_error"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return "dropped"
    if isinstance(exc, httpx.WriteError):
        return "write_timeout"  # the request was not fully written: nothing happened
    return "transport_error"


class ApiClient:
    """The API over one pooled ``httpx.AsyncClient``; use as ``async with``.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        base_url: str,
        tokens: TokenSource,
        *,
        timeout: float,
        concurrency: int,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.base_url = base_url.strip().rstrip("/") + "/"
        try:
            url = httpx.URL(self.base_url)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ConfigError(
                f"base URL {base_url!r} is not an http(s) URL (--base-url, JOBMOJITO_BASE_URL);"
                " nothing was sent"
            )
        self.tokens = tokens
        self.timeout = timeout
        self.concurrency = concurrency
        self._user_agent = user_agent or f"jobmojito-sync/{__version__}"
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        # Absolute URLs, built once: httpx merges a relative URL with the base on every call.
        self._urls = {
            path: httpx.URL(self.base_url + path) for path in (CANDIDATE_PATH, MERCHANT_STATUS_PATH)
        }

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r}, concurrency={self.concurrency})"

    async def __aenter__(self) -> Self:
        _fail_missing_sniffio_fast()
        if not self.tokens.has_token and not await asyncio.to_thread(self.tokens.refresh):
            raise ConfigError(
                "no API token: JOBMOJITO_TOKEN is not set and the token command printed"
                " none; nothing was sent"
            )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            # connect/read/write as given; the pool wait is generous because the
            # dispatcher never has more requests out than the pool has slots.
            timeout=httpx.Timeout(self.timeout, pool=max(60.0, 2 * self.timeout)),
            limits=httpx.Limits(
                max_connections=self.concurrency,
                max_keepalive_connections=self.concurrency,
            ),
            http1=True,
            http2=False,
            follow_redirects=False,
            headers={"User-Agent": self._user_agent, "Accept": "application/json"},
            transport=self._transport,
        )
        await self._http.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.__aexit__(exc_type, exc, tb)

    async def create_for_candidate(self, body: Mapping[str, Any]) -> Reply[CandidateResponse]:
        """POST one enrolment; never raises for what the network or the API did."""
        return await self._call("POST", CANDIDATE_PATH, CandidateResponse, json=dict(body))

    async def merchant_status(self) -> MerchantStatus:
        """GET /merchant-status. ``AuthError`` on 401/403, ``RequestFailed`` otherwise."""
        reply = await self._call("GET", MERCHANT_STATUS_PATH, MerchantStatus)
        verdict = classify(reply)
        if verdict is Verdict.AUTH:
            raise AuthError(auth_message(reply))
        if verdict is not Verdict.SUCCESS or reply.body is None:
            raise RequestFailed(reply)
        return reply.body

    async def _call(
        self,
        method: str,
        path: str,
        model: type[BodyT],
        *,
        json: Any = None,
    ) -> Reply[BodyT]:
        http = self._http
        if http is None:
            raise RuntimeError("ApiClient is not open: use 'async with ApiClient(...)'")
        generation = self.tokens.generation
        token = self.tokens.bearer()
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = await http.request(method, self._urls[path], json=json, headers=headers)
        except httpx.TransportError as exc:
            kind = _failure_kind(exc)
            return Reply(
                None,
                error=_FAILURE_TEXT[kind],
                failure=kind,
                token_generation=generation,
            )
        except httpx.DecodingError:
            return Reply(
                None,
                error="answer could not be decoded",
                failure="malformed_body",
                token_generation=generation,
            )
        reply = _reply(response, model, generation)
        if reply.error:
            # An error body may quote the request's headers: never pass a credential on.
            error = redact(reply.error)
            if error != reply.error:
                reply = dataclasses.replace(reply, error=error)
        return reply


def _fail_missing_sniffio_fast() -> None:
    """Make the failing ``import sniffio`` that httpcore runs on every request fail at once.

    httpcore 1.0 imports ``sniffio`` inside each request to detect the event
    loop, and anyio 4 no longer installs it: every such import then searches
    all of ``sys.path`` before failing, a third of the client's CPU per request
    on loopback. Recording the module as absent (``None`` in ``sys.modules``)
    makes the import raise ``ModuleNotFoundError`` at once, which httpcore and
    anyio already handle ("no sniffio: asyncio"). A no-op when sniffio is
    installed.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _reply(
    response: httpx.Response,
    model: type[BodyT],
    generation: int,
) -> Reply[BodyT]:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    gateway_code = response.headers.get("sb-error-code", "").strip()
    common: dict[str, Any] = {"retry_after": retry_after, "token_generation": generation}
    try:
        # Every text the API returns is kept free of the token, whatever the status:
        # a body that echoes it must not carry it into the results or the ledger.
        data = json.loads(redact_secrets(response.text))
    except (ValueError, UnicodeDecodeError):
        data = _NOT_JSON
    if 200 <= status < 300:
        if data is _NOT_JSON:
            return Reply(
                status,
                error=f"{status} with a body that is not valid JSON",
                failure="malformed_body",
                **common,
            )
        try:
            body = model.model_validate(data)
        except pydantic.ValidationError as exc:
            return Reply(
                status,
                error=f"{status} with an unexpected body ({_first_problem(exc)})",
                failure="unexpected_body",
                **common,
            )
        return Reply(status, body, **common)
    text, field = _error_text(status, response.reason_phrase, data, gateway_code)
    return Reply(status, error=text, code=gateway_code or field, **common)


_NOT_JSON = object()


def _error_text(status: int, phrase: str, data: Any, gateway_code: str) -> tuple[str, str]:
    """The error text and the field the API named.

    ``"422 candidate_email: invalid email"``, ``"503 BOOT_ERROR"``, ``"401 Invalid JWT"``,
    ``"500 EDGE_FUNCTION_ERROR: Internal server error"``, ``"502 Bad Gateway"``.
    """
    head = f"{status} {gateway_code}" if gateway_code else str(status)
    if isinstance(data, dict):
        try:
            err = ApiErrorBody.model_validate(data)
        except pydantic.ValidationError:
            err = None
        if err is not None:
            name = (err.name or "").strip()
            message = _short(err.error)
            if gateway_code:
                return f"{head}: {message}", name
            return (f"{head} {name}: {message}" if name else f"{head} {message}"), name
        gateway_message = data.get("message")  # the gateway's {"code": ..., "message": ...}
        if not gateway_code and isinstance(gateway_message, str) and gateway_message.strip():
            return f"{head} {_short(gateway_message)}", ""
    if gateway_code:
        return head, ""
    # Not the API's error shape: never echo an unknown body (it may quote the request).
    return f"{status} {phrase}".strip(), ""


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_problem(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:
        return "does not fit the response model"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"
