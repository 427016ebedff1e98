"""The AI assessment of a completed interview, as the outcomes sheet shows it.

Pure: ``job-interview-details`` holds the transcript, the recruiter-facing
analysis and the hiring reasons; the sheet takes the analysis (else the score's
summary) and the reasons, never the transcript, and every text goes through
``sync.redact``, so a signed URL quoted in it is gone.
"""

from __future__ import annotations

from sync.jobmojito.models import InterviewDetails
from sync.outcomes.lines import clean_text
from sync.redact import redact

__all__ = ["assessment_of"]


def _reasons(value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(clean_text(item) for item in value if clean_text(item))
    return clean_text(value)


def _paragraphs(text: str | None) -> str:
    lines = [" ".join(line.split()) for line in str(text or "").splitlines()]
    return "\n".join(line for line in lines if line)


def assessment_of(details: InterviewDetails) -> tuple[str, str, str]:
    """The AI assessment as the sheet shows it: summary, reasons to hire, reasons not to.

    The recruiter-facing analysis (else the score's summary) and the hiring reasons;
    never the transcript, and never a link: text goes through ``redact``, so a
    signed URL quoted in it is gone.
    """
    summary = _paragraphs(details.ai_analysis_recruiter) or _paragraphs(details.score_text)
    other = details.ai_analysis_other if isinstance(details.ai_analysis_other, dict) else {}
    reasons = other.get("hiring_reasons")
    reasons = reasons if isinstance(reasons, dict) else {}
    to_hire = _reasons(reasons.get("reasons_to_hire") or details.ai_analysis_recruiter_why_hire)
    not_to = _reasons(
        reasons.get("reasons_not_to_hire") or details.ai_analysis_recruiter_why_not_hire
    )
    return redact(summary), redact(to_hire), redact(not_to)
