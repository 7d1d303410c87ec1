"""The dashboard's pages and actions over HTTP, without a browser: the dashboard that
``openswf server`` mounts at /ui (in-process SWF calls), the standalone one of ``openswf ui``
(over HTTP), and the access-key login in front of a server that checks keys. Every action is
checked through boto3."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openswf.testing import LocalServer
from tests.conftest import unique
from tests.e2e.dashboard_demo import ORDER, REPORT, Demo, seed, start


def wait_for(condition: Any, timeout: float = 20.0, what: str = "a condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def shop(swf: Any) -> Demo:
    return seed(swf, unique("shop"), fillers=12)


@pytest.fixture
def ui(server: LocalServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.endpoint + "/ui", follow_redirects=True) as client:
        yield client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def run_path(domain: str, run: dict[str, str]) -> str:
    return f"/domains/{domain}/runs/{run['workflowId']}/{run['runId']}"


# --- reading ----------------------------------------------------------------------------


def test_root_redirects_to_the_dashboard(server: LocalServer) -> None:
    answer = httpx.get(server.endpoint + "/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/ui/"


def test_domains_with_counts(ui: httpx.Client, shop: Demo) -> None:
    page = ui.get("/")
    assert page.status_code == 200
    assert f">{shop.domain}</a>" in page.text
    counts = ui.get(f"/domains/{shop.domain}/counts")
    cells = re.findall(r">([\d,+]+)</a>", counts.text)
    assert cells == [str(len(shop.open_runs)), str(len(shop.closed_runs))]


def test_open_and_closed_lists(ui: httpx.Client, shop: Demo) -> None:
    opened = ui.get(f"/domains/{shop.domain}")
    for run in shop.open_runs:
        assert run["runId"] in opened.text
    assert shop.completed["runId"] not in opened.text
    closed = ui.get(f"/domains/{shop.domain}", params={"state": "closed"})
    for run in shop.closed_runs:
        assert run["runId"] in closed.text
    count = ui.get(f"/domains/{shop.domain}/count", params={"state": "closed"})
    assert f"<strong>{len(shop.closed_runs)}</strong> closed executions" in count.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "closed", "workflow_id": "order-1001"}, {"order-1001"}),
        ({"state": "closed", "status": "FAILED"}, {"order-1101", "order-1107"}),
        ({"state": "closed", "status": "TERMINATED"}, {"order-1102", "order-1108"}),
        (
            {"state": "open", "type": "nightly-report"},
            {"report-4", "report-5", "report-10", "report-11"},
        ),
        (
            {"state": "open", "type": "nightly-report:1"},
            {"report-4", "report-5", "report-10", "report-11"},
        ),
        ({"state": "open", "type": "nightly-report:9"}, set()),
        ({"state": "open", "tag": "customer:globex"}, {"order-2001"}),
        ({"state": "open", "since": "2026-01-01", "until": "2026-01-02"}, set()),
    ],
)
def test_each_filter(
    ui: httpx.Client, shop: Demo, params: dict[str, str], expected: set[str]
) -> None:
    page = ui.get(f"/domains/{shop.domain}", params=params)
    assert page.status_code == 200
    shown = set(re.findall(r'<a class="strong" href="[^"]*/runs/([^/"]+)/', page.text))
    assert shown == expected
    count = ui.get(f"/domains/{shop.domain}/count", params=params)
    assert f"<strong>{len(expected)}</strong>" in count.text


def test_relative_time_range(ui: httpx.Client, shop: Demo) -> None:
    recent = ui.get(f"/domains/{shop.domain}", params={"state": "open", "since": "1h"})
    assert "order-2001" in recent.text
    future = ui.get(f"/domains/{shop.domain}", params={"state": "open", "since": "2999-01-01"})
    assert "order-2001" not in future.text and "No open executions match" in future.text


def test_two_exclusive_filters_are_explained_not_sent(ui: httpx.Client, shop: Demo) -> None:
    page = ui.get(
        f"/domains/{shop.domain}", params={"state": "closed", "tag": "env:prod", "type": "order"}
    )
    assert page.status_code == 200
    assert "SWF filters by one of workflow id, type, tag and close status" in page.text
    bad_time = ui.get(f"/domains/{shop.domain}", params={"since": "yesterday-ish"})
    assert "is not a time" in bad_time.text
    open_status = ui.get(f"/domains/{shop.domain}", params={"state": "open", "status": "FAILED"})
    assert "A close status filters closed executions" in open_status.text


def test_stable_paging(ui: httpx.Client, shop: Demo) -> None:
    seen: list[str] = []
    params: dict[str, str] = {"state": "closed", "size": "5"}
    page = ui.get(f"/domains/{shop.domain}", params=params)
    pages = 0
    while True:
        pages += 1
        seen += re.findall(r'title="run id">([0-9a-f]+)<', page.text)
        found = re.search(r'rel="next" href="([^"]+)"', page.text)
        if not found:
            break
        page = ui.get(found.group(1).replace("&amp;", "&").removeprefix("/ui"))
    assert pages == -(-len(shop.closed_runs) // 5)
    assert len(seen) == len(set(seen)) == len(shop.closed_runs)
    assert set(seen) == {r["runId"] for r in shop.closed_runs}


def test_execution_summary_input_result(ui: httpx.Client, shop: Demo) -> None:
    page = ui.get(run_path(shop.domain, shop.completed))
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "order-1001" in text and shop.completed["runId"] in text
    assert ">order<" in text and ":2<" in text
    assert '"customer": "acme"' in text  # the input, decoded and indented
    assert '"charge_id": "ch_81723"' in text  # the result
    assert "env:prod" in text and "customer:acme" in text
    assert "completed" in text
    assert "Actions" not in text  # a closed run offers none


def test_timeline_draws_attempts_timers_and_children(
    ui: httpx.Client, shop: Demo, swf: Any
) -> None:
    page = ui.get(run_path(shop.domain, shop.completed) + "/timeline")
    assert page.status_code == 200
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    rows = dict(re.findall(r'data-kind="(\w+)" data-key="([^"]+)"', svg)[i][::-1] for i in range(7))
    assert rows == {
        "order:2": "workflow",
        "decision tasks": "decision",
        "reserve": "activity",
        "charge": "activity",
        "fraud-check": "timer",
        "ship-1001": "child",
        "email": "activity",
    }
    charge = svg[svg.index('data-key="charge"') : svg.index('data-key="fraud-check"')]
    assert (
        charge.count('class="bar s-failed"') == 1 and charge.count('class="bar s-completed"') == 1
    )
    assert "card declined" in charge
    child = shop.child
    assert f"/runs/ship-1001/{child['runId']}" in page.text  # children link to their runs


def test_child_page_links_its_parent(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    child = shop.child
    page = ui.get(run_path(shop.domain, child))
    assert "Parent" in page.text and f"/runs/order-1001/{shop.completed['runId']}" in page.text


def test_running_execution_shows_pending_activities(ui: httpx.Client, shop: Demo) -> None:
    page = ui.get(run_path(shop.domain, shop.running) + "/timeline")
    pending = page.text[page.text.index("Pending activities") : page.text.index("</table>")]
    assert "reserve" in pending and "running" in pending and "worker-7" in pending
    assert "notify" in pending and "waiting for a worker" in pending
    assert "120 s" in pending  # the heartbeat timeout
    summary = ui.get(run_path(shop.domain, shop.running))
    assert "Actions" in summary.text and "Terminate…" in summary.text


def test_events_are_paged_with_expandable_attributes(
    ui: httpx.Client, shop: Demo, swf: Any
) -> None:
    first = ui.get(run_path(shop.domain, shop.completed) + "/events")
    ids = [int(i) for i in re.findall(r'id="event-(\d+)"', first.text)]
    history = swf.get_workflow_execution_history(
        domain=shop.domain, execution=shop.completed, maximumPageSize=1000
    )["events"]
    assert ids == list(range(1, len(history) + 1))
    assert "<details>" in first.text and "ActivityTaskFailed" in first.text
    newest = ui.get(run_path(shop.domain, shop.completed) + "/events", params={"order": "newest"})
    assert re.findall(r'id="event-(\d+)"', newest.text)[0] == str(len(history))


def test_event_pages_follow_the_api_token(server: LocalServer, swf: Any, ui: httpx.Client) -> None:
    domain = unique("long")
    seed_domain = seed(swf, domain, fillers=0)
    run = seed_domain.running
    for i in range(450):
        swf.signal_workflow_execution(
            domain=domain, workflowId=run["workflowId"], runId=run["runId"], signalName=f"s{i}"
        )
    path = run_path(domain, run) + "/events"
    page = ui.get(path)
    seen = [int(i) for i in re.findall(r'id="event-(\d+)"', page.text)]
    assert len(seen) == 200
    while (found := re.search(r'rel="next" href="([^"]+)"', page.text)) is not None:
        page = ui.get(found.group(1).replace("&amp;", "&").removeprefix("/ui"))
        ids = [int(i) for i in re.findall(r'id="event-(\d+)"', page.text)]
        assert 0 < len(ids) <= 200
        seen += ids
    total = len(
        swf.get_workflow_execution_history(domain=domain, execution=run, maximumPageSize=1000)[
            "events"
        ]
    )
    assert seen == list(range(1, total + 1))


def test_unknown_things_answer_404(ui: httpx.Client, shop: Demo) -> None:
    assert ui.get("/domains/no-such-domain").status_code == 404
    missing = ui.get(f"/domains/{shop.domain}/runs/nope/0123456789abcdef")
    assert missing.status_code == 404 and "UnknownResourceFault" in missing.text


# --- acting -----------------------------------------------------------------------------


def _open_run(swf: Any, domain: str, workflow_id: str) -> dict[str, str]:
    return start(swf, domain, workflow_id, ORDER, {"n": 1}, ["env:test"])


def test_signal(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    run = _open_run(swf, shop.domain, unique("sig"))
    page = ui.get(run_path(shop.domain, run))
    answer = ui.post(
        run_path(shop.domain, run) + "/signal",
        data={
            "csrf": csrf(page.text),
            "signal_name": "approve",
            "input": json.dumps({"by": "ops"}),
        },
    )
    assert answer.status_code == 200 and "Signal sent." in answer.text
    events = swf.get_workflow_execution_history(domain=shop.domain, execution=run)["events"]
    signaled = [e for e in events if e["eventType"] == "WorkflowExecutionSignaled"]
    assert len(signaled) == 1
    attrs = signaled[0]["workflowExecutionSignaledEventAttributes"]
    assert attrs["signalName"] == "approve" and json.loads(attrs["input"]) == {"by": "ops"}


def test_a_post_without_the_csrf_token_does_nothing(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    run = _open_run(swf, shop.domain, unique("csrf"))
    ui.get(run_path(shop.domain, run))
    answer = ui.post(
        run_path(shop.domain, run) + "/terminate", data={"confirm": "yes", "csrf": "forged"}
    )
    assert answer.status_code == 400 and "expired" in answer.text
    url = str(ui.base_url).rstrip("/") + run_path(shop.domain, run) + "/terminate"
    stranger = httpx.post(  # no session cookie at all
        url, data={"confirm": "yes"}
    )
    assert stranger.status_code == 400
    info = swf.describe_workflow_execution(domain=shop.domain, execution=run)["executionInfo"]
    assert info["executionStatus"] == "OPEN"


def test_terminate_needs_its_confirmation(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    run = _open_run(swf, shop.domain, unique("term"))
    token = csrf(ui.get(run_path(shop.domain, run)).text)
    unconfirmed = ui.post(run_path(shop.domain, run) + "/terminate", data={"csrf": token})
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.text
    assert (
        swf.describe_workflow_execution(domain=shop.domain, execution=run)["executionInfo"][
            "executionStatus"
        ]
        == "OPEN"
    )
    done = ui.post(
        run_path(shop.domain, run) + "/terminate",
        data={"csrf": token, "confirm": "yes", "reason": "stuck", "child_policy": "ABANDON"},
    )
    assert done.status_code == 200 and "Execution terminated." in done.text
    info = swf.describe_workflow_execution(domain=shop.domain, execution=run)["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", "TERMINATED")
    last = swf.get_workflow_execution_history(domain=shop.domain, execution=run, reverseOrder=True)[
        "events"
    ][0]
    assert last["workflowExecutionTerminatedEventAttributes"]["reason"] == "stuck"
    assert last["workflowExecutionTerminatedEventAttributes"]["childPolicy"] == "ABANDON"
    # Acting on a closed run is refused by the API, and the page says so.
    again = ui.post(
        run_path(shop.domain, run) + "/terminate", data={"csrf": token, "confirm": "yes"}
    )
    assert again.status_code == 400 and "UnknownResourceFault" in again.text


def test_request_cancel(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    run = _open_run(swf, shop.domain, unique("cancel"))
    token = csrf(ui.get(run_path(shop.domain, run)).text)
    done = ui.post(run_path(shop.domain, run) + "/cancel", data={"csrf": token, "confirm": "yes"})
    assert done.status_code == 200 and "Cancel requested" in done.text
    assert swf.describe_workflow_execution(domain=shop.domain, execution=run)["executionInfo"][
        "cancelRequested"
    ]


def test_bulk_terminate_over_a_filter(ui: httpx.Client, swf: Any) -> None:
    domain = unique("bulk")
    seed(swf, domain, fillers=0)
    doomed = [start(swf, domain, f"batch-{i}", REPORT, {"i": i}, ["batch:7"]) for i in range(7)]
    spared = _open_run(swf, domain, "keep-me")
    confirm = ui.get(
        f"/domains/{domain}/bulk", params={"action": "terminate", "state": "open", "tag": "batch:7"}
    )
    assert confirm.status_code == 200
    assert '<strong id="bulk-count">7</strong>' in confirm.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm.text))
    unconfirmed = ui.post(f"/domains/{domain}/bulk", data=form)
    assert unconfirmed.status_code == 400
    started = ui.post(
        f"/domains/{domain}/bulk", data={**form, "confirm": "yes", "reason": "cleanup"}
    )
    assert started.status_code == 200 and "/jobs/" in str(started.url)

    def finished(job: str) -> str | None:
        page = ui.get(job.split("/ui", 1)[1])
        return page.text if 'data-running="no"' in page.text else None

    report = wait_for(lambda: finished(str(started.url)), what="the bulk job to finish")
    assert 'data-succeeded="7"' in report and 'data-failed="0"' in report
    for run in doomed:
        info = swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"]
        assert info["closeStatus"] == "TERMINATED"
    spared_info = swf.describe_workflow_execution(domain=domain, execution=spared)
    assert spared_info["executionInfo"]["executionStatus"] == "OPEN"
    # The same confirmation again, after a new run matched: the run came too late for it.
    late = start(swf, domain, "batch-late", REPORT, {}, ["batch:7"])
    second = ui.post(f"/domains/{domain}/bulk", data={**form, "confirm": "yes"})
    report = wait_for(lambda: finished(str(second.url)), what="the second bulk job")
    assert 'data-succeeded="0"' in report
    late_info = swf.describe_workflow_execution(domain=domain, execution=late)
    assert late_info["executionInfo"]["executionStatus"] == "OPEN"


def test_continue_as_new_chain(ui: httpx.Client, swf: Any) -> None:
    domain = unique("chain")
    seed(swf, domain, fillers=0)
    first = start(swf, domain, "cron-job", ORDER, {"round": 1}, [])
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": "orders"})
    while not task.get("taskToken") or task["workflowExecution"]["runId"] != first["runId"]:
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": "orders"})
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "ContinueAsNewWorkflowExecution",
                "continueAsNewWorkflowExecutionDecisionAttributes": {"input": '{"round": 2}'},
            }
        ],
    )
    runs = swf.list_open_workflow_executions(
        domain=domain, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": "cron-job"}
    )["executionInfos"]
    second = runs[0]["execution"]
    old = ui.get(run_path(domain, first))
    assert "continued as new" in old.text
    assert f'href="/ui/domains/{domain}/runs/cron-job/{second["runId"]}">next run' in old.text
    new = ui.get(run_path(domain, second))
    assert f'href="/ui/domains/{domain}/runs/cron-job/{first["runId"]}">← previous run' in new.text


def test_ids_with_spaces_and_symbols_link_right(ui: httpx.Client, shop: Demo, swf: Any) -> None:
    odd = "odd id ✓ #1?x=&y%"
    run = start(swf, shop.domain, odd, ORDER, {}, ["odd tag @ 1"])
    listing = ui.get(f"/domains/{shop.domain}", params={"state": "open", "workflow_id": odd})
    link = re.search(r'<a class="strong" href="([^"]+)">', listing.text)
    assert link, listing.text
    page = ui.get(html.unescape(link.group(1)).removeprefix("/ui"))
    assert page.status_code == 200 and run["runId"] in page.text
    assert html.escape(odd) in page.text
    tagged = ui.get(f"/domains/{shop.domain}", params={"state": "open", "tag": "odd tag @ 1"})
    assert run["runId"] in tagged.text
    swf.terminate_workflow_execution(domain=shop.domain, **run)
