"""What the derived fields of a row came to, and the run options they may use.

Shared by ``sync.mapping.countries`` and ``sync.mapping.resumes`` (the rules)
and ``sync.mapping.sources`` (which runs them): the options as a plain value
(:class:`SourceSettings`, made from ``SyncOptions`` by the run) and the
per-row record of notes, sources and problems (:class:`Derived`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.mapping.bind import Source, Values

#: The fields ``sync.mapping.sources`` finds, beyond what a mapping's column gives.
DERIVED_FIELDS = frozenset(
    {
        "candidate_resume",
        "candidate_country_code",
        "position_location",
        "position_country_code",
        "mojito_language_code",
    }
)


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """The run's options the derived fields use (``--resumes`` … ``--language``)."""

    resumes: bool = False  # --resumes was given
    fetch_urls: bool = False  # --fetch-resume-urls
    profile_fallback: bool = False  # --resume-fallback profile
    country_from_job: bool = False  # --candidate-country-from job
    default_country: str | None = None  # --default-country
    position_location: str | None = None  # --position-location
    position_country: str | None = None  # --position-country
    language: str | None = None  # --language

    @classmethod
    def of(cls, options: Any) -> SourceSettings:
        """The settings of a run's ``SyncOptions`` (``resumes``: a --resumes was given)."""
        return cls(
            resumes=options.resumes is not None,
            fetch_urls=options.fetch_resume_urls,
            profile_fallback=options.resume_fallback == "profile",
            country_from_job=options.candidate_country_from == "job",
            default_country=options.default_country,
            position_location=options.position_location,
            position_country=options.position_country,
            language=options.language,
        )


@dataclass(slots=True)
class Derived:
    """One row's derived values: where each came from, and what could not be found."""

    has_jobs: bool = False
    quiet: bool = False  # the position's own problems are not reported (no job row)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def took(self, source: str, note: str = "") -> None:
        """A value came from ``source`` (counted); ``note`` tells the row's reader."""
        self.sources.append(source)
        if note:
            self.notes.append(note)

    def fail(self, name: str, why: str) -> None:
        """``name`` could not be found: the row's problem, and a count."""
        self.sources.append(f"{_SHORT.get(name, name)}: missing")
        if not (self.quiet and name.startswith(("position_", "mojito_"))):
            self.problems.append(f"{name}: {why}")


_SHORT = {
    "candidate_resume": "resume",
    "candidate_country_code": "country",
    "position_country_code": "position country",
    "position_location": "position location",
    "mojito_language_code": "language",
}


def cell(src: Source, a: Values, j: Values) -> str:
    """The trimmed text of a column of the applicant's (or the joined job's) row."""
    in_jobs, header = src
    return (j if in_jobs else a).get(header, "").strip()


__all__ = ["DERIVED_FIELDS", "Derived", "SourceSettings", "cell"]
