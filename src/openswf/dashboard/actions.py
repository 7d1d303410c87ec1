"""The write actions: signal, request cancel and terminate one run; bulk over a filter.

Every form carries the session's CSRF token, and the destructive ones a confirmation box.
The dashboard only offers them to a key that may write in the domain; the API still decides
(a refusal is shown, and the cached permission is re-probed).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openswf.dashboard import pages, reads
from openswf.dashboard.access import fault_name, is_access_denied, is_auth_fault
from openswf.dashboard.filters import ExecutionQuery
from openswf.dashboard.jobs import ACTIONS
from openswf.sdk.errors import SwfError

if TYPE_CHECKING:
    from openswf.dashboard.access import Viewer
    from openswf.dashboard.app import Dashboard

CHILD_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")
BULK_PREVIEW = 10


class FormRefused(Exception):
    """The form is stale or incomplete: answered with the page and a message, 400."""


async def _form(dash: Dashboard, request: Request, viewer: Viewer) -> FormData:
    form = await request.form()
    if viewer.new_session or not dash.access.check_csrf(
        viewer.session_id, str(form.get("csrf", ""))
    ):
        raise FormRefused("This form has expired (or came from another site): reload the page.")
    return form


async def _act(dash: Dashboard, request: Request, viewer: Viewer, action: str) -> Response:
    domain = request.path_params["domain"]
    workflow_id = request.path_params["workflow_id"]
    run_id = request.path_params["run_id"]
    client = viewer.client
    try:
        form = await _form(dash, request, viewer)
        if action == "signal":
            name = str(form.get("signal_name", "")).strip()
            if not name:
                raise FormRefused("A signal needs a name.")
            await client.signal_workflow_execution(
                domain=domain,
                workflowId=workflow_id,
                runId=run_id,
                signalName=name,
                input=str(form.get("input", "")) or None,
            )
        else:
            if form.get("confirm") != "yes":
                raise FormRefused(f"Tick the box to confirm the {action}.")
            if action == "cancel":
                await client.request_cancel_workflow_execution(
                    domain=domain, workflowId=workflow_id, runId=run_id
                )
            else:
                policy = str(form.get("child_policy", ""))
                await client.terminate_workflow_execution(
                    domain=domain,
                    workflowId=workflow_id,
                    runId=run_id,
                    reason=str(form.get("reason", "")).strip() or None,
                    details=str(form.get("details", "")) or None,
                    childPolicy=policy if policy in CHILD_POLICIES else None,  # type: ignore[arg-type]
                )
    except FormRefused as refused:
        return await pages.execution(
            dash, request, viewer, notice=str(refused), notice_kind="error", status=400
        )
    except SwfError as error:
        if is_auth_fault(error):
            raise
        if is_access_denied(error):
            dash.access.forget_write(viewer, domain)
        return await pages.execution(
            dash,
            request,
            viewer,
            notice=f"The {action} was refused: {fault_name(error)}: {error}",
            notice_kind="error",
            status=403 if is_access_denied(error) else 400,
        )
    url = dash.link(request, "domains", domain, "runs", workflow_id, run_id, done=action)
    return dash.redirect(request, viewer, url)


async def signal(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return await _act(dash, request, viewer, "signal")


async def cancel(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return await _act(dash, request, viewer, "cancel")


async def terminate(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    return await _act(dash, request, viewer, "terminate")


# --- bulk -------------------------------------------------------------------------------


def _bulk_query(params: dict[str, str]) -> ExecutionQuery:
    return ExecutionQuery.from_params(params).with_state("open")


async def bulk_confirm(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    action = request.query_params.get("action", "")
    query = _bulk_query(dict(request.query_params))
    return await _bulk_page(dash, request, viewer, domain, action, query, error=None)


async def _bulk_page(
    dash: Dashboard,
    request: Request,
    viewer: Viewer,
    domain: str,
    action: str,
    query: ExecutionQuery,
    *,
    error: str | None,
    status: int = 200,
) -> Response:
    if action not in ACTIONS:
        action = "terminate"
    problems = query.problems()
    confirmed_at = time.time()
    matched = preview = None
    if not problems:
        matched = await reads.count(viewer.client, domain, query)
        preview, _ = await reads.executions_page(
            viewer.client,
            domain,
            ExecutionQuery.from_params({**query.params(), "size": str(BULK_PREVIEW)}),
            None,
        )
    writable = await dash.access.can_write(viewer, domain)
    return dash.render(
        request,
        viewer,
        "bulk.html",
        status=status,
        domain=domain,
        action=action,
        query=query,
        params=query.params(),
        problems=problems,
        matched=matched,
        preview=preview or [],
        confirmed_at=confirmed_at,
        writable=writable,
        error=error,
        child_policies=CHILD_POLICIES,
    )


async def bulk_start(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    domain = request.path_params["domain"]
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    action = fields.get("action", "")
    query = _bulk_query(fields)
    try:
        await _form(dash, request, viewer)
        if action not in ACTIONS:
            raise FormRefused("Unknown action.")
        if fields.get("confirm") != "yes":
            raise FormRefused(f"Tick the box to confirm: {action} every matching execution.")
        if query.problems():
            raise FormRefused(" ".join(query.problems()))
        confirmed_at = float(fields.get("confirmed_at") or time.time())
    except (FormRefused, ValueError) as refused:
        return await _bulk_page(
            dash, request, viewer, domain, action, query, error=str(refused), status=400
        )
    matched = await reads.count(viewer.client, domain, query)
    job = dash.jobs.start(
        viewer.client,
        owner=viewer.session_id,
        domain=domain,
        action=action,
        query=query,
        reason=fields.get("reason", "").strip(),
        expected=matched.count,
        expected_truncated=matched.truncated,
        confirmed_at=min(confirmed_at, time.time()),
    )
    return dash.redirect(request, viewer, dash.link(request, "jobs", job.id))


async def job_page(dash: Dashboard, request: Request, viewer: Viewer) -> Response:
    job = dash.jobs.get(request.path_params["job_id"], viewer.session_id)
    if job is None:
        return dash.render(
            request,
            viewer,
            "error.html",
            status=404,
            title="No such bulk action",
            message="It belongs to another session, or the server restarted since.",
        )
    return dash.render(request, viewer, "job.html", job=job, params=job.query.params())


def routes(dash: Dashboard) -> list[Route]:
    run = "/domains/{domain}/runs/{workflow_id}/{run_id}"
    return [
        dash.route(run + "/signal", signal, ["POST"]),
        dash.route(run + "/cancel", cancel, ["POST"]),
        dash.route(run + "/terminate", terminate, ["POST"]),
        dash.route("/domains/{domain}/bulk", bulk_confirm),
        dash.route("/domains/{domain}/bulk", bulk_start, ["POST"]),
        dash.route("/jobs/{job_id}", job_page),
    ]
