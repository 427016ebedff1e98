"""Where a ledger lives: an SQLite file (a path) or a PostgreSQL database (a URL).

``--ledger`` takes either. A value that starts with ``postgresql://`` or
``postgres://`` is a PostgreSQL URL (``PostgresURL``); anything else is a file
path. A URL is held as a ``PostgresURL``, whose ``str()`` and ``repr()`` mask the
password (``postgresql://sync:***@db.internal/airflow``), so that the value can
go into a log line, a message or the results summary as it is; the URL itself
is only handed to the driver. Opening the ledger registers the password with
``sync.redact`` as well, for whatever the driver or the server might echo.

Besides libpq's own query parameters (``sslmode``, ``connect_timeout``, …) a
URL may carry ``ledger_schema=NAME``: the PostgreSQL schema that holds the
ledger's tables (default ``jobmojito_sync``), so that one database can hold
several ledgers and none of them mixes with other applications' tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from sync.errors import UsageError
from sync.redact import REDACTED

SCHEMES = ("postgresql://", "postgres://")
DEFAULT_SCHEMA = "jobmojito_sync"
SCHEMA_PARAMETER = "ledger_schema"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def is_postgres_url(value: object) -> bool:
    """``value`` names a PostgreSQL database rather than a file."""
    return isinstance(value, str | PostgresURL) and str(value).lower().startswith(SCHEMES)


def mask_url(url: str) -> str:
    """``url`` with its password (in the user info or a ``password=`` parameter) as ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    user_info, at, hosts = netloc.rpartition("@")
    if at and ":" in user_info:
        netloc = f"{user_info.partition(':')[0]}:{REDACTED}@{hosts}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k == "password" for k, _ in pairs):
            pairs = [(k, REDACTED if k == "password" else v) for k, v in pairs]
            query = urlencode(pairs, safe="*", quote_via=quote)  # libpq reads no '+'
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True, slots=True)
class PostgresURL:
    """A PostgreSQL ledger's URL; ``str()`` masks the password.

    ``conninfo`` is what the driver gets (the URL less ``ledger_schema``),
    ``schema`` the PostgreSQL schema of the ledger's tables.
    """

    url: str = field(repr=False)

    def __post_init__(self) -> None:
        if not is_postgres_url(self.url):
            raise UsageError(
                f"{mask_url(self.url)!r} is not a PostgreSQL URL; write"
                " postgresql://user@host:5432/database"
            )
        schema = self.schema
        if not _IDENTIFIER.fullmatch(schema):
            raise UsageError(
                f"ledger {self}: {SCHEMA_PARAMETER}={schema!r} is not a schema name this tool"
                " uses: lower-case letters, digits and _, starting with a letter or _"
            )

    def __str__(self) -> str:
        return mask_url(self.url)

    def __repr__(self) -> str:
        return f"PostgresURL({str(self)!r})"

    def _pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def schema(self) -> str:
        """The PostgreSQL schema holding the ledger (``ledger_schema=``, else the default)."""
        for key, value in self._pairs():
            if key == SCHEMA_PARAMETER:
                return value
        return DEFAULT_SCHEMA

    @property
    def password(self) -> str | None:
        """The password the URL carries, if any (to register it as a secret)."""
        parts = urlsplit(self.url)
        user_info, at, _ = parts.netloc.rpartition("@")
        if at and ":" in user_info:
            return unquote(user_info.partition(":")[2])
        for key, value in self._pairs():
            if key == "password":
                return value
        return None

    @property
    def conninfo(self) -> str:
        """The URL for the driver: ``ledger_schema`` is ours, not libpq's."""
        pairs = self._pairs()
        if all(k != SCHEMA_PARAMETER for k, _ in pairs):
            return self.url
        kept = [(k, v) for k, v in pairs if k != SCHEMA_PARAMETER]
        query = urlencode(kept, quote_via=quote)  # %20, never '+': libpq reads no '+'
        return urlunsplit(urlsplit(self.url)._replace(query=query))


def password_refused(url: PostgresURL, place: str) -> str | None:
    """Why ``url`` must not be given in ``place`` (a command line, a config file, a DAG):
    it carries a password. ``None`` when it carries none."""
    if url.password is None:
        return None
    return (
        f"the ledger URL {url} carries a password, which {place} must not hold; leave it"
        " out and let PostgreSQL's client find it in ~/.pgpass (or PGPASSWORD), or give"
        " the whole URL in the environment variable JOBMOJITO_LEDGER_URL"
    )


#: A ledger's location: an SQLite file, or a PostgreSQL database.
Location = Path | PostgresURL


def location(value: str | Path | PostgresURL) -> Location:
    """``value`` as a ledger location: a ``PostgresURL`` for a URL, else a ``Path``."""
    if isinstance(value, PostgresURL):
        return value
    if is_postgres_url(str(value)):
        return PostgresURL(str(value))
    if str(value).lower().startswith(("postgresql:", "postgres:")):
        raise UsageError(
            "the ledger looks like a PostgreSQL URL that lost a slash: write it"
            " postgresql://… (as text: a path turns // into /)"
        )
    return Path(value)


__all__ = [
    "DEFAULT_SCHEMA",
    "Location",
    "PostgresURL",
    "is_postgres_url",
    "location",
    "mask_url",
    "password_refused",
]
