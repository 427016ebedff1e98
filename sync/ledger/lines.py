"""How a stored row reads on the results sheet, whatever store kept it.

A row with a recorded outcome shows it. A row without one belongs to a run
that stopped before the row was finished, and shows the truth about it:

- never sent: ``not_sent``, ``PENDING_REASON``;
- sent, the last request still in flight: ``failed``, ``IN_FLIGHT_REASON``
  (the next run resends it; the API answers already-applied if it enrolled);
- sent, stopped between retries: ``failed``, ``BETWEEN_RETRIES_REASON``.

``shown_status`` is that rule, used both for a run's sheet (``result_line``)
and for the counts ``history`` shows of a run that did not finish.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sync.records import ResultLine, Status

PENDING_REASON = "the run stopped before this row was sent"
IN_FLIGHT_REASON = (
    "run stopped while the request was in flight; outcome unknown — the next run resends"
    " it and the API answers already-applied if it was enrolled"
)
BETWEEN_RETRIES_REASON = (
    "run stopped between retries (last attempt: {last}); not enrolled — the next run sends it again"
)


@dataclass(frozen=True, slots=True)
class Attempts:
    """The attempts journaled for a row: how many, and how the last one stands."""

    count: int = 0
    last_in_flight: bool = False
    last_http: int | None = None
    last_outcome: str | None = None


def shown_status(recorded: str | None, attempted: bool) -> Status:
    """The status a row shows: its ``recorded`` outcome; without one, ``failed`` if it
    was sent (the run stopped mid-row), else ``not_sent``."""
    if recorded is not None:
        return Status(recorded)
    return Status.FAILED if attempted else Status.NOT_SENT


def result_line(line: ResultLine, recorded: str | None, attempts: Attempts) -> ResultLine:
    """``line`` (a row's stored columns) completed as the results sheet shows it.

    ``recorded`` is the row's outcome status, ``None`` while it has none.
    """
    line.status = shown_status(recorded, attempts.count > 0)
    if recorded is not None:
        return line
    if line.status is Status.NOT_SENT:
        line.reason = PENDING_REASON
        return line
    line.attempts = attempts.count
    line.http_status = attempts.last_http
    if attempts.last_in_flight:
        line.reason = IN_FLIGHT_REASON
    else:
        last = f"HTTP {attempts.last_http}" if attempts.last_http else attempts.last_outcome
        line.reason = BETWEEN_RETRIES_REASON.format(last=last or "no answer")
    return line


def shown_counts(groups: Iterable[tuple[str | None, bool, int]]) -> dict[str, int]:
    """Status -> rows, from ``(recorded, attempted, rows)`` groups of a run's rows.

    Statuses come in alphabetical order (how ``history`` has always listed the
    counts of a run that did not finish).
    """
    counts: Counter[str] = Counter()
    for recorded, attempted, rows in groups:
        counts[shown_status(recorded, bool(attempted)).value] += rows
    return {status: counts[status] for status in sorted(counts)}
