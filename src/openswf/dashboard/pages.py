"""The read pages: domains, executions, one execution (summary, timeline, events), login."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openswf.dashboard import reads
from openswf.dashboard.events import EVENTS_PER_PAGE, event_row
from openswf.dashboard.filters import CLOSE_STATUSES, PAGE_SIZES, ExecutionQuery
from openswf.dashboard.gantt import build_chart
from openswf.dashboard.payloads import pretty
from openswf.sdk import Credentials
from openswf.sdk.errors import SwfError, TransportError
from openswf.sdk.timeline import Span

if TYPE_CHECKING:
    from openswf.dashboard.access import Viewer
    from openswf.dashboard.app import Dashboard

DONE = {
    "signal": "Signal sent.",
    "cancel": "Cancel requested: the workflow's decider decides how to stop.",
    "terminate": "Execution terminated.",
}
# An open execution's timeline refreshes itself only while its history is small enough to
# re-read every few seconds; past that the page offers a button.
AUTO_REFRESH_MAX_EVENTS = 5000


async def domains(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    found = await reads.all_domains(viewer.client)
    return dash.render(request, viewer, "domains.html", domains=found)


async def domain_counts(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    opened, closed = await reads.domain_counts(viewer.client, domain)
    return dash.render(
        request, viewer, "_domain_counts.html", domain=domain, opened=opened, closed=closed
    )


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


def _query(request: Request) -> ExecutionQuery:
    return ExecutionQuery.from_params(request.query_params)


async def executions(
    dash: Dashboard, request: Request, viewer: Viewer, *, fragment: bool = False
) -> Response:
    domain = request.path_params["domain"]
    query = _query(request)
    token = request.query_params.get("token") or None
    page = _page_number(request)
    problems = query.problems()
    runs: list[reads.Info] = []
    next_token: str | None = None
    writable = False
    types: list[str] = []
    # The page, and for the whole page (not its auto-refreshed rows) the type suggestions
    # and, for open runs, the write probe: side by side.
    types_call = write_call = None
    if not fragment:
        types_call = asyncio.ensure_future(reads.workflow_types(viewer.client, domain))
        if query.state == "open" and not problems:
            write_call = asyncio.ensure_future(dash.access.can_write(viewer, domain))
    try:
        if not problems:
            runs, next_token = await reads.executions_page(viewer.client, domain, query, token)
        if types_call is not None:
            types = await types_call
        if write_call is not None:
            writable = await write_call
    finally:
        for call in (types_call, write_call):
            if call is not None and not call.done():
                call.cancel()
    template = "_runs.html" if fragment else "executions.html"
    return dash.render(
        request,
        viewer,
        template,
        domain=domain,
        query=query,
        params=query.params(),
        problems=problems,
        runs=runs,
        token=token,
        next_token=next_token,
        page=page,
        types=types,
        writable=writable,
        statuses=CLOSE_STATUSES,
        page_sizes=PAGE_SIZES,
    )


async def executions_rows(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return await executions(dash, request, viewer, fragment=True)


async def executions_count(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    query = _query(request)
    found = await reads.count(viewer.client, domain, query)
    return dash.render(request, viewer, "_count.html", count=found, query=query)


async def execution(
    dash: Dashboard,
    request: Request,
    viewer: Viewer,
    *,
    notice: str | None = None,
    notice_kind: str = "ok",
    status: int = 200,
) -> Response:
    domain = request.path_params["domain"]
    workflow_id = request.path_params["workflow_id"]
    run_id = request.path_params["run_id"]
    summary = await reads.run_summary(viewer.client, domain, workflow_id, run_id)
    writable = summary.is_open and await dash.access.can_write(viewer, domain)
    done = request.query_params.get("done")
    if notice is None and done in DONE:
        notice = DONE[done]
    result_text = None
    if summary.closing_type == "WorkflowExecutionCompleted":
        result_text = pretty(summary.closing.get("result"))
    elif summary.closing:
        result_text = pretty(summary.closing.get("details"))
    return dash.render(
        request,
        viewer,
        "execution.html",
        status=status,
        domain=domain,
        workflow_id=workflow_id,
        run_id=run_id,
        s=summary,
        info=summary.info,
        config=summary.detail.get("executionConfiguration", {}),
        counts=summary.detail.get("openCounts", {}),
        input_text=pretty(summary.started.get("input")),
        result_text=result_text,
        context_text=pretty(summary.detail.get("latestExecutionContext")),
        writable=writable,
        notice=notice,
        notice_kind=notice_kind,
        events_per_page=EVENTS_PER_PAGE,
    )


async def execution_page(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return await execution(dash, request, viewer)


async def timeline(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    workflow_id = request.path_params["workflow_id"]
    run_id = request.path_params["run_id"]
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    found = await reads.run_timeline(
        viewer.client,
        domain,
        workflow_id,
        run_id,
        cache=dash.timelines,
        viewer_key=viewer.access_key or "",
    )
    now = time.time()
    runs = {c.workflow_id: c.run_id for c in found.children}

    def child_href(span: Span) -> str | None:
        child_run = runs.get(span.key)
        if not child_run:
            return None
        return dash.link(request, "domains", domain, "runs", span.key, child_run)

    chart = build_chart(found.spans, now=now, offset=offset, child_href=child_href)
    return dash.render(
        request,
        viewer,
        "_timeline.html",
        domain=domain,
        workflow_id=workflow_id,
        run_id=run_id,
        t=found,
        chart=chart,
        now=now,
        auto_refresh=not found.closed and found.event_count <= AUTO_REFRESH_MAX_EVENTS,
    )


async def events(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    workflow_id = request.path_params["workflow_id"]
    run_id = request.path_params["run_id"]
    newest_first = request.query_params.get("order") == "newest"
    token = request.query_params.get("token") or None
    page = _page_number(request)
    found, next_token = await reads.events_page(
        viewer.client,
        domain,
        workflow_id,
        run_id,
        token=token,
        newest_first=newest_first,
        size=EVENTS_PER_PAGE,
    )
    rows = [event_row(event) for event in found]
    return dash.render(
        request,
        viewer,
        "_events.html",
        domain=domain,
        workflow_id=workflow_id,
        run_id=run_id,
        rows=rows,
        page=page,
        next_token=next_token,
        newest_first=newest_first,
        per_page=EVENTS_PER_PAGE,
    )


# --- access keys ------------------------------------------------------------------------


def _safe_next(dash: Dashboard, request: Request, value: str | None) -> str:
    base = dash.base(request)
    if value and value.startswith(base + "/") and not value.startswith("//"):
        return value
    return base + "/"


async def login_form(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return dash.render(
        request,
        viewer,
        "login.html",
        next=_safe_next(dash, request, request.query_params.get("next")),
        why=request.query_params.get("why", ""),
        error=None,
        access_key="",
    )


async def login(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    form = await request.form()
    access_key = str(form.get("access_key", "")).strip()
    secret_key = str(form.get("secret_key", ""))
    token = str(form.get("session_token", "")).strip() or None
    target = _safe_next(dash, request, str(form.get("next", "")))
    error = None
    if not viewer.new_session and not dash.access.check_csrf(
        viewer.session_id, str(form.get("csrf", ""))
    ):
        error = "The form expired: please try again."
    elif not access_key or not secret_key:
        error = "Enter an access key id and its secret."
    else:
        try:
            session_id = await dash.access.log_in(Credentials(access_key, secret_key, token))
        except (SwfError, TransportError) as refused:
            error = (
                f"The endpoint refused this key ({getattr(refused, 'type_name', '')}: {refused})"
            )
        else:
            dash.access.log_out(viewer.session_id)
            response = dash.redirect(request, viewer, target)
            dash.set_session(request, response, session_id)
            return response
    return dash.render(
        request,
        viewer,
        "login.html",
        status=400,
        next=target,
        why="",
        error=error,
        access_key=access_key,
    )


async def logout(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    form = await request.form()
    if dash.access.check_csrf(viewer.session_id, str(form.get("csrf", ""))):
        dash.access.log_out(viewer.session_id)
    return dash.redirect(request, viewer, dash.link(request, "login"))


def routes(dash: Dashboard) -> list[Route]:
    run = "/domains/{domain}/runs/{workflow_id}/{run_id}"
    return [
        dash.route("/", domains),
        dash.route("/login", login_form),
        dash.route("/login", login, ["POST"]),
        dash.route("/logout", logout, ["POST"]),
        dash.route("/domains/{domain}/counts", domain_counts),
        dash.route("/domains/{domain}", executions),
        dash.route("/domains/{domain}/rows", executions_rows),
        dash.route("/domains/{domain}/count", executions_count),
        dash.route(run, execution_page),
        dash.route(run + "/timeline", timeline),
        dash.route(run + "/events", events),
    ]
