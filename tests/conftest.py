"""Fixtures every test module may use; the plain helpers they build on are in ``helpers.py``.

- Every test runs without the developer's ``JOBMOJITO_*`` variables, with structlog back
  to its defaults afterwards and its own set of registered secrets (``sync.redact``): a
  token registered by an earlier test cannot hide a leak in a later one.
- ``sandbox``: a sandbox over real loopback HTTP, started once per module
  (``sandbox_server``) and reset before each test that asks for it. A module changes
  its settings by overriding ``sandbox_config``. ``client``: an httpx client on it,
  sending its token (asking for it resets the sandbox too).
- ``cli``: the command line in-process (``helpers.Cli``: click's ``CliRunner``), kept
  apart from the process: the test's ``tmp_path`` as working folder and an empty
  config file (no ``./jobmojito-sync.toml`` is read), stdout and stderr apart, logging
  reset after each call; an exception the CLI did not turn into an exit code is
  raised, not reported as exit 1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import structlog
from helpers import Cli

import sync.redact
from sync.sandbox import RunningSandbox, SandboxConfig, run_sandbox

#: The sandbox's token unless a module's ``sandbox_config`` says otherwise; distinctive,
#: so that tests can grep every output for it.
SANDBOX_TOKEN = "sandbox-test-token-8d1f0c2b"


@pytest.fixture(autouse=True)
def _isolated_process_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in [k for k in os.environ if k.startswith("JOBMOJITO_")]:
        monkeypatch.delenv(key)
    monkeypatch.setattr(sync.redact, "_secrets", set())
    yield
    structlog.reset_defaults()


# ------------------------------------------------------------------------------ sandbox


@pytest.fixture(scope="module")
def sandbox_config() -> SandboxConfig:
    """The settings the module's sandbox starts with (and returns to at each reset)."""
    return SandboxConfig(token=SANDBOX_TOKEN, seed=3)


@pytest.fixture(scope="module")
def sandbox_server(sandbox_config: SandboxConfig) -> Iterator[RunningSandbox]:
    """One sandbox for the module; tests take ``sandbox``, which resets it first."""
    with run_sandbox(sandbox_config) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    """The module's sandbox as freshly started: initial settings, no state, zero counts."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture(scope="module")
def _module_client(sandbox_server: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.base_url, headers=sandbox_server.auth_headers) as c:
        yield c


@pytest.fixture
def client(sandbox: RunningSandbox, _module_client: httpx.Client) -> httpx.Client:
    """Sends the sandbox's token to the freshly reset ``sandbox`` (one client per module:
    building one costs ~30 ms)."""
    return _module_client


# ---------------------------------------------------------------------------------- CLI


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Cli:
    config = tmp_path_factory.mktemp("config") / "empty.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("JOBMOJITO_SYNC_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    return Cli()
