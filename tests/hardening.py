"""Helpers of the hardening tests (issue 13): the real CLI in a child process under a
memory cap, exports written by the tests, and the sandbox's counters."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from helpers import process_env, run_command

from sync.sandbox import RunningSandbox

TOKEN = "hardening-token-9c41e7"
HEADER = ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
          "position_name", "position_location", "position_country_code",
          "mojito_language_code"]  # fmt: skip
MEMORY_CAP = 2 * 2**30  # address space of the CLI child: a regression fails, the machine is fine

# The child sets its own memory cap, then runs `python -m sync` as the console would.
_CAPPED = (
    "import resource, runpy, sys;"
    "cap = int(sys.argv.pop(1));"
    "resource.setrlimit(resource.RLIMIT_AS, (cap, cap));"
    "sys.argv[0] = 'jobmojito-sync';"
    "runpy.run_module('sync', run_name='__main__', alter_sys=True)"
)


def env(**extra: str) -> dict[str, str]:
    """``process_env`` with the hardening tests' token (``extra`` on top)."""
    return process_env(**{"JOBMOJITO_TOKEN": TOKEN, **extra})


def command(*args: str, cap: int = MEMORY_CAP) -> list[str]:
    return [sys.executable, "-c", _CAPPED, str(cap), *args]


def cli(
    *args: str,
    cwd: Path,
    environ: dict[str, str] | None = None,
    cap: int = MEMORY_CAP,
    wrap: list[str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real CLI with no terminal, under a memory cap; ``wrap`` goes before it
    (``unshare`` for a mount of its own)."""
    return run_command(
        [*(wrap or []), *command(*args, cap=cap)],
        cwd=cwd,
        env=environ if environ is not None else env(),
        timeout=timeout,
    )


def write_applicants(path: Path, names: list[str], *, resume: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for name in names:
            email = f"{name.lower()}@example.com"
            cv = resume if resume is not None else f"CV of {name}"
            writer.writerow([name, email, "PT", cv, "Analyst", "Lisbon", "PT", "en"])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def creates(sb: RunningSandbox) -> int:
    by_endpoint = sb.stats()["by_endpoint"]
    return sum(v for k, v in by_endpoint.items() if k.startswith("job-interview-create"))


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The ``Error: …`` line of a failed run; asserts it is the only thing said and no bug."""
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, done.stderr[-3000:]
    assert "Internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    return errors[0]


def as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def mount_wrapper(script: str) -> list[str]:
    """Run the CLI in a mount namespace of its own after ``script`` (root only): the
    mounts vanish with the process, whatever happens to the test."""
    return ["unshare", "-m", "sh", "-c", f'{script} && exec "$@"', "sh"]


def can_mount() -> bool:
    if not as_root():
        return False
    try:
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
