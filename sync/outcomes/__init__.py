"""Outcomes back: who took the interview, how they scored, in a sheet the ATS can take back.

``run_outcomes(ledger=..., outcomes_out=...)`` pages through the API's interview
results (``merchant-result-list``) with the client, pacing, retries and token
handling of sending, matches each result to an enrolment of the ledger, and
writes one line per enrolled candidate with the ATS's own candidate and job ids
(the results that match no enrolment apart), plus an import file where the
ATS documents an import that adds to existing candidates. The ledger remembers
what was written, so ``changed_since="last-run"`` writes only what changed.

Modules, lowest first:

- ``lines``: what a result says (``Outcome``), a line of the sheet and what
  changed, the columns (pure);
- ``match``: which enrolment each result belongs to (pure);
- ``assessment``: the AI assessment of a completed interview, as the sheet shows it;
- ``layouts``: the ATS import layouts (Lever) and which lines go to each;
- ``fetch``: reading every page, and the details, through the dispatcher;
- ``sheets``: writing the sheet, the results apart and the import files;
- ``summary``: the Summary of a run, and its counts for ``history`` and XCom;
- ``run``: the lifecycle (``run_outcomes``, ``execute_outcomes``, ``OutcomeReport``).

Names load lazily: ``sync.run`` and the CLI import this package without httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.lazy import lazy_exports

__all__ = [
    "NOT_STARTED",
    "OutcomeLine",
    "OutcomeReport",
    "UnmatchedLine",
    "execute_outcomes",
    "match_results",
    "run_outcomes",
]

__getattr__ = lazy_exports(
    __name__,
    {
        ".lines": ("NOT_STARTED", "OutcomeLine", "UnmatchedLine"),
        ".match": ("match_results",),
        ".run": ("OutcomeReport", "execute_outcomes", "run_outcomes"),
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from sync.outcomes.lines import NOT_STARTED, OutcomeLine, UnmatchedLine
    from sync.outcomes.match import match_results
    from sync.outcomes.run import OutcomeReport, execute_outcomes, run_outcomes
