"""The operator commands against another SWF implementation (moto's server): they speak the
SWF API only, so what that endpoint implements works, and what it lacks is one clear line.
(moto covers part of SWF: these commands use the part it has.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from openswf.cli.main import main
from openswf.sdk import Client
from openswf.testing import free_port

moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def cli(endpoint: str) -> Any:
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(
            main,
            [*args, "--endpoint", endpoint, "--domain", "moto", "-o", "json"]
            if args[0] != "domain"
            else [*args, "--endpoint", endpoint, "-o", "json"],
            env={"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "COLUMNS": "200"},
        )
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return invoke


def test_the_commands_on_moto(cli: Any, endpoint: str) -> None:
    cli("domain", "register", "moto", "--retention", "1")
    assert "moto" in [d["name"] for d in json.loads(cli("domain", "list").stdout)]
    client = Client(endpoint, credentials=None)
    client.register_workflow_type(
        domain="moto",
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    types = json.loads(cli("type", "list", "--kind", "workflow").stdout)
    assert [t["workflowType"] for t in types] == [{"name": "wf", "version": "1"}]

    started = json.loads(
        cli("workflow", "start", "wf:1", "--workflow-id", "m1", "--tag", "x").stdout
    )
    listed = json.loads(cli("workflow", "list", "--open").stdout)
    assert [i["execution"] for i in listed] == [started]
    described = json.loads(cli("workflow", "describe", "m1").stdout)
    assert described["executionInfo"]["execution"] == started
    spans = json.loads(cli("workflow", "show", "m1").stdout)["spans"]
    assert [s["kind"] for s in spans] == ["workflow", "decision"]

    report = json.loads(cli("workflow", "terminate", "--tag", "x", "--yes").stdout)
    assert report["succeeded"] == [started] and report["failed"] == []
    waited = json.loads(cli("workflow", "wait", "m1", code=5).stdout)
    assert waited["closeStatus"] == "TERMINATED"
    client.close()
