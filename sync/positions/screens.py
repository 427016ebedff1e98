"""What a person at a terminal sees of the positions step, in ``sync.screen``'s style.

- ``preview_jobs``: the jobs by what will happen to them (``4 to create, 2 to
  create (questions)``), the first jobs, and the jobs that will not be sent
  grouped by cause; printed on a ``sync.screen.Screen``;
- ``jobs_question``: ``Send 6 interviews (create or update) to https://…?``;
- ``templates_table``: the interview templates ``--template`` chooses from.

The step's outcome is ``Screen.outcome``, which speaks of jobs for a positions
run. Cell text is data here as there: every value from a file or the API goes
through ``sync.text.printable`` into a rich ``Text``, on a console with markup off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sync.results.statuses import ATTENTION
from sync.screen import PREVIEW_ROWS, STYLES, Screen, plain_table
from sync.text import file_name, printable

if TYPE_CHECKING:
    from sync.jobmojito.models import AvatarTemplate
    from sync.positions.run import PreparedJobs

#: The jobs preview's columns, each with its widest (100 columns in all).
JOB_COLUMNS = {"row": 5, "job": 12, "interview": 24, "status": 22, "reason": 29}


def preview_jobs(screen: Screen, prepared: PreparedJobs) -> None:
    """What the positions step is about to do, before anything is sent."""
    from rich.text import Text

    parts = ", ".join(f"{n} {what}" for what, n in prepared.counts().items())
    where = file_name(prepared.jobs.path)
    screen.say(
        "positions",
        f"{len(prepared.planned)} jobs in {where}, mapping {prepared.mapping.name} — {parts}",
    )
    for warning in prepared.warnings:
        screen.say("note", warning, "yellow")
    if prepared.planned:
        screen.out.print()
        screen.out.print(Text("Preview: the first jobs", "bold"))
        table = plain_table(*JOB_COLUMNS, widest=JOB_COLUMNS)
        for p in prepared.planned[:PREVIEW_ROWS]:
            line = p.line()
            status = p.status.value if p.status else p.action.planned if p.action else ""
            table.add_row(
                str(line.source_row or ""),
                Text(printable(p.key)),
                Text(printable(p.name)),
                Text(status, STYLES.get(status, "")),
                Text(printable(line.reason)),
            )
        screen.out.print(table)
    problems = [p.line() for p in prepared.planned if p.status in ATTENTION]
    screen.problems(problems, "need attention (not sent)")
    screen.out.print()


def jobs_question(prepared: PreparedJobs) -> str:
    """The positions step's question: how many interviews, and the API they go to."""
    n = len(prepared.to_send)
    where = printable(prepared.options.base_url)
    return f"Send {n} interview{'' if n == 1 else 's'} (create or update) to {where}?"


def templates_table(found: Sequence[AvatarTemplate]) -> Any:
    """The interview templates ``--template`` chooses from, as a table; the id whole
    (it is copied into ``--template``)."""
    from rich.text import Text

    table = plain_table("name", "id", "type", "language", "status")
    table.title = f"{len(found)} interview template{'' if len(found) == 1 else 's'}"
    table.columns[1].min_width = 36
    for t in found:
        values = (t.name, t.id, t.type, t.mojito_language_code, t.status)
        table.add_row(*(Text(printable(v or "")) for v in values))
    return table


__all__ = ["JOB_COLUMNS", "jobs_question", "preview_jobs", "templates_table"]
