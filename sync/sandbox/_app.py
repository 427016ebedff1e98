"""The sandbox's ASGI app: the vendor's gateway and functions, with faults on request.

A request to ``/functions/v1/<function>`` passes, in order: the bearer check (401),
the rate limit (429 + ``Retry-After``), the latency, a fault before the work (500, 503,
504, 546: nothing happened), validation against the vendor's OpenAPI document (422:
the JSON body of a POST, the query of a GET, see ``sync.jobmojito.spec``), the work
(404 for an unknown ``position_def_set_id``; else 200), and a fault after the work
(500, 504, slow, dropped connection, malformed JSON: the work *did* happen). Every
answer is counted in the stats. ``/__sandbox/...`` holds the test controls.

The sandbox never validates with the client's models (``sync.schema``): it stands for
the API, so a mistake in those models must meet the document's rules here, as it
would meet the live API's.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from sync.sandbox._config import SandboxConfig
from sync.sandbox._faults import AFTER_WORK_KINDS, Fault, FaultPlan
from sync.sandbox._languages import platform_languages
from sync.sandbox._ratelimit import TokenBucket, retry_after_header
from sync.sandbox._requests import Answer, request_fields
from sync.sandbox._state import SandboxState

API_PREFIX = "/functions/v1/"
CONTROL_PREFIX = "/__sandbox/"
#: The ASGI scope extension through which the sandbox's server lets the app drop a
#: connection without answering (see ``_server``).
ABORT_EXTENSION = "jobmojito.sandbox.abort"

INVALID_JWT = {"code": 401, "message": "Invalid JWT"}
GATEWAY_ERRORS: dict[str, tuple[int, str, str]] = {
    # kind: (status, sb-error-code, message)
    "500": (500, "EDGE_FUNCTION_ERROR", "Internal server error"),
    "503": (503, "BOOT_ERROR", "Function failed to start (please check logs)"),
    "504": (504, "IDLE_TIMEOUT", "Function did not respond before the request idle timeout"),
    "546": (
        546,
        "WORKER_RESOURCE_LIMIT",
        "Function failed due to not having enough compute resources (please check logs)",
    ),
}

#: A function's work on the request's validated fields (its JSON body, or its query).
Handler = Callable[[dict[str, Any], Request], Awaitable[Answer]]


@dataclass(frozen=True)
class _Runtime:
    """What the current settings imply; replaced whole, so a request sees one version."""

    config: SandboxConfig
    faults: FaultPlan
    bucket: TokenBucket | None

    @classmethod
    def build(cls, config: SandboxConfig) -> _Runtime:
        bucket = None
        if config.rate is not None:
            bucket = TokenBucket(config.rate, config.effective_burst)
        return cls(config, FaultPlan(config), bucket)


class SandboxApp:
    """The ASGI application. Build it with ``create_app``; serve it with any ASGI server."""

    def __init__(self, config: SandboxConfig) -> None:
        self.initial_config = config
        self.state = SandboxState(credits=config.credits, seed=config.seed)
        self._runtime = _Runtime.build(config)
        self._release: asyncio.Event | None = None
        self._routes: dict[str, tuple[str, Handler]] = {
            "job-interview-create-for-candidate-with-token": ("POST", self._candidate),
            "job-interview-create": ("POST", self._create),
            "job-interview-create-from-array": ("POST", self._create_from_array),
            "merchant-status": ("GET", self._merchant_status),
            "platform-languages-list": ("GET", self._languages),
            "job-interview-update": ("POST", self._update),
            "job-interview-token": ("POST", self._signed_url),
            "merchant-avatar-list": ("GET", self._avatar_list),
            "merchant-interview-list": ("GET", self._interview_list),
            "merchant-result-list": ("GET", self._result_list),
            "job-interview-details": ("GET", self._interview_details),
        }
        self._languages_body = platform_languages()

    # ------------------------------------------------------------ controls

    @property
    def config(self) -> SandboxConfig:
        """The settings in force now."""
        return self._runtime.config

    def configure(self, **changes: Any) -> SandboxConfig:
        """Change settings of the running sandbox (faults, rate, latency, token, ...).

        The fault sequence restarts from the seed and the rate bucket refills;
        ``credits`` sets the credits left now. ``host`` and ``port`` cannot change.
        Raises ``ValueError`` (``pydantic.ValidationError`` for a bad value).
        """
        fixed = {"host", "port"} & changes.keys()
        if fixed:
            raise ValueError(f"cannot change {', '.join(sorted(fixed))} of a running sandbox")
        current = self._runtime.config.model_dump()
        config = SandboxConfig.model_validate({**current, **changes})
        self._runtime = _Runtime.build(config)
        if "credits" in changes:
            self.state.set_credits(config.credits)
        return config

    def inject(self, *faults: str) -> None:
        """Play these faults (``"503"``, ``"drop"``, ``"500:after"`` ...) on the next requests
        to fault paths, in order, before any random ones."""
        self._runtime.faults.inject(faults)

    def reset(self) -> None:
        """Back to the start: the initial settings, no positions, enrolments or counts."""
        self._runtime = _Runtime.build(self.initial_config)
        self.state.reset(credits=self.initial_config.credits, seed=self.initial_config.seed)

    def release_waiters(self) -> None:
        """End every pending slow answer now (call on the server's loop, at shutdown)."""
        if self._release is not None:
            self._release.set()

    # ---------------------------------------------------------------- ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith(API_PREFIX):
            await self._api(scope, receive, send, path[len(API_PREFIX) :].strip("/"))
        elif path.startswith(CONTROL_PREFIX):
            await self._control(scope, receive, send, path[len(CONTROL_PREFIX) :].strip("/"))
        else:
            await JSONResponse({"error": "not found"}, 404)(scope, receive, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send, name: str) -> None:
        self.state.arrived()  # in its second, whatever the answer will be
        runtime = self._runtime
        config = runtime.config
        route = self._routes.get(name)
        response: Response
        if route is None:
            body = {"code": "NOT_FOUND", "message": "Requested function was not found"}
            response = JSONResponse(body, 404)
        elif scope["method"] != route[0]:
            response = JSONResponse({"error": "Method not allowed"}, 405)
        elif not _authorized(scope, config.token):
            response = JSONResponse(INVALID_JWT, 401)
        elif runtime.bucket is not None and (wait := runtime.bucket.take()):
            headers = {"Retry-After": retry_after_header(wait)}
            response = JSONResponse({"error": "rate limit exceeded"}, 429, headers)
        else:
            await self._serve_function(scope, receive, send, name, route[1], runtime)
            return
        await self._send(scope, receive, send, name if route else "(unknown)", response)

    async def _serve_function(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        name: str,
        handler: Handler,
        runtime: _Runtime,
    ) -> None:
        delay = runtime.faults.latency()
        if delay:
            await asyncio.sleep(delay)
        fault = runtime.faults.next_fault() if name in runtime.config.fault_paths else None
        if fault is not None and not fault.after_work:
            self.state.record_fault(fault.kind)
            await self._send(scope, receive, send, name, _fault_response(fault, runtime))
            return
        status, body = await self._validated_then(handler, name, Request(scope, receive))
        response: Response = JSONResponse(body, status)
        if fault is None:
            await self._send(scope, receive, send, name, response)
            return
        self.state.record_fault(
            fault.kind if fault.kind in AFTER_WORK_KINDS else fault.kind + ":after"
        )
        if fault.kind == "drop":
            self.state.record(name, "dropped")
            await self._drop(scope, receive, send)
        elif fault.kind == "malformed":
            truncated = response.body[: max(1, len(response.body) // 2)]
            response = Response(truncated, 200, media_type="application/json")
            await self._send(scope, receive, send, name, response)
        elif fault.kind == "slow":
            await self._wait_unless_gone(receive, runtime.config.slow_seconds)
            await self._send(scope, receive, send, name, response)
        else:  # 500 / 504 after the work
            await self._send(scope, receive, send, name, _fault_response(fault, runtime))

    async def _send(
        self, scope: Scope, receive: Receive, send: Send, name: str, response: Response
    ) -> None:
        # Counted before it leaves, so a client that has the answer sees it counted.
        self.state.record(name, response.status_code)
        await response(scope, receive, send)

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        abort: Callable[[], None] | None = scope.get("extensions", {}).get(ABORT_EXTENSION)
        if abort is not None:
            abort()
            # Let the server notice the closed connection before the app returns.
            gone = asyncio.ensure_future(_disconnected(receive))
            await asyncio.wait({gone}, timeout=1.0)
            gone.cancel()
            return
        # Another ASGI server: promise a body, send part of it, and stop; servers close
        # the connection when an app returns mid-response.
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status"', "more_body": True})

    async def _wait_unless_gone(self, receive: Receive, seconds: float) -> None:
        """Sleep ``seconds``, or less if the client hangs up or the server stops."""
        if self._release is None:
            self._release = asyncio.Event()
        gone = asyncio.ensure_future(_disconnected(receive))
        released = asyncio.ensure_future(self._release.wait())
        try:
            await asyncio.wait(
                {gone, released}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            gone.cancel()
            released.cancel()

    # ----------------------------------------------------------- functions

    async def _validated_then(self, handler: Handler, name: str, request: Request) -> Answer:
        """The handler's answer on the request's fields, or 422 where the document says no."""
        fields = await request_fields(request, name)
        if isinstance(fields, tuple):
            return fields
        return await handler(fields, request)

    async def _candidate(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.enrol(fields)

    async def _create(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.create_interview(fields, source="ai")

    async def _create_from_array(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.create_interview(fields, source="array")

    async def _update(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.update_interview(fields)

    async def _signed_url(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.signed_url(fields)

    async def _avatar_list(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.avatar_list(fields)

    async def _interview_list(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.interview_list(fields)

    async def _merchant_status(self, fields: dict[str, Any], request: Request) -> Answer:
        return 200, self.state.merchant_status(fields.get("merchant_id"))

    async def _languages(self, fields: dict[str, Any], request: Request) -> Answer:
        return 200, {"languages": self._languages_body}

    async def _result_list(self, fields: dict[str, Any], request: Request) -> Answer:
        return self.state.result_list(fields, delay=self.config.progress_seconds)

    async def _interview_details(self, fields: dict[str, Any], request: Request) -> Answer:
        config = self.config
        return self.state.interview_details(
            fields, delay=config.progress_seconds, sign_always=config.signed_urls_always
        )

    # ------------------------------------------------------------ controls

    async def _control(self, scope: Scope, receive: Receive, send: Send, name: str) -> None:
        request = Request(scope, receive)
        method = request.method
        status, body = 200, {}
        if (method, name) == ("GET", "stats"):
            body = self.state.stats()
        elif (method, name) == ("POST", "reset"):
            self.reset()
            body = {"reset": True}
        elif (method, name) == ("GET", "config"):
            body = self.config.model_dump(mode="json")
        elif (method, name) == ("POST", "advance"):
            try:
                data = json.loads(await request.body() or b"{}")
                self.state.advance(float(data["seconds"]))
                body = {"advanced": float(data["seconds"])}
            except (ValueError, TypeError, KeyError):
                status, body = 422, {"error": 'give {"seconds": <number>}'}
        elif (method, name) in {("POST", "config"), ("POST", "faults")}:
            try:
                data = json.loads(await request.body() or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("the body must be a JSON object")
                if name == "faults":
                    self.inject(*data.get("next", []))
                    body = {"queued": self._runtime.faults.queued}
                else:
                    body = self.configure(**data).model_dump(mode="json")
            except (ValueError, TypeError) as exc:  # includes pydantic.ValidationError
                status, body = 422, {"error": _one_line(exc)}
        else:
            status, body = 404, {"error": f"no sandbox control {method} {name!r}"}
        await JSONResponse(body, status)(scope, receive, send)


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """The sandbox as an ASGI app (for ``run_sandbox``, ``serve`` or ``httpx.ASGITransport``)."""
    return SandboxApp(config or SandboxConfig())


# --------------------------------------------------------------------- helpers


def _authorized(scope: Scope, token: str) -> bool:
    for key, value in scope["headers"]:
        if key == b"authorization":
            return hmac.compare_digest(value, b"Bearer " + token.encode())
    return False


def _fault_response(fault: Fault, runtime: _Runtime) -> Response:
    status, code, message = GATEWAY_ERRORS[fault.kind]
    headers = {"sb-error-code": code}
    if fault.kind == "503":
        headers["Retry-After"] = str(runtime.config.retry_after_seconds)
    body: dict[str, Any] = {"code": code, "message": message}
    if fault.kind == "500":  # the function's own error body
        body = {"error": message}
    return JSONResponse(body, status, headers)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _one_line(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()
        )
    return str(exc)
