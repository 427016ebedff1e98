"""Past runs, from the ledger alone: any run's results sheet rebuilt, and the list of runs.

What the ``report`` and ``history`` commands show; a killed run too (its unfinished
rows read as the ledger renders them, ``sync.ledger.lines``), and a run group's
one sheet (``report --group``: each row from its own shard's latest run,
``sync.ledger.groups``). The list holds the outcomes runs too (``kind``:
``outcomes``, their counts by interview progress); ``report`` rebuilds sync runs only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync import __version__
from sync.errors import LedgerError
from sync.ledger import PostgresURL, location, open_existing
from sync.records import POSITIONS_RUN, RunSummary
from sync.results.sheets import write_results
from sync.results.summary import count_known_problems, count_statuses, exit_code_for


def rebuild_results(
    ledger_path: Path | str | PostgresURL,
    out: Path,
    *,
    run_id: str | None = None,
    links: bool = True,
) -> Path:
    """Write the results sheet of ``run_id`` (default: the last run) to ``out``
    (``links=False``: without the interview links).

    ``ledger_path`` is a file or a PostgreSQL URL; the ledger must exist."""
    where = location(ledger_path)
    with open_existing(where) as ledger:
        if run_id is None:
            run_id = ledger.last_run_id()
            if run_id is None:
                raise LedgerError(f"the ledger {where} holds no runs yet")
        info = ledger.get_run(run_id)
        if info.kind != "sync":
            raise LedgerError(
                f"run {run_id} is an {info.kind} run: its sheet was {info.results_path};"
                " `jobmojito-sync outcomes` writes a fresh one"
            )
        lines = ledger.result_lines(run_id)
    counts = count_statuses(lines)
    summary = RunSummary(
        run_id=run_id,
        tool_version=__version__,
        mapping=info.mapping,
        inputs=list(info.inputs),
        started_at=str(info.started_at),
        finished_at=str(info.finished_at or ""),
        dry_run=bool(info.dry_run),
        counts=counts,
        exit_code=info.exit_code if info.exit_code is not None else 3,
        notes=[f"rebuilt from the ledger {where}; run state: {info.state}"],
        known_problems=count_known_problems(lines),
        fail_on="",  # the ledger does not keep it
        positions=info.mapping.endswith(POSITIONS_RUN),
    )
    return write_results(out, lines, summary, links=links)


def rebuild_group(
    ledger_path: Path | str | PostgresURL, out: Path, group: str, *, links: bool = True
) -> Path:
    """Write the results sheet of run group ``group``: every input row once, in input
    order, each from its own shard's latest run (``links=False``: without the interview
    links)."""
    where = location(ledger_path)
    with open_existing(where) as ledger:
        lines, runs = ledger.group_lines(group)
        if not runs:
            known = sorted({r.group for r in ledger.runs(limit=200) if r.group})
            hint = f"; its groups: {', '.join(known[:5])}" if known else "; it has no run groups"
            raise LedgerError(f"no run group {group!r} in the ledger {where}{hint}")
    shards = runs[0].shards or len(runs)
    ran = {r.shard for r in runs}
    notes = [
        f"run group {group}, rebuilt from the ledger {where}: each row from its own shard's"
        " latest run",
        *(f"shard {r.shard}/{shards}: run {r.run_id}, {r.state}, exit {r.exit_code}" for r in runs),
        *(f"shard {i}/{shards}: has not run" for i in range(1, shards + 1) if i not in ran),
    ]
    counts = count_statuses(lines)
    whole = len(ran) == shards and all(r.state == "finished" for r in runs)
    summary = RunSummary(
        run_id=f"group {group}",
        tool_version=__version__,
        mapping=runs[0].mapping,
        inputs=list(runs[0].inputs),
        started_at=min(str(r.started_at) for r in runs),
        finished_at=max(str(r.finished_at or "") for r in runs),
        dry_run=False,
        counts=counts,
        exit_code=exit_code_for(counts, aborted=not whole),
        notes=notes,
        known_problems=count_known_problems(lines),
        fail_on="",  # the ledger does not keep it
    )
    return write_results(out, lines, summary, links=links)


def run_history(ledger_path: Path | str | PostgresURL, *, limit: int = 20) -> list[dict[str, Any]]:
    """Past runs, newest first, as plain dicts (a file or a PostgreSQL URL)."""
    with open_existing(ledger_path) as ledger:
        return [
            {
                "run_id": r.run_id,
                "kind": r.kind,
                "state": r.state,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "exit_code": r.exit_code,
                "mapping": r.mapping,
                "dry_run": r.dry_run,
                "counts": dict(r.counts),
                "results_path": r.results_path,
                **({"group": r.group, "shard": f"{r.shard}/{r.shards}"} if r.group else {}),
            }
            for r in ledger.runs(limit=limit)
        ]
