"""A resume file's bytes as text: the document kind sniffed, then read, within limits.

``document_text(name, data, ...)`` sniffs the kind from the bytes (``%PDF``, a
zip holding ``word/document.xml``, ``{\\rtf``), else takes it from the suffix,
and reads PDF (pypdf), DOCX (python-docx), RTF, HTML or plain text. Encrypted,
scanned (no text layer), corrupt and empty files are a
:class:`~sync.errors.FieldProblem` in plain words, never a crash.

Hostile input is bounded: PDF and DOCX are parsed in a worker process with a
time limit and a memory limit (a parse that takes too long or needs too much
is stopped and the row is invalid), the whole run has a budget of parsing time
(``PARSE_BUDGET_SECONDS``: past it, further PDF and DOCX resumes are not read),
a DOCX that would unpack past ``MAX_UNPACKED_BYTES`` is refused before it is
opened, at most ``MAX_PDF_PAGES`` pages are read, and a longer text is cut at
the caller's ``max_chars`` with a note saying so. The worker ignores SIGINT:
Ctrl-C at a terminal reaches the whole process group, and the run decides.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import signal
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sync.errors import FieldProblem
from sync.readers.html import html_to_text

MAX_PDF_PAGES = 50  # pages read from a PDF; more are ignored
PARSE_SECONDS = 20.0  # time limit for parsing one PDF/DOCX
MAX_RESUME_CHARS = 100_000  # longer text is cut, with a note saying so
PARSE_MEMORY_BYTES = 768 * 1024 * 1024  # memory one PDF/DOCX parse may take, on top of the worker
PARSE_BUDGET_SECONDS = 1800.0  # parsing time of all PDF/DOCX resumes of one run
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a DOCX unpacking to more is refused unopened
TRUNCATED = "\n… [resume cut by jobmojito-sync at {n} characters]"

# ---------------------------------------------------------------- the kind of document

_BY_SUFFIX = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".rtf": "rtf",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
SUPPORTED = ".pdf, .docx, .rtf, .html, .txt, .md"


def sniff(name: str, data: bytes) -> str | None:
    """The format of a file from its first bytes, else from its suffix; None: unsupported."""
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return None if not name.lower().endswith(".docx") else "docx"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in (".doc", ".odt", ".pages"):
        return None
    kind = _BY_SUFFIX.get(suffix)
    if kind in ("pdf", "docx", "rtf"):  # claims a format its bytes do not have
        return {"pdf": "bad-pdf", "docx": "bad-docx", "rtf": "text"}[kind]
    if kind is None and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return kind or ("html" if head[:15].lower().startswith((b"<!doctype", b"<html")) else None)


# ---------------------------------------------------------------- bytes to text, by kind


def _decode(data: bytes) -> str:
    """UTF-8 (BOM dropped), UTF-16 with a BOM, else cp1252 as Windows tools write."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _plain(data: bytes) -> str:
    return _decode(data).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def _html(data: bytes) -> str:
    return html_to_text(_decode(data))


_RTF_DESTINATIONS = re.compile(
    r"\{(?:\\\*)?\\(?:fonttbl|colortbl|stylesheet|info|pict|header|footer|generator)\b"
)
_RTF_CONTROL = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)")


def _rtf(data: bytes) -> str:
    """Plain text of an RTF document: groups that hold no text dropped, control words
    removed, ``\\par`` as line breaks, ``\\'xx`` and ``\\uN`` escapes decoded."""
    text = data.decode("latin-1")
    out: list[str] = []
    i, n = 0, len(text)
    skip_depth: list[int] = []
    depth = 0
    while i < n:
        ch = text[i]
        if ch == "{":
            depth += 1
            if _RTF_DESTINATIONS.match(text, i):
                skip_depth.append(depth)
            i += 1
        elif ch == "}":
            if skip_depth and skip_depth[-1] == depth:
                skip_depth.pop()
            depth -= 1
            i += 1
        elif ch == "\\":
            m = _RTF_CONTROL.match(text, i)
            if m is None:
                i += 1
                continue
            i = m.end()
            if skip_depth:
                continue
            word, arg, hexa, sym = m.groups()
            if hexa:
                out.append(bytes([int(hexa, 16)]).decode("cp1252", errors="replace"))
            elif sym:
                out.append(sym if sym in "\\{}" else "")
            elif word in ("par", "line", "row"):
                out.append("\n")
            elif word == "tab":
                out.append("\t")
            elif word == "u" and arg:
                out.append(chr(int(arg) % 0x10000))
                if text.startswith("?", i):
                    i += 1
        elif ch in "\r\n":
            i += 1
        else:
            if not skip_depth:
                out.append(ch)
            i += 1
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return "\n".join(lines).strip()


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:  # an owner password only (printing/copy restrictions): still readable
                opened = bool(reader.decrypt(""))
            except Exception:  # e.g. AES without the cryptography package
                opened = False
            if not opened:
                raise FieldProblem("is an encrypted PDF (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except FieldProblem:
        raise
    except Exception:  # pypdf raises many kinds on hostile input
        raise FieldProblem("is not a readable PDF (damaged or not a PDF)") from None
    text = "\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise FieldProblem("has no text layer (a scanned PDF?): export it with text, or as DOCX")
    return text


def _docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on bad input
        raise FieldProblem("is not a readable DOCX (damaged or not a Word file)") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(p.strip() for p in parts if p.strip())


# Format name -> bytes-to-text. PDF and DOCX run in the worker process.
READERS: dict[str, Callable[[bytes], str]] = {
    "pdf": _pdf,
    "docx": _docx,
    "rtf": _rtf,
    "html": _html,
    "text": _plain,
}
_IN_WORKER = frozenset({"pdf", "docx"})


# ---------------------------------------------------------------- the worker


@dataclass(slots=True)
class ParseWorker:
    """One worker process for PDF/DOCX parsing, replaced when a parse fails hard.

    ``budget`` is the parsing time left for the run; once spent, a parse is
    refused without starting. ``memory`` caps what one parse may allocate
    (``RLIMIT_AS`` in the worker, on top of what the fresh worker uses).
    """

    pool: ProcessPoolExecutor | None = None
    budget: float = PARSE_BUDGET_SECONDS
    memory: int = PARSE_MEMORY_BYTES

    def run(self, kind: str, data: bytes, seconds: float) -> str:
        if self.budget <= 0:
            raise FieldProblem(
                f"was not read: this run's {PARSE_BUDGET_SECONDS / 60:g} minutes for reading PDF"
                " and DOCX resumes are spent (slow files); give the text, or split the export"
            )
        limit = min(seconds, self.budget)
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),  # small: not a copy of this one
                initializer=_limit_worker,
                initargs=(self.memory,),
            )
        started = time.monotonic()
        future: Future[str] = self.pool.submit(_parse, kind, data)
        try:
            return future.result(timeout=limit)
        except FutureTimeout:
            self.kill()
            raise FieldProblem(f"took longer than {limit:g} s to read; refused") from None
        except FieldProblem:
            raise
        except MemoryError:
            self.kill()
            raise FieldProblem(
                f"needs more than {self.memory // 2**20} MB of memory to read; refused"
            ) from None
        except Exception:  # a crashed worker (BrokenProcessPool …)
            self.kill()
            raise FieldProblem("could not be read (the reader crashed on it)") from None
        finally:
            self.budget -= time.monotonic() - started

    def kill(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)


class _Cap:
    """The worker's memory cap, once set: the address space it started with and the cap."""

    start = 0
    cap = 0


def _vm_peak() -> int:
    """The largest address space this process has had (Linux), else 0."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_worker(memory: int) -> None:
    """In the worker: ignore SIGINT, and cap the address space at its size now + ``memory``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        now = pages * resource.getpagesize()
    except (ImportError, OSError, ValueError, IndexError):
        return  # not Linux: the time limit still holds
    _Cap.start = now
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = now + memory
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or cap < soft:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        _Cap.cap = cap


def _parse(kind: str, data: bytes) -> str:
    """In the worker. A reader that failed after taking most of the memory cap ran out of
    memory (lxml and pypdf report that as a parse error): say so."""
    try:
        return READERS[kind](data)
    except (FieldProblem, MemoryError):
        if _Cap.cap and _vm_peak() > _Cap.start + (_Cap.cap - _Cap.start) // 2:
            raise MemoryError from None
        raise


# ---------------------------------------------------------------- one document


def _check_unpacked(shown: str, data: bytes) -> None:
    """Refuse a DOCX whose parts unpack past ``MAX_UNPACKED_BYTES`` (python's zipfile
    reads no more than a part's declared size, so the declared sizes are the bound)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the reader says it is damaged
    if unpacked > MAX_UNPACKED_BYTES:
        raise FieldProblem(
            f"file '{shown}' unpacks to {unpacked // 2**20:,} MB (more than"
            f" {MAX_UNPACKED_BYTES // 2**20} MB of text and pictures); refused"
        )


def document_text(
    name: str, data: bytes, *, worker: ParseWorker, parse_seconds: float, max_chars: int
) -> str:
    """The text of the file ``name`` holding ``data``; cut at ``max_chars``.

    Raises FieldProblem ``file '<base name>' …`` when it cannot give text.
    """
    shown = PurePosixPath(name).name
    if not data.strip():
        raise FieldProblem(f"file '{shown}' is empty")
    kind = sniff(name, data)
    if kind is None:
        raise FieldProblem(f"file '{shown}' is not a supported resume format ({SUPPORTED})")
    if kind.startswith("bad-"):
        fmt = kind.removeprefix("bad-").upper()
        raise FieldProblem(f"file '{shown}' is not a readable {fmt} (damaged or mislabelled)")
    if kind == "docx":
        _check_unpacked(shown, data)
    try:
        text = worker.run(kind, data, parse_seconds) if kind in _IN_WORKER else READERS[kind](data)
    except FieldProblem as exc:
        if exc.message.startswith("file '"):
            raise
        raise FieldProblem(f"file '{shown}' {exc.message}") from None
    if not text.strip():
        raise FieldProblem(f"file '{shown}' has no text")
    if len(text) > max_chars:
        text = text[:max_chars] + TRUNCATED.format(n=max_chars)
    return text


__all__ = [
    "MAX_PDF_PAGES",
    "MAX_RESUME_CHARS",
    "MAX_UNPACKED_BYTES",
    "PARSE_BUDGET_SECONDS",
    "PARSE_MEMORY_BYTES",
    "PARSE_SECONDS",
    "READERS",
    "SUPPORTED",
    "ParseWorker",
    "document_text",
    "sniff",
]
