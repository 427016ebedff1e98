"""Resume text from files named in a cell (the ``file`` transform's source).

``ResumeStore(sources)`` looks a name up in its sources, in order: the
``--resumes`` folder or zip, then the applicants file's folder. It returns the
file's text, and every failure is a :class:`~sync.mapping.transforms.FieldProblem`,
i.e. a problem of that row (``invalid`` with the reason), never a crash.

Finding the file, in order:

1. the exact relative path (``resumes/ana.pdf``);
2. the base name, ignoring case and accents (``Chloe Dubois CV.PDF`` finds
   ``chloé dubois cv.pdf``), anywhere in the folder or zip; two candidates make
   the row invalid as ambiguous rather than guessing;
3. a file whose name contains the candidate's e-mail address (Greenhouse names
   its bulk resume download that way), when the named file is not found.

Reading it: the format is sniffed from the bytes (``%PDF``, a zip holding
``word/document.xml``, ``{\\rtf``), else taken from the suffix: PDF (pypdf),
DOCX (python-docx), RTF, HTML and plain text. Encrypted, scanned (no text
layer), corrupt and empty files are row problems in plain words.

Hostile input is bounded. Nothing is extracted to disk: a zip is read entry
by entry, entries with absolute or ``..`` paths are never served, and an entry
is read only up to the size cap whatever its header claims (a zip bomb ends
as that row's problem). PDF and DOCX are parsed in a worker process with a
time limit; a parse that takes too long is killed and the row is invalid.
Names that resolve outside the folders (``..``, absolute paths, symlinks out)
are refused. Texts are cached, so a resume named on two rows is parsed once.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sync.errors import FieldProblem
from sync.readers.html import html_to_text

MAX_FILE_BYTES = 20 * 1024 * 1024  # a resume larger than this is refused
MAX_PDF_PAGES = 50  # pages read from a PDF; more are ignored
PARSE_SECONDS = 20.0  # time limit for parsing one PDF/DOCX
MAX_RESUME_CHARS = 100_000  # longer text is cut, with a note saying so
TRUNCATED = "\n… [resume cut by jobmojito-sync at {n} characters]"
MAX_INDEX_FILES = 200_000  # files indexed per folder (a mistaken --resumes /)


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
            m = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\(.)").match(text, i)
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
    from pypdf.errors import PdfReadError

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
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise FieldProblem("is not a readable PDF (damaged or not a PDF)") from None
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
_IN_WORKER = frozenset({"pdf", "docx"})
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


def _fold(name: str) -> str:
    """Case- and accent-insensitive form of a file name (NFKD, marks dropped, casefold)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


# ---------------------------------------------------------------- sources


class _Source:
    """A folder or a zip archive of resumes."""

    label: str

    def exact(self, ref: str) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def names(self) -> Iterator[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def read(self, name: str) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError


class _Folder(_Source):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.root = path.resolve()
        self.label = str(path)

    def _inside(self, relative: str) -> Path | None:
        candidate = (self.root / relative).resolve()
        return candidate if candidate.is_relative_to(self.root) else None

    def exact(self, ref: str) -> str | None:
        relative = ref.replace("\\", "/")
        candidate = self._inside(relative)
        if candidate is None:
            raise FieldProblem(f"file '{ref}' is outside {self.label}; refused")
        return relative if candidate.is_file() else None

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for count, path in enumerate(sorted(self.root.rglob("*"))):
            if count >= MAX_INDEX_FILES:
                return
            if path.is_file() and self._inside(str(path.relative_to(self.root))):
                yield path.relative_to(self.root).as_posix()

    def read(self, name: str) -> bytes:
        path = self._inside(name)
        if path is None:
            raise FieldProblem(f"file '{name}' is outside {self.label}; refused")
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FieldProblem(f"file '{name}' is {size // 1_000_000} MB: over the 20 MB cap")
            return path.read_bytes()
        except OSError as exc:
            raise FieldProblem(f"file '{name}' cannot be read: {exc.strerror}") from None


class _Zip(_Source):
    """Entries served from the archive without extracting anything to disk."""

    def __init__(self, path: Path) -> None:
        self.label = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            from sync.errors import InputError

            raise InputError(f"--resumes {path}: not a readable zip archive ({exc})") from None
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self.unsafe: set[str] = set()
        for info in self.zip.infolist()[:MAX_INDEX_FILES]:
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or re.match(r"^[a-zA-Z]:", name) or ".." in parts:
                self.unsafe.add(name)  # zip-slip: never served
                continue
            self.entries[name] = info

    def exact(self, ref: str) -> str | None:
        name = ref.replace("\\", "/").removeprefix("./")
        if name in self.unsafe or ".." in PurePosixPath(name).parts or name.startswith("/"):
            raise FieldProblem(f"file '{ref}' points outside the zip {self.label}; refused")
        return name if name in self.entries else None

    def names(self) -> Iterator[str]:
        yield from self.entries

    def read(self, name: str) -> bytes:
        info = self.entries[name]
        if info.file_size > MAX_FILE_BYTES:
            raise FieldProblem(
                f"file '{name}' is {info.file_size // 1_000_000} MB unpacked: over the 20 MB cap"
            )
        if info.compress_size and info.file_size / info.compress_size > 1000:
            raise FieldProblem(f"file '{name}' unpacks {info.file_size // info.compress_size}x:"
                               " refused as a zip bomb")  # fmt: skip
        try:
            with self.zip.open(info) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)  # the header's size may lie
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            raise FieldProblem(f"file '{name}' cannot be read from the zip ({exc})") from None
        if len(data) > MAX_FILE_BYTES:
            raise FieldProblem(f"file '{name}' unpacks to over the 20 MB cap: refused")
        return data


def _source(path: Path) -> _Source:
    if path.suffix.lower() == ".zip" and path.is_file():
        return _Zip(path)
    return _Folder(path)


# ---------------------------------------------------------------- the worker


@dataclass(slots=True)
class _Worker:
    """One worker process for PDF/DOCX parsing, replaced when a parse times out."""

    pool: ProcessPoolExecutor | None = None

    def run(self, kind: str, data: bytes, seconds: float) -> str:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1)
        future: Future[str] = self.pool.submit(_parse, kind, data)
        try:
            return future.result(timeout=seconds)
        except FutureTimeout:
            self.kill()
            raise FieldProblem(f"took longer than {seconds:g} s to read; refused") from None
        except FieldProblem:
            raise
        except Exception:  # a crashed worker (BrokenProcessPool …)
            self.kill()
            raise FieldProblem("could not be read (the reader crashed on it)") from None

    def kill(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _parse(kind: str, data: bytes) -> str:
    return READERS[kind](data)


# ---------------------------------------------------------------- the store


class ResumeStore:
    """Reads the text of resume files named in cells, from folders and zip archives."""

    def __init__(
        self,
        base_dirs: Sequence[Path | str],
        *,
        parse_seconds: float = PARSE_SECONDS,
        max_chars: int = MAX_RESUME_CHARS,
    ) -> None:
        self.base_dirs: tuple[Path, ...] = tuple(Path(d) for d in base_dirs)
        self.parse_seconds = parse_seconds
        self.max_chars = max_chars
        self._sources: list[_Source] | None = None
        self._index: dict[str, list[tuple[int, str]]] | None = None
        self._cache: dict[tuple[int, str], str | FieldProblem] = {}
        self._found: dict[tuple[str, str], tuple[int, str]] = {}
        self._worker = _Worker()

    def __repr__(self) -> str:
        return f"ResumeStore({[str(d) for d in self.base_dirs]!r})"

    def close(self) -> None:
        """Stop the parsing worker (also done at exit)."""
        self._worker.kill()

    def __enter__(self) -> ResumeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public

    def read_text(self, ref: str, *, email: str | None = None) -> str:
        """The text of the file ``ref`` names (see the module docstring for how it is
        found). ``email`` is the candidate's address, used when ``ref`` finds nothing.
        Raises FieldProblem with the reason when it cannot give text."""
        ref = ref.strip()
        if not ref:
            raise FieldProblem("no file name given")
        key = (ref, email or "")
        where = self._found.get(key)
        if where is None:
            where = self._found[key] = self._find(ref, email)
        cached = self._cache.get(where)
        if cached is None:
            try:
                cached = self._text(where)
            except FieldProblem as exc:
                cached = exc
            self._cache[where] = cached
        if isinstance(cached, FieldProblem):
            raise FieldProblem(cached.message)
        return cached

    # -- finding

    def sources(self) -> list[_Source]:
        if self._sources is None:
            self._sources = [_source(d) for d in self.base_dirs]
        return self._sources

    def _where(self) -> str:
        if not self.base_dirs:
            return "any folder (no resume folder given; use --resumes)"
        return " or ".join(str(d) for d in self.base_dirs)

    def _by_name(self) -> dict[str, list[tuple[int, str]]]:
        if self._index is None:
            index: dict[str, list[tuple[int, str]]] = {}
            for i, source in enumerate(self.sources()):
                for name in source.names():
                    index.setdefault(_fold(PurePosixPath(name).name), []).append((i, name))
            self._index = index
        return self._index

    def _find(self, ref: str, email: str | None) -> tuple[int, str]:
        for i, source in enumerate(self.sources()):
            name = source.exact(ref)
            if name is not None:
                return i, name
        hits = self._by_name().get(_fold(PurePosixPath(ref.replace("\\", "/")).name), [])
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            shown = ", ".join(name for _, name in hits[:3])
            raise FieldProblem(f"file '{ref}' is ambiguous: {shown}; name it with its folder")
        if email:
            key = _fold(email)
            by_mail = [hit for folded, found in self._by_name().items() if key in folded
                       for hit in found]  # fmt: skip
            if len(by_mail) == 1:
                return by_mail[0]
            if len(by_mail) > 1:
                shown = ", ".join(name for _, name in by_mail[:3])
                raise FieldProblem(f"file '{ref}' not found, and {email} names several: {shown}")
        raise FieldProblem(f"file '{ref}' not found in {self._where()}")

    # -- reading

    def _text(self, where: tuple[int, str]) -> str:
        i, name = where
        data = self.sources()[i].read(name)
        shown = PurePosixPath(name).name
        if not data.strip():
            raise FieldProblem(f"file '{shown}' is empty")
        kind = sniff(name, data)
        if kind is None:
            raise FieldProblem(f"file '{shown}' is not a supported resume format ({SUPPORTED})")
        if kind.startswith("bad-"):
            fmt = kind.removeprefix("bad-").upper()
            raise FieldProblem(f"file '{shown}' is not a readable {fmt} (damaged or mislabelled)")
        try:
            if kind in _IN_WORKER:
                text = self._worker.run(kind, data, self.parse_seconds)
            else:
                text = READERS[kind](data)
        except FieldProblem as exc:
            if exc.message.startswith("file '"):
                raise
            raise FieldProblem(f"file '{shown}' {exc.message}") from None
        if not text.strip():
            raise FieldProblem(f"file '{shown}' has no text")
        if len(text) > self.max_chars:
            text = text[: self.max_chars] + TRUNCATED.format(n=self.max_chars)
        return text


__all__ = ["MAX_FILE_BYTES", "READERS", "ResumeStore", "sniff"]
