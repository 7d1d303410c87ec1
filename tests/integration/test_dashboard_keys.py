"""The dashboard of ``openswf server --access-keys``: it asks for a key, signs its in-process
calls with it (the server verifies SigV4), and each key sees and does what it may.

Runs once the server has access keys (``LocalServer(access_keys=...)``); skipped before."""

from __future__ import annotations

import inspect
import re
from typing import Any

import boto3
import httpx
import pytest

from openswf.testing import LocalServer

access = pytest.importorskip("openswf.server.access", reason="the server has no access keys yet")
if "access_keys" not in inspect.signature(LocalServer).parameters:
    pytest.skip("LocalServer takes no access keys yet", allow_module_level=True)


def csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found
    return found.group(1)


def log_in(browser: httpx.Client, key: str, secret: str, target: str) -> httpx.Response:
    form = browser.get("/ui/login")
    return browser.post(
        "/ui/login",
        data={"csrf": csrf(form.text), "access_key": key, "secret_key": secret, "next": target},
    )


def test_each_key_sees_and_does_what_it_may() -> None:
    keys = [
        access.AccessKey(id="AKIDADMIN", secret="s3cret"),
        access.AccessKey(id="AKIDREAD", secret="r3ad", read_only=True),
        access.AccessKey(id="AKIDOTHER", secret="o", domains=("other-*",)),
    ]
    with LocalServer(access_keys=keys) as server:
        swf: Any = boto3.client(
            "swf",
            endpoint_url=server.endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDADMIN",
            aws_secret_access_key="s3cret",
        )
        swf.register_domain(name="guarded", workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(
            domain="guarded", name="wf", version="1", defaultTaskList={"name": "d"},
            defaultExecutionStartToCloseTimeout="600", defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )  # fmt: skip
        run = swf.start_workflow_execution(
            domain="guarded", workflowId="g1", workflowType={"name": "wf", "version": "1"}
        )
        execution = {"workflowId": "g1", "runId": run["runId"]}
        path = f"/ui/domains/guarded/runs/g1/{run['runId']}"
        with httpx.Client(base_url=server.endpoint) as browser:
            first = browser.get(path)
            assert first.status_code == 303 and first.headers["location"].startswith("/ui/login")
            wrong = log_in(browser, "AKIDADMIN", "not-the-secret", path)
            assert wrong.status_code == 400 and "InvalidSignatureException" in wrong.text

            assert log_in(browser, "AKIDREAD", "r3ad", path).status_code == 303
            page = browser.get(path)
            assert page.status_code == 200 and "Terminate…" not in page.text
            forced = browser.post(
                path + "/terminate", data={"csrf": csrf(page.text), "confirm": "yes"}
            )
            assert forced.status_code == 403 and "AccessDeniedException" in forced.text
            browser.post("/ui/logout", data={"csrf": csrf(page.text)})

            assert log_in(browser, "AKIDOTHER", "o", path).status_code == 303
            assert ">guarded</a>" not in browser.get("/ui/").text  # ListDomains is filtered
            assert browser.get(path).status_code == 403
            browser.post("/ui/logout", data={"csrf": csrf(browser.get("/ui/login").text)})

            assert log_in(browser, "AKIDADMIN", "s3cret", path).status_code == 303
            page = browser.get(path)
            assert "Terminate…" in page.text
            done = browser.post(
                path + "/terminate", data={"csrf": csrf(page.text), "confirm": "yes"}
            )
            assert done.status_code == 303
        info = swf.describe_workflow_execution(domain="guarded", execution=execution)
        assert info["executionInfo"]["closeStatus"] == "TERMINATED"
