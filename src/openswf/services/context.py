"""What a request carries besides its body."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestContext:
    region: str
    access_key: str | None = None
    # Set by the edge when the client will not read this request's answer (it disconnected,
    # or pipelined another request behind a long poll): a waiting poll ends at once, empty,
    # and takes no task. None where there is no connection to watch (in-process callers).
    gone: asyncio.Event | None = None
