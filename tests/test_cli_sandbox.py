"""`jobmojito-sync sandbox` serves with the settings its flags give."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_sandbox_flags_reach_the_server() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync", "sandbox", "--port", str(port), "--token", "t0k",
         "--credits", "7", "--latency-ms", "5", "--latency-jitter-ms", "5",
         "--slow-seconds", "0.2", "--faults", "slow=1", "--seed", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/functions/v1/"
    headers = {"Authorization": "Bearer t0k"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = httpx.get(base + "merchant-status", headers=headers, timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.1)
        assert status.status_code == 200
        assert status.json()["credits_interview_monthly"] == 7
        assert httpx.get(base + "merchant-status", timeout=2).status_code == 401  # --token
        config = httpx.get(f"http://127.0.0.1:{port}/__sandbox/config", timeout=2).json()
        assert config["slow_seconds"] == 0.2 and config["latency_jitter_ms"] == 5
        assert config["faults"] == {"slow": 1.0}
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
