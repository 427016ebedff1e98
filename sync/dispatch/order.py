"""The order rows are sent in: input order, with the first row of a new position alone.

An enrolment without a ``position_def_set_id`` may create its position. Rows
that would create the same position (the endpoint's ``group`` says which: the
job they belong to, while its position is unknown) must not race each other,
or a run at concurrency 16 creates the position up to 16 times. So the first
row of such a group goes alone; the others of the group wait until it is
answered. By then the position is usually known (the answer named it), the
group is gone and they go at full concurrency, naming it; if the first row
failed, the next one of the group goes alone in its turn. Rows of other groups
and rows with no group are sent meanwhile.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Final, Generic, Literal, TypeVar

__all__ = ["WAIT", "Group", "RowQueue"]

RowT = TypeVar("RowT")
#: The group of a row: a key shared by rows that would create the same position, or None.
Group = Callable[[RowT], str | None]
#: ``RowQueue.take``'s answer when every row left waits for a first row still out.
WAIT: Final = "wait"


class RowQueue(Generic[RowT]):
    """The rows of one dispatch, handed out one by one (``take``), returned with ``done``.

    Single-threaded (one event loop): ``take`` and ``done`` never await.
    """

    def __init__(self, rows: Sequence[RowT], group: Group[RowT] | None = None) -> None:
        self._order: deque[tuple[int, RowT]] = deque(enumerate(rows))
        self._group = group
        self._leading: dict[str, int] = {}  # group -> the position of its row out
        self._led: dict[int, str] = {}  # position -> the group it leads
        self._held: dict[str, deque[tuple[int, RowT]]] = {}  # rows waiting for their group's first
        self._changed = asyncio.Event()

    def take(self) -> tuple[int, RowT] | Literal["wait"] | None:
        """The next row to send; ``WAIT`` while the rows left wait for a first row; None
        when every row has been taken."""
        while self._order:
            position, row = self._order.popleft()
            key = self._group(row) if self._group is not None else None
            if key is None:
                return position, row
            if key in self._leading:
                self._held.setdefault(key, deque()).append((position, row))
                continue
            self._leading[key] = position
            self._led[position] = key
            return position, row
        return WAIT if self._leading else None

    def done(self, position: int) -> None:
        """The row taken at ``position`` has its outcome: release what waited for it."""
        key = self._led.pop(position, None)
        if key is None:
            return
        del self._leading[key]
        held = self._held.pop(key, deque())
        # They come back to the front, in input order: they were taken before the rest.
        self._order.extendleft(reversed(held))
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def changed(self) -> Awaitable[bool]:
        """Something to await until a first row is answered (``done``): the event of now,
        so a ``done`` before the waiter first runs is not missed."""
        return self._changed.wait()

    def remaining(self) -> Iterator[tuple[int, RowT]]:
        """Every row not taken yet, in input order (for the rows a stop leaves unsent)."""
        left = [*self._order, *(t for held in self._held.values() for t in held)]
        self._order.clear()
        self._held.clear()
        yield from sorted(left, key=lambda t: t[0])
