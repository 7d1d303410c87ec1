"""The dashboard as ``openswf ui`` runs it (a client of an SWF endpoint over HTTP), and its
access keys: in front of a server that checks keys and answers with SWF's auth faults, it
asks for a key, signs with it, and shows a read-only key no action buttons.

The key-checking server is a gateway in front of a real openswf server that refuses, as
``openswf server --access-keys`` does: no Authorization (MissingAuthenticationToken), an
unknown key (UnrecognizedClient), a read-only key's writes (AccessDenied).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson

from openswf.dashboard import create_dashboard
from openswf.testing import LocalServer
from tests.conftest import unique
from tests.e2e.dashboard_demo import ORDER, register, start

KEYS = {"AKIDADMIN": False, "AKIDREADER": True}  # key id -> read only
READS = ("Describe", "List", "Count", "Get")


def gateway(endpoint: str) -> Any:
    """An ASGI SWF endpoint that checks the access key, then forwards to ``endpoint``."""
    upstream = httpx.AsyncClient(base_url=endpoint)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        operation = headers.get("x-amz-target", "").rsplit(".", 1)[-1]
        key = re.search(r"Credential=([^/]+)/", headers.get("authorization", ""))
        fault = None
        if key is None:
            fault = (403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        elif key.group(1) not in KEYS:
            fault = (400, "UnrecognizedClientException", "The security token is invalid.")
        elif KEYS[key.group(1)] and not operation.startswith(READS):
            fault = (400, "AccessDeniedException", f"{key.group(1)} may not {operation}")
        if fault is not None:
            status, name, message_text = fault
            payload = orjson.dumps(
                {"__type": f"com.amazon.coral.service#{name}", "message": message_text}
            )
        else:
            forwarded = {k: v for k, v in headers.items() if k not in ("host", "content-length")}
            answer = await upstream.post("/", content=body, headers=forwarded)
            status, payload = answer.status_code, answer.content
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/x-amz-json-1.0")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app


def run(test: Callable[[httpx.AsyncClient], Awaitable[None]], **dashboard: Any) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    async def main() -> None:
        app, state = create_dashboard(**dashboard)
        web = Starlette(routes=[Mount("/ui", app=app)])
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://dash") as browser:
            try:
                await test(browser)
            finally:
                await state.close()

    asyncio.run(main())


def csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found.group(1)


def test_standalone_dashboard_over_http(server: LocalServer, swf: Any) -> None:
    domain = unique("remote")
    register(swf, domain)
    execution = start(swf, domain, "remote-1", ORDER, {"a": 1}, ["t"])

    async def test(browser: httpx.AsyncClient) -> None:
        home = await browser.get("/ui/")
        assert home.status_code == 200 and f">{domain}</a>" in home.text
        assert server.endpoint in home.text  # it says which endpoint it shows
        listing = await browser.get(f"/ui/domains/{domain}")
        assert execution["runId"] in listing.text
        path = f"/ui/domains/{domain}/runs/remote-1/{execution['runId']}"
        page = await browser.get(path)
        assert page.status_code == 200 and "Terminate…" in page.text
        answer = await browser.post(
            path + "/terminate", data={"csrf": csrf(page.text), "confirm": "yes"}
        )
        assert answer.status_code == 303
        info = swf.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
        assert info["closeStatus"] == "TERMINATED"

    run(test, endpoint=server.endpoint)


def test_unreachable_endpoint_is_a_clear_page() -> None:
    async def test(browser: httpx.AsyncClient) -> None:
        page = await browser.get("/ui/")
        assert page.status_code == 502 and "does not answer" in page.text

    run(test, endpoint="http://127.0.0.1:9")


def test_keys_login_and_read_only(server: LocalServer, swf: Any) -> None:
    domain = unique("keys")
    register(swf, domain)
    execution = start(swf, domain, "guarded-1", ORDER, {}, [])
    path = f"/ui/domains/{domain}/runs/guarded-1/{execution['runId']}"

    async def test(browser: httpx.AsyncClient) -> None:
        # The dashboard's own (placeholder) credentials are refused: it asks for a key.
        first = await browser.get(path)
        assert first.status_code == 303
        assert first.headers["location"].startswith("/ui/login?next=")
        form = await browser.get(first.headers["location"])
        assert "UnrecognizedClientException" in form.text
        token = csrf(form.text)
        nxt = re.search(r'name="next" value="([^"]+)"', form.text)
        assert nxt and nxt.group(1).replace("&amp;", "&") == path
        wrong = await browser.post(
            "/ui/login",
            data={"csrf": token, "access_key": "AKIDNOBODY", "secret_key": "x", "next": path},
        )
        assert wrong.status_code == 400 and "refused this key" in wrong.text
        # A read-only key: it sees the run, and no action buttons.
        reader = await browser.post(
            "/ui/login",
            data={"csrf": token, "access_key": "AKIDREADER", "secret_key": "x", "next": path},
        )
        assert reader.status_code == 303 and reader.headers["location"] == path
        page = await browser.get(path)
        assert page.status_code == 200 and "AKIDREADER" in page.text
        assert "guarded-1" in page.text and "Terminate…" not in page.text
        # Forcing the form anyway: the API refuses, the page says so, nothing happened.
        forced = await browser.post(
            path + "/terminate", data={"csrf": csrf(page.text), "confirm": "yes"}
        )
        assert forced.status_code == 403 and "AccessDeniedException" in forced.text
        assert (
            swf.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"][
                "executionStatus"
            ]
            == "OPEN"
        )
        listing = await browser.get(f"/ui/domains/{domain}")
        assert "Terminate all matching" not in listing.text
        # Log out, log in with a key that may write: the buttons are there, and work.
        await browser.post("/ui/logout", data={"csrf": csrf(page.text)})
        assert (await browser.get(path)).status_code == 303
        form = await browser.get("/ui/login")
        admin = await browser.post(
            "/ui/login",
            data={
                "csrf": csrf(form.text),
                "access_key": "AKIDADMIN",
                "secret_key": "x",
                "next": path,
            },
        )
        assert admin.status_code == 303
        page = await browser.get(path)
        assert "Terminate…" in page.text and "AKIDADMIN" in page.text
        done = await browser.post(
            path + "/terminate", data={"csrf": csrf(page.text), "confirm": "yes"}
        )
        assert done.status_code == 303
        info = swf.describe_workflow_execution(domain=domain, execution=execution)["executionInfo"]
        assert info["closeStatus"] == "TERMINATED"

    run(test, asgi=gateway(server.endpoint))
