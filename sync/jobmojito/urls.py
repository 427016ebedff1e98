"""Where the API token may be sent: an ``http(s)`` base URL, plain ``http`` to this machine only.

``check_base_url`` is asked before a run sends anything (``sync.checks``) and
again by ``ApiClient`` when it opens: a token sent in clear across a network
is a leaked token, so ``http://`` is for the sandbox on this machine unless
``allow_insecure_http`` says the network is trusted.
"""

from __future__ import annotations

import ipaddress

import httpx

from sync.errors import ConfigError


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str, *, allow_insecure_http: bool = False) -> httpx.URL:
    """The base URL, if the token may be sent to it; ``ConfigError`` if not.

    It must be an ``http(s)`` URL with a host; ``http://`` (the token in clear)
    only to this machine (the sandbox) unless ``allow_insecure_http``.
    """
    try:
        url: httpx.URL | None = httpx.URL(base_url.strip())
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"base URL {base_url!r} is not an http(s) URL (--base-url, JOBMOJITO_BASE_URL);"
            " nothing was sent"
        )
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(url.host):
        raise ConfigError(
            f"base URL {base_url!r} is plain http to another machine: the API token would"
            " cross the network in clear. Use https://, or --allow-insecure-http if this"
            " network is trusted; nothing was sent"
        )
    return url


__all__ = ["check_base_url", "is_loopback"]
