"""``openswf workflow show``: an execution's history drawn as a timeline in the terminal.

One row per span of ``openswf.sdk.timeline`` (the dashboard's Gantt chart reads the same):
decision tasks, activity attempts, timers, children and Lambda calls, each with a bar placed
on the run's time axis. A bar is dim while the task waits to start and solid while it runs;
its colour says how it ended.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from openswf.cli.ops import runs
from openswf.cli.ops.options import Ops, ops_command, seconds, when
from openswf.cli.ops.workflow import workflow_group
from openswf.sdk.history import get_history
from openswf.sdk.timeline import Span, build_timeline

STYLE = {
    "completed": "green",
    "fired": "cyan",
    "failed": "bold red",
    "timed_out": "bold red",
    "terminated": "magenta",
    "canceled": "yellow",
    "continued_as_new": "cyan",
    "started": "blue",
    "open": "blue",
    "scheduled": "grey50",
}
BAR_WIDTH = 40


def bar(span: Span, t0: float, total: float, now: float, width: int) -> Text:
    """The span's bar on a ``width``-cell axis from ``t0`` over ``total`` seconds."""

    def cell(at: float) -> int:
        return min(width, max(0, round((at - t0) / total * width))) if total > 0 else 0

    end = span.closed if span.closed is not None else now
    begin, run, stop = cell(span.scheduled), cell(span.started or end), cell(end)
    stop = max(stop, begin + 1)  # an instant still shows as one cell
    run = min(max(run, begin), stop)
    style = STYLE.get(span.status, "white")
    text = Text(" " * begin)
    text.append("░" * (run - begin), style=style)
    text.append("█" * (stop - run), style=style)
    text.append(" " * (width - stop))
    return text


def render(ops: Ops, title: str, spans: list[Span], decisions: bool, width: int) -> None:
    workflow = spans[0] if spans and spans[0].kind == "workflow" else None
    # Spans a closed run left open (a task it never waited for) end with the run.
    now = workflow.closed if workflow and workflow.closed is not None else time.time()
    t0 = spans[0].scheduled if spans else now
    total = max((s.closed if s.closed is not None else now for s in spans), default=t0) - t0
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    table.add_column("span", no_wrap=True, overflow="ellipsis", max_width=40)
    table.add_column("type", overflow="ellipsis", max_width=30)
    table.add_column("status", no_wrap=True)
    table.add_column("at", justify="right", no_wrap=True)
    table.add_column("took", justify="right", no_wrap=True)
    table.add_column("timeline", no_wrap=True, min_width=width, max_width=width)
    table.add_column("detail", overflow="fold")
    hidden = 0
    for span in spans:
        if span.kind == "decision" and not decisions:
            hidden += 1
            continue
        style = STYLE.get(span.status, "white")
        name = span.key if span.kind in ("workflow", "decision") else f"{span.kind} {span.key}"
        if span.attempt > 1 and span.kind != "decision":
            name += f" #{span.attempt}"
        table.add_row(
            name,
            span.label,
            Text(span.status, style=style),
            f"+{seconds(span.scheduled - t0)}",
            seconds(span.duration(now)) + ("…" if span.closed is None else ""),
            bar(span, t0, total, now, width),
            Text(span.detail or "", style="red" if span.failed else ""),
        )
    ops.console.print(table)
    retries = sum(1 for s in spans if s.attempt > 1 and s.kind in ("activity", "child", "lambda"))
    failures = sum(1 for s in spans if s.failed and s.kind != "workflow")
    line = f"{len(spans) - 1} spans over {seconds(total)}; {failures} failed, {retries} retries"
    if hidden:
        line += f"; {hidden} decision tasks hidden (--decisions to show them)"
    ops.console.print(f"[dim]{line}[/]")


@workflow_group.command("show")
@ops_command()
@click.argument("workflow_id")
@runs.run_id_option()
@click.option(
    "--decisions/--no-decisions",
    default=None,
    help="Show decision tasks (default: when the history has at most 20 of them).",
)
@click.option("--width", default=BAR_WIDTH, show_default=True, type=click.IntRange(10, 400))
def show(
    ops: Ops, workflow_id: str, run_id: str | None, decisions: bool | None, width: int
) -> None:
    """Draw an execution's history as a timeline: decision tasks, activities with their
    attempts, timers and children, their durations, retries and failures in colour.
    With --output json, the spans themselves."""
    execution = runs.resolve(ops, workflow_id, run_id)
    events = get_history(ops.client, ops.domain, execution["workflowId"], execution["runId"])
    spans = build_timeline(events)
    if ops.json:
        ops.emit({"execution": execution, "spans": [_span_json(s) for s in spans]})
        return
    if decisions is None:
        decisions = sum(1 for s in spans if s.kind == "decision") <= 20
    title = f"{escape(workflow_id)} / {execution['runId']}"
    if spans:
        head = spans[0]
        style = STYLE.get(head.status, "white")
        label = escape(head.label)
        title += f"  {label}  [{style}]{head.status}[/]  started {when(head.scheduled)} UTC"
    render(ops, title, spans, decisions, width)


def _span_json(span: Span) -> dict[str, Any]:
    return dataclasses.asdict(span)
