"""Reading the interview results: every page of merchant-result-list, and details on demand.

Both reads go through the dispatcher (``sync.dispatch.dispatch``) with a
reading endpoint (``sync.dispatch.endpoints.reading``), so they get what
sending gets: one ``AimdLimiter`` pace for every request (``rate`` a ceiling,
a 429 slows everyone), tenacity retries within ``max_attempts`` (by
``classify_read``: a dropped connection or an unreadable answer is read again
patiently, since a read changes nothing), the token command on a 401, the
circuit breaker, and a clean stop on SIGINT/SIGTERM. Nothing here retries on
its own.

Paging (``Reader.results``): the first page alone (it tells the total and the
page size the API really used), then every other page at once (``concurrency``
at a time), oldest result first (``order_by=created_at_oldest``) so that results
added meanwhile land at the end, where ``has_more`` on the last page leads to
them. Pages shorter than asked while more are to come (an API that caps pages
without saying so) make it read one page after the other instead, each from
where the last one ended. A page that cannot be read ends the whole read (``ResultsIncomplete``):
an outcomes sheet with a hole would say "not started yet" of someone who
finished. Results are kept by id, so a result seen twice counts once; when a
later page reports a smaller total than the first (results removed while
reading, which shifts the pages), the list is read again, up to
``MAX_PASSES`` times, and the union kept.

Details (``Reader.details``): one request per result; one that cannot be read
is that line's note, not the run's end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sync.dispatch import DispatchSettings, NullJournal, RowOutcome, dispatch
from sync.dispatch.endpoints import Endpoint, reading
from sync.dispatch.pacing import AimdLimiter
from sync.errors import AbortError, ResultsIncomplete
from sync.jobmojito.client import ApiClient
from sync.jobmojito.models import InterviewDetails, MerchantResult, MerchantResultList
from sync.jobmojito.retry import Reply, classify_read

__all__ = ["MAX_PAGE_SIZE", "MAX_PASSES", "Reader", "Reading"]

#: The most results merchant-result-list gives in one page.
MAX_PAGE_SIZE = 1000
#: Whole reads of the list at most, when results vanish from it while it is read.
MAX_PASSES = 3
#: The query every page is asked with.
RESULT_FILTERS = {"type": "interview", "order_by": "created_at_oldest"}


@dataclass(frozen=True, slots=True)
class Page:
    """One page to read: ``limit`` results from ``offset``."""

    index: int
    offset: int
    limit: int


@dataclass(frozen=True, slots=True)
class DetailsOf:
    """The details of one interview result."""

    index: int
    result_id: str


def _read_page(client: ApiClient, page: Page) -> Awaitable[Reply[MerchantResultList]]:
    return client.merchant_results(offset=page.offset, limit=page.limit, **RESULT_FILTERS)


def _read_details(client: ApiClient, item: DetailsOf) -> Awaitable[Reply[InterviewDetails]]:
    return client.interview_details(item.result_id)


PAGES: Endpoint[MerchantResultList, Page, MerchantResultList] = reading(_read_page)
DETAILS: Endpoint[InterviewDetails, DetailsOf, InterviewDetails] = reading(_read_details)

ItemT = TypeVar("ItemT", Page, DetailsOf)
AnswerT = TypeVar("AnswerT", MerchantResultList, InterviewDetails)


@dataclass(slots=True)
class Reading:
    """What one read of merchant-result-list found."""

    results: list[MerchantResult]
    total: int  # as the last page reported it
    pages: int  # pages read, every pass
    passes: int
    notes: list[str]


class Reader:
    """Reads through one open ``ApiClient``; every request shares one pace (``limiter``)."""

    def __init__(
        self,
        client: ApiClient,
        settings: DispatchSettings,
        *,
        stop: asyncio.Event | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.settings = settings
        self.stop = stop
        self.sleep = sleep
        self.clock = clock
        self.limiter = AimdLimiter(settings.rate, clock=clock)
        self.requests = 0

    @property
    def throttled(self) -> int:
        """429s met so far."""
        return self.limiter.throttles

    async def _dispatch(
        self, items: Sequence[ItemT], endpoint: Endpoint[Any, ItemT, AnswerT]
    ) -> tuple[list[AnswerT | RowOutcome], AbortError | None]:
        """Each item's answer (or why it has none), in item order, and the stop, if any."""
        answers: dict[int, AnswerT | RowOutcome] = {}

        def keep(item: ItemT, answer: AnswerT | RowOutcome) -> None:
            answers[item.index] = answer

        result = await dispatch(
            items,
            client=self.client,
            settings=self.settings,
            journal=NullJournal(),
            run_id="",
            on_outcome=keep,
            stop=self.stop,
            sleep=self.sleep,
            clock=self.clock,
            classify=classify_read,
            limiter=self.limiter,
            endpoint=endpoint,
        )
        self.requests += result.requests_sent
        return [answers[item.index] for item in items], result.aborted

    async def _pages(self, offsets: Sequence[int], limit: int) -> list[MerchantResultList]:
        items = [Page(i, offset, limit) for i, offset in enumerate(offsets)]
        answers, aborted = await self._dispatch(items, PAGES)
        if aborted is not None:
            raise aborted
        read: list[MerchantResultList] = []
        for item, answer in zip(items, answers, strict=True):
            if isinstance(answer, RowOutcome):
                raise ResultsIncomplete(
                    f"merchant-result-list: the page at offset {item.offset} could not be"
                    f" read ({answer.reason}); no outcomes sheet was written and nothing was"
                    " remembered: run again"
                )
            read.append(answer)
        return read

    async def results(self, page_size: int = MAX_PAGE_SIZE) -> Reading:
        """Every result of the merchant's interview results list (see the module)."""
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        found: dict[str, MerchantResult] = {}
        notes: list[str] = []
        pages = passes = total = 0
        while passes < MAX_PASSES:
            passes += 1
            first = (await self._pages([0], size))[0]
            # The page size the API really used, if it gave fewer than asked.
            step = first.pagination.limit if 0 < first.pagination.limit < size else size
            if first.pagination.has_more and 0 < len(first.data) < step:
                step = len(first.data)  # a page shorter than it says: go by what it gives
            read = [first, *await self._pages(range(step, first.pagination.total, step), step)]
            if any(p.pagination.has_more and len(p.data) < step for p in read[:-1]):
                notes.append("the API gave pages shorter than asked: read one after the other")
                read = await self._one_after_the_other(step)
            last = read[-1]
            while last.pagination.has_more and any(r.id not in found for r in last.data):
                for result in last.data:
                    found[result.id] = result
                offset = last.pagination.offset + len(last.data)
                last = (await self._pages([offset], step))[0]
                read.append(last)
            for page in read:
                for result in page.data:
                    found[result.id] = result
            pages += len(read)
            total = last.pagination.total
            if min(p.pagination.total for p in read) >= first.pagination.total:
                break  # nothing vanished while reading: no page shifted
            if passes == MAX_PASSES:
                notes.append(
                    f"the results list kept shrinking while it was read ({passes} times);"
                    " a result that moved between pages may be missing until the next run"
                )
        return Reading(list(found.values()), total, pages, passes, notes)

    async def _one_after_the_other(self, step: int) -> list[MerchantResultList]:
        """Every page in turn, each from where the last one ended, while ``has_more``."""
        read = [(await self._pages([0], step))[0]]
        while read[-1].pagination.has_more and read[-1].data:
            offset = read[-1].pagination.offset + len(read[-1].data)
            read.append((await self._pages([offset], step))[0])
        return read

    async def details(
        self, result_ids: Sequence[str]
    ) -> tuple[dict[str, InterviewDetails | RowOutcome], AbortError | None]:
        """Each result's details, or why they could not be read; and the stop, if any
        (the results not read by then say ``not_sent``)."""
        items = [DetailsOf(i, result_id) for i, result_id in enumerate(result_ids)]
        if not items:
            return {}, None
        answers, aborted = await self._dispatch(items, DETAILS)
        return {item.result_id: a for item, a in zip(items, answers, strict=True)}, aborted
