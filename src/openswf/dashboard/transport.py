"""Hands the SDK's signed requests to an ASGI app in the same process, as HTTP would.

Inside ``openswf server`` the dashboard talks to the server's own SWF edge this way: the
request goes through the same route, signature check and dispatcher as one from the
network, without a socket or a port to know.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
AsgiApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

# The Host the requests are signed for and carry (SigV4 signs the Host header).
IN_PROCESS_HOST = "openswf.in-process"


class AsgiTransport:
    """``AsyncPoster`` over an ASGI app: ``POST /`` with the signed headers and the body."""

    def __init__(self, app: AsgiApp, host: str = IN_PROCESS_HOST) -> None:
        self._app = app
        self._host = host

    async def post(self, headers: list[tuple[str, str]], body: bytes) -> tuple[int, bytes]:
        raw = [(b"host", self._host.encode("latin-1"))]
        raw += [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        raw.append((b"content-length", str(len(body)).encode()))
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "root_path": "",
            "query_string": b"",
            "headers": raw,
            "client": ("127.0.0.1", 0),
            "server": (self._host, 80),
        }
        sent = False
        done = asyncio.Event()

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()  # the client stays connected until the answer is complete
            return {"type": "http.disconnect"}

        status = 500
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    done.set()

        try:
            await self._app(scope, receive, send)
        finally:
            done.set()
        return status, b"".join(chunks)

    def abort_all(self) -> None:
        """Nothing to abort: calls are coroutines, cancelled with their callers."""

    async def close(self) -> None:
        """No connections to close."""
