"""The derived fields of a run: bound once against the files and options, found per row.

``Sources(bound, settings, store=…, fetcher=…)`` is made once a run (after
``bind(…, derived=DERIVED_FIELDS)``). It stops the run before anything is
sent when no source at all can give a required value, with the options that
would (``add --resumes DIR``, ``add --default-country XX or
--candidate-country-from job``). Then ``map_rows`` calls :meth:`Sources.resolve`
for each row: the position's location, country and language first
(``sync.mapping.countries``), then the candidate's country (which may take the
job's), then the resume (``sync.mapping.resumes``). Each value says where it
came from (the row's notes) and is counted (:attr:`Sources.counts`, the
Summary's "Values by source"); a value nothing gives is the row's problem.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from sync.mapping.bind import BoundMapping, Values
from sync.mapping.countries import Places
from sync.mapping.derived import DERIVED_FIELDS, Derived, SourceSettings
from sync.mapping.resumes import Resumes
from sync.readers.resumes import ResumeStore
from sync.readers.urls import UrlFetcher
from sync.records import Row

log = structlog.get_logger("sync")


class Sources:
    """Finds every row's derived fields, and counts where they came from."""

    def __init__(
        self,
        bound: BoundMapping,
        settings: SourceSettings,
        *,
        store: ResumeStore | None = None,
        fetcher: UrlFetcher | None = None,
    ) -> None:
        self.places = Places(bound, settings)
        self.resumes = Resumes(bound, settings, store, fetcher)
        self.store = store
        self.has_jobs = bound.jobs is not None
        self.counts: Counter[str] = Counter()

    @property
    def warnings(self) -> list[str]:
        return list(self.places.warnings)

    @property
    def needs_names(self) -> bool:
        """Whether ``add_owner`` must see every row's name first (matching by name)."""
        return self.resumes.needs_names

    def add_owner(self, name: str, email: str) -> None:
        self.resumes.add_owner(name, email)

    def resolve(
        self,
        row: Row,
        a: Values,
        j: Values,
        payload: dict[str, Any],
        failed: dict[str, str],
        *,
        job_missing: bool = False,
    ) -> Derived:
        """Fill the row's derived fields in ``payload``; what came from where, and what not.

        ``failed`` holds the problems the mapping's own fields met (a ``file``
        transform's missing file): reasons for the chain, not yet the row's.
        ``job_missing``: the row's job key is not in the jobs file (already the
        row's problem), so the position's fields are not asked for again.
        """
        d = Derived(has_jobs=self.has_jobs)
        if job_missing:
            d.quiet = True
        for name in ("position_location", "position_country_code", "mojito_language_code"):
            if name in failed:
                d.problems.append(f"{name}: {failed[name]}")
        self.places.position(a, j, payload, d)
        if "candidate_country_code" in failed:
            d.problems.append(f"candidate_country_code: {failed['candidate_country_code']}")
        else:
            self.places.candidate(a, j, payload, d)
        self.resumes.resolve(row, a, j, payload, failed.get("candidate_resume", ""), d)
        self.counts.update(d.sources)
        return d

    def summary(self, excluded: int = 0) -> list[str]:
        """Notes for the run's Summary: resume files no row used, rows no file matched
        (``excluded``: rows the selection left out, whose files were not looked for)."""
        if self.counts:
            log.info("values by source", sources=self.source_counts())
        return self.resumes.summary(excluded)

    def source_counts(self) -> dict[str, int]:
        """Source -> rows, in a stable order (by field, then most rows first)."""
        return dict(sorted(self.counts.items(), key=lambda kv: (kv[0].split(":")[0], -kv[1])))


@contextmanager
def open_sources(
    bound: BoundMapping, options: Any, *, store: ResumeStore | None = None
) -> Iterator[Sources]:
    """A run's ``Sources`` for its ``SyncOptions``: the resume store of ``--resumes``
    (only where the user pointed: never the export's own folder) unless a
    ``store`` is given, and a link fetcher with ``--fetch-resume-urls``; both are
    closed at the end."""
    settings = SourceSettings.of(options)
    own = store is None
    if store is None:
        store = ResumeStore([options.resumes] if options.resumes is not None else [])
    if store.base_dirs and not settings.resumes:
        settings = dataclasses.replace(settings, resumes=True)
    rate = options.resume_url_rate
    fetcher = UrlFetcher(rate=rate) if options.fetch_resume_urls else None
    try:
        yield Sources(bound, settings, store=store, fetcher=fetcher)
    finally:
        if fetcher is not None:
            fetcher.close()
        if own:
            store.close()  # the PDF/DOCX worker process


__all__ = ["DERIVED_FIELDS", "SourceSettings", "Sources", "open_sources"]
