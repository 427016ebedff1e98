"""The rules of a mapping file that pydantic's types cannot say.

Names (a known payload or interview field, a known transform), the ``select:``
conditions (``sync.mapping.conditions.check_select``), exclusivity (one
of column, template, const; a source given in ``fields`` or as its own section,
not both), references (``jobs.X`` only with a ``jobs:`` section; a
``positions:`` section reads the jobs file alone) and the fields the API
requires. Each problem is one line naming the key path; ``sync.mapping.load``
prefixes the file. The model itself is ``sync.mapping.model``.
"""

from __future__ import annotations

import contextlib

from sync.mapping.conditions import check_select
from sync.mapping.model import (
    INTERVIEW_FIELDS,
    JOBS_PREFIX,
    PAYLOAD_FIELDS,
    REQUIRED_FIELDS,
    REQUIRED_INTERVIEW_FIELDS,
    FieldSpec,
    JobsJoin,
    MappingFile,
    PositionsSpec,
    TemplateError,
    parse_template,
)
from sync.mapping.transforms import TRANSFORMS, TYPED_TRANSFORMS
from sync.text import closest


def check_mapping(mapping: MappingFile, stem: str | None) -> list[str]:
    """The rules pydantic's types cannot say: names, exclusivity, references."""
    problems: list[str] = []
    if stem is not None and mapping.name != stem:
        problems.append(f"name: '{mapping.name}' must equal the file name '{stem}'")
    if mapping.detect is not None and not mapping.detect.columns:
        problems.append("detect.columns: give at least one column name")
    if mapping.jobs is not None:
        for key in ("applicants_key", "jobs_key"):
            names: list[str] = getattr(mapping.jobs, key)
            if not names or not all(n.strip() for n in names):
                problems.append(f"jobs.{key}: give a column name (or a list of them)")
        for i, name in enumerate(mapping.jobs.jobs_key):
            if name.startswith(JOBS_PREFIX):
                sub = "jobs.jobs_key" + (f"[{i}]" if len(mapping.jobs.jobs_key) > 1 else "")
                bare = name.removeprefix(JOBS_PREFIX)
                problems.append(f"{sub}: name the jobs file's column without 'jobs.' ('{bare}')")
    if mapping.select is not None:
        problems.extend(check_select(mapping.select, has_jobs=mapping.jobs is not None))
    for field, spec in mapping.fields.items():
        found, usable = _check_field(f"fields.{field}", field, spec, PAYLOAD_FIELDS)
        problems.extend(found)
        if mapping.jobs is None and usable:
            for sub, ref in _references(f"fields.{field}", spec):
                if ref.startswith(JOBS_PREFIX):
                    problems.append(
                        f"{sub}: '{ref}' refers to the jobs file, but the mapping has no jobs:"
                        " section (applicants_key, jobs_key)"
                    )
    for key, field in (
        ("resume", "candidate_resume"),
        ("candidate_country", "candidate_country_code"),
    ):
        if getattr(mapping, key) is not None and field in mapping.fields:
            problems.append(
                f"fields.{field}: give it in fields or as {key}:, not both"
                f" ({key}: lists every source, the column included)"
            )
        section = getattr(mapping, key)
        for sub, names in section.model_dump().items() if section is not None else ():
            for i, ref in enumerate(names if isinstance(names, list) else ()):
                if ref.startswith(JOBS_PREFIX) or not ref.strip():
                    problems.append(
                        f"{key}.{sub}[{i}]: give a column of the applicants file"
                        f" ({'not the jobs file' if ref.strip() else 'not an empty name'})"
                    )
    sections = {
        "candidate_resume": mapping.resume,
        "candidate_country_code": mapping.candidate_country,
    }
    missing = [f for f in REQUIRED_FIELDS if f not in mapping.fields and sections.get(f) is None]
    if missing:
        problems.append(
            f"fields: missing {', '.join(missing)}, required by the API"
            " (give each a column, template or const)"
        )
    if mapping.positions is not None:
        problems.extend(_check_positions(mapping.positions, mapping.jobs))
    return problems


def _check_positions(positions: PositionsSpec, jobs: JobsJoin | None) -> list[str]:
    """``positions:``: interview fields, made from the jobs file's columns."""
    problems: list[str] = []
    if jobs is None:
        problems.append(
            "positions: needs a jobs: section, whose jobs_key names each job (and which"
            " applicants' rows belong to it)"
        )
    for field, spec in positions.fields.items():
        at = f"positions.fields.{field}"
        found, usable = _check_field(at, field, spec, INTERVIEW_FIELDS, what="interview field")
        problems.extend(found)
        for sub, ref in _references(at, spec) if usable else []:
            if ref.startswith(JOBS_PREFIX):
                bare = ref.removeprefix(JOBS_PREFIX)
                problems.append(
                    f"{sub}: positions are made from the jobs file alone; name its column"
                    f" without 'jobs.' ('{bare}')"
                )
    missing = [f for f in REQUIRED_INTERVIEW_FIELDS if f not in positions.fields]
    if missing:
        problems.append(
            f"positions.fields: missing {', '.join(missing)}, required by the API"
            " (give each a column, template or const)"
        )
    return problems


def _references(at: str, spec: FieldSpec) -> list[tuple[str, str]]:
    """(key path, column reference) of every column a field reads."""
    refs: list[tuple[str, str]] = []
    if spec.column is not None:
        for i, ref in enumerate(spec.column):
            refs.append((f"{at}.column" + (f"[{i}]" if len(spec.column) > 1 else ""), ref))
    if spec.template is not None:
        with contextlib.suppress(TemplateError):  # reported by _check_field
            refs.extend((f"{at}.template", ref) for _, ref in parse_template(spec.template) if ref)
    return refs


def _check_field(
    at: str,
    field: str,
    spec: FieldSpec,
    allowed_fields: tuple[str, ...],
    what: str = "payload field",
) -> tuple[list[str], bool]:
    """One field's own rules (a known name, one source, known transforms): its problems,
    and whether it is usable enough for the checks across fields."""
    problems: list[str] = []
    if field == "questions" and what == "interview field":
        return [f"{at}: the questions come from the questions sheet (--questions)"], False
    if field not in allowed_fields:
        found = closest(field, allowed_fields)
        hint = f"did you mean {found}?" if found else "see the API's request fields"
        return [f"{at}: unknown {what} ({hint})"], False
    given = [k for k, v in (("column", spec.column), ("template", spec.template)) if v is not None]
    given += ["const"] if spec.has_const else []
    if len(given) != 1:
        return [f"{at}: give exactly one of column, template, const"], False
    if spec.column is not None:
        if not spec.column:
            problems.append(f"{at}.column: give a column name (or a list of them)")
        for sub, ref in _references(at, spec):
            if not ref.removeprefix(JOBS_PREFIX).strip():
                problems.append(f"{sub}: empty column name")
    if spec.template is not None:
        try:
            parts = parse_template(spec.template)
        except TemplateError as exc:
            problems.append(f"{at}.template: {exc}")
        else:
            if all(ref is None for _, ref in parts):
                problems.append(
                    f"{at}.template: no {{Column}} placeholder; use const for fixed text"
                )
    if spec.has_const:
        for key in ("transforms", "default", "max_length"):
            if key in spec.model_fields_set:
                problems.append(f"{at}.{key}: not allowed with const (a const is sent as written)")
    allowed = ", ".join(TRANSFORMS)
    for i, name in enumerate(spec.transforms):
        if name not in TRANSFORMS:
            problems.append(
                f"{at}.transforms[{i}]: unknown transform '{name}' (allowed: {allowed})"
            )
        elif name in TYPED_TRANSFORMS and i != len(spec.transforms) - 1:
            problems.append(
                f"{at}.transforms[{i}]: '{name}' does not give text, so it must be the last"
                " transform"
            )
    return problems, True


__all__ = ["check_mapping"]
