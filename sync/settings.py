"""Where run options come from: config file < environment < flags.

- The config file is TOML (``jobmojito-sync.toml``), named by ``--config`` or
  ``JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml`` when present. Its
  keys are the option names (``concurrency = 8``); relative paths in it are
  relative to the file's folder, so a crontab can run from anywhere.
- Environment variables are ``JOBMOJITO_<OPTION>`` (``JOBMOJITO_RATE=5``),
  read by pydantic-settings.
- Flags override both.

Every mistake names its source: ``jobmojito-sync.toml: concurrency: …``,
``environment JOBMOJITO_RATE: …``, ``--timeout: …``.

The token comes from ``JOBMOJITO_TOKEN`` or from ``token_file``, a file that
only its owner can read; it is never accepted in the config file itself.
Globs in ``applicants``/``jobs`` with ``latest`` take the newest match, and
``out_dir`` gives a dated results file (cron).
"""

from __future__ import annotations

import difflib
import glob
import os
import stat
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from sync.config import SyncOptions
from sync.errors import ConfigError, InputError, UsageError

CONFIG_ENV = "JOBMOJITO_SYNC_CONFIG"
DEFAULT_CONFIG = Path("jobmojito-sync.toml")
PATH_FIELDS = frozenset({"applicants", "jobs", "resumes", "out", "out_dir", "ledger", "token_file"})
FIELDS = frozenset(SyncOptions.model_fields)


class _EnvShape(SyncOptions, BaseSettings):
    """The options as pydantic-settings sees the environment (JOBMOJITO_*)."""

    model_config = SettingsConfigDict(env_prefix="JOBMOJITO_", extra="ignore", frozen=True)


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, sorted(FIELDS), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def find_config(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        return explicit
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The config file's options, paths made relative to its folder."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file must be UTF-8 text") from None
    if "token" in data:
        raise ConfigError(
            f"{path}: 'token' is not allowed in the config file (it would be one copy too"
            " many of a secret); set JOBMOJITO_TOKEN, or token_file = a file only you can read"
        )
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in FIELDS:
            hint = ""
            if isinstance(value, dict):
                hint = " (it is a table; options go at the top level)"
            raise ConfigError(f"{path}: unknown option '{key}'{_suggest(key)}{hint}")
        if key in PATH_FIELDS and isinstance(value, str):
            p = Path(value).expanduser()
            value = str(p if p.is_absolute() else path.parent / p)
        out[key] = value
    return out


def read_environment() -> dict[str, Any]:
    """JOBMOJITO_* options found in the environment (pydantic-settings)."""
    found = EnvSettingsSource(_EnvShape)()
    return {k: v for k, v in found.items() if k in FIELDS}


def read_token_file(path: Path) -> SecretStr:
    """The token from a file that only its owner can read."""
    path = path.expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"token_file {path}: no such file") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"token_file {path} can be read by others (mode {stat.S_IMODE(mode):o});"
            f" make it private first: chmod 600 {path}"
        )
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise ConfigError(f"token_file {path} is empty")
    return SecretStr(token)


def resolve_input(pattern: Path | str, *, latest: bool, what: str) -> Path:
    """A path, or a glob with ``latest``: the newest matching file."""
    text = str(pattern)
    if not any(ch in text for ch in "*?["):
        return Path(text)
    expanded = str(Path(text).expanduser())
    matches = [Path(m) for m in glob.glob(expanded) if Path(m).is_file()]  # noqa: PTH207
    if not matches:
        raise InputError(f"{what} '{text}': no file matches")
    if len(matches) > 1 and not latest:
        names = ", ".join(sorted(m.name for m in matches)[:5])
        raise UsageError(
            f"{what} '{text}' matches {len(matches)} files ({names}…); add --latest to take"
            " the newest, or name one file"
        )
    return max(matches, key=lambda m: (m.stat().st_mtime, m.name))


def _source_of(field: str, layers: list[tuple[str, dict[str, Any]]]) -> str:
    for label, values in layers:
        if field in values:
            return label.format(field=field, FIELD=field.upper(), flag=field.replace("_", "-"))
    return field


def load_options(
    flags: Mapping[str, Any] | None = None,
    *,
    config: Path | None = None,
    now: datetime | None = None,
) -> SyncOptions:
    """Build the run's options from the config file, the environment and flags."""
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    unknown = set(given) - FIELDS
    if unknown:
        raise UsageError(f"unknown option(s): {', '.join(sorted(unknown))}")
    config_path = find_config(config, os.environ)
    from_file = read_config_file(config_path) if config_path else {}
    from_env = read_environment()
    layers = [
        ("--{flag}", given),
        ("environment JOBMOJITO_{FIELD}", from_env),
        (f"{config_path}: {{field}}", from_file),
    ]
    merged: dict[str, Any] = {**from_file, **from_env, **given}
    try:
        options = SyncOptions(**merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            where = _source_of(field, layers) if field in merged else f"--{field.replace('_', '-')}"
            msg = err["msg"]
            if field not in merged:
                msg = "required: give the flag or set it in the config file"
            problems.append(f"{where}: {msg}")
        raise UsageError("; ".join(problems)) from None
    return finalise(options, now=now)


def finalise(options: SyncOptions, *, now: datetime | None = None) -> SyncOptions:
    """Resolve globs, the dated output file and the token file."""
    update: dict[str, Any] = {
        "applicants": resolve_input(options.applicants, latest=options.latest, what="applicants")
    }
    if options.jobs is not None:
        update["jobs"] = resolve_input(options.jobs, latest=options.latest, what="jobs")
    if options.out_dir is not None:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        suffix = options.out.suffix if options.out.suffix in (".xlsx", ".csv") else ".xlsx"
        out = options.out_dir / f"results-{stamp}{suffix}"
        n = 1
        while out.exists():  # two runs in the same second never overwrite each other
            n += 1
            out = options.out_dir / f"results-{stamp}-{n}{suffix}"
        update["out"] = out
    if options.token is None and options.token_file is not None:
        update["token"] = read_token_file(options.token_file)
    return options.model_copy(update=update)
