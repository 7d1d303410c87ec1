#!/usr/bin/env python3
"""The dashboard's screenshots in docs/images/, from a seeded demo shop on a manual clock.

.venv/bin/python docs/screenshots.py        # needs Debian's chromium and playwright
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from openswf.services.clock import ManualClock  # noqa: E402
from openswf.testing import LocalServer  # noqa: E402
from tests.e2e.browser import launch  # noqa: E402
from tests.e2e.dashboard_demo import seed  # noqa: E402

OUT = ROOT / "docs" / "images"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # Start the clock so that the seeded story ends about now: "ago" columns read naturally.
    clock = ManualClock(start_ms=int((time.time() - 320) * 1000))
    with LocalServer(clock=clock) as server:
        swf = boto3.client(
            "swf",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
        )
        demo = seed(swf, "shop", server.advance, timer_s=40)
        swf.register_domain(name="billing", workflowExecutionRetentionPeriodInDays="30")
        ui = server.endpoint + "/ui"
        done = demo.completed
        running = demo.running
        shots = [
            ("dashboard-domains.png", ui + "/", 900, False),
            ("dashboard-executions.png", ui + "/domains/shop?state=closed", 900, False),
            ("dashboard-open.png", ui + "/domains/shop?state=open", 820, False),
            (
                "dashboard-execution.png",
                f"{ui}/domains/shop/runs/{done['workflowId']}/{done['runId']}",
                900,
                True,
            ),
            (
                "dashboard-running.png",
                f"{ui}/domains/shop/runs/{running['workflowId']}/{running['runId']}",
                900,
                True,
            ),
            (
                "dashboard-bulk.png",
                ui + "/domains/shop/bulk?action=terminate&type=nightly-report",
                700,
                False,
            ),
            ("dashboard-login.png", ui + "/login?why=UnrecognizedClientException", 560, False),
        ]
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            for name, url, height, full in shots:
                page.set_viewport_size({"width": 1280, "height": height})
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if "/runs/" in url:
                    page.wait_for_selector("svg.gantt")
                    page.wait_for_selector("#events table")
                    page.locator("#events details").nth(5).evaluate("d => d.open = true")
                else:
                    page.wait_for_timeout(300)  # the counts' fragments
                if full:  # the whole page, down to the first events
                    height = min(page.evaluate("document.body.scrollHeight"), 2000)
                    page.set_viewport_size({"width": 1280, "height": height})
                page.screenshot(path=str(OUT / name))
                print("wrote", OUT / name)
            browser.close()


if __name__ == "__main__":
    main()
