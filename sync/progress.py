"""Progress of a live run: a bar on a terminal, a JSON line per row elsewhere.

``Progress`` is the seam: ``run_sync`` calls ``start``/``advance``/``close``
and does not care how progress is shown.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

import structlog

from sync.records import ResultLine, Status

log = structlog.get_logger("sync.progress")
_ORDER = {s.value: i for i, s in enumerate(Status)}


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, line: ResultLine) -> None: ...
    def close(self) -> None: ...


class LogProgress:
    """No bar: one log line per row outcome (cron mail, Airflow task logs)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def start(self, total: int) -> None:
        log.info("sending", rows=total)

    def advance(self, line: ResultLine) -> None:
        self.counts[line.status.value] += 1
        log.info(
            "row",
            source_file=line.source_file,
            source_row=line.source_row,
            status=line.status.value,
            http_status=line.http_status,
            attempts=line.attempts,
            reason=line.reason,
        )

    def close(self) -> None:
        pass


class RichProgress:
    """A progress bar with rate, ETA and counts by outcome, on a terminal.

    Rows the run never sent (``not_sent`` after Ctrl-C or a refused token) are
    counted beside the bar, never as done: a stopped run's bar stays where the
    sending stopped. Log lines written meanwhile print above the bar
    (``sync.logs`` writes to ``sys.stderr``, which rich redirects while drawing).
    """

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as _Bar
        from rich.table import Column

        self.counts: Counter[str] = Counter()
        one_line = Column(no_wrap=True, overflow="ellipsis")
        self._bar = _Bar(
            TextColumn("[bold]sending"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}", table_column=Column(no_wrap=True)),
            TimeRemainingColumn(table_column=Column(no_wrap=True, min_width=7)),
            TextColumn("{task.fields[counts]}", markup=False, table_column=one_line),
            console=console or Console(stderr=True, highlight=False),
            transient=False,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("send", total=total, rate="", counts="")

    def advance(self, line: ResultLine) -> None:
        self.counts[line.status.value] += 1
        done = 0 if line.status is Status.NOT_SENT else 1
        task = self._bar.tasks[0] if self._bar.tasks else None
        speed = task.speed if task is not None and task.speed else 0.0
        ordered = sorted(self.counts.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER)))
        summary = " ".join(f"{k}={v}" for k, v in ordered)
        self._bar.update(self._task, advance=done, rate=f"{speed:.1f} rows/s", counts=summary)

    def close(self) -> None:
        self._bar.stop()
