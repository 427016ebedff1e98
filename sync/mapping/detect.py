"""Which shipped mapping fits a file (``--mapping auto``), from its headers.

Each shipped mapping declares ``detect.columns``: the headers typical of its
ATS's export. A file's score for a mapping is the share of those columns its
header row has (matched with ``normalise_header``), so extra, reordered and a
few missing columns are tolerated. ``--mapping auto`` takes the best score,
refuses when two mappings are too close to call, and says why it chose.
(A starter mapping for a file none fits is ``sync.mapping.starter``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sync.errors import MappingError
from sync.mapping.load import list_mappings
from sync.mapping.model import MappingFile
from sync.readers import normalise_header

MIN_SCORE = 0.6  # below this share of a signature, a mapping does not fit
MARGIN = 0.1  # the best must lead the runner-up by this much


@dataclass(frozen=True, slots=True)
class Score:
    mapping: MappingFile
    score: float  # 0..1: share of the signature columns found
    found: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def explain(self) -> str:
        total = len(self.found) + len(self.missing)
        text = f"{len(self.found)}/{total} signature columns"
        if self.missing:
            text += " (missing: " + ", ".join(self.missing[:5])
            text += ", …)" if len(self.missing) > 5 else ")"
        return text


@dataclass(frozen=True, slots=True)
class Choice:
    mapping: MappingFile
    reason: str
    scores: tuple[Score, ...]


def _signature(mapping: MappingFile) -> tuple[tuple[str, ...], ...]:
    """The signature entries, each a tuple of alternative spellings."""
    return tuple(tuple(e) for e in mapping.detect.columns) if mapping.detect is not None else ()


@lru_cache(maxsize=1)
def _shipped() -> tuple[MappingFile, ...]:
    return tuple(list_mappings())


def all_signature_columns() -> list[str]:
    """Every signature column of every shipped mapping (to find header rows)."""
    return [name for m in _shipped() if m.detect is not None for name in m.detect.names()]


def all_referenced_columns() -> list[str]:
    """Every column any shipped mapping reads (to find the header row of an export
    before the mapping is chosen)."""
    out: dict[str, None] = {}
    for m in _shipped():
        out.update(dict.fromkeys(m.referenced_columns()))
    return list(out)


def score_mappings(
    headers: Sequence[str], mappings: Sequence[MappingFile] | None = None
) -> list[Score]:
    """Score each mapping against a file's headers, best first."""
    present = {normalise_header(h) for h in headers if h}
    scores = []
    for m in mappings if mappings is not None else _shipped():
        sig = _signature(m)
        if not sig:
            continue
        found: list[str] = []
        missing: list[str] = []
        for entry in sig:
            hit = next((c for c in entry if normalise_header(c) in present), None)
            if hit is None:
                missing.append(entry[0])
            else:
                found.append(hit)
        scores.append(Score(m, len(found) / len(sig), tuple(found), tuple(missing)))
    scores.sort(key=lambda s: (-s.score, -len(s.found), s.mapping.name))
    return scores


def choose_mapping(
    headers: Sequence[str],
    *,
    file_name: str = "the file",
    mappings: Sequence[MappingFile] | None = None,
) -> Choice:
    """The mapping for ``--mapping auto``; MappingError when none fits or two tie."""
    scores = score_mappings(headers, mappings)
    if not scores or scores[0].score < MIN_SCORE:
        closest = (
            f"; the closest is '{scores[0].mapping.name}' ({scores[0].explain})" if scores else ""
        )
        raise MappingError(
            f"{file_name}: no shipped mapping fits its headers{closest}. Name one with"
            f" --mapping, or write one: jobmojito-sync mappings init {file_name}"
        )
    best = scores[0]
    if len(scores) > 1 and scores[1].score >= MIN_SCORE and best.score - scores[1].score < MARGIN:
        second = scores[1]
        raise MappingError(
            f"{file_name}: cannot tell which mapping fits: '{best.mapping.name}'"
            f" ({best.score:.0%}, {best.explain}) and '{second.mapping.name}'"
            f" ({second.score:.0%}, {second.explain}) score alike; choose one with --mapping"
        )
    reason = f"detected from the headers of {file_name}: {best.score:.0%} fit, {best.explain}"
    return Choice(best.mapping, reason, tuple(scores))


__all__ = [
    "MARGIN",
    "MIN_SCORE",
    "Choice",
    "Score",
    "all_referenced_columns",
    "all_signature_columns",
    "choose_mapping",
    "score_mappings",
]
