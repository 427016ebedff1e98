"""The HTTP client for the JobMojito API: requests out, ``Reply`` values back.

One ``ApiClient`` owns one ``httpx.AsyncClient`` for the whole run: HTTP/1.1
keep-alive, a pool of exactly ``concurrency`` connections, and a pool timeout
long enough that nobody waits it out (the dispatcher never runs more requests
at once than the pool holds, and never cancels a send: both are known ways to
get ``PoolTimeout`` from httpx).

An attempt never raises for what the network or the API did: every httpx
exception becomes a ``Failure`` and every answer a ``Reply`` (status, parsed
body, error text, ``Retry-After``), which ``sync.jobmojito.retry.classify``
sorts. Only ``merchant_status``, a look-up rather than a send, raises for
what came back: ``AuthError`` on 401/403, ``RequestFailed`` otherwise. The reads
that the dispatcher drives (a page of ``merchant-result-list``, one result's
``job-interview-details``) return a ``Reply`` like a send.

The token never appears in a ``repr``, an exception, a ``Reply`` or a log
line: httpx exceptions carry the request (and so its headers), so they are
turned into fixed messages here and never passed on. Every text the API
returns is stripped of it before parsing, whatever the status. It travels in
clear only to this machine: ``check_base_url`` (``sync.jobmojito.urls``)
refuses ``http://`` to any other host unless ``allow_insecure_http`` says so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import httpx
import pydantic
import structlog

from sync import __version__
from sync.errors import AuthError, ConfigError, SyncError
from sync.jobmojito.models import (
    ApiErrorBody,
    CandidateResponse,
    InterviewDetails,
    MerchantResultList,
    MerchantStatus,
)
from sync.jobmojito.retry import BodyT, Failure, Reply, Verdict, classify, parse_retry_after
from sync.jobmojito.tokens import TokenSource, auth_message
from sync.jobmojito.urls import check_base_url
from sync.redact import redact, redact_secrets

log = structlog.get_logger("sync.jobmojito.client")

__all__ = [
    "CANDIDATE_PATH",
    "DETAILS_PATH",
    "MERCHANT_STATUS_PATH",
    "RESULTS_PATH",
    "ApiClient",
    "RequestFailed",
    "check_base_url",
]

CANDIDATE_PATH = "job-interview-create-for-candidate-with-token"
MERCHANT_STATUS_PATH = "merchant-status"
RESULTS_PATH = "merchant-result-list"
DETAILS_PATH = "job-interview-details"
_PATHS = (CANDIDATE_PATH, MERCHANT_STATUS_PATH, RESULTS_PATH, DETAILS_PATH)


class RequestFailed(SyncError):
    """A call other than the per-row send failed (no answer, or not a usable one).

    Its message is the reply's ``summary``; ``reply`` is the whole outcome and
    ``failure`` the transport failure, if that is what it was. A ``SyncError``
    (exit 2: nothing was sent) like every error raised on purpose; the
    pre-flight turns it into a warning.
    """

    def __init__(self, reply: Reply[Any]) -> None:
        super().__init__(reply.summary)
        self.reply = reply

    @property
    def failure(self) -> Failure | None:
        return self.reply.failure


#: The error text of a request that got no answer, by failure.
_FAILURE_TEXT: Mapping[Failure, str] = {
    Failure.CONNECT_ERROR: "cannot connect to the API",
    Failure.CONNECT_TIMEOUT: "connect timeout",
    Failure.POOL_TIMEOUT: "no free connection in the pool",
    Failure.WRITE_TIMEOUT: "write timeout",
    Failure.READ_TIMEOUT: "read timeout",
    Failure.DROPPED: "connection dropped before an answer",
    Failure.TRANSPORT_ERROR: "network error",
}


def _failure(exc: httpx.TransportError) -> Failure:
    """The failure an httpx exception stands for (the exception itself is never kept)."""
    # Order matters: the timeouts and ConnectError are subclasses of broader kinds.
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure.CONNECT_TIMEOUT
    if isinstance(exc, httpx.PoolTimeout):
        return Failure.POOL_TIMEOUT
    if isinstance(exc, httpx.WriteTimeout):
        return Failure.WRITE_TIMEOUT
    if isinstance(exc, httpx.ReadTimeout):
        return Failure.READ_TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return Failure.CONNECT_ERROR
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return Failure.DROPPED
    if isinstance(exc, httpx.WriteError):
        return Failure.WRITE_TIMEOUT  # the request was not fully written: nothing happened
    return Failure.TRANSPORT_ERROR


class ApiClient:
    """The API over one pooled ``httpx.AsyncClient``; use as ``async with``.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests);
    ``allow_insecure_http`` lets the token go in clear to another machine.
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
        allow_insecure_http: bool = False,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.base_url = base_url.strip().rstrip("/") + "/"
        self.tokens = tokens
        self.timeout = timeout
        self.concurrency = concurrency
        self._user_agent = user_agent or f"jobmojito-sync/{__version__}"
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        # Absolute URLs, built once: httpx merges a relative URL with the base on every call.
        self._urls = {path: httpx.URL(self.base_url + path) for path in _PATHS}

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
        """GET /merchant-status. ``AuthError`` on 401/403, ``RequestFailed`` otherwise.

        A refused token is refreshed once with the token command, if there is
        one, and the look-up asked again: the pre-flight is where an expired
        token is met first on a nightly run.
        """
        reply = await self._call("GET", MERCHANT_STATUS_PATH, MerchantStatus)
        verdict = classify(reply)
        refreshed = False
        if verdict is Verdict.AUTH and self.tokens.can_refresh:
            log.warning(
                "the API refused the token; running the token command", status=reply.http_status
            )
            refreshed = await asyncio.to_thread(self.tokens.refresh)
            if refreshed:
                reply = await self._call("GET", MERCHANT_STATUS_PATH, MerchantStatus)
                verdict = classify(reply)
        if verdict is Verdict.AUTH:
            raise AuthError(auth_message(reply, refreshed=refreshed))
        if verdict is not Verdict.SUCCESS or reply.body is None:
            raise RequestFailed(reply)
        return reply.body

    async def merchant_results(
        self, *, offset: int, limit: int, **filters: str
    ) -> Reply[MerchantResultList]:
        """GET one page of ``merchant-result-list``; never raises for what came back.

        ``filters`` are further query parameters of the document (``type``,
        ``order_by``, ``profile_interview_id``, ...); empty ones are left out.
        """
        params = {"offset": str(offset), "limit": str(limit)}
        params.update({key: value for key, value in filters.items() if value})
        return await self._call("GET", RESULTS_PATH, MerchantResultList, params=params)

    async def interview_details(self, interview_result_id: str) -> Reply[InterviewDetails]:
        """GET ``job-interview-details`` of one result, never with signed recording URLs."""
        params = {"interview_result_id": interview_result_id, "get_signed_recordings": "false"}
        return await self._call("GET", DETAILS_PATH, InterviewDetails, params=params)

    async def _call(
        self,
        method: str,
        path: str,
        model: type[BodyT],
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Reply[BodyT]:
        http = self._http
        if http is None:
            raise RuntimeError("ApiClient is not open: use 'async with ApiClient(...)'")
        generation = self.tokens.generation
        token = self.tokens.bearer()
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = await http.request(
                method, self._urls[path], json=json, params=params, headers=headers
            )
        except httpx.TransportError as exc:
            failure = _failure(exc)
            return Reply(
                None,
                error=_FAILURE_TEXT[failure],
                failure=failure,
                token_generation=generation,
            )
        except httpx.DecodingError:
            return Reply(
                None,
                error="answer could not be decoded",
                failure=Failure.MALFORMED_BODY,
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
                failure=Failure.MALFORMED_BODY,
                **common,
            )
        try:
            body = model.model_validate(data)
        except pydantic.ValidationError as exc:
            return Reply(
                status,
                error=f"{status} with an unexpected body ({_first_problem(exc)})",
                failure=Failure.UNEXPECTED_BODY,
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
