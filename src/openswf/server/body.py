"""Reading a request body without trusting its size.

SWF caps a request at 1 MB. A body that says it is larger (Content-Length) is refused before
a byte of it is read; a body that does not say (chunked) is counted as it arrives and refused
as soon as it passes the cap, so no request ever holds more than the cap in memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from openswf.protocol import faults

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

MAX_REQUEST_BYTES = 1024 * 1024
TOO_LARGE = "Request size exceeds the limit of 1 MB"
# A refused body is read and dropped up to this much before the answer goes out: a client
# still sending a body a little over the cap gets its 400, not a connection reset (the
# server would close while it writes). Past this, the connection is closed at once.
DRAIN_BYTES = 4 * MAX_REQUEST_BYTES


class Disconnected(Exception):
    """The client went away before its body was complete."""


def check_declared_length(content_length: bytes | None, limit: int = MAX_REQUEST_BYTES) -> None:
    """Refuse a body by its Content-Length alone (the HTTP server has parsed it already)."""
    if content_length is not None and content_length.isdigit() and int(content_length) > limit:
        raise faults.ValidationException(TOO_LARGE)


async def drain_body(receive: Receive, limit: int = DRAIN_BYTES) -> None:
    """Read and drop what is left of a refused body, up to ``limit`` bytes, one chunk in
    memory at a time."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def read_body(receive: Receive, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The whole body, or ``ValidationException`` as soon as more than ``limit`` bytes came."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise faults.ValidationException(TOO_LARGE)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
