"""Choosing the interview template: ``--template NAME|ID`` against ``merchant-avatar-list``.

Every interview is based on a template (the avatar and voice);
``job-interview-create`` requires its id. ``choose_template`` picks it from
the merchant's templates: by id, by name (ignoring case), or, when none is
named, the one active template if there is exactly one. Anything else is a
``ConfigError`` listing what there is (``jobmojito-sync templates`` prints it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sync.errors import ConfigError
from sync.jobmojito.models import AvatarTemplate
from sync.text import did_you_mean

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LISTED = 8  # templates named in a message, at most


def looks_like_id(text: str) -> bool:
    """Whether ``--template`` gave an id (a UUID) rather than a name."""
    return bool(_UUID.match(text.strip()))


def describe(template: AvatarTemplate) -> str:
    """``'Emma' (baa3bf7c-…)``: how a message names a template."""
    return f"'{template.name or '(no name)'}' ({template.id})"


def choose_template(wanted: str | None, templates: Sequence[AvatarTemplate]) -> AvatarTemplate:
    """The template ``wanted`` names (an id or a name), or the only active one.

    ConfigError, naming the templates there are, when it names none, several, or
    is not given and the merchant has more than one active template.
    """
    active = [t for t in templates if (t.status or "active") == "active"]
    if wanted is None or not wanted.strip():
        if len(active) == 1:
            return active[0]
        if not active:
            raise ConfigError(
                "the account has no active interview template (merchant-avatar-list);"
                " make one in the JobMojito admin app, then give it with --template"
            )
        raise ConfigError(
            f"the account has {len(active)} active interview templates; choose one with"
            f" --template NAME|ID: {_listing(active)}"
        )
    text = wanted.strip()
    if looks_like_id(text):
        for template in templates:
            if template.id.lower() == text.lower():
                return template
        raise ConfigError(
            f"--template {text}: no interview template has this id; there are"
            f" {_listing(active or templates)}"
        )
    named = [t for t in templates if (t.name or "").strip().casefold() == text.casefold()]
    if len(named) > 1:
        preferred = [t for t in named if t in active]
        if len(preferred) == 1:
            return preferred[0]
        raise ConfigError(
            f"--template {text!r}: {len(named)} templates have this name ({_listing(named)});"
            " give the id instead"
        )
    if named:
        return named[0]
    names = [t.name for t in templates if t.name]
    raise ConfigError(
        f"--template {text!r}: no interview template has this name"
        f"{did_you_mean(text, names, quote=chr(39))}; there are {_listing(active or templates)}"
    )


def _listing(templates: Sequence[AvatarTemplate]) -> str:
    shown = ", ".join(describe(t) for t in templates[:_LISTED])
    more = f" and {len(templates) - _LISTED} more" if len(templates) > _LISTED else ""
    return (shown + more) or "none"


__all__ = ["choose_template", "describe", "looks_like_id"]
