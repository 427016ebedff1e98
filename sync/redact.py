"""Keeping secrets and personal data out of every text the tool writes.

One mechanism for every output (logs, terminal messages, the ledger, the
results sheet):

- ``register_secret(value)``: the API token (and any refreshed one) is never
  written anywhere; ``redact`` replaces it with ``***`` wherever it appears.
- ``redact(text)`` also replaces bearer-shaped credentials (``Bearer eyJ…``,
  ``token=…``) that the tool never registered, e.g. one an API error echoes,
  and whole signed URLs (``…?X-Amz-Signature=…``, ``…&sig=…``: a recording's
  short-lived link is a credential as long as it lives);
  ``redact_secrets`` only the registered ones (whole API answers, whose
  interview URLs carry a ``?token=`` of their own).
- ``mask_email(text)``: ``jane.doe@example.com`` → ``j***@example.com``, for
  logs and the terminal (the results sheet and the ledger keep e-mails: they
  are the rows' identity).
- ``scrub(text)`` = ``redact`` + ``mask_email``: what logs and messages use.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
# "Bearer <token68>", "token: <...>", "Authorization=<...>" with 12+ credential characters.
_CREDENTIAL = re.compile(
    r"(?i)\b(bearer|token|authorization)\b(\s*[:=]?\s*)(?:bearer\s+)?[\w.~+/=-]{12,}"
)
# A URL signed in its query string (S3, GCS, Azure, CloudFront): the whole URL goes.
_SIGNED_URL = re.compile(
    r"(?i)\bhttps?://[^\s\"'<>]*[?&](?:x-amz-signature|x-amz-credential|x-amz-security-token"
    r"|x-goog-signature|x-goog-credential|signature|sig|key-pair-id)=[^\s\"'<>]*"
)
REDACTED = "***"
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Never let ``value`` (the API token) reach any output."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact_secrets(text: str) -> str:
    """``text`` with every registered secret replaced by ``***`` (for whole API answers,
    whose interview URLs carry their own ``?token=`` that must survive)."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact(text: str) -> str:
    """Free text (reasons, details, messages) with registered secrets and bearer-shaped
    credentials replaced by ``***``."""
    if not text:
        return text
    text = _SIGNED_URL.sub(REDACTED, redact_secrets(text))
    return _CREDENTIAL.sub(rf"\1\2{REDACTED}", text)


def mask_email(text: str) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def scrub(text: str) -> str:
    """For logs and terminal messages: secrets redacted and e-mails masked."""
    return mask_email(redact(text))


__all__ = ["REDACTED", "mask_email", "redact", "redact_secrets", "register_secret", "scrub"]
