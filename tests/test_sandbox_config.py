"""The sandbox's settings, command line and in-process helper behave as documented."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from helpers import candidate

import sync.sandbox
from sync.errors import UsageError
from sync.sandbox import SandboxConfig, config_from_flags, create_app, parse_faults, run_sandbox
from sync.sandbox.__main__ import main

ROOT = Path(__file__).resolve().parent.parent


class TestParseFaults:
    """``--faults`` text becomes rates per kind, or a UsageError that names the bad part."""

    def test_rates_by_kind(self) -> None:
        parsed = parse_faults(" 500=0.05, 503=0.05,slow=0.02 ,drop=0.01,malformed=0")
        assert parsed == {"500": 0.05, "503": 0.05, "slow": 0.02, "drop": 0.01, "malformed": 0.0}

    @pytest.mark.parametrize("text", ["", "  ", "none", "off"])
    def test_no_faults(self, text: str) -> None:
        assert parse_faults(text) == {}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("teapot=0.1", "--faults: unknown fault kind 'teapot' (expected one of 500, 503, "),
            ("500=lots", "--faults: rate for '500' must be a number between 0 and 1, got 'lots'"),
            ("500=1.5", "--faults: rate for '500' must be between 0 and 1, got 1.5"),
            ("500=-0.1", "--faults: rate for '500' must be between 0 and 1, got -0.1"),
            ("500=0.6,503=0.6", "--faults: fault rates add up to 1.2; they must add up to at most"),
            ("500=0.1,500=0.2", "--faults: fault '500' is given twice"),
            ("500", "--faults: expected KIND=RATE, got '500'"),
            ("500=", "--faults: expected KIND=RATE, got '500='"),
            ("500=nan", "--faults: rate for '500' must be between 0 and 1, got nan"),
        ],
    )
    def test_bad_text(self, text: str, message: str) -> None:
        with pytest.raises(UsageError) as caught:
            parse_faults(text)
        assert str(caught.value).startswith(message)


class TestSandboxConfig:
    """The settings object validates every field and takes ``--faults`` text too."""

    def test_defaults(self) -> None:
        config = SandboxConfig()
        assert (config.host, config.port, config.token) == ("127.0.0.1", 0, "sandbox-token")
        assert config.rate is None and config.faults == {}
        assert config.credits == 1000

    def test_faults_as_text(self) -> None:
        assert SandboxConfig(faults="503=0.5").faults == {"503": 0.5}  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "changes",
        [
            {"faults": {"teapot": 0.1}},
            {"faults": "teapot=0.1"},
            {"rate": 0},
            {"burst": 0},
            {"port": 70000},
            {"token": ""},
            {"latency_ms": -1},
            {"fault_paths": ["job-interview-delete"]},
            {"colour": "blue"},
        ],
    )
    def test_bad_values(self, changes: dict[str, object]) -> None:
        with pytest.raises(pydantic.ValidationError):
            SandboxConfig.model_validate(changes)

    def test_frozen(self) -> None:
        with pytest.raises(pydantic.ValidationError):
            SandboxConfig().rate = 3

    @pytest.mark.parametrize(
        ("rate", "burst", "expected"), [(10, None, 10), (2.5, None, 3), (0.5, None, 1), (10, 4, 4)]
    )
    def test_burst_defaults_to_one_second_of_rate(
        self, rate: float, burst: int | None, expected: int
    ) -> None:
        assert SandboxConfig(rate=rate, burst=burst).effective_burst == expected

    def test_configure_refuses_host_and_port(self) -> None:
        app = create_app()
        with pytest.raises(ValueError, match="cannot change port"):
            app.configure(port=9)


class TestCommandLine:
    """``python -m sync.sandbox`` serves until stopped; bad options exit 2 with one line."""

    def test_flags_become_a_config(self) -> None:
        config = config_from_flags(
            host="127.0.0.1", port=8787, token="t", rate=5.0, burst=None, latency_ms=20.0,
            faults="503=0.1", seed=4,
        )  # fmt: skip
        assert (config.port, config.token, config.rate, config.effective_burst) == (
            8787, "t", 5.0, 5,
        )  # fmt: skip
        assert (config.latency_ms, config.faults, config.seed) == (20.0, {"503": 0.1}, 4)

    @pytest.mark.parametrize(
        ("flags", "message"),
        [
            ({"rate": -1.0}, "--rate: Input should be greater than 0"),
            ({"port": 99999}, "--port: Input should be less than or equal to 65535"),
            ({"faults": "x=1"}, "--faults: unknown fault kind 'x'"),
        ],
    )
    def test_bad_flags(self, flags: dict[str, Any], message: str) -> None:
        with pytest.raises(UsageError) as caught:
            config_from_flags(**flags)
        assert str(caught.value).startswith(message)

    def test_main_exits_2_on_a_bad_option(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["--faults", "teapot=1"]) == 2
        assert capsys.readouterr().err.startswith("Error: --faults: unknown fault kind 'teapot'")

    def test_port_in_use_is_a_usage_error(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{port}"):
                sync.sandbox.serve(SandboxConfig(port=port))

    def test_serves_until_interrupted(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "sync.sandbox", "--port", "0", "--token", "cli-token",
             "--rate", "100", "--faults", "503=0.5", "--seed", "9"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            assert banner.startswith("JobMojito sandbox serving http://127.0.0.1:")
            base_url = banner.split()[-1]
            assert "faults: 503=0.5" in process.stdout.readline()
            headers = {"Authorization": "Bearer cli-token"}
            status = httpx.get(base_url + "merchant-status", headers=headers)
            assert status.status_code == 200
        finally:
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err


class TestRunSandbox:
    """The in-process helper serves on a free loopback port and stops cleanly."""

    def test_free_port_and_urls(self) -> None:
        with run_sandbox() as one, run_sandbox() as two:
            assert one.port != two.port
            assert one.base_url == f"http://127.0.0.1:{one.port}/functions/v1/"
            assert one.url == f"http://127.0.0.1:{one.port}"
            assert httpx.get(one.base_url + "merchant-status", headers=one.auth_headers)
        with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.1", one.port))

    def test_stopping_does_not_wait_for_a_slow_answer(self) -> None:
        outcome: list[object] = []
        with run_sandbox(SandboxConfig(slow_seconds=60)) as sandbox:
            sandbox.inject("slow")

            def patient_client() -> None:
                url = sandbox.base_url + "job-interview-create-for-candidate-with-token"
                try:
                    response = httpx.post(url, json=candidate(), headers=sandbox.auth_headers)
                    outcome.append(response.status_code)
                except httpx.TransportError as exc:
                    outcome.append(exc)

            thread = threading.Thread(target=patient_client)
            thread.start()
            deadline = time.monotonic() + 5
            while not sandbox.state.enrolments and time.monotonic() < deadline:
                time.sleep(0.01)  # until the request is inside its slow wait
            started = time.monotonic()
        stopping = time.monotonic() - started
        thread.join(timeout=5)
        assert stopping < 3
        assert outcome == [200]  # the slow answer is released, then the server stops

    def test_exported_names(self) -> None:
        assert set(sync.sandbox.__all__) == {
            "FAULT_KINDS",
            "config_from_flags",
            "RunningSandbox",
            "SandboxApp",
            "SandboxConfig",
            "SandboxState",
            "create_app",
            "expected_decision",
            "parse_faults",
            "run_sandbox",
            "serve",
        }
        assert all(hasattr(sync.sandbox, name) for name in sync.sandbox.__all__)
