"""Run options: what one run needs to know, and where each value comes from.

``SyncOptions`` is one validated, immutable value object; every option has its
default here. ``resolve_options`` builds it the same way for the CLI, the
Python API (``run_sync``) and the Airflow task: config file < environment <
explicit arguments.

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

The outcomes options (``with_outcomes``, ``outcomes_out``, ``changed_since``,
``details``, ``outcomes_layout``, ``outcomes_page_size``) serve ``run
--with-outcomes`` and the ``outcomes`` command alike; the latter reads no export,
so ``resolve_options(..., applicants_required=False)`` resolves without one.
"""

from __future__ import annotations

import glob
import os
import stat
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict

from sync.dispatch.settings import (
    DEFAULT_CIRCUIT_THRESHOLD,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_ROW_SECONDS,
    DEFAULT_RATE,
    DEFAULT_TIMEOUT,
)
from sync.errors import ConfigError, InputError, UsageError
from sync.text import did_you_mean

DEFAULT_BASE_URL = "https://cool.jobmojito.com/functions/v1/"
#: ``changed_since`` for "what changed since the previous outcomes run".
LAST_RUN = "last-run"
#: The outcomes import layouts: every ATS layout of ``sync.outcomes.layouts`` (a test checks).
OutcomesLayout = Literal["auto", "generic", "lever"]


class SyncOptions(BaseModel):
    """Everything one run needs to know. Immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # What to read.
    applicants: Path
    jobs: Path | None = None
    mapping: str = "auto"  # a shipped mapping name, a path to a YAML file, or "auto"
    sheet: str | None = None  # applicants sheet (spreadsheets); default: first non-empty
    jobs_sheet: str | None = None
    encoding: str | None = None  # CSV encoding; default: sniffed
    delimiter: str | None = None  # CSV delimiter; default: sniffed
    resumes: Path | None = None  # folder or zip holding resume files named in the export
    latest: bool = False  # applicants/jobs may be globs: take the newest matching file

    # What to write.
    out: Path = Path("results.xlsx")  # .xlsx or .csv
    out_dir: Path | None = None  # cron: results-<UTC timestamp>.xlsx in this folder
    ledger: Path | None = None  # default: beside the results (see ledger_path)

    # How to send.
    dry_run: bool = False
    base_url: str = DEFAULT_BASE_URL
    token: SecretStr | None = None  # from JOBMOJITO_TOKEN; never from a flag by default
    token_file: Path | None = None  # a file readable by its owner alone, holding the token
    token_command: str | None = None  # prints a fresh token (used once on a 401)
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)  # seconds per request
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=256)
    rate: float = Field(default=DEFAULT_RATE, gt=0)  # requests per second, a ceiling
    max_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS, ge=1, le=50)
    # total retry time per row
    max_row_seconds: float = Field(default=DEFAULT_MAX_ROW_SECONDS, gt=0)
    # consecutive failures that open it
    circuit_threshold: int = Field(default=DEFAULT_CIRCUIT_THRESHOLD, ge=1)
    force: bool = False  # resend candidates the ledger shows enrolled
    ignore_credits: bool = False  # go on when merchant-status says credits are short
    limit: int | None = Field(default=None, ge=1)  # only the first N planned rows are sent

    # Outcomes back (the ``outcomes`` command, and ``run --with-outcomes``).
    with_outcomes: bool = False  # after the run, bring the interview outcomes back
    outcomes_out: Path | None = None  # .xlsx or .csv; default: <out stem>.outcomes<suffix>
    changed_since: str | None = None  # "last-run" or an ISO 8601 date/time: only changes
    details: bool = False  # add the AI assessment of completed interviews
    outcomes_layout: OutcomesLayout = "auto"  # or generic, or an ATS's (sync.outcomes.layouts)
    outcomes_page_size: int = Field(default=1000, ge=1, le=1000)  # results per page

    # How to talk to people. log_format is applied by the entry points (CLI, Airflow
    # task, demo); run_sync called from a script leaves the caller's logging alone.
    log_format: Literal["auto", "console", "json"] = "auto"
    progress: bool | None = None  # None: only on a terminal
    yes: bool = False  # skip the confirmation prompt

    # Set by resolve_options: the config file the options were read from.
    config_file: Path | None = None

    @field_validator("changed_since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in (LAST_RUN, "last_run"):
            return None if value is None else LAST_RUN
        try:
            datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{value!r}: give {LAST_RUN} or a date or time such as 2026-11-01 or"
                " 2026-11-01T06:00:00Z"
            ) from None
        return value.strip()

    @field_validator("outcomes_out")
    @classmethod
    def _outcomes_file(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in (".xlsx", ".csv"):
            raise ValueError(f"{value}: the outcomes file must end in .xlsx or .csv")
        return value

    def outcomes_path(self) -> Path:
        """The outcomes sheet: --outcomes-out (``outcomes --out``), else beside the results
        as ``<stem>.outcomes.xlsx`` (``results.outcomes.xlsx``)."""
        if self.outcomes_out is not None:
            return self.outcomes_out
        return self.out.with_name(f"{self.out.stem}.outcomes{self.out.suffix}")

    def ledger_path(self) -> Path:
        """The ledger: --ledger; else one stable file in --out-dir (dated results
        come and go, the ledger stays); else beside the results file."""
        if self.ledger is not None:
            return self.ledger
        if self.out_dir is not None:
            return self.out_dir / "jobmojito-sync.ledger.sqlite"
        return self.out.with_name(self.out.stem + ".ledger.sqlite")


CONFIG_ENV = "JOBMOJITO_SYNC_CONFIG"
DEFAULT_CONFIG = Path("jobmojito-sync.toml")
PATH_FIELDS = frozenset(
    {"applicants", "jobs", "resumes", "out", "out_dir", "ledger", "token_file", "outcomes_out"}
)
#: The options a config file, the environment and arguments may set.
FIELDS = frozenset(SyncOptions.model_fields) - {"config_file"}


class _EnvShape(SyncOptions, BaseSettings):
    """The options as pydantic-settings sees the environment (JOBMOJITO_*)."""

    model_config = SettingsConfigDict(env_prefix="JOBMOJITO_", extra="ignore", frozen=True)


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


def resolve_options(
    arguments: Mapping[str, Any] | None = None,
    *,
    config: Path | None = None,
    now: datetime | None = None,
    applicants_required: bool = True,
) -> SyncOptions:
    """The run's options: the config file < ``JOBMOJITO_*`` environment < ``arguments``.

    ``arguments`` are the CLI's flags, ``run_sync``'s keyword arguments or the
    Airflow task's; ``None`` values count as not given. ``config`` names the
    config file (else ``$JOBMOJITO_SYNC_CONFIG``, else ``./jobmojito-sync.toml``).
    ``applicants_required=False`` (the ``outcomes`` command, which reads no
    export) neither requires ``applicants`` nor resolves its glob.
    """
    given = {k: v for k, v in (arguments or {}).items() if v is not None}
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
    if not applicants_required:
        merged.setdefault("applicants", Path())  # read by nothing: the command reads no export
    try:
        options = SyncOptions(**merged, config_file=config_path)
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
    return finalise(options, now=now, inputs=applicants_required)


def finalise(
    options: SyncOptions, *, now: datetime | None = None, inputs: bool = True
) -> SyncOptions:
    """Resolve globs (``inputs``), the dated output file and the token file."""
    update: dict[str, Any] = {}
    if inputs:
        update["applicants"] = resolve_input(
            options.applicants, latest=options.latest, what="applicants"
        )
    if inputs and options.jobs is not None:
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
