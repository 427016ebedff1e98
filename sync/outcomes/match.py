"""Matching: which enrolment of the ledger each result of merchant-result-list belongs to.

Pure. A result belongs to an enrolment when (in this order):

1. its ``profile_interview_id`` is the one the API returned for the enrolment and
   its position agrees (same position name, or its ``definition_id`` is the
   enrolment's ``position_def_set_id``; a result or enrolment without a position
   name agrees with any) — the id names the candidate, the position names which
   of the candidate's interviews it is;
2. else its e-mail and position name are the enrolment's (what the candidate was
   enrolled with; for enrolments made before the API returned ids).

Several enrolments left after that are told apart by ``definition_id``, then by
``external_id`` (the ATS candidate id the enrolment sent); a result still
ambiguous, or matching none, is listed apart with why (``UnmatchedLine``): it was
enrolled another way, or belongs to another position of the same candidate. It is
never put on an enrolment's line.

An enrolment with several results (another attempt, a pre-screening step) shows
one: an interview step before a pre-screening one, then the most advanced
(completed, started, not started), then the newest; the others are counted as
``superseded``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sync.jobmojito.models import MerchantResult
from sync.ledger.base import EnrolledCandidate
from sync.outcomes.lines import COMPLETED, NOT_STARTED, UnmatchedLine, progress_of

NO_ENROLMENT = (
    "no enrolment in this ledger has its profile_interview_id, nor its e-mail and position:"
    " enrolled another way (the admin portal, another ledger)"
)
OTHER_POSITION = (
    "the candidate is enrolled in this ledger, but for another position: this interview"
    " was set up another way"
)
AMBIGUOUS = "matches {n} enrolments of this ledger equally well (same candidate and position)"


def _norm(value: object) -> str:
    return " ".join(str(value or "").split()).casefold()


def _position_names(candidate: EnrolledCandidate) -> set[str]:
    """The names a result may give the enrolment's position: its name, and its label."""
    names = {_norm(candidate.position_name), _norm(candidate.position)}
    label = candidate.position
    if label.endswith(")") and " (" in label:  # "Backend Engineer (JOB-7)": the label
        names.add(_norm(label.rpartition(" (")[0]))
    return names - {""}


@dataclass(slots=True)
class Matching:
    """Each enrolment's result (by identity), the results listed apart, the superseded."""

    results: dict[str, MerchantResult] = field(default_factory=dict)
    unmatched: list[UnmatchedLine] = field(default_factory=list)
    superseded: int = 0


def _rank(result: MerchantResult) -> tuple[int, int, str, str]:
    progress = progress_of(result)
    level = 2 if progress == COMPLETED else 0 if progress == NOT_STARTED else 1
    step = 0 if _norm(result.position_step) == "pre-screening" else 1
    return (step, level, str(result.updated_at or result.created_at or ""), result.id)


class _Index:
    def __init__(self, candidates: Sequence[EnrolledCandidate]) -> None:
        self.by_pid: dict[str, list[EnrolledCandidate]] = {}
        self.by_email_position: dict[tuple[str, str], list[EnrolledCandidate]] = {}
        self.names = {c.identity: _position_names(c) for c in candidates}
        for c in candidates:
            if c.profile_interview_id:
                self.by_pid.setdefault(c.profile_interview_id, []).append(c)
            email = _norm(c.candidate_email)
            for name in self.names[c.identity]:
                self.by_email_position.setdefault((email, name), []).append(c)

    def agrees(self, result: MerchantResult, candidate: EnrolledCandidate) -> bool:
        name = _norm(result.position_name)
        names = self.names[candidate.identity]
        if not name or not names or name in names:
            return True
        return bool(result.definition_id) and result.definition_id == candidate.position_def_set_id

    def find(self, result: MerchantResult) -> tuple[list[EnrolledCandidate], str]:
        """The enrolments the result may belong to, and why none when none."""
        why = NO_ENROLMENT
        pool: list[EnrolledCandidate] = []
        same_candidate = self.by_pid.get(result.profile_interview_id or "", [])
        if same_candidate:
            pool = [c for c in same_candidate if self.agrees(result, c)]
            if not pool:
                why = OTHER_POSITION
        if not pool:
            key = (_norm(result.candidate_email), _norm(result.position_name))
            if all(key):
                pool = list(self.by_email_position.get(key, []))
        pool = list({c.identity: c for c in pool}.values())
        if len(pool) > 1 and result.definition_id:
            pool = [c for c in pool if c.position_def_set_id == result.definition_id] or pool
        if len(pool) > 1 and result.external_id:
            pool = [c for c in pool if c.candidate_external_id == result.external_id] or pool
        return pool, why


def match_results(
    candidates: Sequence[EnrolledCandidate], results: Iterable[MerchantResult]
) -> Matching:
    """Each enrolment's result, and the results that belong to none (see the module)."""
    index = _Index(candidates)
    matching = Matching()
    chosen = matching.results
    for result in results:
        pool, why = index.find(result)
        if len(pool) != 1:
            reason = why if not pool else AMBIGUOUS.format(n=len(pool))
            matching.unmatched.append(UnmatchedLine.of(result, reason))
            continue
        identity = pool[0].identity
        held = chosen.get(identity)
        if held is not None:
            matching.superseded += 1
            if _rank(held) >= _rank(result):
                continue
        chosen[identity] = result
    return matching
