"""Where run options come from: config file < environment < arguments.

``resolve_options`` builds the run's ``SyncOptions`` the same way for the CLI,
the Python API (``run_sync``) and the Airflow task.

- The config file is TOML (``jobmojito-sync.toml``), named by ``--config`` or
  ``JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml`` when present. Its
  keys are the option names (``concurrency = 8``); relative paths in it are
  relative to the file's folder, so a crontab can run from anywhere.
- Environment variables are ``JOBMOJITO_<OPTION>`` (``JOBMOJITO_RATE=5``),
  read by pydantic-settings.
- Arguments (flags, keyword arguments) override both.

Every mistake names its source: ``jobmojito-sync.toml: concurrency: …``,
``environment JOBMOJITO_RATE: …``, ``--timeout: …``.

The token comes from ``JOBMOJITO_TOKEN`` or from ``token_file``, a file that
only its owner can read; it is never accepted in the config file itself.
``ledger`` and ``ledger_url`` are one setting: a layer that names either
replaces what a lower layer said of both. A password in a ledger URL is
refused in the config file (keep it in JOBMOJITO_LEDGER_URL, ~/.pgpass or
PGPASSWORD), as the token is. Globs in ``applicants``/``jobs`` with ``latest``
take the newest match, and ``out_dir`` gives a dated results file (cron).
``JOBMOJITO_WHERE`` is one condition, or a JSON list of them. ``fail_on`` not
said anywhere is ``new`` for a scheduled run (``out_dir``, the Airflow task) and
``any`` for a run by hand.
"""

from __future__ import annotations

import glob
import json
import os
import stat
import tomllib
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict

from sync.errors import ConfigError, InputError, UsageError
from sync.jobmojito.tokens import check_token
from sync.ledger.location import PostgresURL, is_postgres_url, password_refused
from sync.options import SyncOptions
from sync.text import did_you_mean

_MAX_TOKEN_FILE = 64 * 1024  # a token file holds one token; a bigger file is a mistake
CONFIG_ENV = "JOBMOJITO_SYNC_CONFIG"
DEFAULT_CONFIG = Path("jobmojito-sync.toml")
PATH_FIELDS = frozenset(
    {"applicants", "jobs", "resumes", "out", "out_dir", "ledger", "token_file", "outcomes_out",
     "questions", "positions_out"}
)  # fmt: skip
#: The options a config file, the environment and arguments may set.
FIELDS = frozenset(SyncOptions.model_fields) - {"config_file"}


class _EnvShape(SyncOptions, BaseSettings):
    """The options as pydantic-settings sees the environment (JOBMOJITO_*)."""

    model_config = SettingsConfigDict(env_prefix="JOBMOJITO_", extra="ignore", frozen=True)

    # one condition as it is written, or a JSON list of them (read_environment decodes it)
    where: Annotated[list[str], NoDecode] = []


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
            raise ConfigError(
                f"{path}: unknown option '{key}'{did_you_mean(key, sorted(FIELDS))}{hint}"
            )
        if key in ("ledger", "ledger_url") and is_postgres_url(value):
            problem = password_refused(PostgresURL(value), "the config file")
            if problem:
                raise ConfigError(f"{path}: {key}: {problem}")
            key = "ledger_url"
        elif key in PATH_FIELDS and isinstance(value, str):
            p = Path(value).expanduser()
            value = str(p if p.is_absolute() else path.parent / p)
        out[key] = value
    return out


def read_environment() -> dict[str, Any]:
    """JOBMOJITO_* options found in the environment (pydantic-settings)."""
    found = EnvSettingsSource(_EnvShape)()
    where = found.get("where")
    if isinstance(where, str) and where.lstrip().startswith("["):
        try:
            found["where"] = json.loads(where)
        except ValueError:
            raise UsageError(
                "environment JOBMOJITO_WHERE: not a JSON list of conditions"
                ' (write one condition, or ["Stage = Phone screen", "Hired is false"])'
            ) from None
    return {k: v for k, v in found.items() if k in FIELDS}


def read_token_file(path: Path) -> SecretStr:
    """The token from a file that only its owner can read."""
    path = path.expanduser()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"token_file {path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"token_file {path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise ConfigError(f"token_file {path} is a folder; name the file that holds the token")
    if not stat.S_ISREG(mode):
        raise ConfigError(
            f"token_file {path} is not a regular file; name the file holding the token"
        )
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"token_file {path} can be read by others (mode {stat.S_IMODE(mode):o});"
            f" make it private first: chmod 600 {path}"
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_TOKEN_FILE + 1)
    except OSError as exc:
        raise ConfigError(f"token_file {path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > _MAX_TOKEN_FILE:
        raise ConfigError(
            f"token_file {path} is over {_MAX_TOKEN_FILE // 1024} KB: not a token file;"
            " it must hold the token alone"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            f"token_file {path} is not UTF-8 text; it must hold the token alone, as text"
        ) from None
    token = text.strip()
    if not token:
        raise ConfigError(f"token_file {path} is empty")
    return SecretStr(check_token(token, f"token_file {path}"))


def resolve_input(pattern: Path | str, *, latest: bool, what: str) -> Path:
    """A path, or a glob: the one matching file, or with ``latest`` the newest.

    A file that exists is taken as named, whatever characters its name holds;
    ``[`` makes a glob only with ``latest`` (``export[2026].csv`` is a file name).
    """
    text = str(pattern)
    if Path(text).expanduser().exists():
        return Path(text)
    if not any(ch in text for ch in ("*?[" if latest else "*?")):
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


def resolve_options(
    arguments: Mapping[str, Any] | None = None,
    *,
    config: Path | None = None,
    now: datetime | None = None,
    scheduled: bool = False,
    require: tuple[str, ...] = ("applicants",),
) -> SyncOptions:
    """The run's options: the config file < ``JOBMOJITO_*`` environment < ``arguments``.

    ``arguments`` are the CLI's flags, ``run_sync``'s keyword arguments or the
    Airflow task's; ``None`` values count as not given. ``config`` names the
    config file (else ``$JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml``).
    ``scheduled``: the run is a scheduler's (the Airflow task), so ``fail_on``
    defaults to ``new`` as for an ``out_dir`` run. ``require`` names the options
    the command cannot do without, and the inputs whose globs it resolves:
    ``run`` the applicants (and the jobs export, if given), ``positions`` the jobs
    export; ``()`` for a command that reads no export (``outcomes``), so a config
    file's nightly glob matching nothing cannot stop it.
    """
    given = {k: v for k, v in (arguments or {}).items() if v is not None}
    unknown = set(given) - FIELDS
    if unknown:
        raise UsageError(f"unknown option(s): {', '.join(sorted(unknown))}")
    config_path = find_config(config, os.environ)
    from_file = read_config_file(config_path) if config_path else {}
    from_env = read_environment()
    given, from_env, from_file = (_ledger_spelling(x) for x in (given, from_env, from_file))
    layers = [
        ("--{flag}", given),
        ("environment JOBMOJITO_{FIELD}", from_env),
        (f"{config_path}: {{field}}", from_file),
    ]
    merged = _merge(from_file, from_env, given)
    try:
        options = SyncOptions(**merged, config_file=config_path)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            where = _source_of(field, layers) if field in merged else f"--{field.replace('_', '-')}"
            msg = str(err["msg"]).removeprefix("Value error, ")
            if field not in merged:
                msg = "required: give the flag or set it in the config file"
            problems.append(f"{where}: {msg}")
        raise UsageError("; ".join(problems)) from None
    missing = [name for name in require if getattr(options, name) is None]
    if missing:
        raise UsageError(
            "; ".join(
                f"--{name.replace('_', '-')}: required: give the flag or set it in the config file"
                for name in missing
            )
        )
    reads = {*require, "jobs"} if require else set()
    return finalise(options, now=now, scheduled=scheduled, inputs=reads)


def _ledger_spelling(layer: dict[str, Any]) -> dict[str, Any]:
    """A layer with a ``postgresql://`` value of ``ledger`` moved to ``ledger_url``."""
    if is_postgres_url(layer.get("ledger")):
        if layer.get("ledger_url") is not None:
            raise UsageError("give the ledger once: either ledger (a file or URL) or ledger_url")
        layer = {**layer, "ledger_url": SecretStr(str(layer["ledger"]))}
        del layer["ledger"]
    return layer


def _merge(*layers: dict[str, Any]) -> dict[str, Any]:
    """The layers merged, lowest first; ``ledger`` and ``ledger_url`` are one setting."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if {"ledger", "ledger_url"} & layer.keys():
            merged.pop("ledger", None)
            merged.pop("ledger_url", None)
        merged.update(layer)
    return merged


def default_fail_on(options: SyncOptions, *, scheduled: bool = False) -> Literal["new", "any"]:
    """Which problem rows make exit code 1: ``fail_on`` as given; else ``new`` for a
    nightly ``out_dir`` run or a scheduled task (a row someone has not fixed yet must
    not page them every night) and ``any`` for a run by hand."""
    if options.fail_on is not None:
        return options.fail_on
    return "new" if scheduled or options.out_dir is not None else "any"


def finalise(
    options: SyncOptions,
    *,
    now: datetime | None = None,
    scheduled: bool = False,
    inputs: Collection[str] = ("applicants", "jobs"),
) -> SyncOptions:
    """Resolve the globs of the ``inputs`` given, the dated output file, the token file
    and ``fail_on``; refuse what a shard cannot do alone."""
    if options.shard is not None:
        # Both would take the whole ledger while the group's other shards hold it.
        if options.create_positions:
            raise UsageError(
                "--create-positions with --shard: every shard would make the positions;"
                " run `jobmojito-sync positions` once before the shards start"
            )
        if options.with_outcomes:
            raise UsageError(
                "--with-outcomes with --shard: bring the outcomes back once the group's"
                " shards have finished (`jobmojito-sync outcomes`, or"
                " make_dag(shards=N, with_outcomes=True))"
            )
    update: dict[str, Any] = {"fail_on": default_fail_on(options, scheduled=scheduled)}
    for name in ("applicants", "jobs"):
        value = getattr(options, name)
        if name in inputs and value is not None:
            update[name] = resolve_input(value, latest=options.latest, what=name)
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
