"""A faithful local JobMojito API for tests, demos and rehearsals.

The sandbox serves the three create endpoints, ``job-interview-update``,
``job-interview-token``, ``merchant-status``, ``merchant-avatar-list``,
``merchant-interview-list``, ``platform-languages-list``, ``merchant-result-list``
and ``job-interview-details`` on loopback, exactly as the vendor documents them:
bearer check (401), validation against the vendor's OpenAPI document
(``sync/jobmojito/openapi.json``, never the client's own models: 422), 404 for an
unknown ``position_def_set_id``, ``already-applied`` with the original URL for a
repeated candidate and position, deterministic decisions (``expected_decision``),
a token-bucket rate limit (429 + ``Retry-After``), and seeded faults (500, 503,
504, 546, slow answers, dropped connections, malformed JSON). It counts what it
did, so tests can prove exactly-once enrolment::

    from sync.sandbox import SandboxConfig, run_sandbox

    with run_sandbox(SandboxConfig(faults={"drop": 0.1}, seed=1)) as sandbox:
        ...  # point a client at sandbox.base_url with sandbox.auth_headers
        assert sandbox.stats()["enrolments_created"] == 3

Its candidates take their interviews within ``progress_seconds`` of enrolling
(``sync.sandbox._progress``); ``RunningSandbox.advance(seconds)`` moves the
sandbox's clock on, so tests never sleep.

Test controls over HTTP: ``GET /__sandbox/stats``, ``POST /__sandbox/reset``,
``GET|POST /__sandbox/config``, ``POST /__sandbox/faults {"next": ["drop"]}`` and
``POST /__sandbox/advance {"seconds": 3600}``.
"""

from sync.sandbox._app import SandboxApp, create_app
from sync.sandbox._config import FAULT_KINDS, SandboxConfig, config_from_flags, parse_faults
from sync.sandbox._decisions import expected_decision
from sync.sandbox._server import RunningSandbox, run_sandbox, serve
from sync.sandbox._state import SandboxState

__all__ = [
    "FAULT_KINDS",
    "RunningSandbox",
    "SandboxApp",
    "SandboxConfig",
    "SandboxState",
    "config_from_flags",
    "create_app",
    "expected_decision",
    "parse_faults",
    "run_sandbox",
    "serve",
]
