"""What each row status means, in words a recruiting team uses, and a run in one sentence.

One table (``STATUS_GUIDE``) says, for every ``Status``: a short label (the
terminal's outcome table, the headline), whether the row was sent, what it
means and what to do about it. The workbook's "Statuses" sheet, the terminal
and the README say the same because they all read it. ``headline`` puts a
run's counts into one sentence::

    32 sent: 20 accepted by the AI, 5 wait for a recruiter, 7 rejected by the AI; 5 need attention

``ATTENTION`` are the statuses a person must look at (the "Problems" sheet):
rows not sent because of their data, repeated rows, rows the API refused and
rows that got no answer.

A positions run (``jobmojito-sync positions``) has one line per job, and its
own words: ``JOB_GUIDE`` says what each status a job can have means, and
``headline(..., jobs=True)`` tells that run::

    6 interviews made: 4 created, 2 adopted; 3 made by an earlier run (skipped); 1 changed

``guide(jobs)`` is the one table for a run of either kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sync.records import Status


@dataclass(frozen=True, slots=True)
class Guide:
    """What one status means: ``label`` (a few words), ``sent``, ``meaning``, ``todo``."""

    label: str
    sent: bool
    meaning: str
    todo: str


STATUS_GUIDE: dict[Status, Guide] = {
    Status.AI_ACCEPT: Guide(
        "accepted by the AI",
        True,
        "JobMojito's AI pre-screen accepted the candidate: the interview is open.",
        "Send the candidate the interview_url: it is their personal link to the interview.",
    ),
    Status.RECRUITER_ACCEPT: Guide(
        "accepted by a recruiter",
        True,
        "A recruiter (or a recruiter's rule in JobMojito) accepted the candidate: the"
        " interview is open.",
        "Send the candidate the interview_url.",
    ),
    Status.RECRUITER_ACTION: Guide(
        "waits for a recruiter",
        True,
        "The candidate is enrolled, but the AI left the decision to a recruiter.",
        "Accept or reject the candidate in JobMojito. Send the interview_url only once the"
        " candidate is accepted.",
    ),
    Status.AI_REJECT: Guide(
        "rejected by the AI",
        True,
        "JobMojito's AI pre-screen rejected the candidate for this position; the reason"
        " column says why.",
        "Do not send the interview_url to the candidate: they were screened out. To"
        " interview them anyway, overrule the decision in JobMojito first.",
    ),
    Status.RECRUITER_REJECT: Guide(
        "rejected by a recruiter",
        True,
        "A recruiter rejected the candidate for this position in JobMojito.",
        "Do not send the interview_url.",
    ),
    Status.ALREADY_APPLIED: Guide(
        "already applied",
        True,
        "JobMojito already had this candidate for this position (from an earlier run or"
        " another channel); interview_url is their existing link.",
        "Nothing, unless the candidate never got the link: then send this one.",
    ),
    Status.INVALID: Guide(
        "not sent: data to fix",
        False,
        "Not sent: the row's data cannot be sent; the reason column names the field and"
        " the problem. 'invalid (known since <date>)': an earlier run reported the same"
        " problem (with --fail-on new it no longer makes the exit code 1).",
        "Fix the export (or the mapping) as the Problems sheet says, then run again: only"
        " the rows not yet enrolled are sent.",
    ),
    Status.DUPLICATE: Guide(
        "repeated row",
        False,
        "Not sent: the same candidate for the same position appears earlier in this file;"
        " the reason column names that row.",
        "Nothing: the earlier row was handled. Remove the repeat from the export if it is"
        " a mistake.",
    ),
    Status.SKIPPED: Guide(
        "enrolled by an earlier run",
        False,
        "Not sent again: an earlier run enrolled this candidate for this position;"
        " interview_url is the link from then.",
        "Nothing. (--force sends it again; the API then answers already-applied.)",
    ),
    Status.REJECTED: Guide(
        "refused by the API",
        True,
        "Sent, and the API refused it; the reason column holds the API's message."
        " 'rejected (known since <date>)': an earlier run got the same refusal.",
        "Correct what the message names (in the export, the mapping or JobMojito) and run again.",
    ),
    Status.FAILED: Guide(
        "got no answer",
        True,
        "Sent, but no answer came back after every retry (network, API outage); the"
        " candidate may or may not be enrolled.",
        "Run again later: the next run resends only these rows, and the API answers"
        " already-applied if the first try got through. If it keeps failing, pass the"
        " reason on to whoever runs jobmojito-sync.",
    ),
    Status.EXCLUDED: Guide(
        "not selected",
        False,
        "Not sent, and not a problem: the row does not meet the selection (the mapping's"
        " select: section, --where or --since); the reason column names the condition it"
        " failed, e.g. Current Stage is 'Hired'.",
        "Nothing. To interview such candidates, change the mapping's select: section, or"
        " the --where / --since of the run, and run again.",
    ),
    Status.NOT_SENT: Guide(
        "not sent yet",
        False,
        "Not sent: the run stopped before this row (interrupted, token refused, or held"
        " back by --limit).",
        "Run again: the next run sends it.",
    ),
    Status.DRY_RUN: Guide(
        "would be sent",
        False,
        "Valid, and would be sent: this was a dry run, which sends nothing.",
        "Run again without --dry-run to send.",
    ),
    Status.OTHER_SHARD: Guide(
        "another shard's",
        False,
        "Not sent by this run: it is one shard of a run group (--shard), and this row"
        " belongs to the shard the reason names, which sends it.",
        "Nothing. The group's sheet (jobmojito-sync report --group G) shows every row's"
        " outcome in one place.",
    ),
}

JOB_GUIDE: dict[Status, Guide] = {
    Status.CREATED: Guide(
        "created",
        True,
        "The job's interview was made (job-interview-create; from the questions sheet:"
        " -from-array). interview_def_set_id is its id; enrolments name it from now on.",
        "Nothing. recruiter_link opens the interview's results for recruiters.",
    ),
    Status.ADOPTED: Guide(
        "adopted",
        True,
        "An interview carrying the job's code already existed (made by an earlier run or"
        " by a person): it was taken, not made again.",
        "Nothing, unless the interview is not the job's: then change its code in JobMojito.",
    ),
    Status.UPDATED: Guide(
        "updated",
        True,
        "The job changed since its interview was made, and --update sent the changed"
        " fields (job-interview-update).",
        "Nothing.",
    ),
    Status.CHANGED: Guide(
        "changed, not updated",
        False,
        "The job changed since its interview was made (the reason names the fields);"
        " the interview was left as it was.",
        "Run again with --update to send the changes, or leave the interview as it is.",
    ),
    Status.GONE: Guide(
        "gone from the export",
        False,
        "The ledger knows an interview for this job, but the jobs export no longer has"
        " it. The interview is kept: nothing is ever deleted.",
        "Nothing, unless the job is closed for good: then archive its interview in JobMojito.",
    ),
    Status.SKIPPED: Guide(
        "made by an earlier run",
        False,
        "Not sent: the job's interview was made (or found) by an earlier run and is"
        " unchanged; interview_def_set_id is its id.",
        "Nothing.",
    ),
    Status.INVALID: Guide(
        "not sent: data to fix",
        False,
        "Not sent: the job's row (or its questions) cannot be sent; the reason names the"
        " sheet, row, column and problem.",
        "Fix the jobs export, the questions sheet or the mapping's positions: section as"
        " the reason says, then run again.",
    ),
    Status.DUPLICATE: Guide(
        "repeated job",
        False,
        "Not sent: the same job key appears on an earlier row of the jobs export.",
        "Nothing: the earlier row was handled. Remove the repeat if it is a mistake.",
    ),
    Status.REJECTED: Guide(
        "refused by the API",
        True,
        "Sent, and the API refused it; the reason column holds the API's message.",
        "Correct what the message names (the jobs export, the mapping, --template) and run again.",
    ),
    Status.FAILED: Guide(
        "got no answer",
        True,
        "Sent, but no answer came back after every retry; the interview may or may not exist.",
        "Run again later: the next run first looks for an interview with the job's code,"
        " so none is made twice.",
    ),
    Status.NOT_SENT: Guide(
        "not sent yet",
        False,
        "Not sent: the run stopped before this job (interrupted, token refused).",
        "Run again: the next run sends it.",
    ),
    Status.DRY_RUN: Guide(
        "would be sent",
        False,
        "Valid, and would be sent (the reason says to which endpoint): this was a dry"
        " run, which sends nothing.",
        "Run again without --dry-run to send.",
    ),
}


def guide(jobs: bool = False) -> dict[Status, Guide]:
    """What each status of a run means: a positions run's (``jobs``), else an enrolment
    run's."""
    return JOB_GUIDE if jobs else STATUS_GUIDE


#: Statuses a person must look at: the Problems sheet, "need attention".
ATTENTION = (Status.INVALID, Status.DUPLICATE, Status.REJECTED, Status.FAILED)

#: Statuses of rows that reached the API, in the order the headline names them.
SENT = tuple(status for status, guide in STATUS_GUIDE.items() if guide.sent)


def _rows(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def headline(counts: Mapping[str, int], *, dry_run: bool = False, jobs: bool = False) -> str:
    """A run in one sentence, from its counts by status value (only what happened);
    ``jobs``: a positions run, one line per job."""
    if jobs:
        return _jobs_headline(counts, dry_run=dry_run)
    parts: list[str] = []
    if dry_run:
        parts.append(f"dry run: {counts.get(Status.DRY_RUN.value, 0)} would be sent")
    else:
        sent = [(s, counts.get(s.value, 0)) for s in SENT]
        total = sum(n for _, n in sent)
        if total:
            said = ", ".join(_said(s, n) for s, n in sent if n)
            parts.append(f"{total} sent: {said}")
        else:
            parts.append("nothing sent")
    words = (
        (Status.SKIPPED, "enrolled by an earlier run (skipped)"),
        (Status.EXCLUDED, "excluded by condition"),
        (Status.NOT_SENT, "not sent yet (run again)"),
        (Status.OTHER_SHARD, "other shards' (--shard)"),
    )
    return _ending(parts, counts, words)


def _jobs_headline(counts: Mapping[str, int], *, dry_run: bool) -> str:
    parts: list[str] = []
    if dry_run:
        parts.append(f"dry run: {counts.get(Status.DRY_RUN.value, 0)} would be sent")
    else:
        made = [(s, counts.get(s.value, 0)) for s in (Status.CREATED, Status.ADOPTED)]
        total = sum(n for _, n in made)
        said = ", ".join(f"{n} {s.value}" for s, n in made if n)
        parts.append(f"{_rows(total, 'interview', 'interviews')} made: {said}" if total else
                     "no interview made")  # fmt: skip
    words = (
        (Status.UPDATED, "updated (--update)"),
        (Status.SKIPPED, "made by an earlier run (skipped)"),
        (Status.CHANGED, "changed (not updated: --update sends it)"),
        (Status.GONE, "gone from the export (kept)"),
        (Status.NOT_SENT, "not sent yet (run again)"),
    )
    return _ending(parts, counts, words)


def _ending(
    parts: list[str], counts: Mapping[str, int], words: Sequence[tuple[Status, str]]
) -> str:
    """A headline's ``parts``, then each status of ``words`` that occurred in its words,
    then how many rows need attention; one sentence."""
    parts = [*parts, *(f"{counts[s.value]} {text}" for s, text in words if counts.get(s.value))]
    attention = sum(counts.get(s.value, 0) for s in ATTENTION)
    if attention:
        parts.append(_rows(attention, "needs attention", "need attention"))
    return "; ".join(parts)


def _said(status: Status, n: int) -> str:
    label = STATUS_GUIDE[status].label
    if status is Status.RECRUITER_ACTION and n != 1:
        label = "wait for a recruiter"
    return f"{n} {label}"


__all__ = ["ATTENTION", "JOB_GUIDE", "SENT", "STATUS_GUIDE", "Guide", "guide", "headline"]
