"""Resume links: download a resume from a URL in the export (``--fetch-resume-urls``).

Some exports carry a link instead of a file: Workable's ``Resume URL``,
Recruitee's ``cv_original_url``, signed S3 links from Greenhouse (valid 7
days). A :class:`UrlFetcher` downloads each link once per run and gives its
text, or a reason the row can act on:

- HTTP 403, 404 or 410: the link has expired or was revoked (signed links
  last days, not weeks): export again or download the files;
- HTTP 401, or a web page instead of a document: the link sits behind a login;
- too large (over 20 MB), too slow (over ``timeout`` seconds in all, redirects
  included), an unsupported format, or unreachable.

The content is sniffed from its bytes (``sync.readers.documents``), never
trusted from the name or the ``Content-Type``. Downloads are paced by their own
rate limit (``rate`` per second), apart from the API's. A URL is a credential
(whoever holds a signed link reads the resume): it is never put in a message
or a log line, and httpx's own request log line shows ``<resume link>`` in its
place.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

from sync import __version__
from sync.errors import FieldProblem
from sync.readers.documents import MAX_RESUME_CHARS, PARSE_SECONDS, ParseWorker, sniff
from sync.readers.parsed import ParsedOnce
from sync.readers.resumes import MAX_FILE_BYTES

DOWNLOAD_SECONDS = 20.0  # one download, redirects included
DOWNLOAD_RATE = 2.0  # downloads started per second
_SUFFIX_OF_TYPE = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "text/plain": ".txt",
    "text/markdown": ".md",
}


class _HideLinks(logging.Filter):
    """Replaces the resume links in httpx's log records by ``<resume link>``."""

    def __init__(self) -> None:
        super().__init__()
        self.links: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.links and isinstance(record.args, tuple):
            record.args = tuple(
                "<resume link>" if str(arg) in self.links else arg for arg in record.args
            )
        return True


_HIDE = _HideLinks()
logging.getLogger("httpx").addFilter(_HIDE)


def is_url(text: str) -> bool:
    """Whether a cell holds one web address (and nothing else)."""
    text = text.strip()
    return text.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in text)


class UrlFetcher(ParsedOnce[str]):
    """Downloads resume links, once each per run, paced and capped."""

    def __init__(
        self,
        *,
        rate: float = DOWNLOAD_RATE,
        timeout: float = DOWNLOAD_SECONDS,
        max_bytes: int = MAX_FILE_BYTES,
        parse_seconds: float = PARSE_SECONDS,
        max_chars: int = MAX_RESUME_CHARS,
        worker: ParseWorker | None = None,
    ) -> None:
        super().__init__(parse_seconds=parse_seconds, max_chars=max_chars, worker=worker)
        self.interval = 1.0 / rate
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._next = 0.0
        self._lock = threading.Lock()
        self._client = httpx.Client(
            follow_redirects=True,
            max_redirects=5,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": f"jobmojito-sync/{__version__}"},
            trust_env=True,
        )
        self.downloads = 0

    def close(self) -> None:
        self._client.close()

    def text(self, url: str) -> str:
        """The resume text behind ``url``; FieldProblem with the reason otherwise."""
        return self._once(url.strip(), self._fetch)

    def _pace(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            time.sleep(wait)

    def _fetch(self, url: str) -> str:
        _HIDE.links.add(url)
        if not is_url(url):
            raise FieldProblem("the resume link is not a web address (http or https)")
        self._pace()
        self.downloads += 1
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("GET", url) as response:
                _check_status(response.status_code)
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise FieldProblem("the resume link gives over 20 MB: refused")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        except httpx.TimeoutException:
            raise FieldProblem(
                f"the resume link took longer than {self.timeout:g} s to download"
            ) from None
        except httpx.TooManyRedirects:
            raise FieldProblem("the resume link redirects too many times") from None
        except (httpx.HTTPError, httpx.InvalidURL):
            raise FieldProblem("the resume link could not be reached (connection failed)") from None
        return self._document(url, bytes(data), kind)

    def _document(self, url: str, data: bytes, content_type: str) -> str:
        name = PurePosixPath(urlsplit(url).path).name or "resume"
        if not PurePosixPath(name).suffix and content_type in _SUFFIX_OF_TYPE:
            name += _SUFFIX_OF_TYPE[content_type]
        if sniff(name, data) == "html" or content_type in ("text/html", "application/xhtml+xml"):
            raise FieldProblem(
                "the resume link gave a web page, not a document: it is behind a login"
                " (download the files and use --resumes)"
            )
        return self._parse(name, data)


def _check_status(status: int) -> None:
    if status in (403, 404, 410):
        raise FieldProblem(
            f"the resume link has expired or was revoked (HTTP {status}); export again for"
            " fresh links, or download the files and use --resumes"
        )
    if status == 401:
        raise FieldProblem(
            "the resume link asks for a login (HTTP 401); download the files and use --resumes"
        )
    if status >= 400:
        raise FieldProblem(f"the resume link failed (HTTP {status})")


__all__ = ["DOWNLOAD_RATE", "DOWNLOAD_SECONDS", "UrlFetcher", "is_url"]
