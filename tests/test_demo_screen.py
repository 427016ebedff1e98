"""``make demo`` at a terminal shows the manual run's screens: a golden screen capture.

The demo runs on a 100-column pseudo-terminal; pyte draws the screen it leaves,
and that text, with what changes from run to run masked (run ids, rates, times),
must equal ``tests/golden/demo_screen.txt``. After a deliberate change of the
screens, ``UPDATE_GOLDEN=1 pytest tests/test_demo_screen.py`` writes it anew
(then read the diff before committing it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from screens import PYTHON, on_terminal

GOLDEN = Path(__file__).parent / "golden" / "demo_screen.txt"
MASKS = (
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{4}"), "<run id>"),
    (re.compile(r"\d+\.\d rows/s"), "<rate> rows/s"),
    (re.compile(r"(?:-:--:--|\d+:\d\d:\d\d)"), "<time>"),
    (re.compile(r"━+"), "━━━"),  # the bar's length follows the width the rate takes
)


def masked(screen: str) -> str:
    for pattern, mask in MASKS:
        screen = pattern.sub(mask, screen)
    return "\n".join(line.rstrip() for line in screen.splitlines()) + "\n"


@pytest.mark.slow
class TestDemoAtATerminal:
    """The demo's screen: preview, problems by cause, one progress bar, the outcome table,
    the headline, the sheet, and the second run skipping everyone; no log line, no dict."""

    def test_golden_screen(self, tmp_path: Path) -> None:
        session = on_terminal(f"{PYTHON} -m sync.demo", tmp_path)
        screen = masked(session.screen)
        if os.environ.get("UPDATE_GOLDEN") == "1":
            GOLDEN.parent.mkdir(exist_ok=True)
            GOLDEN.write_text(screen, encoding="utf-8")
        assert session.code == 0, session.screen
        assert screen == GOLDEN.read_text(encoding="utf-8")

    def test_what_the_screen_must_hold(self, tmp_path: Path) -> None:
        """The golden file's essentials, said once more in words."""
        text = GOLDEN.read_text(encoding="utf-8")
        assert text.count("sending ━") == 1  # one bar, drawn in place
        assert "32/32" in text
        assert "[info" not in text and "{'" not in text  # no log lines, no raw dict
        assert "32 sent: 20 accepted by the AI, 5 wait for a recruiter, 7 rejected by the AI;" in (
            text
        )
        assert "1 row: candidate_email is not a valid e-mail address (row 32)" in text
        assert "second run: nothing sent; 32 enrolled by an earlier run (skipped)" in text
        assert "32 lines written: every enrolment" in text  # the outcomes, the last step
        assert text.rstrip().endswith("outcomes: outcomes.xlsx")
