"""Retry strategies for graph tasks: when a failed or timed-out task runs again.

    Retry.instant(max_attempts=3)
    Retry.fixed(delay=10, max_attempts=5)
    Retry.exponential(initial=1, factor=2, max_delay=300, jitter=0.1, max_attempts=8)
    Retry.exponential(..., on=("failed",), reasons=("ThrottlingError",))

``max_attempts`` counts every attempt, the first included. ``on`` says which outcomes are
retried: ``failed`` (the activity raised or the child workflow failed), ``timed_out`` (any
activity timeout, or a child's), ``canceled``. ``reasons``, if given, narrows ``failed`` to
failures whose reason starts with one of them. Jitter is derived from the task and the
attempt, not drawn at random: a decider that decides the same task twice (after a restart)
asks for the same delay, and tests can name it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = frozenset({"failed", "timed_out", "canceled"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Retry:
    max_attempts: int = 3
    delay: float = 0.0  # seconds before the second attempt
    factor: float = 1.0  # each later delay is the previous one times this
    max_delay: float | None = None
    jitter: float = 0.0  # +- this fraction of the delay
    on: frozenset[str] = field(default_factory=lambda: frozenset({"failed", "timed_out"}))
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not set(self.on) <= OUTCOMES:
            raise ValueError(f"on= takes outcomes among {sorted(OUTCOMES)}")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter is a fraction between 0 and 1")

    @classmethod
    def instant(cls, max_attempts: int = 3, **kw: Any) -> Retry:
        return cls(max_attempts=max_attempts, **_norm(kw))

    @classmethod
    def fixed(cls, delay: float, max_attempts: int = 3, **kw: Any) -> Retry:
        return cls(max_attempts=max_attempts, delay=delay, **_norm(kw))

    @classmethod
    def exponential(
        cls,
        initial: float = 1.0,
        factor: float = 2.0,
        max_delay: float | None = 300.0,
        jitter: float = 0.1,
        max_attempts: int = 5,
        **kw: Any,
    ) -> Retry:
        return cls(
            max_attempts=max_attempts,
            delay=initial,
            factor=factor,
            max_delay=max_delay,
            jitter=jitter,
            **_norm(kw),
        )

    def should_retry(self, attempt: int, outcome: str, reason: str | None = None) -> bool:
        """Whether to run again after ``attempt`` (1-based) ended with ``outcome``."""
        if attempt >= self.max_attempts or outcome not in self.on:
            return False
        if outcome == "failed" and self.reasons:
            return any((reason or "").startswith(r) for r in self.reasons)
        return True

    def delay_before(self, attempt: int, key: str = "") -> int:
        """Whole seconds to wait before attempt ``attempt`` (2 for the first retry)."""
        delay = self.delay * self.factor ** max(0, attempt - 2)
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if self.jitter and delay:
            digest = hashlib.sha256(f"{key}:{attempt}".encode()).digest()
            unit = int.from_bytes(digest[:8], "big") / 2**64  # [0, 1)
            delay *= 1 + self.jitter * (2 * unit - 1)
        return max(0, round(delay))

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_attempts": self.max_attempts,
            "delay": self.delay,
            "factor": self.factor,
            "max_delay": self.max_delay,
            "jitter": self.jitter,
            "on": sorted(self.on),
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Retry:
        return cls(**_norm(dict(data)))


def _norm(kw: dict[str, Any]) -> dict[str, Any]:
    if "on" in kw:
        on = kw["on"]
        kw["on"] = frozenset([on] if isinstance(on, str) else on)
    if "reasons" in kw:
        reasons: Sequence[str] = kw["reasons"]
        kw["reasons"] = tuple([reasons] if isinstance(reasons, str) else reasons)
    return kw
