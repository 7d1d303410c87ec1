"""The ASGI application, and the composition root that builds the store and the service.

POST / (the SWF API) is served by a raw ASGI handler in front of Starlette, so the hot path
carries no per-request middleware or routing; Starlette serves everything else (/healthz).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openswf.dashboard.mount import dashboard_routes
from openswf.protocol import faults
from openswf.server import metrics as metrics_routes
from openswf.server.access import AccessGuard
from openswf.server.body import (
    DRAIN_BYTES,
    Disconnected,
    check_declared_length,
    drain_body,
    read_body,
)
from openswf.server.dispatch import CONTENT_TYPE, Dispatcher, fault_body
from openswf.server.metrics import Metrics
from openswf.server.pipelining import PIPELINED
from openswf.services.clock import Clock
from openswf.services.service import SwfService
from openswf.services.settings import Settings
from openswf.storage.urls import store_from_url

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_POLLS = (b"PollForDecisionTask", b"PollForActivityTask")


class OpenSwfApp:
    def __init__(self, service: SwfService, guard: AccessGuard | None = None) -> None:
        self.service = service
        self.metrics = service.observer if isinstance(service.observer, Metrics) else None
        self.guard = guard  # None: open, every request accepted (loopback only, server/run.py)
        self._dispatcher = Dispatcher(service, guard)
        self._web = Starlette(
            routes=[
                Route("/healthz", self._healthz, methods=["GET", "HEAD"]),
                *metrics_routes.routes(service, self.metrics),
                *dashboard_routes(self),  # /ui, calling this app's SWF edge in-process
            ],
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.service.start()
        if self.metrics is not None:
            self.metrics.bind(self.service)
        try:
            yield
        finally:
            await self.service.stop()

    async def _healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/":
            await self._swf(scope, receive, send)
        else:
            await self._web(scope, receive, send)

    async def _swf(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = authorization = content_length = None
        for name, value in scope["headers"]:
            if name == b"x-amz-target":
                target = value
            elif name == b"authorization":
                authorization = value
            elif name == b"content-length":
                content_length = value
        try:
            check_declared_length(content_length)
            body = await read_body(receive)
        except Disconnected:
            return
        except faults.SwfError as error:  # too large: answer, and close the connection
            declared = content_length if content_length and content_length.isdigit() else b"0"
            if int(declared) <= DRAIN_BYTES:
                await drain_body(receive)  # a little over: let the client finish sending
            await self._answer(send, error.status, fault_body(error), close=True)
            return
        extra: dict[str, Any] = {}
        watcher: asyncio.Task[None] | None = None
        if target is not None and target.endswith(_POLLS):
            gone = asyncio.Event()

            async def watch() -> None:
                # After the body, receive() returns when the client disconnects, or when a
                # request is queued behind this one on its connection (server/pipelining.py
                # marks the scope): either way the poll must end without a task.
                while not scope.get(PIPELINED):
                    if (await receive())["type"] == "http.disconnect":
                        break
                gone.set()

            watcher = asyncio.ensure_future(watch())
            extra["gone"] = gone  # the poll ends at once, empty (services/context.py)
        began = time.perf_counter()
        try:
            status, payload = await self._dispatcher.dispatch(
                target.decode("latin-1") if target else None,
                authorization.decode("latin-1") if authorization else None,
                body,
                extra,
                scope,
            )
        finally:
            if watcher is not None:
                watcher.cancel()
        if self.metrics is not None:
            self.metrics.request(
                target.decode("latin-1") if target else None,
                status,
                payload,
                time.perf_counter() - began,
            )
        await self._answer(send, status, payload)

    @staticmethod
    async def _answer(send: Send, status: int, payload: bytes, *, close: bool = False) -> None:
        headers = [
            (b"content-type", CONTENT_TYPE.encode()),
            (b"content-length", str(len(payload)).encode()),
            (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
        ]
        if close:  # the server then closes the connection instead of reading on
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def create_app(
    db_url: str,
    settings: Settings | None = None,
    clock: Clock | None = None,
    guard: AccessGuard | None = None,
) -> OpenSwfApp:
    """The composition root: one store from ``db_url``, one service over it; with a
    ``guard``, only requests signed by its access keys are served."""
    settings = settings or Settings()
    service = SwfService(store_from_url(db_url), settings, clock, observer=Metrics(settings))
    return OpenSwfApp(service, guard)
