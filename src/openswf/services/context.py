"""What a request carries besides its body."""

from __future__ import annotations

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
    # The domains the caller's access key may see (ListDomains leaves out the others);
    # ``None``: all of them.
    may_see_domain: Callable[[str], bool] | None = None
