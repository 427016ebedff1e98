"""The questions sheet: your own interview questions, one row per question.

A CSV or workbook (read with ``sync.readers.read_table``) with these columns,
matched ignoring case, spaces, ``-`` and ``_``:

==============  ========  ======================================================
column          required  what
==============  ========  ======================================================
job             yes       the job's key, as in the jobs export (``Job ID``)
order           no        the question's place in the interview (1, 2, …);
                          blank: the sheet's order
question        yes       the text the candidate is asked
duration        no        answer time: seconds (``90``), ``90s``, ``2 min``, ``1:30``
type            no        ``open`` (default), ``multiple choice``, ``unscored``;
                          several joined by ``+`` or ``,``
alternatives    no        a multiple-choice question's choices, one per line or
                          separated by ``|``
follow-up of    no        the order of an earlier question of the same job: this
                          one is asked only as its follow-up (conditional)
==============  ========  ======================================================

``parse_questions`` turns the table into each job's ``questions`` array for
``job-interview-create-from-array`` (caller-local ids ``q<order>``, an
``external_id`` of ``<job>#<order>`` so ``job-interview-update`` matches them
again) and every problem, one line each, naming the sheet, the row and the
column. A job with a bad question is not sent (``invalid``). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.errors import InputError
from sync.readers import normalise_header
from sync.records import Row, Table
from sync.text import did_you_mean

#: column -> the headers accepted for it (normalised like every header).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "job": ("job", "job key", "job id", "job_id", "position_external_id", "code"),
    "order": ("order", "#", "no", "number", "position"),
    "question": ("question", "question text", "text"),
    "duration": ("duration", "seconds", "answer time", "time"),
    "type": ("type", "question type", "kind"),
    "alternatives": ("alternatives", "choices", "options", "answers"),
    "follow_up_of": ("follow-up of", "follow up of", "followup of", "follow-up", "parent"),
}
REQUIRED_COLUMNS = ("job", "question")
#: The shown name of each column in messages.
SHOWN: Mapping[str, str] = {"follow_up_of": "follow-up of"}

TYPES = ("open", "multiple choice", "unscored")
_TYPE_WORDS: Mapping[str, str] = {
    "open": "open", "scored": "open", "default": "open",
    "multiple choice": "multiple choice", "multiplechoice": "multiple choice",
    "mc": "multiple choice", "choice": "multiple choice", "choices": "multiple choice",
    "unscored": "unscored", "not scored": "unscored", "without scoring": "unscored",
    "no score": "unscored",
}  # fmt: skip
_TYPE_SPLIT = re.compile(r"\s*[+,;/&]\s*|\s+and\s+")
_ALTERNATIVE_SPLIT = re.compile(r"\s*(?:\r?\n|\|)\s*")
_DURATION = re.compile(
    r"^(?:(?P<m>\d+):(?P<s>[0-5]\d)|(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>s|sec|secs|seconds?|"
    r"m|min|mins|minutes?)?)$",
    re.IGNORECASE,
)
MAX_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Question:
    """One valid question of a job, ready for the API."""

    order: int
    line: int  # the row of the sheet
    body: dict[str, Any]  # one entry of from-array's ``questions``


@dataclass(slots=True)
class Questions:
    """The questions sheet read: each job's questions in order, and every problem.

    A job with any problem has no entry in ``by_job``: it is not sent.
    """

    sheet: str  # the sheet's file name, for messages
    path: str = ""  # as given, and the SHA-256 of its bytes (for the Summary)
    sha256: str = ""
    by_job: dict[str, list[Question]] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)  # job key -> lines
    rows: dict[str, list[int]] = field(default_factory=dict)  # job key -> its sheet rows
    orphans: list[tuple[int, str]] = field(default_factory=list)  # (row, problem): no job key

    def array(self, key: str) -> list[dict[str, Any]]:
        """The job's ``questions`` array, in order."""
        return [q.body for q in self.by_job.get(key, ())]


#: A row of one job after pass 1: the row, its order (None: blank), its question
#: (None: the row has problems), and the cell of "follow-up of".
_Entry = tuple[Row, int | None, dict[str, Any] | None, str]


def parse_questions(table: Table) -> Questions:
    """Each job's questions and every problem of ``table`` (see the module docstring).

    InputError when a required column is missing (the sheet cannot be used at all).
    """
    headers = _find_columns(table)
    out = Questions(sheet=table.name, path=table.path, sha256=table.sha256)
    # Pass 1: each row's own cells; pass 2: order and follow-ups within each job.
    entries: dict[str, list[_Entry]] = {}
    for row in table.rows:
        cells = {col: row.values.get(header, "").strip() for col, header in headers.items()}
        if not any(cells.values()):
            continue
        key = cells.get("job", "")
        at = _at(table, row)
        if not key:
            out.orphans.append((row.line, f"{at('job')}: the job key is missing"))
            continue
        problems: list[str] = []
        order = _order(cells.get("order", ""), at("order"), problems)
        body = _question(cells, at, problems)
        out.rows.setdefault(key, []).append(row.line)
        out.problems.setdefault(key, []).extend(problems)
        entries.setdefault(key, []).append(
            (row, order, None if problems else body, cells.get("follow_up_of", ""))
        )
    for key, job in entries.items():
        questions = _order_job(table, key, job, out.problems[key])
        if not out.problems[key]:
            del out.problems[key]
            out.by_job[key] = questions
    return out


def _find_columns(table: Table) -> dict[str, str]:
    """column -> the sheet's header for it; InputError for a missing required column."""
    by_norm = {_norm(h): h for h in reversed(table.headers)}
    found: dict[str, str] = {}
    for col, names in COLUMNS.items():
        for name in names:
            header = by_norm.get(_norm(name))
            if header is not None:
                found[col] = header
                break
    missing = [col for col in REQUIRED_COLUMNS if col not in found]
    if missing:
        wanted = " and ".join(f"'{SHOWN.get(c, c)}'" for c in missing)
        hint = did_you_mean(missing[0], table.headers, cutoff=0.7, quote="'")
        raise InputError(
            f"{table.name}: the questions sheet needs a column {wanted}{hint}; its headers:"
            f" {', '.join(table.headers) or '(none)'} (columns: {', '.join(_shown_columns())})"
        )
    return found


def _norm(text: str) -> str:
    return normalise_header(text).replace("-", " ").replace("_", " ")


def _shown_columns() -> list[str]:
    return [SHOWN.get(col, col) for col in COLUMNS]


def _at(table: Table, row: Row) -> Any:
    def at(column: str) -> str:
        return f"{table.name} row {row.line}, column '{SHOWN.get(column, column)}'"

    return at


def _order(text: str, where: str, problems: list[str]) -> int | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if not value.is_integer() or value < 1:
        problems.append(f"{where}: '{text[:20]}' is not a whole number from 1")
        return None
    return int(value)


def _question(cells: Mapping[str, str], at: Any, problems: list[str]) -> dict[str, Any]:
    """The row's API question (without ids), or problems."""
    body: dict[str, Any] = {}
    text = cells.get("question", "")
    if text:
        body["question"] = text
    else:
        problems.append(f"{at('question')}: the question text is missing")
    duration = cells.get("duration", "")
    if duration:
        seconds = parse_duration(duration)
        if seconds is None:
            problems.append(
                f"{at('duration')}: '{duration[:20]}' is not a duration (seconds such as 90,"
                f" or 90s, 2 min, 1:30; at most {MAX_SECONDS // 60} minutes)"
            )
        else:
            body["duration"] = seconds
    kinds = _types(cells.get("type", ""), at("type"), problems)
    alternatives = [a for a in _ALTERNATIVE_SPLIT.split(cells.get("alternatives", "")) if a]
    if "multiple choice" in kinds:
        body["is_multiple_choice"] = True
        if len(alternatives) < 2:
            problems.append(
                f"{at('alternatives')}: a multiple-choice question needs at least two choices"
                " (one per line, or separated by |)"
            )
    elif alternatives:
        problems.append(
            f"{at('alternatives')}: choices are only for a multiple-choice question;"
            f" set column 'type' to 'multiple choice' or empty this cell"
        )
    if alternatives:
        body["question_alternatives"] = alternatives
    if "unscored" in kinds:
        body["is_without_scoring"] = True
    return body


def parse_duration(text: str) -> int | None:
    """Seconds from ``90``, ``90s``, ``2 min``, ``1.5 min``, ``1:30``; None if not one."""
    match = _DURATION.match(text.strip())
    if match is None:
        return None
    if match["m"] is not None:
        seconds = int(match["m"]) * 60 + int(match["s"])
    else:
        number = float(match["n"].replace(",", "."))
        unit = (match["unit"] or "s").lower()
        seconds = round(number * 60) if unit.startswith("m") else round(number)
    return seconds if 0 < seconds <= MAX_SECONDS else None


def _types(text: str, where: str, problems: list[str]) -> set[str]:
    kinds: set[str] = set()
    for word in _TYPE_SPLIT.split(text.strip().casefold()):
        word = " ".join(word.replace("-", " ").replace("_", " ").split())
        if not word:
            continue
        kind = _TYPE_WORDS.get(word)
        if kind is None:
            hint = did_you_mean(word, TYPES, quote="'")
            problems.append(
                f"{where}: unknown question type '{word[:30]}'{hint}"
                f" (allowed: {', '.join(TYPES)}, several joined by +)"
            )
            continue
        kinds.add(kind)
    return kinds


def _order_job(table: Table, key: str, job: list[_Entry], problems: list[str]) -> list[Question]:
    """The job's questions in order; problems of order and follow-ups go to ``problems``."""
    taken: dict[int, int] = {}  # order -> the row that has it
    ordered: list[tuple[int, Row, dict[str, Any] | None, str]] = []
    last = max((order for _, order, _, _ in job if order is not None), default=0)
    for row, order, body, parent in job:
        if order is None:  # blank: after every numbered question, in the sheet's order
            last += 1
            order = last
        if order in taken:
            problems.append(
                f"{_at(table, row)('order')}: job '{key}' already has a question {order}"
                f" (row {taken[order]})"
            )
            continue
        taken[order] = row.line
        ordered.append((order, row, body, parent))
    questions: list[Question] = []
    for order, row, body, parent in sorted(ordered, key=lambda e: e[0]):
        if parent:
            where = _at(table, row)("follow_up_of")
            target = _order(parent, where, problems)
            if target is not None and target not in taken:
                problems.append(f"{where}: job '{key}' has no question {target}")
            elif target is not None and target >= order:
                problems.append(
                    f"{where}: question {target} does not come before question {order};"
                    " a follow-up comes after the question it follows"
                )
            elif target is not None and body is not None:
                body = {
                    **body,
                    "is_conditional": True,
                    "conditional_question_main_id": f"q{target}",
                }
        if body is not None:
            questions.append(_final(key, order, row, body))
    return questions


def _final(key: str, order: int, row: Row, body: dict[str, Any]) -> Question:
    return Question(order, row.line, {"id": f"q{order}", "external_id": f"{key}#{order}", **body})


__all__ = ["COLUMNS", "TYPES", "Question", "Questions", "parse_duration", "parse_questions"]
