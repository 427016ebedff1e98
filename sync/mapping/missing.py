"""What a file lacks, in words: the messages of a column a mapping names but no file has.

``missing_required`` raises the InputError of a required field no column
serves, ``no_column`` makes that of any field or condition (``sync.mapping.select``);
the helpers say which columns were looked for in which file, the nearest header
the file has ("did you mean ...?"), and every header it has. Binding
(``sync.mapping.bind``) and the sources (``sync.mapping.resumes``, ``countries``)
word their messages with them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.errors import InputError
from sync.mapping.model import JOBS_PREFIX
from sync.readers import normalise_header
from sync.records import Table
from sync.text import did_you_mean


def missing_required(
    name: str, refs: Sequence[str], applicants: Table, jobs: Table | None, remedy: str = ""
) -> None:
    """Raise the InputError of a required field no column serves (``remedy``: the options
    that would serve it, as a sentence)."""
    raise no_column(f"{name}, which the API requires", refs, applicants, jobs, remedy)


def no_column(
    what: str, refs: Sequence[str], applicants: Table, jobs: Table | None, remedy: str = ""
) -> InputError:
    """The InputError of ``what`` (a field, a condition) none of whose columns ``refs`` the
    files have: what was looked for, the nearest header, ``remedy``, the file's headers."""
    only_jobs = all(r.startswith(JOBS_PREFIX) for r in refs) and jobs is not None
    table = jobs if only_jobs and jobs is not None else applicants
    names = [r.removeprefix(JOBS_PREFIX) for r in refs] if only_jobs else refs
    return InputError(
        f"{table.name}: no column for {what}: looked for"
        f" {looked_for(refs, applicants, jobs)}{nearest_header(names, table)}."
        f"{remedy}{file_headers(table)}"
    )


def looked_for(
    refs: Sequence[str], applicants: Table, jobs: Table | None, joiner: str = " and "
) -> str:
    app = [r for r in refs if not r.startswith(JOBS_PREFIX)]
    job = [r.removeprefix(JOBS_PREFIX) for r in refs if r.startswith(JOBS_PREFIX)]
    parts = []
    if app:
        parts.append(f"{alternatives(app)} in {applicants.name}")
    if job and jobs is not None:
        parts.append(f"{alternatives(job)} in {jobs.name}")
    elif job:
        parts.append(f"{alternatives([JOBS_PREFIX + j for j in job])} (no jobs file given)")
    return joiner.join(parts)


def alternatives(names: Sequence[str]) -> str:
    return " or ".join(f"'{n}'" for n in names)


def nearest_header(names: Sequence[str], table: Table) -> str:
    for name in names:
        hint = did_you_mean(name, table.headers, cutoff=0.75, key=normalise_header, quote="'")
        if hint:
            return hint
    return ""


def file_headers(table: Table) -> str:
    return f" The file's headers: {', '.join(table.headers) or '(none)'}"


__all__ = [
    "alternatives",
    "file_headers",
    "looked_for",
    "missing_required",
    "nearest_header",
    "no_column",
]
