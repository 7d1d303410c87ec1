"""The dashboard's ASGI app: routes, rendering, and the answers to the API's faults.

It is built over one SWF client factory and knows nothing of the server: ``create_dashboard``
takes an endpoint URL (``openswf ui --endpoint``, AWS included) or an ASGI app to call in the
same process (``openswf server`` mounting it at /ui). Mount it at any path: links are built
from the mount's root path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from openswf.dashboard.access import (
    COOKIE,
    SESSION_TTL_S,
    Access,
    Viewer,
    fault_name,
    is_access_denied,
    is_auth_fault,
)
from openswf.dashboard.gantt import duration_text
from openswf.dashboard.jobs import Jobs
from openswf.dashboard.reads import TimelineCache
from openswf.dashboard.transport import AsgiApp, AsgiTransport
from openswf.sdk import AsyncClient, Credentials
from openswf.sdk.errors import SwfError, TransportError, UnknownResourceFault

log = logging.getLogger("openswf.dashboard")

Handler = Callable[["Dashboard", Request, Viewer], Awaitable[Response]]


def _timestamp(value: Any) -> str:
    if value in (None, ""):
        return ""
    at = datetime.fromtimestamp(float(value), UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S") + f".{at.microsecond // 1000:03d}"


def _ago(value: Any) -> str:
    if value in (None, ""):
        return ""
    delta = time.time() - float(value)
    return "in the future" if delta < -1 else f"{duration_text(max(delta, 0.0))} ago"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("openswf.dashboard", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined,  # API answers omit absent members
    )
    env.filters["ts"] = _timestamp
    env.filters["ago"] = _ago
    env.filters["dur"] = duration_text
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["num"] = lambda value: f"{int(value):,}"
    return env


@dataclass(kw_only=True)
class Dashboard:
    access: Access
    endpoint_label: str
    templates: jinja2.Environment = field(default_factory=_environment)
    jobs: Jobs = field(default_factory=Jobs)
    timelines: TimelineCache = field(default_factory=TimelineCache)

    # --- links ---------------------------------------------------------------------------

    @staticmethod
    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def link(self, request: Request, *parts: str, **query: Any) -> str:
        path = "/".join(quote(str(part), safe="") for part in parts)
        url = f"{self.base(request)}/{path}"
        pairs = {k: v for k, v in query.items() if v not in (None, "", False)}
        return url + ("?" + urlencode(pairs) if pairs else "")

    # --- answers -------------------------------------------------------------------------

    def render(
        self,
        request: Request,
        viewer: Viewer,
        template: str,
        *,
        status: int = 200,
        **context: Any,
    ) -> Response:
        common = {
            "base": self.base(request),
            "link": lambda *parts, **query: self.link(request, *parts, **query),
            "viewer": viewer,
            "endpoint": self.endpoint_label,
        }
        html = self.templates.get_template(template).render(**common, **context)
        if template.startswith("_") and request.headers.get("hx-request") != "true":
            # A fragment opened as a page (a plain link, no JavaScript): give it the frame.
            html = self.templates.get_template("page.html").render(
                **common, fragment=Markup(html), title=context.get("domain", "openswf")
            )
        return self.remember(request, viewer, HTMLResponse(html, status_code=status))

    def remember(self, request: Request, viewer: Viewer, response: Response) -> Response:
        if viewer.new_session:
            self.set_session(request, response, viewer.session_id)
        return response

    def set_session(self, request: Request, response: Response, session_id: str) -> None:
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=SESSION_TTL_S,
            path=(self.base(request) or "") + "/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def redirect(self, request: Request, viewer: Viewer, url: str) -> Response:
        if request.headers.get("hx-request") == "true":
            response: Response = Response(status_code=200, headers={"HX-Redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        return self.remember(request, viewer, response)

    def fault_page(self, request: Request, viewer: Viewer, error: Exception) -> Response:
        if isinstance(error, TransportError):
            return self.render(
                request,
                viewer,
                "error.html",
                status=502,
                title="The SWF endpoint does not answer",
                message=f"{self.endpoint_label}: {error}",
            )
        if isinstance(error, UnknownResourceFault):
            status, title = 404, "Not found"
        elif is_access_denied(error):
            status, title = 403, "Your access key may not do this"
        else:
            status, title = 400, "The SWF API refused this request"
        return self.render(
            request,
            viewer,
            "error.html",
            status=status,
            title=title,
            message=f"{fault_name(error)}: {error}",
        )

    def route(self, path: str, handler: Handler, methods: list[str] | None = None) -> Route:
        async def endpoint(request: Request) -> Response:
            viewer = self.access.viewer(request.cookies.get(COOKIE))
            try:
                return await handler(self, request, viewer)
            except SwfError as error:
                if is_auth_fault(error):
                    if viewer.access_key:
                        self.access.log_out(viewer.session_id)
                    target = request.url.path
                    if request.url.query:
                        target += "?" + request.url.query
                    login = self.link(request, "login", next=target, why=fault_name(error))
                    return self.redirect(request, viewer, login)
                return self.fault_page(request, viewer, error)
            except TransportError as error:
                return self.fault_page(request, viewer, error)
            except Exception:  # a bug of ours: a page that says so, the traceback in the log
                log.exception("dashboard page %s failed", request.url.path)
                return self.render(
                    request,
                    viewer,
                    "error.html",
                    status=500,
                    title="This page failed",
                    message="An error inside the dashboard; the server's log has the details.",
                )

        return Route(path, endpoint, methods=methods or ["GET"])

    async def close(self) -> None:
        await self.jobs.close()
        await self.access.close()


def create_dashboard(
    *,
    endpoint: str | None = None,
    asgi: AsgiApp | None = None,
    region: str | None = None,
    credentials: Credentials | None = None,
    label: str | None = None,
) -> tuple[Starlette, Dashboard]:
    """The dashboard over an SWF endpoint URL, or over an ASGI app in this process.

    Returns the Starlette app (mount it, e.g. at /ui) and its state (``close()`` it at the
    end when it has HTTP connections)."""
    from openswf.dashboard import actions, pages

    def make_client(creds: Credentials | None) -> AsyncClient:
        if asgi is not None:
            return AsyncClient(
                "http://openswf.in-process",
                region=region,
                credentials=creds,
                transport=AsgiTransport(asgi),
            )
        return AsyncClient(endpoint, region=region, credentials=creds, read_timeout=30.0)

    default = make_client(credentials)
    dash = Dashboard(
        access=Access(default, make_client),
        endpoint_label=label or (default.endpoint if asgi is None else "this server"),
    )
    routes = [
        *pages.routes(dash),
        *actions.routes(dash),
        Mount("/static", StaticFiles(packages=[("openswf.dashboard", "static")]), name="static"),
    ]
    return Starlette(routes=routes), dash
