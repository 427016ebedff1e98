"""Run options: what one run needs to know, as one validated, immutable value.

``SyncOptions`` has every option and its default. Where each value comes from
(the config file, the ``JOBMOJITO_*`` environment, the caller's arguments) is
``sync.resolve``; the CLI, ``run_sync`` and the Airflow task all build their
options with its ``resolve_options``.

The outcomes options (``with_outcomes``, ``outcomes_out``, ``changed_since``,
``details``, ``outcomes_layout``, ``outcomes_page_size``) serve ``run
--with-outcomes`` and the ``outcomes`` command alike; the latter reads no export,
so ``sync.resolve.resolve_options(..., require=())`` resolves without one (and
``positions`` with ``require=("jobs",)``: a jobs export, no applicants).

The ledger is an SQLite file (``ledger``, default beside the results) or a
PostgreSQL database (``ledger_url``); ``ledger`` given a ``postgresql://`` URL
means ``ledger_url``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sync import places
from sync.dispatch.settings import (
    DEFAULT_CIRCUIT_THRESHOLD,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_ROW_SECONDS,
    DEFAULT_RATE,
    DEFAULT_TIMEOUT,
)
from sync.errors import UsageError
from sync.ledger.location import Location, PostgresURL
from sync.mapping.conditions import parse_since, parse_where
from sync.shards import Shard, check_group

DEFAULT_BASE_URL = "https://cool.jobmojito.com/functions/v1/"
#: ``changed_since`` for "what changed since the previous outcomes run".
LAST_RUN = "last-run"
#: The outcomes import layouts: every ATS layout of ``sync.outcomes.layouts`` (a test checks).
OutcomesLayout = Literal["auto", "generic", "lever"]


class SyncOptions(BaseModel):
    """Everything one run needs to know. Immutable once built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # What to read.
    applicants: Path | None = None  # required by `run` (resolve_options' ``require``)
    jobs: Path | None = None
    mapping: str = "auto"  # a shipped mapping name, a path to a YAML file, or "auto"
    sheet: str | None = None  # applicants sheet (spreadsheets); default: first non-empty
    jobs_sheet: str | None = None
    encoding: str | None = None  # CSV encoding; default: sniffed
    delimiter: str | None = None  # CSV delimiter; default: sniffed
    resumes: Path | None = None  # folder or zip holding resume files named in the export
    latest: bool = False  # applicants/jobs may be globs: take the newest matching file
    max_input_mb: int = Field(default=256, ge=1)  # larger inputs are refused (memory)
    questions: Path | None = None  # the questions sheet: a job's own interview questions
    questions_sheet: str | None = None

    # Where values the export lacks come from (sync.mapping.sources).
    fetch_resume_urls: bool = False  # download resume links found in the export
    resume_url_rate: float = Field(default=2.0, gt=0)  # downloads per second (their own pace)
    resume_fallback: Literal["none", "profile"] = "none"  # profile: compose from profile fields
    candidate_country_from: Literal["none", "job"] = "none"  # job: the job's country stands in
    default_country: str | None = None  # ISO alpha-2 for rows no source gives a country
    position_location: str | None = None  # for rows whose export and jobs file give none
    position_country: str | None = None  # ISO alpha-2, likewise
    language: str | None = None  # interview language, likewise (after the job's country)

    # Who gets an interview (sync.mapping.select), on top of the mapping's select: section.
    # conditions every row must meet ("Current Stage = Phone screen"); one text or a list
    # (JOBMOJITO_WHERE: one condition, or a JSON list of them: sync.resolve)
    where: list[str] = []
    since: str | None = None  # application date on or after: 2026-11-01, 7d, last-run

    # What to write.
    out: Path = Path("results.xlsx")  # .xlsx or .csv
    results: Literal["problems", "selected", "all"] = "all"  # which lines the sheet shows
    # which problems make exit code 1: new ones (not reported by an earlier run) or any;
    # None until resolved (sync.resolve: new for --out-dir runs and the Airflow task)
    fail_on: Literal["new", "any"] | None = None
    out_dir: Path | None = None  # cron: results-<UTC timestamp>.xlsx in this folder
    ledger: Path | None = None  # an SQLite file; default: beside the results (see ledger_path)
    ledger_url: SecretStr | None = None  # a PostgreSQL ledger: postgresql://user@host/db
    overwrite: bool = False  # replace an existing results file (default: keep it as <stem>.N<ext>)
    # "omit" leaves the tokenised interview links (credentials) out of the results sheet
    interview_links: Literal["include", "omit"] = "include"
    positions_out: Path | None = None  # the positions sheet (see positions_path)

    # How to send.
    dry_run: bool = False
    base_url: str = DEFAULT_BASE_URL
    token: SecretStr | None = None  # from JOBMOJITO_TOKEN; never from a flag by default
    token_file: Path | None = None  # a file readable by its owner alone, holding the token
    token_command: str | None = None  # prints a fresh token (run on every refused token)
    allow_insecure_http: bool = False  # send the token over http:// to a non-loopback host
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
    shard: str | None = None  # "I/N": send only the rows whose identity hashes to shard I
    group: str | None = None  # the run group of the shards; default: derived from the inputs

    # Positions: one interview per job (`positions`, `run --create-positions`).
    create_positions: bool = False  # run: the positions step first
    template: str | None = None  # interview template, by name or id (merchant-avatar-list)
    update: bool = False  # send a changed job's changes (job-interview-update)
    # None: the mapping's value, else active / interview / merchant_invite.
    position_status: Literal["draft", "active"] | None = None
    position_type: Literal["interview", "coaching", "assessment"] | None = None
    position_visibility: (
        Literal["merchant_public", "merchant_invite", "merchant_unlisted"] | None
    ) = None

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

    @field_validator("default_country", "position_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = places.country_code(value)
        if code is None:
            raise ValueError(f"'{value}' is not a country; give an ISO code such as DE or US")
        return code

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = places.language_code(value)
        if code is None:
            shown = ", ".join(places.LANGUAGE_CODES)
            raise ValueError(f"'{value}' is not an interview language (one of {shown})")
        return code

    @field_validator("where", mode="before")
    @classmethod
    def _where(cls, value: Any) -> Any:
        texts = [value] if isinstance(value, str) else value
        if isinstance(texts, list | tuple):
            for text in texts:
                if isinstance(text, str):
                    parse_where(text)  # ValueError: the one-line reason
            return [t for t in texts if not isinstance(t, str) or t.strip()]
        return value

    @field_validator("since")
    @classmethod
    def _applied_since(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return parse_since(value)

    @field_validator("position_location")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("shard")
    @classmethod
    def _shard(cls, value: str | None) -> str | None:
        if value is None or not str(value).strip():
            return None
        return str(Shard.parse(value))

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if "shard" in info.data and info.data["shard"] is None:
            raise ValueError("a run group is for sharded runs: give --shard I/N too")
        return check_group(value)

    def shard_of_run(self) -> Shard | None:
        """The shard this run sends (``shard``), or ``None`` for every row."""
        return Shard.parse(self.shard) if self.shard is not None else None

    @field_validator("ledger_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                PostgresURL(value.get_secret_value())
            except UsageError as exc:
                raise PydanticCustomError("ledger_url", str(exc).replace("{", "{{")) from None
        return value

    @field_validator("ledger")
    @classmethod
    def _file_not_url(cls, value: Path | None) -> Path | None:
        if value is not None and str(value).lower().startswith(("postgresql:", "postgres:")):
            raise PydanticCustomError(
                "ledger_path",
                "this looks like a PostgreSQL URL that lost a slash: write postgresql://…"
                " (as text: a path turns // into /)",
            )
        return value

    def ledger_location(self) -> Location:
        """Where the ledger is: the PostgreSQL database of ``ledger_url``, else the
        SQLite file of ``ledger_path``."""
        if self.ledger_url is not None:
            return PostgresURL(self.ledger_url.get_secret_value())
        return self.ledger_path()

    def ledger_path(self) -> Path:
        """The ledger: --ledger; else one stable file in --out-dir (dated results
        come and go, the ledger stays); else beside the results file."""
        if self.ledger is not None:
            return self.ledger
        if self.out_dir is not None:
            return self.out_dir / "jobmojito-sync.ledger.sqlite"
        return self.out.with_name(self.out.stem + ".ledger.sqlite")

    def positions_path(self) -> Path:
        """The positions sheet: --positions-out; else ``<out>.positions.xlsx`` beside the
        results (the same suffix)."""
        if self.positions_out is not None:
            return self.positions_out
        return self.out.with_name(f"{self.out.stem}.positions{self.out.suffix}")
