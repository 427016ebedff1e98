"""The sandbox's settings: one frozen value object, and the ``--faults`` parser."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sync.errors import UsageError

#: Every fault kind, in the order a random roll walks them.
#:
#: - ``500``: the function's own error (``EDGE_FUNCTION_ERROR``); before the work, or after it
#:   for a share ``after_work_share`` of them (the enrolment happened; the client cannot tell).
#: - ``503``: the gateway could not boot the function (``BOOT_ERROR``), with ``Retry-After``.
#: - ``504``: the gateway gave up waiting (``IDLE_TIMEOUT``); before or after the work, like 500.
#: - ``546``: the function ran out of resources (``WORKER_RESOURCE_LIMIT``); nothing happened.
#: - ``slow``: the work is committed, then the answer waits ``slow_seconds`` (past the client's
#:   timeout).
#: - ``drop``: the work is committed, then the connection is closed without an answer.
#: - ``malformed``: the work is committed, then a 200 whose body is truncated JSON.
FAULT_KINDS: tuple[str, ...] = ("500", "503", "504", "546", "slow", "drop", "malformed")

#: The three create endpoints: faults hit only these unless ``fault_paths`` says otherwise.
CREATE_ENDPOINTS: tuple[str, ...] = (
    "job-interview-create-for-candidate-with-token",
    "job-interview-create",
    "job-interview-create-from-array",
)


class SandboxConfig(BaseModel):
    """How a sandbox server behaves. Immutable; change a running one with ``configure``.

    ``port=0`` binds a free port. ``rate=None`` turns the rate limit off; ``burst``
    defaults to ``max(1, ceil(rate))``. ``faults`` maps a kind of ``FAULT_KINDS`` to the
    share of requests it hits (the shares add up to at most 1); a ``--faults`` string
    such as ``"500=0.05,slow=0.02"`` is accepted too. ``seed`` makes the fault and
    latency sequences repeatable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    token: str = Field(default="sandbox-token", min_length=1)
    rate: float | None = Field(default=None, gt=0)
    burst: int | None = Field(default=None, ge=1)
    latency_ms: float = Field(default=0.0, ge=0)
    latency_jitter_ms: float = Field(default=0.0, ge=0)
    faults: dict[str, float] = Field(default_factory=dict)
    after_work_share: float = Field(default=0.5, ge=0, le=1)
    slow_seconds: float = Field(default=5.0, ge=0)
    retry_after_seconds: int = Field(default=1, ge=0)
    fault_paths: tuple[str, ...] = CREATE_ENDPOINTS
    seed: int = 0
    credits: int = Field(default=1000, ge=0)
    #: Seconds within which an enrolled candidate starts, and then finishes, the interview
    #: (``sync.sandbox._progress``); 0: every interview's fate is final at once.
    progress_seconds: float = Field(default=60.0, ge=0)
    #: Attach signed recording URLs to job-interview-details even unasked (a leaky API).
    signed_urls_always: bool = False

    @field_validator("faults", mode="before")
    @classmethod
    def _faults_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_faults(value)
            except UsageError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("faults")
    @classmethod
    def _check_faults(cls, value: dict[str, float]) -> dict[str, float]:
        return _checked_rates(value)

    @model_validator(mode="after")
    def _check_paths(self) -> SandboxConfig:
        known = {
            *CREATE_ENDPOINTS,
            "merchant-status",
            "platform-languages-list",
            "merchant-result-list",
            "job-interview-details",
        }
        unknown = sorted(set(self.fault_paths) - known)
        if unknown:
            raise ValueError(f"unknown endpoint in fault_paths: {', '.join(unknown)}")
        return self

    @property
    def effective_burst(self) -> int:
        """The bucket size: ``burst`` if set, else one second's worth of ``rate``."""
        if self.burst is not None:
            return self.burst
        return max(1, math.ceil(self.rate or 1))


def parse_faults(text: str) -> dict[str, float]:
    """Parse ``"500=0.05,503=0.05,slow=0.02"`` into ``{"500": 0.05, ...}``.

    An empty string or ``"none"`` means no faults. Raises ``UsageError`` naming the
    bad part: an unknown kind, a rate that is not a number in [0, 1], a kind given
    twice, or rates that add up to more than 1.
    """
    text = text.strip()
    if text in ("", "none", "off"):
        return {}
    rates: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, raw = (piece.strip() for piece in part.partition("="))
        if not sep or not kind or not raw:
            raise UsageError(f"--faults: expected KIND=RATE, got {part.strip()!r}")
        if kind in rates:
            raise UsageError(f"--faults: fault {kind!r} is given twice")
        try:
            rate = float(raw)
        except ValueError:
            raise UsageError(
                f"--faults: rate for {kind!r} must be a number between 0 and 1, got {raw!r}"
            ) from None
        rates[kind] = rate
    try:
        return _checked_rates(rates)
    except ValueError as exc:
        raise UsageError(f"--faults: {exc}") from None


def _checked_rates(rates: Mapping[str, float]) -> dict[str, float]:
    for kind, rate in rates.items():
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {kind!r} (expected one of {', '.join(FAULT_KINDS)})"
            )
        if not 0.0 <= rate <= 1.0 or math.isnan(rate):
            raise ValueError(f"rate for {kind!r} must be between 0 and 1, got {rate}")
    total = sum(rates.values())
    if total > 1.0 + 1e-9:
        raise ValueError(f"fault rates add up to {total:g}; they must add up to at most 1")
    return {kind: float(rates[kind]) for kind in FAULT_KINDS if kind in rates}


def config_from_flags(*, faults: str | None = None, **flags: Any) -> SandboxConfig:
    """A ``SandboxConfig`` from command-line option values; ``None`` means the default.

    Raises ``UsageError`` with a one-line message naming the bad option.
    """
    values = {key: value for key, value in flags.items() if value is not None}
    if faults:
        values["faults"] = parse_faults(faults)
    try:
        return SandboxConfig(**values)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"--{'-'.join(map(str, e['loc'])).replace('_', '-')}: {e['msg']}" for e in exc.errors()
        )
        raise UsageError(problems) from None
