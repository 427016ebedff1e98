"""The HTTP client for the JobMojito API: requests out, ``Reply`` values back.

One ``ApiClient`` owns one ``httpx.AsyncClient`` for the whole run: HTTP/1.1
keep-alive, a pool of exactly ``concurrency`` connections, and a pool timeout
long enough that nobody waits it out (the dispatcher never runs more requests
at once than the pool holds, and never cancels a send: both are known ways to
get ``PoolTimeout`` from httpx).

An attempt never raises for what the network or the API did: every httpx
exception becomes a ``Failure`` and every answer a ``Reply`` (status, parsed
body, error text, ``Retry-After``; ``sync.jobmojito.answers``), which
``sync.jobmojito.retry.classify`` sorts. Only the look-ups
(``merchant_status``, ``avatar_templates``, ``interview_definitions``), which
send nothing, raise for what came back:
``AuthError`` on 401/403, ``RequestFailed`` otherwise (after a few tries
when the answer says "later"). The lists are read page by page to the end.
The reads that the dispatcher drives (a page of ``merchant-result-list``, one
result's ``job-interview-details``) return a ``Reply`` like a send.

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
import sys
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import structlog

from sync import __version__
from sync.errors import AuthError, ConfigError, SyncError
from sync.jobmojito.answers import read_reply
from sync.jobmojito.models import (
    AvatarListResponse,
    AvatarTemplate,
    CandidateResponse,
    InterviewCreateFromArrayResponse,
    InterviewCreateResponse,
    InterviewDetails,
    InterviewListItem,
    InterviewListResponse,
    InterviewUpdateResponse,
    MerchantResultList,
    MerchantStatus,
    SignedUrl,
)
from sync.jobmojito.retry import BodyT, Failure, Reply, Verdict, classify
from sync.jobmojito.tokens import TokenSource, auth_message
from sync.jobmojito.urls import check_base_url
from sync.redact import redact

ListT = TypeVar("ListT", AvatarListResponse, InterviewListResponse)

log = structlog.get_logger("sync.jobmojito.client")

__all__ = [
    "AVATAR_LIST_PATH",
    "CANDIDATE_PATH",
    "DETAILS_PATH",
    "INTERVIEW_CREATE_PATH",
    "INTERVIEW_FROM_ARRAY_PATH",
    "INTERVIEW_LIST_PATH",
    "INTERVIEW_TOKEN_PATH",
    "INTERVIEW_UPDATE_PATH",
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
INTERVIEW_CREATE_PATH = "job-interview-create"
INTERVIEW_FROM_ARRAY_PATH = "job-interview-create-from-array"
INTERVIEW_UPDATE_PATH = "job-interview-update"
INTERVIEW_TOKEN_PATH = "job-interview-token"  # noqa: S105 (a path, not a secret)
AVATAR_LIST_PATH = "merchant-avatar-list"
INTERVIEW_LIST_PATH = "merchant-interview-list"
_PATHS = (
    CANDIDATE_PATH,
    MERCHANT_STATUS_PATH,
    INTERVIEW_CREATE_PATH,
    INTERVIEW_FROM_ARRAY_PATH,
    INTERVIEW_UPDATE_PATH,
    INTERVIEW_TOKEN_PATH,
    AVATAR_LIST_PATH,
    INTERVIEW_LIST_PATH,
    RESULTS_PATH,
    DETAILS_PATH,
)
#: Records per page of a list (the document's maximum), and pages read at most.
PAGE_SIZE = 1000
MAX_PAGES = 200
#: Tries of a look-up whose answer says "later" (429, 503, a timeout ...), and the pause.
LOOK_UP_TRIES = 3
LOOK_UP_PAUSE = 1.0


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

    async def create_interview(self, body: Mapping[str, Any]) -> Reply[InterviewCreateResponse]:
        """POST /job-interview-create (the AI writes the questions); never raises."""
        return await self._call("POST", INTERVIEW_CREATE_PATH, InterviewCreateResponse, json=body)

    async def create_interview_from_array(
        self, body: Mapping[str, Any]
    ) -> Reply[InterviewCreateFromArrayResponse]:
        """POST /job-interview-create-from-array (the caller's questions); never raises."""
        model = InterviewCreateFromArrayResponse
        return await self._call("POST", INTERVIEW_FROM_ARRAY_PATH, model, json=body)

    async def update_interview(self, body: Mapping[str, Any]) -> Reply[InterviewUpdateResponse]:
        """POST /job-interview-update (only the fields sent are written); never raises."""
        return await self._call("POST", INTERVIEW_UPDATE_PATH, InterviewUpdateResponse, json=body)

    async def signed_url(self, body: Mapping[str, Any]) -> Reply[SignedUrl]:
        """POST /job-interview-token: a token-signed URL; never raises."""
        return await self._call("POST", INTERVIEW_TOKEN_PATH, SignedUrl, json=body)

    async def merchant_status(self) -> MerchantStatus:
        """GET /merchant-status. ``AuthError`` on 401/403, ``RequestFailed`` otherwise.

        A refused token is refreshed once with the token command, if there is
        one, and the look-up asked again (as every look-up does): the pre-flight
        is where an expired token is met first on a nightly run.
        """
        return await self._look_up(MERCHANT_STATUS_PATH, MerchantStatus, tries=1)

    async def avatar_templates(self, **filters: str) -> list[AvatarTemplate]:
        """Every template of GET /merchant-avatar-list (``filters``: its query parameters)."""
        pages = self._pages(AVATAR_LIST_PATH, AvatarListResponse, filters)
        return [item async for page in pages for item in page.data]

    async def interview_definitions(self, **filters: str) -> list[InterviewListItem]:
        """Every definition of GET /merchant-interview-list (``filters``: e.g. ``filter_text``)."""
        pages = self._pages(INTERVIEW_LIST_PATH, InterviewListResponse, filters)
        return [item async for page in pages for item in page.data]

    async def _pages(
        self, path: str, model: type[ListT], filters: Mapping[str, str]
    ) -> AsyncIterator[ListT]:
        offset = 0
        for _ in range(MAX_PAGES):
            params = {**filters, "limit": str(PAGE_SIZE), "offset": str(offset)}
            page = await self._look_up(path, model, params=params)
            yield page
            offset += len(page.data)
            if not page.data or not page.pagination.has_more:
                return

    async def _look_up(
        self,
        path: str,
        model: type[BodyT],
        *,
        params: Mapping[str, str] | None = None,
        tries: int = LOOK_UP_TRIES,
    ) -> BodyT:
        """GET ``path``: the body, else ``AuthError`` (401/403) or ``RequestFailed``.

        A refused token is refreshed once with the token command, if there is one.
        """
        refreshed = False
        for attempt in range(1, tries + 1):
            reply = await self._call("GET", path, model, params=params)
            verdict = classify(reply)
            if verdict is Verdict.AUTH and self.tokens.can_refresh:
                log.warning(
                    "the API refused the token; running the token command",
                    status=reply.http_status,
                )
                refreshed = await asyncio.to_thread(self.tokens.refresh)
                if refreshed:
                    reply = await self._call("GET", path, model, params=params)
                    verdict = classify(reply)
            if verdict is Verdict.AUTH:
                raise AuthError(auth_message(reply, refreshed=refreshed))
            if verdict is Verdict.SUCCESS and reply.body is not None:
                return reply.body
            if not verdict.retryable or attempt == tries:
                raise RequestFailed(reply)
            await asyncio.sleep(max(reply.retry_after or 0.0, LOOK_UP_PAUSE * attempt))
        raise AssertionError("unreachable")  # pragma: no cover

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
                method,
                self._urls[path],
                json=dict(json) if isinstance(json, Mapping) else json,
                params=params,
                headers=headers,
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
        reply = read_reply(response, model, generation)
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
