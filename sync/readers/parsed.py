"""What the two resume readers share: each document's text parsed once per run.

``ResumeStore`` (files in the ``--resumes`` folders and zips) and ``UrlFetcher``
(links in the export) both turn a key (a found file, a URL) into text through
``sync.readers.documents``, in the parse worker and within the run's limits
(``parse_seconds`` a document, ``max_chars`` of text). A key is read once: every
later row asking for it gets the same text, or the same problem again as a fresh
:class:`~sync.errors.FieldProblem`. ``with`` closes the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, Self, TypeVar

from sync.errors import FieldProblem
from sync.readers.documents import MAX_RESUME_CHARS, PARSE_SECONDS, ParseWorker, document_text

K = TypeVar("K", bound=Hashable)


class ParsedOnce(Generic[K]):
    """A run's reader of documents, each read and parsed once; ``close`` ends its work."""

    def __init__(
        self,
        *,
        parse_seconds: float = PARSE_SECONDS,
        max_chars: int = MAX_RESUME_CHARS,
        worker: ParseWorker | None = None,
    ) -> None:
        self.parse_seconds = parse_seconds
        self.max_chars = max_chars
        self._worker = worker or ParseWorker()
        self._texts: dict[K, str | FieldProblem] = {}

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _once(self, key: K, read: Callable[[K], str]) -> str:
        """``read(key)``'s text, or its FieldProblem, the first time; kept for the next."""
        kept = self._texts.get(key)
        if kept is None:
            try:
                kept = read(key)
            except FieldProblem as exc:
                kept = exc
            self._texts[key] = kept
        if isinstance(kept, FieldProblem):
            raise FieldProblem(kept.message)
        return kept

    def _parse(self, name: str, data: bytes) -> str:
        """The text of a document's bytes (``name`` for messages and its suffix)."""
        return document_text(
            name,
            data,
            worker=self._worker,
            parse_seconds=self.parse_seconds,
            max_chars=self.max_chars,
        )


__all__ = ["ParsedOnce"]
