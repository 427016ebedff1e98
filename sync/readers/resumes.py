"""Find the resume file a cell names, in folders and zip archives (``file`` transform).

``ResumeStore(sources)`` looks a name up in its sources, in order: the
``--resumes`` folder or zip, then the applicants file's folder. It returns the
file's text (read by :mod:`sync.readers.documents`), and every failure is a
:class:`~sync.errors.FieldProblem`, i.e. a problem of that row (``invalid``
with the reason), never a crash.

Finding the file, in order:

1. the exact relative path (``resumes/ana.pdf``);
2. the base name, ignoring case and accents (``Chloe Dubois CV.PDF`` finds
   ``chloé dubois cv.pdf``), anywhere in the folder or zip; two candidates make
   the row invalid as ambiguous rather than guessing;
3. a file whose name contains the candidate's e-mail address (Greenhouse names
   its bulk resume download that way), when the named file is not found.

Hostile input is bounded. Nothing is extracted to disk: a zip is read entry
by entry, entries with absolute or ``..`` paths are never served, and an entry
is read only up to the size cap whatever its header claims (a zip bomb ends
as that row's problem). Names that resolve outside the folders (``..``,
absolute paths, symlinks out) are refused. Texts are cached, so a resume named
on two rows is parsed once.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from sync.errors import FieldProblem, InputError
from sync.readers.documents import MAX_RESUME_CHARS, PARSE_SECONDS, ParseWorker, document_text

MAX_FILE_BYTES = 20 * 1024 * 1024  # a resume larger than this is refused
MAX_INDEX_FILES = 200_000  # files indexed per folder (a mistaken --resumes /)


def _fold(name: str) -> str:
    """Case- and accent-insensitive form of a file name (NFKD, marks dropped, casefold)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _the_one(
    hits: list[tuple[int, str]], ambiguous: Callable[[str], str]
) -> tuple[int, str] | None:
    """The only hit, None for none; several are refused rather than guessed between."""
    if len(hits) > 1:
        raise FieldProblem(ambiguous(", ".join(name for _, name in hits[:3])))
    return hits[0] if hits else None


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
        self._worker = ParseWorker()

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
        where = _the_one(
            hits, lambda shown: f"file '{ref}' is ambiguous: {shown}; name it with its folder"
        )
        if where is None and email:
            key = _fold(email)
            by_mail = [hit for folded, found in self._by_name().items() if key in folded
                       for hit in found]  # fmt: skip
            where = _the_one(
                by_mail, lambda shown: f"file '{ref}' not found, and {email} names several: {shown}"
            )
        if where is None:
            raise FieldProblem(f"file '{ref}' not found in {self._where()}")
        return where

    # -- reading

    def _text(self, where: tuple[int, str]) -> str:
        i, name = where
        data = self.sources()[i].read(name)
        return document_text(
            name,
            data,
            worker=self._worker,
            parse_seconds=self.parse_seconds,
            max_chars=self.max_chars,
        )


__all__ = ["MAX_FILE_BYTES", "ResumeStore"]
