"""The pre-flight: read merchant-status once and say whether the credits can cover the run.

``preflight`` runs before the first row is sent. It stops the run only when
the plan clearly cannot succeed (``PreflightError``, nothing sent); a short
balance or an unreadable status is a warning, and the run goes on.

The module is named for what it checks: a module ``preflight`` would shadow
the function ``sync.dispatch.preflight``, which the package exports lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sync.errors import PreflightError
from sync.jobmojito.client import RequestFailed

if TYPE_CHECKING:
    from sync.jobmojito.client import ApiClient
    from sync.jobmojito.models import MerchantStatus

__all__ = ["PreflightResult", "preflight"]


@dataclass(frozen=True, slots=True)
class PreflightResult:
    """What merchant-status said before sending; ``status`` is ``None`` if unread."""

    status: MerchantStatus | None
    message: str = ""
    warnings: tuple[str, ...] = ()


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


async def preflight(
    client: ApiClient, rows_to_send: int, *, ignore_credits: bool
) -> PreflightResult:
    """Read merchant-status and say whether the credits can cover ``rows_to_send``.

    "Clearly cannot" (``PreflightError``, nothing sent, unless
    ``ignore_credits``) means one of:

    - ``invitations_available`` is a number smaller than the rows to send:
      every enrolment is an invitation, so the API would refuse the rest;
    - the plan is limited (``invitations_available`` is a number) and every
      credit balance is a number and they add up to zero.

    Fewer credits than rows is only a warning: credits are spent by
    pre-screening and completed interviews, not one per enrolment, so the run
    may well fit. ``null`` balances (unlimited plans) never stop a run. A 401/403
    raises ``AuthError``; a 404 means the base URL is wrong (every row would be
    ``rejected 404``), so it stops the run too (``PreflightError``); any other
    failure to read the status is a warning.
    """
    try:
        status = await client.merchant_status()
    except RequestFailed as exc:
        if exc.reply.http_status == 404:
            raise PreflightError(
                f"the API answered 404 Not Found for {client.base_url}merchant-status: the"
                " base URL is wrong (--base-url, JOBMOJITO_BASE_URL; it ends in"
                " /functions/v1/). Nothing was sent"
            ) from None
        return PreflightResult(
            None,
            warnings=(
                f"merchant-status could not be read ({exc}); sending without a credit check",
            ),
        )
    monthly = status.credits_interview_monthly
    extra = status.credits_interview_extra
    single = status.credits_interview_single
    invitations = status.invitations_available
    message = (
        f"credits left: {_number(monthly)} monthly + {_number(extra)} extra"
        f" + {_number(single)} single; invitations available:"
        f" {'unlimited' if invitations is None else _number(invitations)};"
        f" rows to send: {rows_to_send}"
    )
    balances = (monthly, extra, single)
    problems: list[str] = []
    if rows_to_send and invitations is not None:
        if invitations < rows_to_send:
            problems.append(
                f"only {_number(invitations)} invitations are left this period for"
                f" {rows_to_send} rows to send"
            )
        elif all(b is not None for b in balances) and sum(b or 0 for b in balances) <= 0:
            problems.append(f"no interview credits are left for {rows_to_send} rows to send")
    warnings: list[str] = []
    known = [b for b in balances if b is not None]
    if not problems and rows_to_send and known and 0 < sum(known) < rows_to_send:
        warnings.append(
            f"{_number(sum(known))} interview credits left for {rows_to_send} rows: pre-screening"
            " and interviews may run out of credits"
        )
    if problems:
        text = "; ".join(problems) + f" ({message})"
        if not ignore_credits:
            raise PreflightError(
                f"merchant-status: {text}. Nothing was sent. Send fewer rows (--limit) or"
                " top up the plan; --ignore-credits sends anyway"
            )
        warnings.append(f"{text}; sending anyway (--ignore-credits)")
    return PreflightResult(status, message, tuple(warnings))
