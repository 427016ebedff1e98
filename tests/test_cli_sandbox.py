"""`jobmojito-sync sandbox` serves with the settings its flags give.

In-process: ``serve`` (which would block until Ctrl-C) is replaced by a sandbox serving
the very config the command built, checked over HTTP while it serves. That ``serve``
runs until interrupted is proved with a real process in test_sandbox_config.py.
"""

from __future__ import annotations

import socket

import httpx
import pytest
from helpers import Cli

import sync.sandbox
from sync.sandbox import SandboxConfig, run_sandbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_sandbox_flags_reach_the_server(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    served: list[SandboxConfig] = []

    def serve(config: SandboxConfig) -> None:
        served.append(config)
        with run_sandbox(config) as running:
            assert running.port == port  # --port
            base = f"http://127.0.0.1:{port}/functions/v1/"
            status = httpx.get(base + "merchant-status", headers={"Authorization": "Bearer t0k"})
            assert status.status_code == 200
            assert status.json()["credits_interview_monthly"] == 7
            assert httpx.get(base + "merchant-status").status_code == 401  # --token
            config = httpx.get(f"http://127.0.0.1:{port}/__sandbox/config").json()
            assert config["slow_seconds"] == 0.2 and config["latency_jitter_ms"] == 5
            assert config["faults"] == {"slow": 1.0}
            assert config["latency_ms"] == 5 and config["seed"] == 3

    monkeypatch.setattr(sync.sandbox, "serve", serve)
    done = cli("sandbox", "--port", str(port), "--token", "t0k", "--credits", "7",
               "--latency-ms", "5", "--latency-jitter-ms", "5", "--slow-seconds", "0.2",
               "--faults", "slow=1", "--seed", "3")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert len(served) == 1
