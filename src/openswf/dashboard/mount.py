"""The dashboard inside ``openswf server``: mounted at /ui, calling the server's own SWF edge
in-process (``AsgiTransport``), so every read and action is a real SWF request, signed,
checked and dispatched like one from the network."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from openswf.dashboard.transport import AsgiApp

PATH = "/ui"


def dashboard_routes(swf_app: AsgiApp, region: str | None = None) -> list[BaseRoute]:
    """Routes for the server's web app: the dashboard at /ui, and / redirecting there.

    ``swf_app`` answers ``POST /`` (the SWF API): the server's ASGI app itself."""
    from openswf.dashboard.app import create_dashboard

    app, _ = create_dashboard(asgi=swf_app, region=region)

    async def home(request: Request) -> Response:
        return RedirectResponse(PATH + "/", status_code=307)

    return [Mount(PATH, app=app), Route("/", home, methods=["GET", "HEAD"])]
