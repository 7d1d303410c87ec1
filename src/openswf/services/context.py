"""What a request carries besides its body."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


async def _never() -> bool:
    return False


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestContext:
    region: str
    access_key: str | None = None
    # Long polls ask this before they take a task, so no task goes to a gone connection.
    is_disconnected: Callable[[], Awaitable[bool]] = _never
    # Set when a long poll must end without a task: its client disconnected, or another
    # request is queued behind it on its connection (docs/architecture.md).
    gone: asyncio.Event | None = None
