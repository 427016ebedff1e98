"""What an enrolment run knows of positions: send the id, not the position, once known.

Every enrolment without a ``position_def_set_id`` describes its position
(name, location, country, language, description) and lets the API create it,
or reuse one by rules the API does not document. Once a job's position is
known, from the ledger (``jobmojito-sync positions`` made it, or an earlier
enrolment's answer named it) or from the first answer of this run, the
``PositionBook`` sends its ``position_def_set_id`` instead of those fields.
Until then the job's rows form one group for the dispatcher
(``sync.dispatch.order``): the first goes alone and its answer names the
position the others then use, so one run never creates a job's position twice.

A row's job key (``job_key_reader``) is its cell in the mapping's
``jobs.applicants_key`` column, else its ``position_external_id``, else its
position's name, location and country: the same key ``positions`` files a
job under (the ATS's job id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sync.dispatch.endpoints import Endpoint, candidate_outcome
from sync.dispatch.settings import RowOutcome
from sync.jobmojito.client import ApiClient
from sync.jobmojito.models import CandidateResponse
from sync.jobmojito.retry import Reply
from sync.ledger.base import KnownPosition
from sync.mapping.bind import applicants_key_header
from sync.mapping.model import MappingFile
from sync.plan import position_identity
from sync.records import PlannedRow, Table

__all__ = ["POSITION_FIELDS", "PositionBook", "default_job_key", "job_key_reader"]

#: The fields that describe a position; left out once its id is sent instead.
POSITION_FIELDS = frozenset(
    {
        "position_name",
        "position_location",
        "position_country_code",
        "position_description",
        "position_description_long",
        "position_external_id",
        "mojito_language_code",
    }
)


def default_job_key(row: PlannedRow) -> str:
    """A row's job without a jobs column: its ``position_external_id``, else its
    position's identity (name, location and country)."""
    external = str(row.payload.get("position_external_id") or "").strip()
    return external or position_identity(row.payload)


def job_key_reader(mapping: MappingFile, applicants: Table) -> Callable[[PlannedRow], str]:
    """How a row names its job: see the module docstring."""
    header = applicants_key_header(mapping, applicants)
    if header is None:
        return default_job_key

    def key(row: PlannedRow) -> str:
        return row.row.values.get(header, "").strip() or default_job_key(row)

    return key


class PositionBook:
    """The positions known during one enrolment run, by job key."""

    def __init__(
        self, known: Mapping[str, KnownPosition], key_of: Callable[[PlannedRow], str]
    ) -> None:
        self._ids = {key: p.id_to_send for key, p in known.items() if p.id_to_send}
        self._learned_ids = {key: p.position_def_set_id for key, p in known.items()}
        self._key_of = key_of

    def group(self, row: PlannedRow) -> str | None:
        """The row's job while its position is unknown (its rows go one at a time)."""
        if row.payload.get("position_def_set_id"):
            return None
        key = self._key_of(row)
        return None if key in self._ids else key

    def body(self, row: PlannedRow) -> dict[str, Any]:
        """The row's request: with the known position's id instead of its description."""
        payload = row.payload
        if payload.get("position_def_set_id"):
            return payload
        known = self._ids.get(self._key_of(row))
        if known is None:
            return payload
        body = {k: v for k, v in payload.items() if k not in POSITION_FIELDS}
        body["position_def_set_id"] = known
        return body

    def learn(self, row: PlannedRow, outcome: RowOutcome) -> KnownPosition | None:
        """What the answer teaches: the job's position, new to the ledger (or None)."""
        pds = outcome.position_def_set_id
        if not pds or not outcome.status.is_enrolled:
            return None
        key = self._key_of(row)
        if self._learned_ids.get(key) == pds:
            return None
        self._ids.setdefault(key, pds)
        self._learned_ids[key] = pds
        name = str(row.payload.get("position_name") or "")
        code = str(row.payload.get("position_external_id") or "")
        return KnownPosition(key, "enrolment", position_def_set_id=pds, name=name, code=code)

    def endpoint(self) -> Endpoint[CandidateResponse, PlannedRow, RowOutcome]:
        """Enrol one candidate per row, naming known positions; grouped by job."""

        def send(client: ApiClient, row: PlannedRow) -> Awaitable[Reply[CandidateResponse]]:
            return client.create_for_candidate(self.body(row))

        return Endpoint(send, candidate_outcome, group=self.group)
