"""The operator commands (``openswf domain|type|workflow``) through click's CliRunner against a
real server over HTTP; what they change is checked through the API (boto3), and their JSON
output is compared with what the API answers."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from click.testing import CliRunner, Result

from openswf.cli.main import main
from openswf.testing import LocalServer
from tests.conftest import unique
from tests.integration.swf_helpers import ACT, WF, decide, decision, history, start


@pytest.fixture
def cli(server: LocalServer, domain: str) -> Any:
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0) -> Result:
        result = runner.invoke(
            main,
            list(args),
            input=input,
            env={"OPENSWF_ENDPOINT": server.endpoint, "OPENSWF_DOMAIN": domain, "COLUMNS": "200"},
        )
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return invoke


def as_json(result: Result) -> Any:
    return json.loads(result.stdout)


# --- domains and types ---------------------------------------------------------------------


def test_domain_lifecycle(cli: Any, swf: Any) -> None:
    name = unique("cli-dom")
    cli("domain", "register", name, "--retention", "3", "--description", "from the cli")
    detail = swf.describe_domain(name=name)
    assert detail["configuration"]["workflowExecutionRetentionPeriodInDays"] == "3"
    listed = as_json(cli("domain", "list", "-o", "json"))
    assert {"name": name, "status": "REGISTERED", "description": "from the cli"} in [
        {k: d.get(k) for k in ("name", "status", "description")} for d in listed
    ]
    described = as_json(cli("domain", "describe", name, "-o", "json"))
    assert described["domainInfo"]["name"] == name
    assert described["openExecutions"] == {"count": 0, "truncated": False}
    assert name in cli("domain", "describe", name).stdout
    cli("domain", "deprecate", name)
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "DEPRECATED"
    assert name in [d["name"] for d in as_json(cli("domain", "list", "--deprecated", "-o", "json"))]
    cli("domain", "undeprecate", name)
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "REGISTERED"
    # A fault is one clear line and exit code 1, not a traceback.
    failed = cli("domain", "register", name, code=1)
    assert "DomainAlreadyExistsFault" in failed.output
    assert "Traceback" not in failed.output


def test_types(cli: Any, swf: Any, domain: str) -> None:
    listed = as_json(cli("type", "list", "-o", "json"))
    assert [(t["kind"], t.get("workflowType") or t.get("activityType")) for t in listed] == [
        ("workflow", WF),
        ("activity", ACT),
    ]
    workflows = as_json(cli("type", "list", "--kind", "workflow", "-o", "json"))
    assert [t["workflowType"] for t in workflows] == [WF]
    described = as_json(cli("type", "describe", "wf:1", "-o", "json"))
    assert described["kind"] == "workflow"
    assert (
        described["configuration"]
        == swf.describe_workflow_type(domain=domain, workflowType=WF)["configuration"]
    )
    assert as_json(cli("type", "describe", "act:1", "-o", "json"))["kind"] == "activity"
    assert "defaultTaskList" in cli("type", "describe", "act:1").stdout
    cli("type", "deprecate", "act:1")
    info = swf.describe_activity_type(domain=domain, activityType=ACT)["typeInfo"]
    assert info["status"] == "DEPRECATED"
    deprecated = as_json(cli("type", "list", "--deprecated", "-o", "json"))
    assert [t["activityType"] for t in deprecated] == [ACT]
    cli("type", "undeprecate", "act:1", "--kind", "activity")
    info = swf.describe_activity_type(domain=domain, activityType=ACT)["typeInfo"]
    assert info["status"] == "REGISTERED"
    assert "UnknownResourceFault" in cli("type", "describe", "nope:1", code=1).output
    assert "NAME:VERSION" in cli("type", "describe", "wf", code=2).output


# --- listing and counting ----------------------------------------------------------------


def test_list_and_count_with_every_filter(cli: Any, swf: Any, domain: str) -> None:
    runs = [start(swf, domain, f"w{n}", tagList=[f"t{n % 2}"]) for n in range(4)]
    swf.terminate_workflow_execution(domain=domain, **runs[0], reason="x")
    swf.request_cancel_workflow_execution(domain=domain, **runs[1])

    def ids(*args: str) -> list[str]:
        return [
            i["execution"]["workflowId"]
            for i in as_json(cli("workflow", "list", *args, "-o", "json"))
        ]

    assert ids() == ["w3", "w2", "w1", "w0"]  # open and closed merged, newest first
    assert ids("--open") == ["w3", "w2", "w1"]
    assert ids("--closed") == ["w0"]
    assert ids("--status", "TERMINATED") == ["w0"]
    assert ids("--status", "completed") == []
    assert ids("--tag", "t1") == ["w3", "w1"]
    assert ids("--type", "wf:1") == ids("--type", "wf") == ["w3", "w2", "w1", "w0"]
    assert ids("--type", "other") == []
    assert ids("--workflow-id", "w2") == ["w2"]
    assert ids("--since", "1h") == ["w3", "w2", "w1", "w0"]
    assert ids("--until", "2h") == []
    assert ids("--since", "2000-01-01", "--until", "now") == ["w3", "w2", "w1", "w0"]
    assert ids("--closed", "--by-close-time", "--since", "10m") == ["w0"]
    assert ids("--limit", "2") == ["w3", "w2"]
    # JSON output is what the API answers.
    listed = as_json(cli("workflow", "list", "--open", "-o", "json"))
    api = swf.list_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
    assert [i["execution"] for i in listed] == [i["execution"] for i in api["executionInfos"]]
    assert listed[2]["cancelRequested"] is True
    table = cli("workflow", "list").stdout
    assert "w3" in table and "TERMINATED" in table

    counts = as_json(cli("workflow", "count", "-o", "json"))
    assert counts == {
        "open": {"count": 3, "truncated": False},
        "closed": {"count": 1, "truncated": False},
    }
    assert as_json(cli("workflow", "count", "--tag", "t0", "--open", "-o", "json")) == {
        "open": {"count": 1, "truncated": False}
    }
    assert as_json(cli("workflow", "count", "--status", "TERMINATED", "-o", "json")) == {
        "closed": {"count": 1, "truncated": False}
    }


def test_filter_rules_are_explained(cli: Any) -> None:
    refused = cli("workflow", "list", "--tag", "a", "--type", "wf", code=2)
    assert "one of --workflow-id, --type, --tag and --status at a time" in refused.output
    assert "--type and --tag" in refused.output
    assert (
        "excludes --open" in cli("workflow", "list", "--open", "--status", "FAILED", code=2).output
    )
    assert "not a time" in cli("workflow", "count", "--since", "yesterday-ish", code=2).output
    assert (
        "--since is after --until"
        in cli("workflow", "list", "--since", "1h", "--until", "2h", code=2).output
    )


def test_missing_domain_and_unreachable_endpoint(server: LocalServer) -> None:
    runner = CliRunner()
    no_domain = runner.invoke(main, ["workflow", "list", "--endpoint", server.endpoint], env={})
    assert no_domain.exit_code == 2 and "no domain" in no_domain.output
    away = runner.invoke(
        main, ["domain", "list", "--endpoint", "http://127.0.0.1:9"], env={"OPENSWF_ENDPOINT": ""}
    )
    assert away.exit_code == 1 and "cannot reach http://127.0.0.1:9" in away.output


# --- one execution -----------------------------------------------------------------------


def run_with_a_retry(swf: Any, domain: str, workflow_id: str) -> dict[str, str]:
    """An execution whose activity fails once, is retried, completes; then the run completes."""
    run = start(swf, domain, workflow_id, input='{"order": 7}', tagList=["cli"])
    schedule = decision(
        "ScheduleActivityTask", activityType=ACT, activityId="step", input='{"n": 1}'
    )
    decide(swf, domain, [schedule])
    task = swf.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
    swf.respond_activity_task_failed(taskToken=task["taskToken"], reason="flaky", details="boom")
    decide(swf, domain, [schedule])
    task = swf.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result='{"ok": true}')
    done = decision("CompleteWorkflowExecution", result='{"total": 3}')
    decide(swf, domain, [done])
    return run


def test_describe_history_show_wait(cli: Any, swf: Any, domain: str) -> None:
    run = run_with_a_retry(swf, domain, "retry-run")
    described = as_json(cli("workflow", "describe", "retry-run", "-o", "json"))
    assert described["executionInfo"]["execution"] == run
    assert described["executionInfo"]["closeStatus"] == "COMPLETED"
    assert described["input"] == {"order": 7}
    assert described["outcome"] == {"closeStatus": "COMPLETED", "result": {"total": 3}}
    api = swf.describe_workflow_execution(domain=domain, execution=run)
    assert described["openCounts"] == api["openCounts"]
    table = cli("workflow", "describe", "retry-run", "--run-id", run["runId"]).stdout
    assert "COMPLETED" in table and '"total": 3' in table

    events = as_json(cli("workflow", "history", "retry-run", "-o", "json"))
    assert [e["eventId"] for e in events] == [e["eventId"] for e in history(swf, domain, run)]
    reverse = as_json(cli("workflow", "history", "retry-run", "--reverse", "-o", "json"))
    assert reverse[0]["eventType"] == "WorkflowExecutionCompleted"
    assert "ActivityTaskFailed" in cli("workflow", "history", "retry-run").stdout

    shown = as_json(cli("workflow", "show", "retry-run", "-o", "json"))
    assert shown["execution"] == run
    activities = [s for s in shown["spans"] if s["kind"] == "activity"]
    assert [(s["key"], s["attempt"], s["status"], s["detail"]) for s in activities] == [
        ("step", 1, "failed", "flaky"),
        ("step", 2, "completed", None),
    ]
    drawn = cli("workflow", "show", "retry-run", "--decisions").stdout
    assert "activity step #2" in drawn and "flaky" in drawn and "decision-1" in drawn
    assert "1 failed, 1 retries" in drawn
    assert "decision-1" not in cli("workflow", "show", "retry-run", "--no-decisions").stdout

    waited = as_json(cli("workflow", "wait", "retry-run", "-o", "json"))
    assert waited == {"execution": run, "closeStatus": "COMPLETED", "result": {"total": 3}}
    assert "no execution with workflow id 'nope'" in cli("workflow", "show", "nope", code=1).output


@pytest.mark.parametrize(
    ("close", "code"),
    [("fail", 3), ("cancel", 4), ("terminate", 5), ("time_out", 6), ("continue", 7)],
)
def test_wait_exit_codes(cli: Any, swf: Any, domain: str, close: str, code: int) -> None:
    run = start(
        swf, domain, "ends", executionStartToCloseTimeout="1" if close == "time_out" else "600"
    )
    if close == "fail":
        decide(swf, domain, [decision("FailWorkflowExecution", reason="bad", details='"why"')])
    elif close == "cancel":
        swf.request_cancel_workflow_execution(domain=domain, **run)
        decide(swf, domain, [decision("CancelWorkflowExecution", details="ok")])
    elif close == "terminate":
        swf.terminate_workflow_execution(domain=domain, **run, reason="stop")
    elif close == "continue":
        decide(swf, domain, [decision("ContinueAsNewWorkflowExecution", input="again")])
    waited = as_json(
        cli("workflow", "wait", "ends", "--run-id", run["runId"], "-o", "json", code=code)
    )
    assert waited["execution"] == run
    expected = {
        "fail": {"closeStatus": "FAILED", "reason": "bad", "details": "why"},
        "cancel": {"closeStatus": "CANCELED", "details": "ok"},
        "terminate": {"closeStatus": "TERMINATED", "reason": "stop"},
        "time_out": {"closeStatus": "TIMED_OUT", "timeoutType": "START_TO_CLOSE"},
    }
    if close == "continue":
        assert waited["closeStatus"] == "CONTINUED_AS_NEW"
        new_run = waited["newExecutionRunId"]
        # --follow goes on to the new run; terminate it and the exit code is its status.
        swf.terminate_workflow_execution(domain=domain, workflowId="ends", runId=new_run)
        followed = as_json(
            cli(
                "workflow",
                "wait",
                "ends",
                "--run-id",
                run["runId"],
                "--follow",
                "-o",
                "json",
                code=5,
            )
        )
        assert followed["execution"]["runId"] == new_run
    else:
        assert {k: v for k, v in waited.items() if k != "execution"} == expected[close]


def test_wait_timeout_on_an_open_run(cli: Any, swf: Any, domain: str) -> None:
    run = start(swf, domain, "stays-open")
    waited = as_json(
        cli("workflow", "wait", "stays-open", "--timeout", "0.3", "-o", "json", code=8)
    )
    assert waited == {"execution": run, "executionStatus": "OPEN"}


def test_start_signal_cancel_terminate_one(cli: Any, swf: Any, domain: str) -> None:
    started = as_json(
        cli(
            "workflow",
            "start",
            "wf:1",
            "--workflow-id",
            "by-cli",
            "--input",
            '{"x": 1}',
            "--tag",
            "a",
            "--tag",
            "b",
            "--execution-timeout",
            "5m",
            "--task-timeout",
            "30s",
            "-o",
            "json",
        )
    )
    assert started["workflowId"] == "by-cli"
    detail = swf.describe_workflow_execution(domain=domain, execution=started)
    assert detail["executionInfo"]["tagList"] == ["a", "b"]
    assert detail["executionConfiguration"]["executionStartToCloseTimeout"] == "300"
    assert detail["executionConfiguration"]["taskStartToCloseTimeout"] == "30"
    first = history(swf, domain, started)[0]
    assert first["workflowExecutionStartedEventAttributes"]["input"] == '{"x": 1}'

    cli("workflow", "signal", "by-cli", "--name", "go", "--input", "-", input='{"y": 2}')
    signaled = [
        e for e in history(swf, domain, started) if e["eventType"] == "WorkflowExecutionSignaled"
    ]
    assert signaled[0]["workflowExecutionSignaledEventAttributes"]["input"] == '{"y": 2}'
    cli("workflow", "cancel", "by-cli")
    assert swf.describe_workflow_execution(domain=domain, execution=started)["executionInfo"][
        "cancelRequested"
    ]
    out = as_json(
        cli(
            "workflow",
            "terminate",
            "by-cli",
            "--run-id",
            started["runId"],
            "--reason",
            "done",
            "-o",
            "json",
        )
    )
    assert out == {"action": "terminate", "succeeded": [started], "failed": []}
    info = swf.describe_workflow_execution(domain=domain, execution=started)["executionInfo"]
    assert info["closeStatus"] == "TERMINATED"
    assert "UnknownResourceFault" in cli("workflow", "terminate", "by-cli", code=1).output
    assert "not both" in cli("workflow", "terminate", "by-cli", "--tag", "a", code=2).output
    assert "bulk action" in cli("workflow", "cancel", code=2).output


def test_start_and_wait(cli: Any, swf: Any, domain: str) -> None:
    # The decider answers on another thread while the CLI blocks in --wait; its polls are
    # short (the test server's), so it polls again until the start has happened.
    def decider() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
            if task.get("taskToken"):
                swf.respond_decision_task_completed(
                    taskToken=task["taskToken"],
                    decisions=[decision("CompleteWorkflowExecution", result='"fine"')],
                )
                return

    thread = threading.Thread(target=decider)
    thread.start()
    out = as_json(cli("workflow", "start", "wf:1", "--wait", "-o", "json"))
    thread.join()
    assert out["closeStatus"] == "COMPLETED" and out["result"] == "fine"
    assert out["execution"]["workflowId"].startswith("wf-")


# --- bulk ----------------------------------------------------------------------------------


def test_bulk_terminate_asks_then_acts_on_exactly_the_runs_shown(
    cli: Any, swf: Any, domain: str
) -> None:
    doomed = [start(swf, domain, f"bulk{n}", tagList=["doomed"]) for n in range(5)]
    spared = start(swf, domain, "spared", tagList=["keep"])
    # Answer no: nothing changes.
    refused = cli("workflow", "terminate", "--tag", "doomed", input="n\n", code=1)
    assert "5 open executions to terminate" in refused.output and "Aborted" in refused.output
    assert (
        swf.count_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})[
            "count"
        ]
        == 6
    )
    # Answer yes.
    done = cli("workflow", "terminate", "--tag", "doomed", "--reason", "bulk", input="y\n")
    assert "5 succeeded" in done.stdout
    for run in doomed:
        info = swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"]
        assert info["closeStatus"] == "TERMINATED"
        assert (
            history(swf, domain, run)[-1]["workflowExecutionTerminatedEventAttributes"]["reason"]
            == "bulk"
        )
    info = swf.describe_workflow_execution(domain=domain, execution=spared)["executionInfo"]
    assert info["executionStatus"] == "OPEN"
    # Nothing left to match.
    assert "no open execution matches" in cli("workflow", "terminate", "--tag", "doomed").output


def test_bulk_signal_and_cancel_with_yes_and_json(cli: Any, swf: Any, domain: str) -> None:
    runs = [start(swf, domain, f"sig{n}") for n in range(3)]
    out = as_json(
        cli(
            "workflow",
            "signal",
            "--type",
            "wf:1",
            "--name",
            "ping",
            "--input",
            "1",
            "--yes",
            "-o",
            "json",
        )
    )
    assert out["action"] == "signal" and out["matched"] == 3 and out["failed"] == []
    assert sorted(e["workflowId"] for e in out["succeeded"]) == ["sig0", "sig1", "sig2"]
    for run in runs:
        types = [e["eventType"] for e in history(swf, domain, run)]
        assert "WorkflowExecutionSignaled" in types
    out = as_json(cli("workflow", "cancel", "--since", "1h", "--limit", "2", "-y", "-o", "json"))
    assert out["matched"] == 2
    cancelled = [
        swf.describe_workflow_execution(domain=domain, execution=r)["executionInfo"][
            "cancelRequested"
        ]
        for r in runs
    ]
    assert sorted(cancelled) == [False, True, True]


def test_bulk_reports_failures(cli: Any, swf: Any, domain: str) -> None:
    # Cancel requests on a run that closes in between: SWF refuses them one by one.
    runs = [start(swf, domain, f"race{n}") for n in range(2)]
    swf.terminate_workflow_execution(domain=domain, **runs[0])
    out = as_json(cli("workflow", "cancel", "--since", "1h", "-y", "-o", "json"))
    assert out["matched"] == 1  # the closed run is no longer open, so not matched
    # An action that fails for every run is reported per run, with exit code 1.
    failed = as_json(
        cli(
            "workflow",
            "signal",
            "--workflow-id",
            "race1",
            "--name",
            "x" * 300,
            "-y",
            "-o",
            "json",
            code=1,
        )
    )
    assert failed["succeeded"] == [] and len(failed["failed"]) == 1
    assert failed["failed"][0]["execution"] == runs[1]
    assert failed["failed"][0]["error"].startswith("ValidationException")
