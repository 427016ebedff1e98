"""``jobmojito-sync sandbox``: serve the local API simulator in the foreground."""

from __future__ import annotations

from typing import Any

import click

from sync.cli._app import cli, handle_errors


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep it a loopback one (127.0.0.1, ::1): it is for rehearsals.",
)
@click.option(
    "--port", default=8787, show_default=True, type=int, help="Port to listen on (0: any free)."
)
@click.option(
    "--token",
    default="sandbox-token",
    show_default=True,
    help="The bearer token the sandbox accepts (a test token, not a secret).",
)
@click.option("--rate", type=float, help="Server rate limit, requests per second (default: none).")
@click.option("--burst", type=int, help="Token-bucket burst size.")
@click.option(
    "--latency-ms",
    type=float,
    default=0.0,
    show_default=True,
    help="Added latency per request, in milliseconds.",
)
@click.option("--latency-jitter-ms", type=float, help="Extra uniform random latency per request.")
@click.option(
    "--faults", default="", help="Fault rates, e.g. '500=0.05,503=0.05,slow=0.02,drop=0.01'."
)
@click.option("--slow-seconds", type=float, help="How long a 'slow' answer waits (default: 5).")
@click.option("--credits", type=int, help="Monthly interview credits at start (default: 1000).")
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed gives the same faults, jitter and interview fates.",
)
@click.option(
    "--progress-seconds",
    type=float,
    help="Candidates start their interview within this many seconds of enrolling, then"
    " finish within as many more (default: 60; 0: at once).",
)
@handle_errors
def sandbox(**flags: Any) -> None:
    """Serve the local JobMojito API simulator for rehearsals (127.0.0.1 only)."""
    from sync.sandbox import config_from_flags, serve

    serve(config_from_flags(**flags))
