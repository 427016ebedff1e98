"""The resume of each row, from the first source that gives one.

No bulk candidate export carries resumes as text (research/ats_exports.md
§23): they come as files beside the export, as expiring links, or not at all.
:class:`Resumes` tries, for each row, in order:

1. ``fields.candidate_resume`` when the mapping has one (as mapped), else the
   ``resume.text`` columns, recognised by their content: a cell holding a file
   name is looked up as a file, one holding a link is a link, and text too
   short to be a resume (fewer than :data:`MIN_RESUME_LETTERS` letters) counts
   as missing;
2. with ``--resumes``: the files the ``resume.files`` columns name, then a file
   or folder named by an id of ``resume.ids``, then one named after the
   candidate's e-mail, then one named after the candidate's full name when no
   other candidate has that name (``sync.readers.resumes``); a file whose text
   is empty or nearly so (a scanned PDF) counts as missing;
3. with ``--fetch-resume-urls``: the links in ``resume.urls`` (and the links
   behind the cells of any resume column, in XLSX) (``sync.readers.urls``);
4. with ``--resume-fallback profile``: a text composed of the ``resume.profile``
   columns (headline, summary, experiences …), marked as such in the text and
   in the row's notes.

A row none of them serves is ``invalid`` with what was tried and the option
that would help. When no source can serve any row (no text column, no
``--resumes``, …) the run stops before sending, naming those options.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sync.errors import FieldProblem, InputError
from sync.mapping.bind import BoundMapping, Values, missing_required
from sync.mapping.derived import Derived, SourceSettings, cell
from sync.readers.resumes import DOCUMENT_SUFFIXES, Hit, ResumeStore, name_words
from sync.readers.urls import UrlFetcher, is_url
from sync.records import Row

MIN_RESUME_LETTERS = 30  # fewer letters than this is not a resume (near-empty, e.g. a scan)
PROFILE_HEADER = (
    "[Composed by jobmojito-sync from the candidate's profile in the applicant tracking"
    " system; no resume file was available.]"
)
_FILE_NAME = re.compile(r"[^\n\r]{1,255}\.[A-Za-z0-9]{2,5}")
_LETTERS = re.compile(r"[^\W\d_]")
_K = TypeVar("_K", str, frozenset[str])


def letters(text: str) -> int:
    return len(_LETTERS.findall(text[:2000]))


def _file_refs(text: str) -> list[str]:
    """The file names a cell lists (``a.pdf``, ``a.pdf; b.docx``, ``a.pdf, b.pdf``)."""
    parts = [p.strip() for p in re.split(r"[;|\n]", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        out.extend(pieces if len(pieces) > 1 and all(_is_file(p) for p in pieces) else [part])
    resume_like = [r for r in out if re.search(r"(?i)resume|\bcv\b|lebenslauf", r)]
    return [*resume_like, *(r for r in out if r not in resume_like)]


def _is_file(text: str) -> bool:
    return bool(_FILE_NAME.fullmatch(text)) and (
        "." + text.rsplit(".", 1)[-1].lower() in DOCUMENT_SUFFIXES
    )


class Resumes:
    """The resume rule of one run: the mapping's sources and the run's options."""

    def __init__(
        self,
        bound: BoundMapping,
        settings: SourceSettings,
        store: ResumeStore | None,
        fetcher: UrlFetcher | None,
    ) -> None:
        section = bound.mapping.resume
        self.store = store if settings.resumes else None
        self.fetcher = fetcher if settings.fetch_urls else None
        self.profile_fallback = settings.profile_fallback
        find = bound.find
        self.text = find(section.text) if section else []
        self.files = find(section.files) if section else []
        self.ids = find(section.ids) if section else []
        self.urls = find(section.urls) if section else []
        self.profile = find(section.profile) if section else []
        self.by_email = bool(section and section.email)
        self.by_name = bool(section and section.name)
        self.field = any(f.name == "candidate_resume" and f.read for f in bound.fields)
        # The plain column(s) of a candidate_resume field, to name when they are blank.
        self.field_columns = [
            f.column for f in bound.fields if f.name == "candidate_resume" and f.column
        ]
        self.link_columns = [h for _, h in (*self.text, *self.files, *self.urls)]
        self.owners: dict[frozenset[str], set[str]] = {}
        self.unmatched: list[int] = []
        self._check(bound, section is not None)

    # ------------------------------------------------------------ before the rows

    def _check(self, bound: BoundMapping, sectioned: bool) -> None:
        """Stop the run when no source can give any row a resume."""
        files = self.store is not None and (
            self.files or self.ids or self.by_email or self.by_name or self.text
        )
        links = self.fetcher is not None and (self.urls or self.link_columns)
        profile = self.profile_fallback and self.profile
        if self.field or self.text or files or links or profile:
            return
        options = [
            "add --resumes DIR|ZIP (the resume files, matched by file name, id, e-mail or name)"
        ]
        if self.urls:
            options.append(f"--fetch-resume-urls (column '{self.urls[0][1]}' holds links)")
        if self.profile:
            shown = ", ".join(h for _, h in self.profile[:3])
            options.append(f"--resume-fallback profile (composes a text from {shown} …)")
        remedy = "; or ".join(options)
        spec = bound.mapping.fields.get("candidate_resume")
        if not sectioned and spec is not None and spec.column:
            missing_required("candidate_resume", spec.column, bound.applicants, bound.jobs,
                             f" {remedy[0].upper()}{remedy[1:]}.")  # fmt: skip
        raise InputError(
            f"{bound.applicants.name}: no source for candidate_resume, which the API requires:"
            f" the export holds no resume text; {remedy}"
        )

    @property
    def needs_names(self) -> bool:
        return self.store is not None and self.by_name

    def add_owner(self, name: str, email: str) -> None:
        """Count a candidate under a name (a name two candidates share matches no file)."""
        words = name_words(name)
        if words is not None:
            self.owners.setdefault(words, set()).add(email.strip().lower())

    # ------------------------------------------------------------ a row

    def resolve(
        self, row: Row, a: Values, j: Values, payload: dict[str, Any], failed: str, d: Derived
    ) -> None:
        why: list[str] = [failed] if failed else []
        given = str(payload.get("candidate_resume") or "")
        if given:
            d.took("resume: resume column")
            return
        refs: list[str] = []
        links: list[tuple[str, str]] = []  # (column, url)
        for src in self.text:
            value = cell(src, a, j)
            if not value:
                continue
            if is_url(value):
                links.append((src[1], value))
            elif _is_file(value):
                refs.append(value)
            elif letters(value) >= MIN_RESUME_LETTERS:
                payload["candidate_resume"] = value
                d.took("resume: resume column")
                return
            else:
                why.append(f"'{src[1]}' holds too little text for a resume")
        for src in self.files:
            refs.extend(_file_refs(cell(src, a, j)))
        if self._from_files(row, a, j, payload, refs, why, d):
            return
        links += [(src[1], v) for src in self.urls if (v := cell(src, a, j))]
        links += [(h, url) for h in self.link_columns if (url := row.links.get(h))]
        if self._from_links(links, payload, why, d):
            return
        if self._from_profile(a, j, payload, why, d):
            return
        d.fail(
            "candidate_resume",
            "; ".join([*why[:3], *self._remedy(refs, links)]) or self._blank(a, j),
        )

    def _blank(self, a: Values, j: Values) -> str:
        """Why nothing was found when every source was simply empty: the columns, named."""
        sources = (*self.field_columns, *self.text, *self.files)
        empty = [src[1] for src in sources if not cell(src, a, j)]
        if not empty:
            return "none found"
        named = ", ".join(f"'{h}'" for h in empty)
        return (
            f"required, but column {named} is empty"
            if len(empty) == 1
            else (f"required, but columns {named} are empty")
        )

    def _from_files(
        self,
        row: Row,
        a: Values,
        j: Values,
        payload: dict[str, Any],
        refs: list[str],
        why: list[str],
        d: Derived,
    ) -> bool:
        store = self.store
        if store is None:
            if refs:
                why.append(f"the export names file '{refs[0]}'")
            return False
        tried: set[Hit] = set()
        for hit, source, how in self._candidates(store, a, j, payload, refs, why):
            if hit in tried:
                continue
            tried.add(hit)
            try:
                text = store.text(hit)
            except FieldProblem as exc:
                why.append(exc.message)
                continue
            if letters(text) < MIN_RESUME_LETTERS:
                why.append(f"file '{hit[1]}' holds almost no text (a scanned PDF?)")
                continue
            payload["candidate_resume"] = text
            shown = hit[1].rsplit("/", 1)[-1]
            d.took(f"resume: {source}", f"resume from {shown}" + (f" ({how})" if how else ""))
            return True
        if not tried:
            self.unmatched.append(row.line)
            if not refs:
                why.append(f"no file in {store.where} is named by the row's id, e-mail or name")
        return False

    def _candidates(
        self,
        store: ResumeStore,
        a: Values,
        j: Values,
        payload: dict[str, Any],
        refs: Sequence[str],
        why: list[str],
    ) -> Iterator[tuple[Hit, str, str]]:
        """The files that may be the row's resume, best evidence first."""
        for ref in refs:
            hit = self._find(store.named, ref, why)
            if hit is not None:
                yield hit, "file named in the export", ""
            elif not why or "ambiguous" not in why[-1]:
                why.append(f"file '{ref}' not found in {store.where}")
        for src in self.ids:
            value = cell(src, a, j)
            if value:
                hit = self._find(store.by_id, value, why)
                if hit is not None:
                    yield hit, "id in a file name", f"by {src[1]}"
        email = str(payload.get("candidate_email") or "")
        if self.by_email and email:
            hit = self._find(store.by_email, email, why)
            if hit is not None:
                yield hit, "e-mail in a file name", "by e-mail"
        words = name_words(str(payload.get("candidate_name") or ""))
        if self.by_name and words is not None:
            if len(self.owners.get(words, ())) > 1:
                why.append("other candidates share the name, so no file is matched by it")
            else:
                hit = self._find(store.by_name, words, why)
                if hit is not None:
                    yield hit, "name in a file name", "by name"

    @staticmethod
    def _find(look: Callable[[_K], Hit | None], key: _K, why: list[str]) -> Hit | None:
        try:
            hit = look(key)
        except FieldProblem as exc:
            why.append(exc.message)
            return None
        return hit

    def _from_links(
        self, links: list[tuple[str, str]], payload: dict[str, Any], why: list[str], d: Derived
    ) -> bool:
        if not links:
            return False
        if self.fetcher is None:
            return False
        for column, url in dict.fromkeys(links):
            try:
                text = self.fetcher.text(url)
            except FieldProblem as exc:
                why.append(f"'{column}': {exc.message}")
                continue
            if letters(text) < MIN_RESUME_LETTERS:
                why.append(f"the link in '{column}' gives almost no text (a scanned PDF?)")
                continue
            payload["candidate_resume"] = text
            d.took("resume: downloaded link", f"resume downloaded from the link in '{column}'")
            return True
        return False

    def _from_profile(
        self, a: Values, j: Values, payload: dict[str, Any], why: list[str], d: Derived
    ) -> bool:
        if not (self.profile_fallback and self.profile):
            return False
        parts = [(h, v) for src in self.profile if (v := cell(src, a, j)) for h in (src[1],)]
        text = "\n\n".join(f"{header}:\n{value}" for header, value in parts)
        if letters(text) < MIN_RESUME_LETTERS:
            why.append("the profile fields hold too little text")
            return False
        payload["candidate_resume"] = f"{PROFILE_HEADER}\n\n{text}"
        shown = ", ".join(h for h, _ in parts)
        d.took("resume: composed from profile", f"resume composed from profile fields ({shown})")
        return True

    def _remedy(self, refs: Sequence[str], links: Sequence[tuple[str, str]]) -> list[str]:
        out = []
        if self.store is None and (refs or self.ids or self.by_email or self.by_name):
            out.append("add --resumes DIR|ZIP")
        if links and self.fetcher is None:
            out.append(f"add --fetch-resume-urls ('{links[0][0]}' holds a link)")
        if self.profile and not self.profile_fallback:
            out.append("or --resume-fallback profile")
        return out

    def summary(self, excluded: int = 0) -> list[str]:
        """What the Summary says of the files: those no row used, the rows no file fit
        (``excluded`` rows were not looked up: their files are among the unused)."""
        if self.store is None:
            return []
        notes = []
        unused = self.store.unused()
        if unused:
            shown = ", ".join(unused[:10]) + (
                f" and {len(unused) - 10} more" if len(unused) > 10 else ""
            )
            why = f"; the {excluded} excluded rows' files are among them" if excluded else ""
            notes.append(f"resume files no row used ({len(unused)}{why}): {shown}")
        if self.unmatched:
            rows = ", ".join(str(n) for n in self.unmatched[:20])
            more = f" and {len(self.unmatched) - 20} more" if len(self.unmatched) > 20 else ""
            notes.append(f"rows no resume file matched ({len(self.unmatched)}): rows {rows}{more}")
        return notes


__all__ = ["MIN_RESUME_LETTERS", "PROFILE_HEADER", "Resumes", "letters"]
