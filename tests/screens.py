"""Running the real CLI as a person would: on a pseudo-terminal, through pipes, with no
terminal at all; and reading the screen it leaves (pyte, a VT100 emulator).

Not a test module: the helpers the terminal tests share.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pyte

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "terminal-test-token-5c1e"
PYTHON = sys.executable
HEADER = ["candidate_name", "candidate_email", "candidate_country_code", "candidate_resume",
          "position_name", "position_location", "position_country_code",
          "mojito_language_code"]  # fmt: skip


def environment(**extra: str) -> dict[str, str]:
    """The CLI's environment: this checkout's sync, the sandbox's token, no JOBMOJITO_*."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("JOBMOJITO", "COLUMNS"))}
    base.update({"JOBMOJITO_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), "TERM": "xterm", **extra})
    return base


def write_applicants(path: Path, rows: list[tuple[str, str]]) -> Path:
    """An applicants CSV in the generic layout: one row per (name, e-mail)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for name, email in rows:
            writer.writerow([name, email, "PT", f"CV of {name}", "Analyst", "Lisbon", "PT", "en"])
    return path


def people(n: int, *, start: int = 0) -> list[tuple[str, str]]:
    return [(f"Person {i:02d}", f"person{i:02d}@example.com") for i in range(start, start + n)]


@dataclass
class Session:
    """What a terminal showed: the raw bytes, the screen, the exit code, whether it asked."""

    raw: bytes
    code: int | None
    asked: bool
    width: int

    @property
    def screen(self) -> str:
        """The text a person reads, as a VT100 terminal of this width draws it."""
        return render(self.raw, self.width)


def render(raw: bytes, width: int, height: int = 400) -> str:
    screen = pyte.Screen(width, height)
    pyte.ByteStream(screen).feed(raw)
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def on_terminal(
    command: str,
    cwd: Path,
    *,
    answer: str | None = None,
    width: int = 100,
    env: dict[str, str] | None = None,
    interrupt_after: bytes | None = None,
    timeout: float = 90,
) -> Session:
    """Run ``command`` (a bash command line: pipes allowed, pipefail on) on a new
    pseudo-terminal that is its controlling terminal; type ``answer`` at ``[y/N]``,
    or Ctrl-C once ``interrupt_after`` shows."""
    child = pexpect.spawn(
        "bash",
        ["-c", f"set -o pipefail; {command}"],
        cwd=str(cwd),
        env=env or environment(),
        dimensions=(60, width),
        timeout=timeout,
    )
    raw = b""
    asked = False
    patterns: list[object] = [pexpect.EOF]
    if answer is not None:
        patterns.append(re.escape(b"[y/N]: "))
    if interrupt_after is not None:
        patterns.append(re.escape(interrupt_after))
    while True:
        index = child.expect(patterns)
        raw += child.before + (child.after if isinstance(child.after, bytes) else b"")
        if index == 0:
            break
        if patterns[index] == re.escape(b"[y/N]: "):
            asked = True
            child.sendline(answer or "")
        else:
            child.sendintr()
        patterns.pop(index)
    child.close()
    return Session(raw, child.exitstatus, asked, width)


def without_terminal(
    args: list[str], cwd: Path, *, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    """The CLI with no terminal at all, as cron runs it: a new session, no controlling
    terminal, stdin from /dev/null (or the text ``stdin``), output to pipes."""
    return subprocess.run(
        [PYTHON, "-m", "sync", *args],
        cwd=cwd,
        env=environment(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        start_new_session=True,
    )


def cli(*args: str) -> str:
    """``python -m sync <args>`` as a bash word list."""
    return " ".join([PYTHON, "-m", "sync", *(f"'{a}'" for a in args)])
