"""Starting a run: by StartWorkflowExecution, as a child, or by continue-as-new."""

from __future__ import annotations

from typing import Any

from openswf.engine import commands as c
from openswf.engine.state import ExecutionState
from openswf.engine.transition import Outcome, Transition


def start_run(t: Transition, cmd: c.StartExecution) -> None:
    attrs: dict[str, Any] = {}
    if cmd.input is not None:
        attrs["input"] = cmd.input
    attrs.update(
        executionStartToCloseTimeout=cmd.execution_start_to_close_timeout,
        taskStartToCloseTimeout=cmd.task_start_to_close_timeout,
        childPolicy=cmd.child_policy,
        taskList={"name": cmd.task_list},
        taskPriority=cmd.task_priority,
        workflowType=cmd.workflow_type,
    )
    if cmd.tag_list:
        attrs["tagList"] = list(cmd.tag_list)
    if cmd.continued_execution_run_id is not None:
        attrs["continuedExecutionRunId"] = cmd.continued_execution_run_id
    if cmd.parent is not None:
        attrs["parentWorkflowExecution"] = cmd.parent
    # Root runs say 0 rather than omitting it, as SWF does (reference §1.3).
    attrs["parentInitiatedEventId"] = cmd.parent_initiated_event_id
    if cmd.lambda_role is not None:
        attrs["lambdaRole"] = cmd.lambda_role
    t.add("WorkflowExecutionStarted", attrs)
    t.set_timer("workflow:START_TO_CLOSE", cmd.execution_start_to_close_timeout)
    t.schedule_decision()


def new_execution(
    command: c.StartExecution, now_ms: int, limits: c.Limits | None = None
) -> Outcome:
    state = ExecutionState(run_id=command.run_id, workflow_id=command.workflow_id)
    t = Transition(state=state, now_ms=now_ms, limits=limits or c.Limits())
    start_run(t, command)
    return t.outcome()
