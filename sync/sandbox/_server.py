"""Serving the sandbox with uvicorn: in the foreground (``serve``) or a thread (``run_sandbox``)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from sync.errors import UsageError
from sync.sandbox._app import ABORT_EXTENSION, API_PREFIX, SandboxApp, create_app
from sync.sandbox._config import SandboxConfig
from sync.sandbox._state import SandboxState

STARTUP_TIMEOUT = 10.0  # seconds to wait for the server thread to listen
SHUTDOWN_GRACE = 2  # seconds in-flight answers get when the server stops


class _SandboxH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a scope extension that drops the connection.

    ASGI has no way for an app to hang up without answering; the sandbox needs one
    to play a dropped connection, so each request's scope carries the transport's
    ``abort`` under ``ABORT_EXTENSION``.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        inner = self.app
        abort = transport.abort

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope["extensions"] = {**(scope.get("extensions") or {}), ABORT_EXTENSION: abort}
            await inner(scope, receive, send)

        self.app = app


def _uvicorn_config(app: SandboxApp, *, log_config: Any = None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=_SandboxH11Protocol,
        lifespan="off",
        loop="asyncio",
        log_level="warning",
        log_config=log_config,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it Nagle plus delayed ACKs cost 40 ms per answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _root_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class RunningSandbox:
    """A sandbox serving in a background thread; made by ``run_sandbox``.

    ``base_url`` is what a client uses as its API base
    (``http://127.0.0.1:PORT/functions/v1/``); ``url`` is the server root.
    ``stats()``, ``reset()``, ``configure(...)`` and ``inject(...)`` act directly on
    the server's state, like ``/__sandbox/stats``, ``/reset``, ``/config`` and
    ``/faults`` do over HTTP.
    """

    def __init__(self, app: SandboxApp, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.url = _root_url(host, port)
        self.base_url = self.url + API_PREFIX

    @property
    def state(self) -> SandboxState:
        """The live state: ``positions``, ``interviews``, ``enrolments``, ``credits``."""
        return self.app.state

    @property
    def token(self) -> str:
        return self.app.config.token

    @property
    def auth_headers(self) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for the token accepted now."""
        return {"Authorization": f"Bearer {self.token}"}

    def stats(self) -> dict[str, Any]:
        """Requests by status and endpoint, faults played, enrolments created, duplicates."""
        return self.app.state.stats()

    def reset(self) -> None:
        """As freshly started: initial settings, no state, zero counts."""
        self.app.reset()

    def configure(self, **changes: Any) -> SandboxConfig:
        """Change settings while serving, e.g. ``configure(faults={"503": 1.0})``."""
        return self.app.configure(**changes)

    def inject(self, *faults: str) -> None:
        """Play these faults on the next requests to fault paths, e.g. ``inject("drop")``."""
        self.app.inject(*faults)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for the candidates' interviews, without sleeping."""
        self.app.state.advance(seconds)


@contextlib.contextmanager
def run_sandbox(config: SandboxConfig | None = None) -> Iterator[RunningSandbox]:
    """Serve a sandbox on loopback in a background thread for the ``with`` block.

    ``config.port=0`` (the default) picks a free port. The block starts once the
    server listens; on exit the server stops and the thread is joined.
    """
    config = config or SandboxConfig()
    app = create_app(config)
    sock = _bind(config.host, config.port)
    server = uvicorn.Server(_uvicorn_config(app))
    loop_box: list[asyncio.AbstractEventLoop] = []
    failure: list[BaseException] = []

    async def main() -> None:
        loop_box.append(asyncio.get_running_loop())
        await server.serve(sockets=[sock])

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=target, name="jobmojito-sandbox", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError(f"the sandbox server did not start: {failure[:1]!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start in time")
            time.sleep(0.005)
        yield RunningSandbox(app, config.host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        if loop_box:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                loop_box[0].call_soon_threadsafe(app.release_waiters)
        thread.join(timeout=STARTUP_TIMEOUT + SHUTDOWN_GRACE)
        sock.close()


def serve(config: SandboxConfig) -> None:
    """Serve the sandbox in the foreground until Ctrl-C (what ``jobmojito-sync sandbox`` runs)."""
    app = create_app(config)
    try:
        sock = _bind(config.host, config.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from None
    port = sock.getsockname()[1]
    print(_banner(config, port), flush=True)
    server = uvicorn.Server(_uvicorn_config(app, log_config=LOGGING_CONFIG))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn stopped gracefully on Ctrl-C, then re-raised it: a normal end
    finally:
        sock.close()


def _banner(config: SandboxConfig, port: int) -> str:
    base = _root_url(config.host, port) + API_PREFIX
    faults = ", ".join(f"{k}={v:g}" for k, v in config.faults.items()) or "off"
    rate = f"{config.rate:g}/s burst {config.effective_burst}" if config.rate else "off"
    return (
        f"JobMojito sandbox serving {base}\n"
        f"  token: {config.token}   rate limit: {rate}   latency: {config.latency_ms:g} ms"
        f" (+{config.latency_jitter_ms:g} jitter)   faults: {faults}   seed: {config.seed}\n"
        f"  interviews progress within {config.progress_seconds:g} s of enrolment"
        f' (POST /__sandbox/advance {{"seconds": N}} moves the clock on)\n'
        f"  stats: {_root_url(config.host, port)}/__sandbox/stats   Ctrl-C to stop"
    )
