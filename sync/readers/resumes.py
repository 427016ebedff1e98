"""Find a row's resume file in folders and zip archives, and read its text.

``ResumeStore(sources)`` searches only the folders and zips it is given (the
``--resumes`` option: never the applicants file's own folder), and never
hidden files, hidden folders or macOS's ``__MACOSX`` copies. It returns a
file's text (read by :mod:`sync.readers.documents`), and every failure is a
:class:`~sync.errors.FieldProblem`, i.e. a problem of that row (``invalid``
with the reason), never a crash.

The ways a row finds its file (``sync.mapping.sources`` tries them in order):

- :meth:`~ResumeStore.named`: a file name from a cell, by its exact relative
  path (``resumes/ana.pdf``), else by its base name ignoring case and accents
  (``Chloe Dubois CV.PDF`` finds ``chloé dubois cv.pdf``) anywhere below;
- :meth:`~ResumeStore.by_id`: a candidate or application id as a file or
  folder name, or its first part (``21338490.pdf``, ``<id>-attachments/cv.pdf``,
  ``<id>_Jane_Doe.pdf``, ``457-John Doe.pdf``);
- :meth:`~ResumeStore.by_email`: the candidate's e-mail in the name
  (Greenhouse's bulk import and download);
- :meth:`~ResumeStore.by_name`: the candidate's full name as the name's
  words (``Jane_Doe_Resume.pdf``, ``CV Courtney Adams.docx``), which the
  caller uses only for a name no other candidate shares.

Two files for one key make the row invalid as ambiguous rather than a guess
(the one exception: among one candidate's own files, by id or e-mail, a single
file called resume/CV/Lebenslauf is the resume). The indexes are built once, so
10,000 rows against 10,000 files cost a dictionary look-up each;
:meth:`~ResumeStore.unused` lists the files no row took.

Hostile input is bounded. Nothing is extracted to disk: a zip is read entry
by entry, entries with absolute or ``..`` paths are never served, and an entry
is read only up to the size cap whatever its header claims (a zip bomb ends
as that row's problem). Names that resolve outside the folders (``..``,
absolute paths, symlinks out) are refused. Texts are cached: parsed once each.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath

from sync.errors import FieldProblem, InputError
from sync.readers.documents import MAX_RESUME_CHARS, PARSE_SECONDS
from sync.readers.parsed import ParsedOnce

MAX_FILE_BYTES = 20 * 1024 * 1024  # a resume larger than this is refused
MAX_INDEX_FILES = 200_000  # files indexed per folder (a mistaken --resumes /)
#: Suffixes of the files matched by id, e-mail or name (a file named in a cell
#: may have any suffix: the reader then says what it is).
DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".docx", ".doc", ".rtf", ".txt", ".md", ".html", ".htm", ".odt", ".text"}
)
_JUNK = frozenset({"__macosx", "thumbs.db", "desktop.ini"})
_RESUME_WORDS = frozenset({"resume", "cv", "lebenslauf", "curriculum", "vitae"})
_NAME_NOISE = _RESUME_WORDS | {"attachment", "attachments", "final", "updated", "of", "and"}
_WORDS = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")

Hit = tuple[int, str]  # (source index, name inside the source)


def _fold(name: str) -> str:
    """Case- and accent-insensitive form of a file name (NFKD, marks dropped, casefold)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _hidden(parts: Sequence[str]) -> bool:
    return any(p.startswith(".") or p.casefold() in _JUNK for p in parts)


def name_words(name: str) -> frozenset[str] | None:
    """A person's name as the set of its folded words (``Jane Doe`` = ``Doe_Jane``),
    resume words and numbers left out; None for fewer than two words."""
    plain = re.sub(r"['\u2019`]", "", _fold(name))  # O'Brien = OBrien
    words = frozenset(w for w in _WORDS.findall(plain) if not w.isdigit()) - _NAME_NOISE
    return words if len(words) >= 2 else None


def _ids(parts: Sequence[str]) -> set[str]:
    """The id-like names of a path: each folder and the file's stem, whole and by its
    first word (``<id>-attachments``, ``457-John Doe``), when they hold a digit."""
    out = set()
    for part in parts:
        for token in (part, re.split(r"[\s._-]+", part, maxsplit=1)[0]):
            if any(c.isdigit() for c in token):
                out.add(token)
    return out


def _the_one(hits: list[Hit], ambiguous: Callable[[str], str], *, own: bool = False) -> Hit | None:
    """The only hit, None for none; several are refused rather than guessed between.

    ``own``: the hits are one candidate's files, so a single resume/CV among them wins.
    """
    hits = list(dict.fromkeys(hits))
    if len(hits) > 1 and own:
        resumes = [h for h in hits if _RESUME_WORDS & set(_WORDS.findall(_fold(h[1])))]
        if len(resumes) == 1:
            return resumes[0]
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
        if _hidden(PurePosixPath(relative).parts):
            return None
        return relative if candidate.is_file() else None

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        count = 0
        for folder, dirs, files in os.walk(self.root):  # symlinked folders are not followed
            dirs[:] = sorted(d for d in dirs if not _hidden((d,)))
            base = Path(folder)
            for name in sorted(files):
                if _hidden((name,)):
                    continue
                path = base / name
                if path.is_symlink() and self._inside(str(path.relative_to(self.root))) is None:
                    continue
                count += 1
                if count > MAX_INDEX_FILES:
                    return
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
            if not _hidden(parts):
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


class _Index:
    """Every file of the sources by folded base name, id, e-mail and name words."""

    def __init__(self, sources: Sequence[_Source]) -> None:
        self.by_base: dict[str, list[Hit]] = {}
        self.by_id: dict[str, list[Hit]] = {}
        self.by_email: dict[str, list[Hit]] = {}
        self.by_words: dict[frozenset[str], list[Hit]] = {}
        self.documents: list[Hit] = []
        for i, source in enumerate(sources):
            for name in source.names():
                hit = (i, name)
                path = PurePosixPath(_fold(name))
                self.by_base.setdefault(path.name, []).append(hit)
                if path.suffix not in DOCUMENT_SUFFIXES:
                    continue
                self.documents.append(hit)
                parts = (*path.parent.parts, path.stem)
                for key in _ids(parts):
                    self.by_id.setdefault(key, []).append(hit)
                for part in parts:
                    for address in _EMAIL.findall(part):
                        self.by_email.setdefault(address, []).append(hit)
                words = name_words(path.stem)
                if words is not None:
                    self.by_words.setdefault(words, []).append(hit)


# ---------------------------------------------------------------- the store


class ResumeStore(ParsedOnce[Hit]):
    """Finds resume files in folders and zip archives, and reads their text."""

    def __init__(
        self,
        base_dirs: Sequence[Path | str],
        *,
        parse_seconds: float = PARSE_SECONDS,
        max_chars: int = MAX_RESUME_CHARS,
    ) -> None:
        super().__init__(parse_seconds=parse_seconds, max_chars=max_chars)
        self.base_dirs: tuple[Path, ...] = tuple(Path(d) for d in base_dirs)
        self._sources: list[_Source] | None = None
        self._index: _Index | None = None
        self._found: dict[tuple[str, str], Hit] = {}
        self._used: set[Hit] = set()

    def close(self) -> None:
        """Stop the parsing worker (also done at exit)."""
        self._worker.kill()

    @property
    def where(self) -> str:
        """The folders and zips searched, for messages."""
        if not self.base_dirs:
            return "any folder (no resume folder given; use --resumes)"
        return " or ".join(str(d) for d in self.base_dirs)

    # -- the file transform

    def read_text(self, ref: str, *, email: str | None = None) -> str:
        """The text of the file ``ref`` names (by path, else base name), else of the file
        named after ``email``. Raises FieldProblem with the reason when it cannot."""
        ref = ref.strip()
        if not ref:
            raise FieldProblem("no file name given")
        key = (ref, email or "")
        where = self._found.get(key)
        if where is None:
            where = self.named(ref) or (self.by_email(email) if email else None)
            if where is None:
                raise FieldProblem(f"file '{ref}' not found in {self.where}")
            self._found[key] = where
        return self.text(where)

    # -- finding

    def sources(self) -> list[_Source]:
        if self._sources is None:
            self._sources = [_source(d) for d in self.base_dirs]
        return self._sources

    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.sources())
        return self._index

    def named(self, ref: str) -> Hit | None:
        """The file a cell names: by its path, else by its base name anywhere."""
        for i, source in enumerate(self.sources()):
            name = source.exact(ref)
            if name is not None:
                return self._use((i, name))
        base = _fold(PurePosixPath(ref.replace("\\", "/")).name)
        hits = self.index().by_base.get(base, [])
        shown = ref.strip()
        return self._use(
            _the_one(hits, lambda s: f"file '{shown}' is ambiguous: {s}; name it with its folder")
        )

    def by_id(self, value: str) -> Hit | None:
        """The file or folder named by a candidate or application id."""
        key = _fold(value)
        hits = self.index().by_id.get(key, []) if key else []
        return self._use(
            _the_one(hits, lambda s: f"id {value.strip()} names several files: {s}", own=True)
        )

    def by_email(self, email: str) -> Hit | None:
        """The file named after the candidate's e-mail address."""
        key = _fold(email)
        hits = self.index().by_email.get(key, []) if key else []
        return self._use(
            _the_one(hits, lambda s: f"the e-mail address names several files: {s}", own=True)
        )

    def by_name(self, words: frozenset[str]) -> Hit | None:
        """The one file named after a person (``name_words``); several are refused."""
        hits = self.index().by_words.get(words, [])
        return self._use(_the_one(hits, lambda s: f"the candidate's name fits several files: {s}"))

    def _use(self, hit: Hit | None) -> Hit | None:
        if hit is not None:
            self._used.add(hit)
        return hit

    def unused(self) -> list[str]:
        """The documents no row took (for the run's Summary), in index order."""
        return [hit[1] for hit in self.index().documents if hit not in self._used]

    # -- reading

    def text(self, hit: Hit) -> str:
        """The text of a found file (read once, however many rows take it)."""
        return self._once(hit, self._read)

    def _read(self, hit: Hit) -> str:
        i, name = hit
        return self._parse(name, self.sources()[i].read(name))


__all__ = ["DOCUMENT_SUFFIXES", "MAX_FILE_BYTES", "Hit", "ResumeStore", "name_words"]
