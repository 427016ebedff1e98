"""``python -m sync.sandbox``: serve the sandbox in the foreground.

``jobmojito-sync sandbox`` calls ``serve_from_flags`` with the same options.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pydantic

from sync.errors import UsageError
from sync.sandbox._config import FAULT_KINDS, SandboxConfig, parse_faults
from sync.sandbox._server import serve


def config_from_flags(
    *,
    faults: str | None = None,
    **flags: Any,
) -> SandboxConfig:
    """Build a ``SandboxConfig`` from option values; ``None`` means the default.

    Raises ``UsageError`` with a one-line message naming the bad option.
    """
    values = {key: value for key, value in flags.items() if value is not None}
    if faults:
        values["faults"] = parse_faults(faults)
    try:
        return SandboxConfig(**values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError(problems) from None


def serve_from_flags(**flags: Any) -> None:
    """Serve until Ctrl-C with settings from CLI flags (see ``config_from_flags``)."""
    serve(config_from_flags(**flags))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync.sandbox",
        description="Serve the local JobMojito API simulator (loopback only by default).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add("--port", type=int, default=8787, help="port; 0 picks a free one (default: %(default)s)")
    add("--token", default="sandbox-token", help="bearer token accepted (default: %(default)s)")
    add("--rate", type=float, help="rate limit in requests per second (default: none)")
    add("--burst", type=int, help="token-bucket size (default: one second of --rate)")
    add("--latency-ms", type=float, default=0.0, help="fixed latency per request")
    add("--latency-jitter-ms", type=float, default=0.0, help="extra uniform random latency")
    add(
        "--faults",
        default="",
        help=f"fault rates, e.g. '500=0.05,503=0.05,slow=0.02,drop=0.01'; kinds: "
        f"{', '.join(FAULT_KINDS)}",
    )
    add("--slow-seconds", type=float, help="how long a 'slow' answer waits (default: 5)")
    add("--seed", type=int, default=0, help="seed for faults, latency and ids (default: 0)")
    add("--credits", type=int, help="monthly interview credits at start (default: 1000)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        serve_from_flags(**vars(args))
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
