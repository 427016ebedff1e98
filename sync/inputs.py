"""The run's inputs: each export read (and hashed) once, and the mapping settled for it.

``read_input`` is how every step reads a file the user named (the applicants and
jobs exports, the questions sheet): with the run's CSV encoding and delimiter
(sniffed unless forced) and under its ``--max-input-mb`` cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.errors import UsageError
from sync.mapping import MappingFile, all_referenced_columns, choose_mapping, load_mapping
from sync.options import SyncOptions
from sync.readers import read_table
from sync.readers.frames import table_from_frame
from sync.records import Table


@dataclass(frozen=True, slots=True)
class Inputs:
    """The run's input files, each read (and hashed) once, and the mapping chosen."""

    applicants: Table
    jobs: Table | None
    mapping: MappingFile
    mapping_reason: str

    @property
    def notes(self) -> list[str]:
        """What reading the files noted (title rows skipped, encoding guessed …)."""
        return [*self.applicants.notes, *(self.jobs.notes if self.jobs is not None else ())]

    @property
    def hashes(self) -> list[tuple[str, str]]:
        """(path, sha256) of every input, for the ledger and the Summary."""
        tables = [self.applicants, *([self.jobs] if self.jobs is not None else [])]
        return [(t.path, t.sha256) for t in tables]


def read_input(
    options: SyncOptions, path: Path, *, sheet: str | None, expect: Iterable[str] = ()
) -> Table:
    """The file ``path`` as a table, read with the run's options; ``sheet`` and
    ``expect`` pick the workbook sheet and find the header row (``read_table``)."""
    return read_table(
        path,
        sheet=sheet,
        encoding=options.encoding,
        delimiter=options.delimiter,
        expect=expect,
        max_bytes=options.max_input_mb * 2**20,
    )


def read_inputs(options: SyncOptions, frames: Mapping[str, Any] | None = None) -> Inputs:
    """Read the applicants (and jobs) export once each, and settle the mapping.

    With ``mapping = auto`` the header row is found with the columns of every
    shipped mapping, and the mapping is chosen from the headers read. ``frames``
    holds pandas DataFrames given instead of files (``"applicants"``, ``"jobs"``).
    """
    frames = frames or {}
    chosen: MappingFile | None = None
    reason = f"mapping '{options.mapping}' chosen with --mapping"
    if options.mapping != "auto":
        chosen = load_mapping(options.mapping)
        expect = chosen.referenced_columns()
    else:
        expect = all_referenced_columns()
    if "applicants" in frames:
        applicants = table_from_frame(frames["applicants"], name="applicants (DataFrame)")
    elif options.applicants is None:
        raise UsageError("--applicants: required: give the flag or set it in the config file")
    else:
        applicants = read_input(options, options.applicants, sheet=options.sheet, expect=expect)
    if chosen is None:
        choice = choose_mapping(applicants.headers, file_name=applicants.name)
        chosen, reason = choice.mapping, choice.reason
    jobs = None
    if "jobs" in frames:
        jobs = table_from_frame(frames["jobs"], name="jobs (DataFrame)")
    elif options.jobs is not None:
        expect = chosen.referenced_columns()
        jobs = read_input(options, options.jobs, sheet=options.jobs_sheet, expect=expect)
    return Inputs(applicants, jobs, chosen, reason)


__all__ = ["Inputs", "read_input", "read_inputs"]
