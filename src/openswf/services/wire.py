"""Small helpers that shape response values the way SWF writes them."""

from __future__ import annotations

from typing import Any


def seconds(ms: int) -> float:
    """Timestamps on the wire are epoch seconds with a millisecond fraction."""
    return ms / 1000


def without_none(**members: Any) -> dict[str, Any]:
    """SWF omits unset members rather than sending null."""
    return {key: value for key, value in members.items() if value is not None}
