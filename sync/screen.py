"""What a person at a terminal sees of a run: the preview, the problems, the outcome.

The manual run (``jobmojito-sync run``) and ``make demo`` show the same screens:

- ``preview``: the mapping chosen and why, what the selection kept and how
  many rows each condition excluded, the rows by what will happen to them
  (``5 to send, 27 held back by --limit 5, 4 invalid``), the first rows to
  send, and the rows that will not be sent grouped by cause;
- ``question``: ``Send 5 candidates to https://…?``, naming where they go
  (asked by the CLI, ``sync.cli.ask``);
- ``outcome``: the outcomes in a table with their meaning, the run in one
  sentence, the problems again (and how many an earlier run already
  reported), where the results sheet is (and where the previous one was
  kept), and the exit code's meaning;
- ``outcomes``: an outcomes run (``jobmojito-sync outcomes``, ``run
  --with-outcomes``, the demo's last step): the enrolments by interview status,
  what was written, the results that matched no enrolment, the files.

The positions step (``jobmojito-sync positions``, ``run --create-positions``)
has the same ``outcome``, in a job's words (with ``--create-positions``, the
step's own in its first line); its preview and question are
``sync.positions.screens``, built on ``say`` and ``plain_table`` here.

Cell text is data here: every value from a file or the API goes through
``sync.text.printable`` (no escape sequence reaches the terminal) into a rich
``Text`` on a console with markup off (``Ana [/bold] Silva`` prints as typed, and
``[link=…]`` never becomes a hyperlink). Nothing here wraps a word in two.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sync.errors import EXIT_MEANINGS
from sync.plan import result_line
from sync.records import ResultLine, Status
from sync.results import group_problems, headline
from sync.results.statuses import ATTENTION, guide
from sync.text import file_name, printable

if TYPE_CHECKING:
    from sync.mapping.select import Selection
    from sync.outcomes.run import OutcomeReport
    from sync.run import Prepared, SyncReport

#: Terminal colours of the statuses (the workbook's, as near as a terminal has them).
STYLES: dict[str, str] = {
    Status.AI_ACCEPT.value: "green",
    Status.RECRUITER_ACCEPT.value: "green",
    Status.ALREADY_APPLIED.value: "green",
    Status.RECRUITER_ACTION.value: "yellow",
    Status.NOT_SENT.value: "yellow",
    Status.AI_REJECT.value: "magenta",
    Status.RECRUITER_REJECT.value: "magenta",
    Status.INVALID.value: "red",
    Status.REJECTED.value: "red",
    Status.FAILED.value: "red",
    Status.DUPLICATE.value: "cyan",
    Status.SKIPPED.value: "blue",
    Status.DRY_RUN.value: "blue",
    Status.EXCLUDED.value: "bright_black",
    Status.CREATED.value: "green",
    Status.ADOPTED.value: "green",
    Status.UPDATED.value: "green",
    Status.CHANGED.value: "yellow",
    Status.GONE.value: "yellow",
}
#: An outcomes run's counts by interview status: (count key, label, meaning, style).
OUTCOME_ROWS = (
    ("not_started", "not started yet", "invited, not begun", "yellow"),
    ("started", "started", "begun, not finished", "cyan"),
    ("completed", "completed", "score and decision on the sheet", "green"),
    ("other", "other", "another state the API names (see the sheet)", ""),
)
PREVIEW_ROWS = 5
#: The preview's columns, most wanted first, each with its widest.
_PREVIEW_COLUMNS = (
    ("row", 5),
    ("candidate", 20),
    ("e-mail", 24),
    ("position", 22),
    ("status", 10),
    ("country", 7),
    ("language", 8),
)


def console(**options: Any) -> Any:
    """A rich console on stderr that prints text as given: no markup, emoji or highlighting.

    Where stderr is not a terminal (a log file, a pipe), lines are never wrapped: a
    path cut in two is of no use to ``grep`` or to a person reading the log."""
    import sys

    from rich.console import Console

    options.setdefault("soft_wrap", not sys.stderr.isatty())
    return Console(stderr=True, markup=False, emoji=False, highlight=False, **options)


class Screen:
    """The screens of one run, printed on ``out`` (a rich console; stderr by default)."""

    def __init__(self, out: Any = None) -> None:
        self.out = out if out is not None else console()

    # ------------------------------------------------------------------ before sending

    def preview(self, prepared: Prepared) -> None:
        """What the run is about to do, before anything is sent."""
        self.say("mapping", f"{prepared.mapping.name} — {prepared.mapping_reason}")
        for warning in prepared.warnings:
            self.say("note", warning, "yellow")
        self.selection(prepared.selection)
        self.say("rows", rows_sentence(prepared))
        first = prepared.to_send[:PREVIEW_ROWS]
        heading, statuses = "Preview: the first rows to send", False
        if not first:
            first = [p for p in prepared.planned if p.status is not None][:PREVIEW_ROWS]
            heading, statuses = "Preview: the first rows", True
        if first:
            self.out.print()
            self._text(heading, "bold")
            self.out.print(self._preview_table(first, statuses))
        problems = [result_line(p) for p in prepared.planned if p.status in ATTENTION]
        self.problems(problems, "need attention (not sent)")

    def selection(self, selection: Selection) -> None:
        """What ``select:``, ``--where`` and ``--since`` kept, and each condition's rows."""
        for line in selection_lines(selection):
            self._text(line)

    def _preview_table(self, rows: Sequence[Any], statuses: bool) -> Any:
        from rich.text import Text

        # The columns that fit, most wanted first: a narrow terminal loses the last ones.
        room, names = self.out.width, list[str]()
        for name, widest in _PREVIEW_COLUMNS:
            if name == "status" and not statuses:
                continue
            room -= widest + 2
            if room < 0 and len(names) >= 2:
                break
            names.append(name)
        table = plain_table(*names, widest=dict(_PREVIEW_COLUMNS))
        for p in rows:
            body = p.payload
            values = {
                "row": p.row.line,
                "candidate": body.get("candidate_name", ""),
                "e-mail": body.get("candidate_email", ""),
                "country": body.get("candidate_country_code", ""),
                "position": body.get("position_name") or body.get("position_external_id") or "",
                "language": body.get("mojito_language_code", ""),
            }
            status = p.status.value if p.status is not None else ""
            table.add_row(
                *(
                    Text(status, STYLES.get(status, ""))
                    if name == "status"
                    else Text(printable(values[name]))
                    for name in names
                )
            )
        return table

    # ------------------------------------------------------------------ after the run

    def outcome(self, report: SyncReport) -> None:
        """The run's outcome: the table, the headline, the problems, the sheet, the exit
        (with ``--create-positions``, the positions step's in one line first)."""
        from rich.text import Text

        self.out.print()
        if report.positions is not None:
            step = report.positions
            sentence = headline(step.counts, dry_run=step.dry_run, jobs=True)
            self.say("positions", f"{sentence} — {results_sentence(step)}")
        kind = "dry run" if report.dry_run else "run"
        self._text(f"{kind} {printable(report.run_id)}", "bold")
        table = plain_table("status", "rows", "meaning")
        table.columns[1].justify = "right"
        labels = guide(report.of_jobs)
        for status, count in report.counts.items():
            said = labels.get(Status(status)) if status in _VALUES else None
            table.add_row(
                Text(status, STYLES.get(status, "")), str(count), said.label if said else ""
            )
        table.add_row(Text("total", "bold"), Text(str(report.rows), "bold"), "")
        self.out.print(table)
        self._text(headline(report.counts, dry_run=report.dry_run, jobs=report.of_jobs), "bold")
        self.problems(report.lines, "need attention")
        if report.known_problems:
            self.say("known", known_sentence(report), "bold yellow")
        for field, sources in sources_by_field(report.sources).items():
            self.say(f"{field} from", sources)
        if report.aborted:
            self.say("stopped", report.aborted, "bold yellow")
        self.say("results", results_sentence(report))
        if report.group:
            self.say("shard", group_sentence(report))
        if report.outcomes is not None:
            self.outcomes(report.outcomes, exit_line=False)
        elif report.outcomes_note:
            self.say("outcomes", report.outcomes_note, "bold yellow")
        if report.exit_code:
            meaning = EXIT_MEANINGS.get(report.exit_code, "")
            self.say(f"exit {report.exit_code}", meaning)

    def outcomes(self, report: OutcomeReport, *, exit_line: bool = True) -> None:
        """An outcomes run: the enrolments by interview status, what was written, the files."""
        from rich.text import Text

        from sync.outcomes.summary import OUTCOMES_EXIT_MEANINGS

        counts = report.counts
        self.out.print()
        self._text(f"outcomes {printable(report.run_id)}", "bold")
        table = plain_table("interview", "enrolments", "meaning")
        table.columns[1].justify = "right"
        for key, label, meaning, style in OUTCOME_ROWS:
            if key in counts:
                table.add_row(Text(label, style), str(counts[key]), meaning)
        total = str(counts.get("enrolments", 0))
        table.add_row(Text("total", "bold"), Text(total, "bold"), "")
        self.out.print(table)
        self._text(outcomes_sentence(report), "bold")
        if counts.get("unmatched"):
            self.say(
                "not matched",
                f"{counts['unmatched']} results of candidates this ledger did not enrol"
                " (listed apart, never mixed in)",
                "bold yellow",
            )
        if report.aborted:
            self.say("stopped", report.aborted, "bold yellow")
        for path in report.files:
            self.say("outcomes", str(path))
        if exit_line and report.exit_code:
            meaning = OUTCOMES_EXIT_MEANINGS.get(report.exit_code, "")
            self.say(f"exit {report.exit_code}", meaning)

    def problems(self, lines: Iterable[ResultLine], what: str) -> None:
        """The rows that need a person, grouped by cause: ``3 rows: … (rows 7, 12, 31)``."""
        causes = group_problems(lines)
        if not causes:
            return
        total = sum(c.rows for c in causes)
        verb = what.replace("need ", "needs ") if total == 1 else what
        self.out.print()
        self._text(f"{total} row{'' if total == 1 else 's'} {verb}:", "bold")
        for cause in causes:
            self._text(f"  {printable(cause.summary())}", STYLES.get(cause.status.value, ""))

    # ------------------------------------------------------------------ helpers

    def say(self, name: str, text: str, style: str = "bold") -> None:
        """One line ``name: text``, the text as data."""
        from rich.text import Text

        line = Text()
        line.append(f"{name}: ", style)
        line.append(printable(text))
        self.out.print(line, overflow=self._overflow)

    def _text(self, text: str, style: str = "") -> None:
        from rich.text import Text

        self.out.print(Text(printable(text), style), overflow=self._overflow)

    @property
    def _overflow(self) -> Any:
        """Fold a long line on a terminal; elsewhere (a log) keep it whole."""
        return None if self.out.soft_wrap else "fold"


_VALUES = frozenset(s.value for s in Status)


def plain_table(*names: str, widest: dict[str, int] | None = None) -> Any:
    """A borderless table whose cells stay on one line (cut with … past ``widest``)."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for name in names:
        table.add_column(
            name,
            no_wrap=True,
            overflow="ellipsis",
            min_width=len(name),
            max_width=(widest or {}).get(name),
        )
    return table


def question(prepared: Prepared) -> str:
    """The confirmation question: how many candidates, and the API they go to."""
    n = len(prepared.to_send)
    where = printable(prepared.options.base_url)
    return f"Send {n} candidate{'' if n == 1 else 's'} to {where}?"


def rows_sentence(prepared: Prepared) -> str:
    """``37 in applicants.csv — 5 to send, 27 held back by --limit 5, 4 invalid, 1 duplicate``."""
    counts: dict[Status, int] = {}
    for p in prepared.planned:
        if p.status is not None:
            counts[p.status] = counts.get(p.status, 0) + 1
    parts = [f"{len(prepared.to_send)} to send"] if not prepared.options.dry_run else []
    words = {
        Status.NOT_SENT: f"held back by --limit {prepared.options.limit}",
        Status.DRY_RUN: "would be sent (dry run: nothing is sent)",
        Status.SKIPPED: "enrolled by an earlier run (skipped)",
        Status.EXCLUDED: "excluded by condition",
    }
    order = [Status.NOT_SENT, *(s for s in Status if s is not Status.NOT_SENT)]
    for status in order:
        if counts.get(status):
            parts.append(f"{counts[status]} {words.get(status, status.value)}")
    where = file_name(prepared.applicants.path)
    return f"{len(prepared.planned)} in {where} — {', '.join(parts)}"


def selection_lines(selection: Selection) -> list[str]:
    """``selection: 30 of 37 rows selected, 7 excluded``, then ``      5  Status is 'Hired'``
    per condition that excluded rows (nothing when the run has no condition)."""
    if not selection.conditions:
        return []
    head = (
        f"selection: {selection.selected} of {selection.total} rows selected,"
        f" {selection.excluded} excluded"
    )
    return [head, *(f"  {rows:>7}  {condition}" for condition, rows in selection.conditions)]


def known_sentence(report: SyncReport) -> str:
    """How many problem rows an earlier run reported, and whether they fail the run."""
    n = report.known_problems
    text = f"{n} of the problem rows {'was' if n == 1 else 'were'} reported by an earlier run"
    if report.fail_on == "new":
        text += " (--fail-on new: only new ones make the exit code 1)"
    return text


def results_sentence(report: SyncReport) -> str:
    """``results.xlsx (the previous sheet kept as results.1.xlsx)``."""
    text = str(report.results_path)
    if report.previous_results is not None:
        text += f" (the previous sheet kept as {report.previous_results.name})"
    return text


def outcomes_sentence(report: OutcomeReport) -> str:
    """``24 lines written: every enrolment`` or ``5 lines written: what changed since …``."""
    written = report.counts.get("written", 0)
    what = "every enrolment" if report.changed_since is None else "what changed"
    if report.changed_since == "last-run":
        what += " since the last outcomes run"
    elif report.changed_since is not None:
        what += f" since {report.changed_since}"
    return f"{written} line{'' if written == 1 else 's'} written: {what}"


def group_sentence(report: SyncReport) -> str:
    """A shard's run: its run group, and the command that writes the group's one sheet."""
    return (
        f"shard {report.shard} of run group {report.group}; the whole group's sheet:"
        f" jobmojito-sync report --group {shlex.quote(report.group)} --out FILE"
    )


def sources_by_field(sources: Mapping[str, int]) -> dict[str, str]:
    """Where derived values came from, per field: ``{"country": "phone 12, column 30"}``."""
    fields: dict[str, list[str]] = {}
    for key, rows in sources.items():
        field, _, source = key.partition(": ")
        fields.setdefault(field, []).append(f"{source} {rows}")
    return {field: ", ".join(parts) for field, parts in fields.items()}


__all__ = [
    "STYLES",
    "Screen",
    "console",
    "group_sentence",
    "known_sentence",
    "outcomes_sentence",
    "plain_table",
    "question",
    "results_sentence",
    "rows_sentence",
    "selection_lines",
    "sources_by_field",
]
