"""A TCP load balancer in front of several openswf servers, for the chaos harness.

Each new connection goes to the next server that accepts one (round robin); a server that
refuses is skipped. A server that dies takes its connections with it, as behind any load
balancer: clients see the connection drop and retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading

from openswf.testing import free_port


class Proxy:
    def __init__(self, backends: list[int]) -> None:
        self.port = free_port()
        self._backends = list(backends)
        self._turn = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._accept, "127.0.0.1", self.port), self._loop
        )
        self._server = future.result(10)

    def stop(self) -> None:
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def remove(self, port: int) -> None:
        """Send no new connection to ``port`` (a server that is gone for good)."""
        self._backends = [backend for backend in self._backends if backend != port]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backends = self._backends
        first = next(self._turn)
        for offset in range(len(backends)):
            port = backends[(first + offset) % len(backends)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                continue
        else:
            writer.close()
            return
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.close()
