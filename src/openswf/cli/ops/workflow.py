"""``openswf workflow list|count|describe|history|start|wait`` (``show`` is in show.py; the
actions signal, cancel and terminate, single or bulk, in actions.py)."""

from __future__ import annotations

import itertools
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import click
import orjson
from rich.markup import escape
from rich.text import Text

from openswf.cli.ops import runs
from openswf.cli.ops.filters import Filter, count_executions, filter_options, iter_executions
from openswf.cli.ops.options import Ops, full_type, ops_command, seconds, type_of, when
from openswf.cli.ops.times import parse_duration
from openswf.sdk.converter import loads
from openswf.sdk.history import attributes, get_history


@click.group("workflow")
def workflow_group() -> None:
    """Find, inspect, start, signal, cancel, terminate and wait for workflow executions."""


def status_of(info: dict[str, Any]) -> str:
    if info.get("executionStatus") == "OPEN":
        return "OPEN" + (" (cancel requested)" if info.get("cancelRequested") else "")
    return str(info.get("closeStatus", "CLOSED"))


STATUS_STYLE = {
    "OPEN": "blue",
    "COMPLETED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "TERMINATED": "magenta",
    "CANCELED": "yellow",
    "CONTINUED_AS_NEW": "cyan",
}


def styled_status(info: dict[str, Any]) -> Text:
    status = status_of(info)
    return Text(status, style=STATUS_STYLE.get(status.split()[0], "white"))


def execution_rows(infos: list[dict[str, Any]]) -> Any:
    now = time.time()
    for info in infos:
        started = info.get("startTimestamp")
        closed = info.get("closeTimestamp")
        yield (
            info["execution"]["workflowId"],
            info["execution"]["runId"],
            type_of(info.get("workflowType")),
            styled_status(info),
            when(started),
            seconds((closed or now) - started) if started else "",
            ",".join(info.get("tagList", [])),
        )


EXECUTION_COLUMNS = ["workflow id", "run id", "type", "status", "started (UTC)", "took", "tags"]


@workflow_group.command("list")
@ops_command()
@filter_options()
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="At most this many executions (0: all).",
)
def list_executions(ops: Ops, selection: Filter, limit: int) -> None:
    """List executions, newest first, through SWF's visibility filters."""
    found = iter_executions(ops.client, ops.domain, selection)
    infos = list(itertools.islice(found, limit) if limit else found)
    if ops.json:
        ops.emit(infos)
        return
    ops.table(None, EXECUTION_COLUMNS, execution_rows(infos))
    if limit and len(infos) == limit:
        ops.console.print(f"[dim]first {limit}; --limit N for more, --limit 0 for all[/]")


@workflow_group.command("count")
@ops_command()
@filter_options()
def count(ops: Ops, selection: Filter) -> None:
    """Count executions through the same filters (truncated counts end with +)."""
    counts = count_executions(ops.client, ops.domain, selection)
    if ops.json:
        ops.emit(counts)
        return
    ops.table(
        None,
        ["state", "count"],
        ((state, f"{c['count']}{'+' if c['truncated'] else ''}") for state, c in counts.items()),
    )


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


@workflow_group.command("describe")
@ops_command()
@click.argument("workflow_id")
@runs.run_id_option()
def describe(ops: Ops, workflow_id: str, run_id: str | None) -> None:
    """Describe an execution: status, times, counts, input and result (decoded)."""
    execution = runs.resolve(ops, workflow_id, run_id)
    detail = runs.describe_execution(ops, execution)
    info = detail["executionInfo"]
    first = runs.edge_event(ops, execution, last=False)
    started = attributes(first) if first else {}
    detail["input"] = loads(started.get("input"))
    if info.get("executionStatus") == "CLOSED":
        closing = runs.edge_event(ops, execution, last=True)
        detail["outcome"] = runs.outcome(info.get("closeStatus", ""), closing)
    if ops.json:
        ops.emit(detail)
        return
    config, counts = detail.get("executionConfiguration", {}), detail.get("openCounts", {})
    parent = info.get("parent")
    pairs: list[tuple[str, Any]] = [
        ("workflow id", execution["workflowId"]),
        ("run id", execution["runId"]),
        ("type", type_of(info.get("workflowType"))),
        ("status", styled_status(info)),
        ("started", when(info.get("startTimestamp"))),
        ("closed", when(info.get("closeTimestamp"))),
        ("tags", ", ".join(info.get("tagList", []))),
        ("parent", f"{parent['workflowId']} / {parent['runId']}" if parent else None),
        ("task list", config.get("taskList", {}).get("name")),
        (
            "timeouts",
            f"execution {config.get('executionStartToCloseTimeout')}s, "
            f"decision task {config.get('taskStartToCloseTimeout')}s",
        ),
        ("child policy", config.get("childPolicy")),
        ("open", ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing"),
        ("last activity start", when(detail.get("latestActivityTaskTimestamp"))),
        ("execution context", detail.get("latestExecutionContext")),
        ("input", _pretty(detail["input"]) if detail["input"] is not None else None),
    ]
    for key, value in detail.get("outcome", {}).items():
        if key != "closeStatus":
            pairs.append((key, _pretty(value)))
    ops.fields(f"execution {workflow_id}", pairs)


_SUMMARY_KEYS = (
    "activityId",
    "timerId",
    "signalName",
    "markerName",
    "workflowId",
    "activityType",
    "workflowType",
    "name",
    "timeoutType",
    "reason",
    "cause",
    "startToFireTimeout",
)


def summary(event: dict[str, Any]) -> str:
    attrs = attributes(event)
    parts = []
    for key in _SUMMARY_KEYS:
        value = attrs.get(key)
        if value is None:
            continue
        if isinstance(value, dict):
            value = type_of(value) if "version" in value else value.get("workflowId", value)
        parts.append(f"{key}={value}")
    return " ".join(parts)


@workflow_group.command("history")
@ops_command()
@click.argument("workflow_id")
@runs.run_id_option()
@click.option("--reverse", is_flag=True, help="Newest event first.")
def history(ops: Ops, workflow_id: str, run_id: str | None, reverse: bool) -> None:
    """Print the events of an execution's history."""
    execution = runs.resolve(ops, workflow_id, run_id)
    events = get_history(ops.client, ops.domain, execution["workflowId"], execution["runId"])
    if reverse:
        events.reverse()
    if ops.json:
        ops.emit(events)
        return
    ops.table(
        f"{workflow_id} / {execution['runId']}: {len(events)} events",
        ["id", "time (UTC)", "event", "attributes"],
        (
            (e["eventId"], when(e["eventTimestamp"]), e["eventType"], summary(dict(e)))
            for e in events
        ),
    )


def read_input(value: str | None, input_file: Path | None) -> str | None:
    """Input as given on the command line (`-` reads stdin), or from a file."""
    if input_file is not None:
        return input_file.read_text()
    if value == "-":
        return sys.stdin.read()
    return value


@workflow_group.command("start")
@ops_command()
@click.argument("workflow_type", metavar="NAME:VERSION")
@click.option("--workflow-id", default=None, help="Default: NAME-<random>.")
@click.option(
    "--input", "input_text", default=None, help="Input (JSON, or any text; - reads stdin)."
)
@click.option("--input-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--task-list", default=None, help="Decision task list (default: the type's).")
@click.option("--tag", "tags", multiple=True, help="A tag (up to 5). Repeatable.")
@click.option("--execution-timeout", default=None, metavar="DURATION")
@click.option("--task-timeout", default=None, metavar="DURATION")
@click.option("--child-policy", type=click.Choice(["TERMINATE", "REQUEST_CANCEL", "ABANDON"]))
@click.option("--wait", "wait_for", is_flag=True, help="Wait for the run to close (as wait).")
def start(
    ops: Ops,
    workflow_type: str,
    workflow_id: str | None,
    input_text: str | None,
    input_file: Path | None,
    task_list: str | None,
    tags: tuple[str, ...],
    execution_timeout: str | None,
    task_timeout: str | None,
    child_policy: str | None,
    wait_for: bool,
) -> None:
    """Start an execution of the workflow type NAME:VERSION."""
    wanted = full_type(workflow_type)
    workflow_id = workflow_id or f"{wanted['name']}-{uuid.uuid4().hex[:12]}"
    params: dict[str, Any] = {
        "domain": ops.domain,
        "workflowId": workflow_id,
        "workflowType": wanted,
        "input": read_input(input_text, input_file),
        "taskList": {"name": task_list} if task_list else None,
        "tagList": list(tags) or None,
        "childPolicy": child_policy,
    }
    if execution_timeout:
        timeout = parse_duration(execution_timeout, "--execution-timeout")
        params["executionStartToCloseTimeout"] = str(int(timeout))
    if task_timeout:
        params["taskStartToCloseTimeout"] = str(int(parse_duration(task_timeout, "--task-timeout")))
    run_id = ops.client.call("StartWorkflowExecution", **params)["runId"]
    execution = {"workflowId": workflow_id, "runId": run_id}
    if not wait_for:
        if ops.json:
            ops.emit(execution)
        else:
            ops.console.print(f"started [bold]{escape(workflow_id)}[/] run {run_id}")
        return
    if not ops.json:
        ops.console.print(f"started [bold]{escape(workflow_id)}[/] run {run_id}; waiting")
    _wait(ops, execution, None, follow=False)


@workflow_group.command("wait")
@ops_command()
@click.argument("workflow_id")
@runs.run_id_option()
@click.option("--timeout", default=None, metavar="DURATION", help="Give up after this long.")
@click.option("--follow", is_flag=True, help="Follow continue-as-new to the next runs.")
def wait(ops: Ops, workflow_id: str, run_id: str | None, timeout: str | None, follow: bool) -> None:
    """Block until the run closes; print its result; exit with a code of its close status:
    0 completed, 3 failed, 4 canceled, 5 terminated, 6 timed out, 7 continued as new,
    8 still open when --timeout ran out (1: error, 2: usage)."""
    execution = runs.resolve(ops, workflow_id, run_id)
    limit = parse_duration(timeout, "--timeout") if timeout else None
    _wait(ops, execution, limit, follow=follow)


def _wait(ops: Ops, execution: dict[str, str], timeout: float | None, *, follow: bool) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        info = runs.wait_closed(ops, execution, left)
        if info is None:
            if ops.json:
                ops.emit({"execution": execution, "executionStatus": "OPEN"})
            else:
                ops.console.print(f"[yellow]still open[/] after {seconds(timeout)}")
            click.get_current_context().exit(runs.EXIT_STILL_OPEN)
        status = str(info.get("closeStatus"))
        found = runs.outcome(status, runs.edge_event(ops, execution, last=True))
        if follow and status == "CONTINUED_AS_NEW" and found.get("newExecutionRunId"):
            execution = {"workflowId": execution["workflowId"], "runId": found["newExecutionRunId"]}
            if not ops.json:
                ops.console.print(f"continued as new: run {execution['runId']}")
            continue
        if ops.json:
            ops.emit({"execution": execution, **found})
        else:
            ops.console.print(Text(f"{execution['workflowId']}: ").append(styled_status(info)))
            for key, value in found.items():
                if key != "closeStatus":
                    ops.console.print(f"{key}: {_pretty(value)}", markup=False)
        code = runs.EXIT_CODES.get(status, 1)
        click.get_current_context().exit(code)
