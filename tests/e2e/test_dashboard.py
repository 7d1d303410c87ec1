"""The dashboard in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright, against ``openswf server`` and ``openswf ui`` running as real processes.

Each step is done as a user would (click, type, tick, submit) and checked through boto3:
list, filter, open a run and see its timeline, signal it, terminate it, bulk terminate.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from openswf.testing import free_port
from tests.e2e.browser import chromium_path, launch
from tests.e2e.dashboard_demo import ORDER, REPORT, Demo, seed, start

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(
        chromium_path() is None,
        reason="no Chromium: the dashboard's browser tests need Debian's chromium package "
        "(apt-get install -y chromium)",
    ),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed"),
]

OPENSWF = [sys.executable, "-m", "openswf.cli.main"]
DOMAIN = "shop"


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def spawn(args: list[str], url: str, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: answers(url) or process.poll() is not None, 30, f"{args[3]} to start")
    except AssertionError:
        process.kill()
        raise
    if process.poll() is not None:
        raise AssertionError(f"{args} exited: {log.read_text()}")
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    args = [*OPENSWF, "server", "--port", str(port), "--db", f"sqlite:///{folder / 'ui.db'}"]
    process = spawn([*args, "--poll-timeout", "2"], endpoint + "/healthz", folder / "server.log")
    yield endpoint
    stop(process)


@pytest.fixture(scope="module")
def swf(server: str) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=server,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )


@pytest.fixture(scope="module")
def demo(swf: Any) -> Demo:
    return seed(swf, DOMAIN, fillers=12)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def runs_shown(page: Page) -> set[str]:
    return set(page.locator("#runs table.runs tbody tr td:first-child a.strong").all_inner_texts())


def test_list_and_filter(page: Page, server: str, demo: Demo) -> None:
    page.goto(server + "/ui/")
    row = page.locator("table.domains tr", has_text=DOMAIN)
    expect(row.locator("td.num").first).to_have_text(str(len(demo.open_runs)))
    row.get_by_role("link", name=DOMAIN).click()
    expect(page.locator("#count")).to_contain_text(f"{len(demo.open_runs)} open executions")
    assert runs_shown(page) == {r["workflowId"] for r in demo.open_runs}
    # A tag filter from the form.
    page.get_by_label("Tag").fill("customer:globex")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#count")).to_contain_text("1 open execution")
    assert runs_shown(page) == {"order-2001"}
    # Closed runs, by close status.
    page.get_by_role("link", name="Clear").click()
    page.locator("nav.tabs").get_by_role("link", name="Closed").click()
    page.get_by_label("Close status").select_option("FAILED")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#count")).to_contain_text("2 closed executions")
    assert runs_shown(page) == {"order-1101", "order-1107"}
    # Two exclusive filters: explained, not sent.
    page.get_by_label("Tag").fill("env:prod")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("SWF filters by one of")


def test_open_a_run_and_see_its_timeline(page: Page, server: str, demo: Demo, swf: Any) -> None:
    page.goto(f"{server}/ui/domains/{DOMAIN}?state=closed&workflow_id=order-1001")
    page.get_by_role("link", name="order-1001").click()
    expect(page.locator("h1")).to_have_text("order-1001")
    expect(page.locator("section.payload").first).to_contain_text('"customer": "acme"')
    gantt = page.locator("svg.gantt")
    expect(gantt).to_be_visible()
    keys = gantt.locator("g.row").evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys == [
        "order:2",
        "decision tasks",
        "reserve",
        "charge",
        "fraud-check",
        "ship-1001",
        "email",
    ]
    charge = gantt.locator('g.row[data-key="charge"] g.bar')
    assert charge.evaluate_all("bars => bars.map(b => b.classList[1])") == [
        "s-failed",
        "s-completed",
    ]
    # The event list: every event of the history, attributes behind a click.
    history = swf.get_workflow_execution_history(domain=DOMAIN, execution=demo.completed)["events"]
    events = page.locator("#events tr.ev")
    expect(events).to_have_count(len(history))
    failed = page.locator("#events tr.ev", has_text="ActivityTaskFailed")
    failed.locator("summary").click()
    expect(failed.locator("pre.json")).to_contain_text('"reason": "card declined"')
    # The child is a link to its own run, which links back to its parent.
    page.locator("table.children").get_by_role("link", name="ship-1001").click()
    expect(page.locator("h1")).to_have_text("ship-1001")
    page.locator("dl.facts").get_by_role("link", name="order-1001").click()
    expect(page.locator("h1")).to_have_text("order-1001")


def test_signal_a_run(page: Page, server: str, demo: Demo, swf: Any) -> None:
    run = demo.running
    page.goto(f"{server}/ui/domains/{DOMAIN}/runs/{run['workflowId']}/{run['runId']}")
    expect(page.locator("table.pending")).to_contain_text("waiting for a worker")
    page.get_by_text("Signal…").click()
    page.get_by_label("Signal name").fill("priority")
    page.get_by_label("Input").fill('{"level": "high"}')
    page.get_by_role("button", name="Send signal").click()
    expect(page.get_by_role("status")).to_have_text("Signal sent.")
    events = swf.get_workflow_execution_history(domain=DOMAIN, execution=run)["events"]
    signals = [
        e["workflowExecutionSignaledEventAttributes"]
        for e in events
        if e["eventType"] == "WorkflowExecutionSignaled"
    ]
    assert [(s["signalName"], json.loads(s["input"])) for s in signals] == [
        ("priority", {"level": "high"})
    ]


def test_terminate_a_run(page: Page, server: str, swf: Any, demo: Demo) -> None:
    run = start(swf, DOMAIN, "order-3001", ORDER, {"order": 3001}, ["env:prod"])
    page.goto(f"{server}/ui/domains/{DOMAIN}/runs/{run['workflowId']}/{run['runId']}")
    page.get_by_text("Terminate…").click()
    page.get_by_label("Reason").fill("customer called")
    terminate = page.get_by_role("button", name="Terminate", exact=True)
    terminate.click()  # not confirmed: the browser keeps the form (the box is required)
    info = swf.describe_workflow_execution(domain=DOMAIN, execution=run)["executionInfo"]
    assert info["executionStatus"] == "OPEN"
    page.get_by_label("Yes, terminate this run now").check()
    terminate.click()
    expect(page.get_by_role("status")).to_have_text("Execution terminated.")
    expect(page.locator(".title-row .badge").first).to_have_text("terminated")
    info = swf.describe_workflow_execution(domain=DOMAIN, execution=run)["executionInfo"]
    assert info["closeStatus"] == "TERMINATED"
    last = swf.get_workflow_execution_history(domain=DOMAIN, execution=run, reverseOrder=True)
    attrs = last["events"][0]["workflowExecutionTerminatedEventAttributes"]
    assert attrs["reason"] == "customer called"


def test_bulk_terminate(page: Page, server: str, swf: Any, demo: Demo) -> None:
    batch = [start(swf, DOMAIN, f"batch-{i}", REPORT, {"i": i}, ["batch:42"]) for i in range(6)]
    page.goto(f"{server}/ui/domains/{DOMAIN}?state=open&tag=batch:42")
    expect(page.locator("#count")).to_contain_text("6 open executions")
    page.get_by_role("link", name="Terminate all matching…").click()
    expect(page.locator("#bulk-count")).to_have_text("6")
    page.get_by_label("Reason").fill("bad batch")
    page.get_by_label("Yes, terminate all 6 matching open executions").check()
    page.get_by_role("button", name="Terminate 6 executions").click()
    status = page.locator("#job-status")
    expect(status).to_have_attribute("data-running", "no", timeout=30_000)
    expect(status).to_have_attribute("data-succeeded", "6")
    expect(status).to_have_attribute("data-failed", "0")
    for run in batch:
        info = swf.describe_workflow_execution(domain=DOMAIN, execution=run)["executionInfo"]
        assert info["closeStatus"] == "TERMINATED"
    still_open = swf.count_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": 0}, tagFilter={"tag": "customer:globex"}
    )
    assert still_open["count"] == 1  # order-2001 was not in the filter


def test_auto_refresh_shows_new_runs(page: Page, server: str, swf: Any, demo: Demo) -> None:
    page.goto(f"{server}/ui/domains/{DOMAIN}?state=open&tag=fresh")
    expect(page.locator("#runs")).to_contain_text("No open executions match")
    fresh = start(swf, DOMAIN, "order-fresh", ORDER, {}, ["fresh"])
    expect(page.locator("#runs")).to_contain_text("order-fresh", timeout=15_000)
    expect(page.locator("#count")).to_contain_text("1 open execution", timeout=15_000)
    swf.terminate_workflow_execution(domain=DOMAIN, **fresh)  # leave the open list as it was


def test_openswf_ui_against_an_endpoint(
    page: Page, server: str, demo: Demo, tmp_path: Path
) -> None:
    port = free_port()
    process = spawn(
        [*OPENSWF, "ui", "--endpoint", server, "--port", str(port)],
        f"http://127.0.0.1:{port}/ui/",
        tmp_path / "ui.log",
    )
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        expect(page.locator("header .endpoint")).to_have_text(server)
        page.get_by_role("link", name=DOMAIN).click()
        page.locator("nav.tabs").get_by_role("link", name="Closed").click()
        page.locator("#runs a.strong", has_text="order-1001").click()
        expect(page.locator("svg.gantt g.row")).to_have_count(7)
    finally:
        stop(process)
