"""The ASGI application, and the composition root that builds the store and the service.

POST / (the SWF API) is served by a raw ASGI handler in front of Starlette, so the hot path
carries no per-request middleware or routing; Starlette serves everything else (/healthz).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openswf.server.dispatch import CONTENT_TYPE, Dispatcher
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
    def __init__(self, service: SwfService) -> None:
        self.service = service
        self._dispatcher = Dispatcher(service)
        self._web = Starlette(
            routes=[Route("/healthz", self._healthz, methods=["GET", "HEAD"])],
            lifespan=self._lifespan,
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.service.start()
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
        target = authorization = None
        for name, value in scope["headers"]:
            if name == b"x-amz-target":
                target = value
            elif name == b"authorization":
                authorization = value
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
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

            async def is_disconnected() -> bool:
                return gone.is_set()

            watcher = asyncio.ensure_future(watch())
            extra["is_disconnected"] = is_disconnected
            extra["gone"] = gone
        try:
            status, payload = await self._dispatcher.dispatch(
                target.decode("latin-1") if target else None,
                authorization.decode("latin-1") if authorization else None,
                body,
                extra,
            )
        finally:
            if watcher is not None:
                watcher.cancel()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", CONTENT_TYPE.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def create_app(
    db_url: str, settings: Settings | None = None, clock: Clock | None = None
) -> OpenSwfApp:
    """The composition root: one store from ``db_url``, one service over it."""
    service = SwfService(store_from_url(db_url), settings or Settings(), clock)
    return OpenSwfApp(service)
