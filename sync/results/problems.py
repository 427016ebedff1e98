"""The rows that need a person, grouped by cause, each cause with its fix.

A row's ``reason`` names its own values (``candidate_email: 'bad.email@' is not
a valid e-mail address (there must be something after the @-sign)``); its
*cause* is the same problem without them (``candidate_email is not a valid
e-mail address``), so that rows with the same problem group together::

    3 rows: candidate_email is not a valid e-mail address (rows 7, 12, 31)

``group_problems`` makes those groups, largest first (the terminal shows them
before the question and at the end; the workbook's "Problems" sheet lists their
rows with ``Cause.fix``, what to do about it). Only the first problem of a
reason counts: the plan puts the root cause first (``sync.plan.root_causes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sync.records import ResultLine, Status
from sync.results.statuses import ATTENTION

_QUOTED = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_FIELD = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.*)$", re.S)
_LEADING_VALUE = re.compile(rf"^{_QUOTED} ")
_VALUE = re.compile(_QUOTED)
_DETAIL = re.compile(r"\s*\((?!required\))[^()]*\)$")  # "(there must be …)", "(did you mean de?)"
_EXAMPLES = 5  # row numbers shown per cause


@dataclass(slots=True)
class Cause:
    """One cause: its text, the status of its rows, what to do, and the rows."""

    text: str
    status: Status
    fix: str
    lines: list[ResultLine] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.lines)

    def examples(self, most: int = _EXAMPLES) -> str:
        """``row 7``, ``rows 7, 12, 31``, ``rows 7, 12, 31, 40, 41 and 3 more``."""
        numbers = [str(line.source_row) for line in self.lines[:most]]
        more = self.rows - len(numbers)
        head = ("row " if self.rows == 1 else "rows ") + ", ".join(numbers)
        return head + (f" and {more} more" if more > 0 else "")

    def summary(self) -> str:
        """``3 rows: candidate_email is not a valid e-mail address (rows 7, 12, 31)``."""
        count = f"{self.rows} row" + ("" if self.rows == 1 else "s")
        return f"{count}: {self.text} ({self.examples()})"


def cause_of(status: Status, reason: str) -> str:
    """The cause of a row's problem: its first problem, without the row's own values."""
    if status is Status.DUPLICATE:
        return "the same candidate and position as an earlier row"
    first = reason.split("; ", 1)[0] if status is Status.INVALID else reason
    if status is Status.FAILED:  # "HTTP 503 after 6 attempts in 301 s; …"
        return "no answer: " + first.split(" after ", 1)[0]
    match = _FIELD.match(first)
    name, rest = (match.group(1), match.group(2)) if match else ("", first)
    for _ in range(2):
        rest = _DETAIL.sub("", rest)
    if name and _LEADING_VALUE.match(rest):
        return f"{name} {_LEADING_VALUE.sub('', rest, count=1)}"
    rest = _hide_first_value(rest)
    return f"{name}: {rest}" if name else rest


def _hide_first_value(text: str) -> str:
    """``text`` with its first quoted value (not a column name) shown as ``'…'``."""
    previous_was_column = False
    end = 0
    for match in _VALUE.finditer(text):
        before = text[end : match.start()]
        column = before.endswith(("column ", "columns ")) or (
            previous_was_column and before == ", "
        )
        if not column:
            return text[: match.start()] + "'…'" + text[match.end() :]
        previous_was_column, end = True, match.end()
    return text


#: (field prefix, words in the cause, fix) for invalid rows, first match wins.
_FIXES: tuple[tuple[str, str, str], ...] = (
    (
        "candidate_resume",
        "not found",
        "Put the resume file into the folder or zip given with --resumes (or correct the"
        " file name in the export), then run again.",
    ),
    (
        "candidate_resume",
        "resume folder",
        "Pass the folder or zip holding the resume files with --resumes, then run again.",
    ),
    (
        "candidate_resume",
        "is empty",
        "The export has no resume for this candidate: attach one in the ATS and export"
        " again (or name a resume file and pass its folder with --resumes).",
    ),
    (
        "candidate_resume",
        "required",
        "The export has no resume for this candidate: attach one in the ATS and export again.",
    ),
    (
        "candidate_resume",
        "",
        "Replace the resume with a readable PDF or DOCX that has text (not a scan, not"
        " password protected), then run again.",
    ),
    (
        "candidate_email",
        "",
        "Correct the candidate's e-mail address in the ATS (or in the export), then run again.",
    ),
    (
        "candidate_country_code",
        "",
        "Give the candidate's country as a name or an ISO code (Germany, DE) in the export,"
        " or a default in the mapping, then run again.",
    ),
    ("candidate_name", "", "Fill in the candidate's name in the export, then run again."),
    (
        "position",
        "not found",
        "Add the job to the jobs export (--jobs), or correct the job key in the applicants"
        " export, then run again.",
    ),
    (
        "mojito_language_code",
        "",
        "Give the job's interview language (a language column, or the job's country) in"
        " the export or the mapping, then run again.",
    ),
    (
        "position",
        "",
        "Complete the job's details (title, location, country) in the jobs export or the"
        " mapping, then run again.",
    ),
)
_FIX_BY_STATUS = {
    Status.DUPLICATE: "Nothing to send: the earlier row was handled. Remove the repeated row"
    " from the export if it is a mistake.",
    Status.REJECTED: "The API refused the candidate (its message is the reason): correct"
    " what it names in the export or the mapping, then run again.",
    Status.FAILED: "Run again later: the next run resends these rows (the API answers"
    " already-applied if a first try got through). If it keeps failing, check the network"
    " and the API's status.",
}
_FALLBACK = "Correct the value the reason names, in the export or the mapping, then run again."


def fix_for(status: Status, cause: str) -> str:
    """What a person does about ``cause``."""
    if status in _FIX_BY_STATUS:
        return _FIX_BY_STATUS[status]
    for prefix, words, fix in _FIXES:
        if cause.startswith(prefix) and words in cause:
            return fix
    return _FALLBACK


def group_problems(lines: Iterable[ResultLine]) -> list[Cause]:
    """The rows that need a person (``ATTENTION``), grouped by cause, largest group
    first (then in order of first appearance); rows keep their input order."""
    causes: dict[tuple[Status, str], Cause] = {}
    for line in lines:
        if line.status not in ATTENTION:
            continue
        text = cause_of(line.status, line.reason)
        key = (line.status, text)
        cause = causes.get(key)
        if cause is None:
            cause = causes[key] = Cause(text, line.status, fix_for(line.status, text))
        cause.lines.append(line)
    order = {key: i for i, key in enumerate(causes)}
    return sorted(causes.values(), key=lambda c: (-c.rows, order[(c.status, c.text)]))


__all__ = ["Cause", "cause_of", "fix_for", "group_problems"]
