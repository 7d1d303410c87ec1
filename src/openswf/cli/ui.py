"""``openswf ui``: the web dashboard against any SWF endpoint (openswf or AWS)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import click

DEFAULT_ENDPOINT = "http://127.0.0.1:8466"


@click.command("ui")
@click.option(
    "--endpoint",
    envvar=["OPENSWF_ENDPOINT", "AWS_ENDPOINT_URL_SWF"],
    default=DEFAULT_ENDPOINT,
    show_default=True,
    help="SWF endpoint (env OPENSWF_ENDPOINT, then AWS_ENDPOINT_URL_SWF); for AWS, "
    "https://swf.REGION.amazonaws.com.",
)
@click.option("--region", default=None, help="Region to sign for (default: the AWS chain's).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8467, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--log-level",
    default="warning",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def ui(endpoint: str, region: str | None, host: str, port: int, log_level: str) -> None:
    """Serve the web dashboard for the SWF endpoint ENDPOINT at http://HOST:PORT/ui/.

    It reads and acts through the SWF API only, signed with the standard AWS credentials
    (environment, profile, ...); if the endpoint refuses them, it asks for an access key."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import RedirectResponse, Response
    from starlette.routing import Mount, Route

    from openswf.dashboard import create_dashboard

    dashboard, state = create_dashboard(endpoint=endpoint, region=region)

    async def home(request: Request) -> Response:
        return RedirectResponse("/ui/", status_code=307)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await state.close()

    app = Starlette(routes=[Route("/", home), Mount("/ui", app=dashboard)], lifespan=lifespan)
    click.echo(f"openswf dashboard for {endpoint} on http://{host}:{port}/ui/", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
