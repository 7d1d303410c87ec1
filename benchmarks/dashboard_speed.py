#!/usr/bin/env python3
"""The dashboard's pages, timed over HTTP, in a domain of a million executions.

Takes the visibility benchmark's SQLite store (``visibility_scale.py`` builds it, once, and
caches it: 1,000,000 closed and 10,000 open executions in ONE domain), copies it, and serves
the copy with ``openswf server``'s app (the dashboard mounted at /ui, calling the SWF edge
in-process). Into that domain it adds real executions: a small one, and one whose history
is ~24,000 events (16 rounds of 500 activities; SWF's cap is 25,000). Then it times, with a
plain HTTP client, ``--repeat`` GETs of each page and prints median and p95 milliseconds:

- the domains page and its counts; the executions list (open, closed, each filter, the next
  page through its token) and its count;
- the execution page (summary: 3 API calls) of both runs, their event pages (200 events a
  page, first and deep), and the timeline fragment (the whole history read and laid out:
  cold, then from the cache of closed runs).

Exits 1 if a list or execution page's p95 is over ``--budget-ms`` (300). ``--browser`` also
loads the big run's page in headless Chromium (Debian's package, via Playwright) and reports
the time until its timeline and events are drawn, and the size of the DOM.

    .venv/bin/python benchmarks/dashboard_speed.py                          # 1M runs
    .venv/bin/python benchmarks/dashboard_speed.py --closed 100000 --open 1000 --browser
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visibility_scale  # noqa: E402

from openswf.sdk import Client  # noqa: E402
from openswf.testing import LocalServer  # noqa: E402

DOMAIN = visibility_scale.DOMAIN
ROUNDS, PER_ROUND = 16, 500


def seed_runs(client: Client) -> tuple[dict[str, str], dict[str, str]]:
    client.register_workflow_type(
        domain=DOMAIN,
        name="big",
        version="1",
        defaultTaskList={"name": "big-decisions"},
        defaultExecutionStartToCloseTimeout="86400",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain=DOMAIN,
        name="step",
        version="1",
        defaultTaskList={"name": "big-work"},
        defaultTaskScheduleToStartTimeout="3600",
        defaultTaskScheduleToCloseTimeout="7200",
        defaultTaskStartToCloseTimeout="3600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    small_run = client.start_workflow_execution(
        domain=DOMAIN, workflowId="small-run", workflowType={"name": "big", "version": "1"},
        input=json.dumps({"n": 1}), tagList=["bench"],
    )  # fmt: skip
    small = {"workflowId": "small-run", "runId": small_run["runId"]}
    big_run = client.start_workflow_execution(
        domain=DOMAIN, workflowId="big-run", workflowType={"name": "big", "version": "1"},
        taskList={"name": "big-decisions-2"}, input=json.dumps({"rounds": ROUNDS}),
    )  # fmt: skip
    big = {"workflowId": "big-run", "runId": big_run["runId"]}
    for round_ in range(ROUNDS + 1):
        task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": "big-decisions-2"})
        if round_ == ROUNDS:
            decisions: list[Any] = [
                {"decisionType": "CompleteWorkflowExecution",
                 "completeWorkflowExecutionDecisionAttributes": {"result": '"done"'}}
            ]  # fmt: skip
        else:
            decisions = [
                {"decisionType": "ScheduleActivityTask",
                 "scheduleActivityTaskDecisionAttributes": {
                     "activityType": {"name": "step", "version": "1"},
                     "activityId": f"step-{round_}-{i}", "input": str(i)}}
                for i in range(PER_ROUND)
            ]  # fmt: skip
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        if round_ == ROUNDS:
            break
        tokens = [
            client.poll_for_activity_task(domain=DOMAIN, taskList={"name": "big-work"})["taskToken"]
            for _ in range(PER_ROUND)
        ]
        for token in tokens:
            client.respond_activity_task_completed(taskToken=token, result="1")
        print(f"  big run: round {round_ + 1}/{ROUNDS}", file=sys.stderr, end="\r")
    return small, big


def timed(http: httpx.Client, path: str, repeat: int) -> tuple[float, float, int]:
    samples = []
    size = 0
    for _ in range(repeat):
        began = time.perf_counter()
        answer = http.get(path)
        samples.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: HTTP {answer.status_code}\n{answer.text[:2000]}")
        size = len(answer.content)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, size


def next_link(http: httpx.Client, path: str) -> str:
    text = http.get(path).text
    start = text.index('rel="next" href="') + len('rel="next" href="')
    return text[start : text.index('"', start)].replace("&amp;", "&").removeprefix("/ui")


def browser_render(endpoint: str, big: dict[str, str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch

    url = f"{endpoint}/ui/domains/{DOMAIN}/runs/{big['workflowId']}/{big['runId']}"
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        began = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#events table")
        events_ms = (time.perf_counter() - began) * 1000
        page.wait_for_selector("svg.gantt", timeout=60_000)
        gantt_ms = (time.perf_counter() - began) * 1000
        nodes = page.evaluate("document.getElementsByTagName('*').length")
        # The main thread must stay responsive: a click on "Expand all" answers at once.
        began = time.perf_counter()
        page.get_by_role("button", name="Expand all").click()
        click_ms = (time.perf_counter() - began) * 1000
        browser.close()
    return {"events_shown_ms": events_ms, "timeline_shown_ms": gantt_ms, "dom_nodes": nodes,
            "click_ms": click_ms}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closed", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    parser.add_argument("--cache-dir", default="/tmp/openswf-bench")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--browser", action="store_true", help="also render in Chromium")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    source = visibility_scale.database(args)
    with tempfile.TemporaryDirectory(prefix="openswf-dash-") as folder:
        db = Path(folder) / "dashboard.db"
        shutil.copyfile(source, db)
        with sqlite3.connect(db) as conn:  # the runs are months old: keep them (no retention)
            conn.execute("UPDATE domains SET retention_days = 'keep' WHERE name = ?", (DOMAIN,))
        with LocalServer(f"sqlite:///{db}") as server:
            client = Client(server.endpoint)
            seeding = time.perf_counter()
            small, big = seed_runs(client)
            print(f"seeded in {time.perf_counter() - seeding:.0f} s", file=sys.stderr)
            history = 0
            token = None
            while True:
                page = client.get_workflow_execution_history(
                    domain=DOMAIN, execution=big, nextPageToken=token, maximumPageSize=1000
                )
                history += len(page["events"])
                token = page.get("nextPageToken")
                if not token:
                    break
            http = httpx.Client(base_url=server.endpoint + "/ui", timeout=120)
            run = f"/domains/{DOMAIN}/runs/big-run/{big['runId']}"
            small_run = f"/domains/{DOMAIN}/runs/small-run/{small['runId']}"
            d = f"/domains/{DOMAIN}"
            pages: list[tuple[str, str, bool]] = [
                ("domains", "/", True),
                ("domain counts (open + closed)", f"{d}/counts", False),
                ("open executions, first page of 50", f"{d}?state=open", True),
                ("closed executions, first page of 50", f"{d}?state=closed", True),
                ("closed, next page (token)", next_link(http, f"{d}?state=closed"), True),
                ("closed, page of 200", f"{d}?state=closed&size=200", True),
                (
                    "closed by close time, FAILED",
                    f"{d}?state=closed&status=FAILED&time=close",
                    True,
                ),
                ("closed, type name", f"{d}?state=closed&type=report", True),
                ("closed, type name:version", f"{d}?state=closed&type=report:2", True),
                ("closed, tag", f"{d}?state=closed&tag=env:prod", True),
                ("closed, workflow id (cron)", f"{d}?state=closed&workflow_id=cron-3", True),
                (
                    "closed, last 30 days",
                    f"{d}?state=closed&since=2025-12-01&until=2026-01-01",
                    True,
                ),
                ("count, closed (100,000+)", f"{d}/count?state=closed", False),
                ("count, closed tag", f"{d}/count?state=closed&tag=env:prod", False),
                ("auto-refresh rows, open", f"{d}/rows?state=open", True),
                ("execution page, small run", small_run, True),
                (f"execution page, {history:,}-event run", run, True),
                ("events, first 200", f"{run}/events", True),
                ("events, newest 200", f"{run}/events?order=newest", True),
                ("events, page 60 (token)", "", True),
                ("timeline, small run", f"{small_run}/timeline", False),
            ]
            deep = f"{run}/events"
            for _ in range(59):
                deep = next_link(http, deep)
            pages[19] = ("events, page 60 (token)", deep, True)
            began = time.perf_counter()
            cold = http.get(f"{run}/timeline")
            cold_ms = (time.perf_counter() - began) * 1000
            assert cold.status_code == 200, cold.text[:500]
            pages.append((f"timeline, {history:,}-event run (cached)", f"{run}/timeline", False))
            pages.append(("timeline, rows 1,001-1,100", f"{run}/timeline?offset=1000", False))
            rows = []
            for label, path, budgeted in pages:
                median, p95, size = timed(http, path, args.repeat)
                rows.append({"page": label, "median_ms": round(median, 1), "p95_ms": round(p95, 1),
                             "kb": round(size / 1024, 1), "budgeted": budgeted})  # fmt: skip
            result: dict[str, Any] = {
                "executions": args.closed + args.open,
                "history_events": history,
                "timeline_cold_ms": round(cold_ms, 1),
                "timeline_cold_kb": round(len(cold.content) / 1024, 1),
                "pages": rows,
            }
            if args.browser:
                result["browser"] = browser_render(server.endpoint, big)
            client.close()
    over = [r for r in rows if r["budgeted"] and r["p95_ms"] > args.budget_ms]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['executions']:,} executions in one domain; big run {history:,} events")
        print("| page | median ms | p95 ms | KB |\n|---|---|---|---|")
        for r in rows:
            print(f"| {r['page']} | {r['median_ms']} | {r['p95_ms']} | {r['kb']} |")
        print(f"timeline of the big run, cold (reads {history:,} events): {cold_ms:.0f} ms")
        if "browser" in result:
            print("browser:", result["browser"])
    for r in over:
        print(f"OVER BUDGET: {r['page']} p95 {r['p95_ms']} ms", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
