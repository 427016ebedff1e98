"""What the test modules share, as plain functions; ``conftest.py`` builds its fixtures on them.

- payloads: ``candidate``, ``interview``, ``from_array`` — valid request bodies with one
  set of defaults; ``...`` for a key removes it, any other value (``None`` too) is sent;
  ``merchant_status``, an answer of that endpoint, likewise.
- ``readme_section``: a section of README.md, for tests that hold code to its docs.
- exports: ``write_export`` writes a header and rows as CSV or XLSX (by suffix);
  ``write_applicants`` a generic-mapping applicants export; ``read_sheet`` reads a
  results sheet back (CSV or XLSX) without the code under test.
- the CLI in-process: ``Cli`` (conftest's ``cli`` fixture makes one per test).
- the real process: ``run_process`` runs ``python -m sync`` (``sync_command``) as cron
  would, and ``process_env`` is the environment a real process gets: this checkout's
  ``sync`` first on the path, no ``JOBMOJITO_*`` from outside.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import structlog
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


def readme_section(title: str) -> str:
    """The text of README.md's ``## title`` section, up to the next ``## ``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", readme, re.S | re.M)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


# ----------------------------------------------------------------------------- payloads

#: The default candidate's e-mail (the sandbox's decision for it is ``expected_decision(EMAIL)``).
EMAIL = "ana@example.com"
TEMPLATE_ID = "baa3bf7c-6926-46fd-9005-16738a31f72d"
#: The three create endpoints, as the sandbox and the vendor's document name them.
CANDIDATE = "job-interview-create-for-candidate-with-token"
CREATE = "job-interview-create"
FROM_ARRAY = "job-interview-create-from-array"


def _body(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    body = {**base, **changes}
    return {key: value for key, value in body.items() if value is not ...}


def candidate(email: str = EMAIL, /, **changes: Any) -> dict[str, Any]:
    """A valid for-candidate-with-token body; ``field=...`` removes a key."""
    base: dict[str, Any] = {
        "candidate_name": "Ana Silva",
        "candidate_email": email,
        "candidate_country_code": "PT",
        "candidate_resume": "CV text: Python, SQL.",
        "position_name": "Backend Engineer",
        "position_location": "Berlin",
        "position_country_code": "DE",
        "mojito_language_code": "en",
    }
    return _body(base, changes)


def interview(**changes: Any) -> dict[str, Any]:
    """A valid job-interview-create body; ``field=...`` removes a key."""
    base: dict[str, Any] = {
        "name": "Project manager",
        "location": "remote",
        "interview_template_id": TEMPLATE_ID,
        "mojito_language_code": "en",
        "status": "active",
        "type": "interview",
        "visibility": "merchant_public",
    }
    return _body(base, changes)


def from_array(**changes: Any) -> dict[str, Any]:
    """A valid job-interview-create-from-array body; ``field=...`` removes a key."""
    base = interview(
        description="Customer support screening",
        questions=[{"question": "Tell me about a hard customer."}],
    )
    return _body(base, changes)


def merchant_status(**changes: Any) -> dict[str, Any]:
    """A merchant-status answer as the API documents it: a Growth plan with 120 monthly
    credits and 480 invitations left; ``field=...`` removes a key."""
    base: dict[str, Any] = {
        "profile_id": "u-1",
        "default_merchant_id": "m-1",
        "merchant_id": "m-1",
        "credits_interview_monthly": 120,
        "credits_interview_monthly_limit": 200,
        "credits_interview_extra": 0,
        "credits_interview_single": 0,
        "definitions_active": 4,
        "interviews_without_credits": 0,
        "interviews_undecided": 0,
        "interviews_ongoing": 0,
        "interview_results": 0,
        "candidates": 0,
        "candidates_history": [0] * 14,
        "interview_result_history": [0] * 14,
        "subscription_type": "Growth",
        "subscription_status": "active",
        "invitations_sent": 20,
        "invitations_limit": 500,
        "invitations_available": 480,
    }
    return _body(base, changes)


# ------------------------------------------------------------------------------ exports

#: The generic mapping's columns: the payload fields themselves.
APPLICANT_COLUMNS = [
    "candidate_name",
    "candidate_email",
    "candidate_country_code",
    "candidate_resume",
    "position_name",
    "position_location",
    "position_country_code",
    "mojito_language_code",
]


def write_export(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """``header`` then ``rows`` as a real .csv (UTF-8) or .xlsx file (openpyxl); returns path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def applicant(name: str, email: str, position: tuple[str, str, str] | None = None) -> list[str]:
    """One generic-mapping row: a PT candidate with a resume, for ``position``
    (name, location, country; default Analyst in Lisbon)."""
    job = position or ("Analyst", "Lisbon", "PT")
    return [name, email, "PT", f"Resume of {name}\nPython, SQL", *job, "en"]


def write_applicants(path: Path, n: int = 0, *, names: Sequence[str] = (), bad: int = 0) -> Path:
    """A generic-mapping applicants export: ``n`` numbered people (personNNN@, every
    other one for a Berlin job), then ``names`` (name.lower()@), then ``bad`` rows
    whose e-mail is invalid."""
    rows = [
        applicant(
            f"Person {i:03d}",
            f"person{i:03d}@example.com",
            ("Backend Engineer", "Berlin", "DE") if i % 2 else None,
        )
        for i in range(n)
    ]
    rows += [applicant(name, f"{name.lower()}@example.com") for name in names]
    rows += [applicant(f"Bad {i}", f"bad{i}@") for i in range(bad)]
    return write_export(path, APPLICANT_COLUMNS, rows)


def write_config(folder: Path, text: str) -> Path:
    """``text`` as the config file found in ``folder`` (``./jobmojito-sync.toml``)."""
    path = folder / "jobmojito-sync.toml"
    path.write_text(text)
    return path


def pdf_page(content: str) -> bytes:
    """A real one-page PDF (Helvetica) whose page is the ``content`` stream, offsets
    computed; the stream's text is Latin-1."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_pdf(*lines: str) -> bytes:
    """A real one-page PDF with a text layer: ``lines``, one under another."""
    escaped = (line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines)
    return pdf_page("BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({t}) '" for t in escaped) + " ET")


def read_sheet(path: Path) -> list[dict[str, str]]:
    """A results sheet's lines as text by column (CSV with its BOM, or the XLSX's
    Results sheet), read with csv/openpyxl rather than the code under test."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    book = load_workbook(path, read_only=True)
    try:
        cells = [
            ["" if c is None else str(c) for c in r]
            for r in book["Results"].iter_rows(values_only=True)
        ]
    finally:
        book.close()
    return [dict(zip(cells[0], r, strict=True)) for r in cells[1:]]


# ---------------------------------------------------------------------------------- CLI


class Cli:
    """``cli("run", "--dry-run", ...)``: ``jobmojito-sync`` in this process.

    ``env`` adds variables for one call (``None`` removes one). stdin is empty and
    nothing is a terminal, as under cron; the result's ``stdout`` and ``stderr`` are
    apart. structlog is reset after each call (the CLI configured it to write to the
    runner's stream, closed by then). conftest's ``cli`` fixture also gives it the
    test's ``tmp_path`` as working folder and an empty ``JOBMOJITO_SYNC_CONFIG``.
    """

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self, *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        from sync.cli import cli  # the CLI's modules load on first use

        try:
            result = self.runner.invoke(
                cli, list(args), env=dict(env or {}), input=input, prog_name="jobmojito-sync"
            )
        finally:
            structlog.reset_defaults()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a crash is not "exit 1"
        return result


# -------------------------------------------------------------------------- the process


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a real ``jobmojito-sync`` process: this checkout's ``sync``
    first on the path (not whatever an editable install points at), no
    ``JOBMOJITO_*`` from the developer's shell; ``extra`` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMOJITO_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def sync_command(*args: str) -> list[str]:
    """``python -m sync ARGS`` with this interpreter."""
    return [sys.executable, "-m", "sync", *args]


def run_process(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real CLI with no terminal (stdin, stdout and stderr are not TTYs: cron)."""
    return run_command(sync_command(*args), cwd=cwd, env=env, timeout=timeout)


def run_command(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``command`` with no terminal, its output captured as text; ``env`` defaults to
    ``process_env()``."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env if env is not None else process_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
