"""``openswf workflow signal|cancel|terminate``: one execution by id, or every open execution a
filter matches.

In bulk, the runs matched are listed first (on stderr, so ``--output json`` stays one JSON
document on stdout), confirmed (or ``--yes``), acted on by run id (so exactly the runs shown,
even if new ones start meanwhile) with a progress bar, and reported: what succeeded, what
failed and why. Exit code 1 if any failed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openswf.cli.ops import runs
from openswf.cli.ops.filters import Filter, filter_options, iter_executions
from openswf.cli.ops.options import Ops, ops_command
from openswf.cli.ops.workflow import EXECUTION_COLUMNS, execution_rows, read_input, workflow_group
from openswf.sdk.errors import SwfError, TransportError

F = TypeVar("F", bound=Callable[..., Any])
Action = Callable[[Ops, dict[str, str]], None]
PREVIEW_ROWS = 20


def bulk_options(fn: F) -> F:
    """The optional WORKFLOW_ID, --run-id, the filters (open runs only) and bulk settings."""
    options = [
        click.argument("workflow_id", required=False),
        runs.run_id_option(),
        filter_options(states=False),
        click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (bulk)."),
        click.option(
            "--limit",
            default=0,
            type=click.IntRange(min=0),
            help="Act on at most this many matching runs (bulk; 0: all).",
        ),
        click.option(
            "--concurrency",
            default=8,
            show_default=True,
            type=click.IntRange(1, 64),
            help="Requests in flight at once (bulk).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def act(
    ops: Ops,
    verb: str,
    action: Action,
    workflow_id: str | None,
    run_id: str | None,
    selection: Filter,
    yes: bool,
    limit: int,
    concurrency: int,
) -> None:
    if workflow_id is not None:
        if selection.is_narrowed:
            raise click.UsageError("give a WORKFLOW_ID or filters (--type, --tag, ...), not both")
        execution = (
            {"workflowId": workflow_id, "runId": run_id} if run_id else {"workflowId": workflow_id}
        )
        action(ops, execution)
        if ops.json:
            ops.emit({"action": verb, "succeeded": [execution], "failed": []})
        else:
            ops.console.print(
                f"{verb}: [bold]{escape(workflow_id)}[/]" + (f" run {run_id}" if run_id else "")
            )
        return
    if run_id:
        raise click.UsageError("--run-id needs a WORKFLOW_ID")
    if not selection.is_narrowed:
        raise click.UsageError(
            "give a WORKFLOW_ID, or filters for a bulk action: --type, --tag, --workflow-id, "
            "--since, --until (all open runs: --since 0)"
        )
    bulk(ops, verb, action, selection, yes, limit, concurrency)


def bulk(
    ops: Ops, verb: str, action: Action, selection: Filter, yes: bool, limit: int, concurrency: int
) -> None:
    err = Console(stderr=True, highlight=False)
    found = iter_executions(ops.client, ops.domain, selection)
    targets = list(itertools.islice(found, limit) if limit else found)
    if not targets:
        if ops.json:
            ops.emit({"action": verb, "matched": 0, "succeeded": [], "failed": []})
        else:
            err.print("no open execution matches")
        return
    preview = Ops(client=ops.client, domain=ops.domain, output="table", console=err)
    preview.table(
        f"{len(targets)} open executions to {verb}",
        EXECUTION_COLUMNS,
        execution_rows(targets[:PREVIEW_ROWS]),
    )
    if len(targets) > PREVIEW_ROWS:
        err.print(f"... and {len(targets) - PREVIEW_ROWS} more")
    if not yes:
        click.confirm(f"{verb} these {len(targets)} executions?", abort=True, err=True)
    succeeded: list[dict[str, str]] = []
    failed: list[dict[str, Any]] = []

    def one(info: dict[str, Any]) -> tuple[dict[str, str], str | None]:
        execution = dict(info["execution"])
        try:
            action(ops, execution)
        except SwfError as error:
            return execution, f"{error.type_name}: {error.message}"
        except (TransportError, OSError) as error:
            return execution, f"{type(error).__name__}: {error}"
        return execution, None

    columns = (TextColumn(f"{verb}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=ops.json) as progress:
        task = progress.add_task(verb, total=len(targets))
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for execution, error in pool.map(one, targets):
                if error is None:
                    succeeded.append(execution)
                else:
                    failed.append({"execution": execution, "error": error})
                progress.advance(task)
    if ops.json:
        ops.emit(
            {"action": verb, "matched": len(targets), "succeeded": succeeded, "failed": failed}
        )
    else:
        ops.console.print(
            f"{verb}: [green]{len(succeeded)} succeeded[/], "
            + (f"[red]{len(failed)} failed[/]" if failed else "0 failed")
        )
        if failed:
            ops.table(
                "failed",
                ["workflow id", "run id", "error"],
                (
                    (f["execution"]["workflowId"], f["execution"]["runId"], f["error"])
                    for f in failed
                ),
            )
    if failed:
        click.get_current_context().exit(1)


@workflow_group.command("terminate")
@ops_command()
@bulk_options
@click.option("--reason", default=None, help="Recorded in the Terminated event.")
@click.option("--details", default=None, help="Recorded in the Terminated event.")
@click.option("--child-policy", type=click.Choice(["TERMINATE", "REQUEST_CANCEL", "ABANDON"]))
def terminate(
    ops: Ops,
    reason: str | None,
    details: str | None,
    child_policy: str | None,
    **common: Any,
) -> None:
    """Terminate an execution at once, or every open one a filter matches (bulk)."""

    def action(ops: Ops, execution: dict[str, str]) -> None:
        ops.client.call(
            "TerminateWorkflowExecution",
            domain=ops.domain,
            **execution,
            reason=reason,
            details=details,
            childPolicy=child_policy,
        )

    act(ops, "terminate", action, **common)


@workflow_group.command("cancel")
@ops_command()
@bulk_options
def cancel(ops: Ops, **common: Any) -> None:
    """Request the cancellation of an execution (its decider decides), or of every open one
    a filter matches (bulk)."""

    def action(ops: Ops, execution: dict[str, str]) -> None:
        ops.client.call("RequestCancelWorkflowExecution", domain=ops.domain, **execution)

    act(ops, "cancel", action, **common)


@workflow_group.command("signal")
@ops_command()
@bulk_options
@click.option("--name", "signal_name", required=True, help="The signal's name.")
@click.option("--input", "input_text", default=None, help="Signal input (- reads stdin).")
@click.option("--input-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def signal(
    ops: Ops,
    signal_name: str,
    input_text: str | None,
    input_file: Path | None,
    **common: Any,
) -> None:
    """Signal an execution, or every open one a filter matches (bulk)."""
    payload = read_input(input_text, input_file)

    def action(ops: Ops, execution: dict[str, str]) -> None:
        ops.client.call(
            "SignalWorkflowExecution",
            domain=ops.domain,
            **execution,
            signalName=signal_name,
            input=payload,
        )

    act(ops, "signal", action, **common)
