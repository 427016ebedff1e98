"""Countries, the position's location and the interview language: found per row.

No export carries an ISO country (research/ats_exports.md §23), and candidate
exports name the job's title and office but rarely its country or a language.
:class:`Places` finds them, for every mapping by the same rules, and says
where each came from:

``candidate_country_code``
    ``fields.candidate_country_code`` or the ``candidate_country:`` columns (a
    country in any language, alpha-2/3, alias), then its location columns read
    together (``sync.locations``), then its phone columns (an international
    prefix), then, only when asked, the job's country (``--candidate-country-from
    job``) or ``--default-country``, then the field's ``default``.
``position_location``
    the field's column (the export or the jobs file), then ``--position-location``.
``position_country_code``
    the field's column when it holds a country, then the position's location
    text, then ``--position-country``, then the field's ``default``.
``mojito_language_code``
    the field's column when it holds a language, then the main language of the
    position's country, then ``--language``, then the field's ``default``.

A value that cannot be found is a row problem naming what was tried and the
option that would supply it; nothing is guessed silently.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sync import places
from sync.errors import InputError
from sync.locations import Found, country_from_location, country_from_phone
from sync.mapping.bind import BoundMapping, Values, missing_required
from sync.mapping.derived import Derived, SourceSettings, cell

COUNTRY_REMEDY = "add --default-country XX or --candidate-country-from job"


class Places:
    """The country, position and language rules of one run's mapping and options."""

    def __init__(self, bound: BoundMapping, settings: SourceSettings) -> None:
        self.settings = settings
        section = bound.mapping.candidate_country
        self.columns = bound.find(section.columns) if section else []
        self.location = bound.find(section.location) if section else []
        self.phone = bound.find(section.phone) if section else []
        self.defaults = bound.defaults
        fields = {f.name for f in bound.fields if f.read is not None}
        self.country_field = "candidate_country_code" in fields
        self.warnings: list[str] = []
        served = (
            self.country_field
            or self.columns
            or self.location
            or self.phone
            or settings.country_from_job
            or settings.default_country
            or "candidate_country_code" in self.defaults
        )
        if not served:
            _no_country(bound)
        if not (
            "position_location" in fields
            or settings.position_location
            or "position_location" in self.defaults
        ):
            jobs = f" or {bound.jobs.name}" if bound.jobs else " (and no jobs file)"
            self.warnings.append(
                f"position_location: no column in {bound.applicants.name}{jobs}; rows without"
                " position_def_set_id need --position-location TEXT"
                + ("" if bound.jobs else " or --jobs FILE")
            )

    # ------------------------------------------------------------ the position

    def position(self, a: Values, j: Values, payload: dict[str, Any], d: Derived) -> None:
        """position_location, then position_country_code, then mojito_language_code."""
        needed = not payload.get("position_def_set_id")
        if not payload.get("position_location"):
            if self.settings.position_location:
                payload["position_location"] = self.settings.position_location
                d.took("position location: --position-location", "position location: option")
            elif "position_location" in self.defaults:
                payload["position_location"] = self.defaults["position_location"]
            elif needed:
                d.fail(
                    "position_location",
                    "none in the export"
                    + ("" if d.has_jobs else " (no jobs file)")
                    + "; add --position-location TEXT"
                    + ("" if d.has_jobs else " or --jobs FILE"),
                )
        self._position_country(payload, d, needed)
        self._language(payload, d, needed)

    def _position_country(self, payload: dict[str, Any], d: Derived, needed: bool) -> None:
        given = str(payload.pop("position_country_code", "") or "")
        why = []
        if given:
            code = places.country_code(given)
            if code:
                payload["position_country_code"] = code
                return
            why.append(f"'{given}' is not a country")
        location = str(payload.get("position_location") or "")
        if location:
            found = country_from_location(location)
            where = f"location ({found.how})"
            if _take(found, payload, d, "position_country_code", "location text", where):
                return
            why.append(f"location '{location}': {found.how}")
        if self.settings.position_country:
            payload["position_country_code"] = self.settings.position_country
            d.took("position country: --position-country", "position country: option")
        elif "position_country_code" in self.defaults:
            payload["position_country_code"] = self.defaults["position_country_code"]
            d.took("position country: mapping default", "position country: the mapping's default")
        elif needed:
            d.fail("position_country_code", "; ".join([*why, "add --position-country XX"]))

    def _language(self, payload: dict[str, Any], d: Derived, needed: bool) -> None:
        given = str(payload.pop("mojito_language_code", "") or "")
        why: list[str] = []
        if given:
            code = places.language_code(given)
            if code:
                payload["mojito_language_code"] = code
                return
            # A wrong value in the export is for a person to fix, not to be papered over
            # with the country's language: the row is invalid, saying so.
            shown = ", ".join(places.LANGUAGE_CODES)
            d.fail("mojito_language_code", f"'{given}' is not an interview language ({shown})")
            return
        country = str(payload.get("position_country_code") or "")
        language = places.main_language(country) if country else None
        if language:
            payload["mojito_language_code"] = language
            d.took("language: the job's country", f"language {language} from job country {country}")
        elif self.settings.language:
            payload["mojito_language_code"] = self.settings.language
            d.took("language: --language", "language: option")
        elif "mojito_language_code" in self.defaults:
            default = self.defaults["mojito_language_code"]
            payload["mojito_language_code"] = places.language_code(str(default)) or default
            d.took("language: mapping default", f"language {default}: the mapping's default")
        elif needed:
            if country:
                why.append(f"{country} has no single main language")
            d.fail("mojito_language_code", "; ".join([*why, "add --language CODE"]))

    # ------------------------------------------------------------ the candidate

    def candidate(self, a: Values, j: Values, payload: dict[str, Any], d: Derived) -> None:
        """candidate_country_code, from the first source that gives one."""
        why: list[str] = []
        given = str(payload.pop("candidate_country_code", "") or "")
        # the field's own value first, then the candidate_country: columns, in order
        values = chain(
            [(given, "")] if given else [],
            ((v, f" in '{src[1]}'") for src in self.columns if (v := cell(src, a, j))),
        )
        for value, where in values:
            code = places.country_code(value)
            if code:
                payload["candidate_country_code"] = code
                d.took("country: country column")
                return
            why.append(f"'{value}'{where} is not a country")
        if self.location:
            text = ", ".join(v for src in self.location if (v := cell(src, a, j)))
            if text:
                found = country_from_location(text)
                where = f"location ({found.how})"
                if _take(found, payload, d, "candidate_country_code", "location text", where):
                    return
                why.append(f"location {found.how}")
        for src in self.phone:
            value = cell(src, a, j)
            if value:
                found = country_from_phone(value)
                if _take(found, payload, d, "candidate_country_code", "phone", found.how):
                    return
                why.append(found.how)
                break
        job = str(payload.get("position_country_code") or "")
        if self.settings.country_from_job and job:
            payload["candidate_country_code"] = job
            d.took("country: the job's country", f"country {job} from the job")
        elif self.settings.default_country:
            payload["candidate_country_code"] = self.settings.default_country
            d.took("country: --default-country", "country: --default-country")
        elif "candidate_country_code" in self.defaults:
            payload["candidate_country_code"] = self.defaults["candidate_country_code"]
            d.took("country: mapping default", "country: the mapping's default")
        else:
            if not why:
                why.append("no country, location or phone in the row")
            d.fail("candidate_country_code", "; ".join([*why[:3], COUNTRY_REMEDY]))


_LABEL = {"candidate_country_code": "country", "position_country_code": "position country"}


def _take(
    found: Found, payload: dict[str, Any], d: Derived, name: str, kind: str, where: str
) -> bool:
    """Whether ``found`` gave the country ``name``: then set, and its source noted."""
    if not found.code:
        return False
    payload[name] = found.code
    label = _LABEL[name]
    d.took(f"{label}: {kind}", f"{label} {found.code} from {where}")
    return True


def _no_country(bound: BoundMapping) -> None:
    section = bound.mapping.candidate_country
    spec = bound.mapping.fields.get("candidate_country_code")
    refs: list[str] = []
    if section is not None:
        refs = section.all_columns()
    elif spec is not None and spec.column:
        refs = list(spec.column)
    if not refs:
        raise InputError(
            f"{bound.applicants.name}: nothing gives candidate_country_code, which the API"
            f" requires; {COUNTRY_REMEDY}"
        )
    missing_required(
        "candidate_country_code",
        refs,
        bound.applicants,
        bound.jobs,
        f" The export has no country, location or phone column: {COUNTRY_REMEDY}.",
    )


__all__ = ["COUNTRY_REMEDY", "Places"]
