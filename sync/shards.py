"""Sharded runs: which rows of an export are this worker's, and the run group they share.

``--shard I/N`` splits one export between N workers. A row belongs to the
shard its candidate identity (the trimmed lower-case e-mail and the
position, ``sync.plan.row_identity``) hashes to: SHA-256, so the split is the
same on every machine, in every process and on every run (Python's ``hash()``
is salted per process). Rows with the same identity (in-input duplicates) land
in the same shard, so each shard still finds its own duplicates.

Every shard reads, maps and plans the whole export (cheap beside sending) and
sends only its rows; the rest of its results sheet says ``other_shard``
(whose shard they are). Each shard is a run of its own in one **run group**:
``--group NAME``, or by default a name derived from the inputs' content, the
mapping and N, so that shards started independently (four cron hosts, four
Airflow workers) land in the same group without being told. The group's
results sheet (``jobmojito-sync report --group G``) takes each row from its
own shard's latest run: every input row once, in input order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sync.records import PlannedRow, Status

__all__ = [
    "MAX_SHARDS",
    "Shard",
    "check_group",
    "derived_group",
    "run_group",
    "select_shard",
    "shard_of",
]

MAX_SHARDS = 1024
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_GROUP_CHARS = re.compile(r"[^\x00-\x1f\x7f]{1,200}")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as ``--shard 2/4`` says it)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` -> ``Shard(2, 4)``; ``ValueError`` saying what is allowed."""
        match = _SHARD.fullmatch(str(text))
        if match is None:
            raise ValueError(f"'{text}' is not a shard: give I/N, e.g. 2/4 (shard 2 of 4)")
        index, count = int(match[1]), int(match[2])
        if not 1 <= count <= MAX_SHARDS:
            raise ValueError(f"'{text}': the number of shards must be 1 to {MAX_SHARDS}")
        if not 1 <= index <= count:
            raise ValueError(f"'{text}': the shard must be 1 to {count} (shards count from 1)")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, identity: str) -> bool:
        """Whether the row with this candidate identity is this shard's."""
        return shard_of(identity, self.count) == self.index


def shard_of(identity: str, count: int) -> int:
    """The shard (1 to ``count``) of a candidate identity: stable everywhere, every time."""
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(planned: Iterable[PlannedRow], shard: Shard) -> None:
    """Leave this shard's rows as planned; every other row becomes ``other_shard``."""
    for p in planned:
        owner = shard_of(p.identity, shard.count)
        if owner != shard.index:
            p.status = Status.OTHER_SHARD
            p.reason = f"shard {owner}/{shard.count}'s row (this run is shard {shard})"
            p.interview_url = ""
            p.fingerprint = ""  # its problem, if any, is its own shard's to report


def derived_group(hashes: Sequence[str], mapping: str, count: int) -> str:
    """The run group of shards given no ``--group``: the same for every shard of the
    same inputs (by content, wherever they were read from), mapping and N."""
    text = "\n".join([*hashes, mapping, str(count)])
    return f"g-{hashlib.sha256(text.encode()).hexdigest()[:16]}-of-{count}"


def run_group(
    shard: Shard | None, group: str | None, hashes: Sequence[str], mapping: str
) -> str | None:
    """The run group of a sharded run: ``group`` if given, else the derived one."""
    if shard is None:
        return None
    return group or derived_group(hashes, mapping, shard.count)


def check_group(name: str) -> str:
    """A run group name: 1 to 200 characters, no control characters."""
    if not _GROUP_CHARS.fullmatch(name):
        raise ValueError(
            "a run group is 1 to 200 characters with no control characters"
            " (e.g. nightly-2026-11-22)"
        )
    return name
