"""What a request carries besides its body."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestContext:
    region: str
    access_key: str | None = None
    # The domains the caller's access key may see (ListDomains leaves out the others);
    # ``None``: all of them.
    may_see_domain: Callable[[str], bool] | None = None
    # Set by the edge when the client will not read this request's answer (it disconnected,
    # or pipelined another request behind a long poll): a waiting poll ends at once, empty,
    # and takes no task. None where there is no connection to watch (in-process callers).
    gone: asyncio.Event | None = None
