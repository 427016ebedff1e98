"""The API token: where it comes from, how it is refreshed, what to say when it is refused.

``TokenSource`` holds the token and the command that prints a fresh one
(``token_command``); ``auth_message`` is the user's message when the API
refuses it. The token never appears in a ``repr``, an exception or a log
line: it is registered with the log scrubber the moment it is known.

A token must fit an HTTP header: ``check_token`` refuses one holding a line
break, a space or a non-ASCII character up front (a token pasted with a stray
newline would otherwise end as a "network error" on every request).
"""

from __future__ import annotations

import shlex
import subprocess
from typing import TYPE_CHECKING, Any

import structlog
from pydantic import SecretStr

from sync.errors import ConfigError
from sync.redact import register_secret

if TYPE_CHECKING:
    from sync.jobmojito.retry import Reply

__all__ = ["TOKEN_COMMAND_TIMEOUT", "TokenSource", "auth_message", "check_token", "token_problem"]

log = structlog.get_logger("sync.jobmojito.tokens")

TOKEN_COMMAND_TIMEOUT = 30.0


def token_problem(token: str) -> str:
    """Why ``token`` cannot be sent in an ``Authorization`` header, or ``""`` if it can.

    A bearer token is visible ASCII (RFC 6750's token68 and every JWT are):
    never a line break, a tab, a space, a control character or a non-ASCII
    letter. The reason names the first bad character's kind and position,
    never the token itself.
    """
    for position, ch in enumerate(token, start=1):
        if ch in "\r\n":
            return f"a line break at character {position}"
        if ch in " \t":
            return f"a space or tab at character {position}"
        if not ch.isascii():
            return f"a non-ASCII character at character {position}"
        if not ch.isprintable():
            return f"a control character at character {position}"
    return ""


def check_token(token: str, source: str = "the API token") -> str:
    """``token`` without surrounding whitespace; ``ConfigError`` if it cannot be sent."""
    token = token.strip()
    problem = token_problem(token)
    if problem:
        raise ConfigError(
            f"{source} holds {problem}, which an HTTP header cannot carry; copy the token"
            " again without it (nothing was sent)"
        )
    return token


class TokenSource:
    """The API token, and the command that prints a fresh one (``token_command``).

    ``bearer()`` gives the token for one request; ``generation`` counts
    refreshes, so a 401 can be matched with the token it was sent with.
    ``refresh()`` runs the command once (no shell, 30 s timeout). The token is
    registered with the log scrubber and never shown by ``repr`` or ``str``.
    """

    def __init__(
        self,
        token: SecretStr | str | None,
        command: str | None = None,
        *,
        command_timeout: float = TOKEN_COMMAND_TIMEOUT,
    ) -> None:
        if isinstance(token, SecretStr):
            token = token.get_secret_value()
        token = check_token(token) if token and token.strip() else None
        command = (command or "").strip() or None
        if token is None and command is None:
            raise ConfigError(
                "no API token: set JOBMOJITO_TOKEN in the environment (or token_file in the"
                " config file, or token_command); nothing was sent"
            )
        self._token = token
        self._command = command
        self._timeout = command_timeout
        self.generation = 0
        register_secret(token)

    def __repr__(self) -> str:
        token = "***" if self._token else "None"
        return f"TokenSource(token={token}, command={'set' if self._command else 'None'})"

    __str__ = __repr__

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def can_refresh(self) -> bool:
        """Whether a command is configured that can print a fresh token."""
        return self._command is not None

    def bearer(self) -> str:
        """The token to send. Raises ``ConfigError`` when there is none yet."""
        if self._token is None:
            raise ConfigError("no API token: the token command has not printed one yet")
        return self._token

    def refresh(self) -> bool:
        """Run the token command once; return whether it printed a new token.

        Its stderr is never echoed (it may hold the token); a failure is logged
        with the exit status only.
        """
        if self._command is None:
            return False
        try:
            args = shlex.split(self._command)
        except ValueError:
            log.warning("token command cannot be parsed (unbalanced quotes?)")
            return False
        if not args:
            return False
        try:
            done = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=self._timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            log.warning("token command timed out", seconds=self._timeout)
            return False
        except OSError as exc:
            log.warning("token command could not run", program=args[0], error=exc.strerror)
            return False
        lines = done.stdout.strip().splitlines()
        token = lines[-1].strip() if lines else ""
        if done.returncode != 0 or not token:
            log.warning(
                "token command printed no token",
                program=args[0],
                exit_status=done.returncode,
            )
            return False
        register_secret(token)
        problem = token_problem(token)
        if problem:
            log.warning(
                "token command printed a token an HTTP header cannot carry",
                program=args[0],
                problem=problem,
            )
            return False
        if token == self._token:
            log.warning("token command printed the same token again", program=args[0])
            return False
        self._token = token
        self.generation += 1
        log.info("token refreshed by the token command", program=args[0])
        return True


def auth_message(reply: Reply[Any] | None = None, *, refreshed: bool = False) -> str:
    """The user's message for a refused token (``AuthError``)."""
    what = reply.error if reply is not None and reply.error else "401"
    again = " even after the token command printed a new one" if refreshed else ""
    return (
        f"the API refused the token ({what}){again}; nothing more was sent. Set a valid"
        " JOBMOJITO_TOKEN (access tokens expire, an hour by default) or a token_command"
        " that prints a fresh one, then run again: rows already enrolled are skipped"
    )
