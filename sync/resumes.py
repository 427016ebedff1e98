"""Resume text from files named in a cell (the ``file`` transform's source).

``ResumeStore(base_dirs)`` looks a file name up in its folders, in order (the
``--resumes`` folder, then the applicants file's folder), and returns the file's
text. It refuses any name that resolves outside those folders (``..``, absolute
paths, symlinks pointing out), so a spreadsheet cannot make the job read
arbitrary files. Every failure is a :class:`~sync.transforms.FieldProblem`,
i.e. a problem of that row, never an error of the run.

Seams for later additions (zip archives, PDF/DOCX, size and time limits,
matching by e-mail as Greenhouse's import zip does):

- where bytes come from: :meth:`ResumeStore._locate` (a zip archive is another
  locator returning ``(display_name, bytes)``);
- how bytes become text: :data:`READERS`, keyed by file suffix (``.pdf`` →
  pypdf, ``.docx`` → python-docx are new entries);
- ``read_text(ref, *, email=...)`` already takes the candidate's e-mail, which a
  store may use to find a resume when the cell names none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sync.transforms import FieldProblem, html_to_text


def _decode(data: bytes) -> str:
    """UTF-8 (BOM dropped), else cp1252 as Excel-era Windows tools write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _plain(data: bytes) -> str:
    return _decode(data).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def _html(data: bytes) -> str:
    return html_to_text(_decode(data))


# File suffix -> bytes-to-text. Other suffixes are refused with the list of these.
READERS: dict[str, Callable[[bytes], str]] = {
    ".txt": _plain,
    ".text": _plain,
    ".md": _plain,
    ".html": _html,
    ".htm": _html,
}


class ResumeStore:
    """Reads the text of resume files named in cells, from a few trusted folders."""

    def __init__(self, base_dirs: Sequence[Path | str]) -> None:
        self.base_dirs: tuple[Path, ...] = tuple(Path(d) for d in base_dirs)
        self._roots = tuple(d.resolve() for d in self.base_dirs)

    def __repr__(self) -> str:
        return f"ResumeStore({[str(d) for d in self.base_dirs]!r})"

    def read_text(self, ref: str, *, email: str | None = None) -> str:
        """The text of the file ``ref`` (a name relative to one of the folders).

        ``email`` is the candidate's address; unused for now (a later store
        matches resumes by it). Raises FieldProblem when the file is missing,
        outside the folders, of an unsupported type, or empty.
        """
        ref = ref.strip()
        name, data = self._locate(ref)
        reader = READERS.get(Path(name).suffix.lower())
        if reader is None:
            allowed = ", ".join(READERS)
            raise FieldProblem(f"file '{ref}' cannot be read: use one of {allowed}")
        text = reader(data)
        if not text.strip():
            raise FieldProblem(f"file '{ref}' is empty")
        return text

    def _where(self) -> str:
        if not self.base_dirs:
            return "any folder (no resume folder given; use --resumes)"
        return " or ".join(str(d) for d in self.base_dirs)

    def _locate(self, ref: str) -> tuple[str, bytes]:
        """Find ``ref`` in the folders, in order; its name and bytes."""
        if not ref:
            raise FieldProblem("no file name given")
        relative = ref.replace("\\", "/")
        inside = False
        for root in self._roots:
            candidate = (root / relative).resolve()
            if not candidate.is_relative_to(root):
                continue
            inside = True
            if candidate.is_file():
                try:
                    return candidate.name, candidate.read_bytes()
                except OSError as exc:
                    raise FieldProblem(f"file '{ref}' cannot be read: {exc.strerror}") from None
        if self._roots and not inside:
            raise FieldProblem(f"file '{ref}' is outside {self._where()}; refused")
        raise FieldProblem(f"file '{ref}' not found in {self._where()}")


__all__ = ["READERS", "ResumeStore"]
