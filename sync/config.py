"""Run options: one validated value object shared by the CLI, the Python API
and the Airflow helper.

Every option has a default here; the CLI and the config file only override.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

DEFAULT_BASE_URL = "https://cool.jobmojito.com/functions/v1/"


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
    timeout: float = Field(default=30.0, gt=0)  # seconds per request
    concurrency: int = Field(default=8, ge=1, le=256)
    rate: float = Field(default=10.0, gt=0)  # requests per second, a ceiling
    max_attempts: int = Field(default=6, ge=1, le=50)
    max_row_seconds: float = Field(default=300.0, gt=0)  # total retry time per row
    circuit_threshold: int = Field(default=25, ge=1)  # consecutive failures that open it
    force: bool = False  # resend candidates the ledger shows enrolled
    ignore_credits: bool = False  # go on when merchant-status says credits are short
    limit: int | None = Field(default=None, ge=1)  # only the first N planned rows are sent

    # How to talk to people.
    log_format: Literal["auto", "console", "json"] = "auto"
    progress: bool | None = None  # None: only on a terminal
    yes: bool = False  # skip the confirmation prompt

    def ledger_path(self) -> Path:
        """The ledger: --ledger; else one stable file in --out-dir (dated results
        come and go, the ledger stays); else beside the results file."""
        if self.ledger is not None:
            return self.ledger
        if self.out_dir is not None:
            return self.out_dir / "jobmojito-sync.ledger.sqlite"
        return self.out.with_name(self.out.stem + ".ledger.sqlite")
