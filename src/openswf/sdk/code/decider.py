"""WorkflowDecider: the Decider of code workflows (``Workflow`` subclasses).

On every decision task it indexes the history, runs the workflow's ``run`` against it with a
``ReplayRuntime``, and answers with the calls the code made at the live decision task, and
the close decision if ``run`` ended: its return value completes the workflow,
``WorkflowFailed`` (``self.fail``) or any other exception fails it, ``continue_as_new``
continues it, an uncaught ``CancelRequested`` cancels it. A ``NondeterminismError`` is not
an answer: it propagates, the DecisionWorker logs it and leaves the task to time out, and
the workflow waits, unharmed, for code that matches its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openswf.sdk.code.calls import arity, decode_call
from openswf.sdk.code.errors import (
    CancelRequested,
    ContinueAsNew,
    NondeterminismError,
    Suspend,
    WorkflowFailed,
)
from openswf.sdk.code.index import HistoryIndex
from openswf.sdk.code.replay import ReplayRuntime, decision
from openswf.sdk.code.workflow import Workflow
from openswf.sdk.converter import MAX_DATA, MAX_REASON, dumps, loads, truncate
from openswf.sdk.deciders.base import Decisions
from openswf.sdk.history import DecisionTask, Event
from openswf.sdk.worker import failure_of


@dataclass(frozen=True, kw_only=True)
class Replayed:
    """What one replay gave: the decisions, and the close decision if ``run`` ended."""

    decisions: list[dict[str, Any]]
    close: dict[str, Any] | None


def close_decision(workflow: Workflow, workflow_input: Any) -> dict[str, Any] | None:
    """Run ``workflow.run`` once; the decision that closes the workflow, if it ended."""
    args, kwargs = decode_call(workflow_input, arity(type(workflow).run, ("self",)))
    try:
        value = workflow.run(*args, **kwargs)
    except Suspend:
        return None
    except ContinueAsNew as again:
        return decision("ContinueAsNewWorkflowExecution", input=dumps(again.payload))
    except WorkflowFailed as failed:
        return _fail(failed.reason, dumps(failed.details))
    except CancelRequested:
        return decision("CancelWorkflowExecution")
    except NondeterminismError:
        raise
    except Exception as error:
        return _fail(*failure_of(error))
    text = dumps(value)
    if text is not None and len(text) > MAX_DATA:
        return _fail(f"the workflow's result is {len(text)} characters; SWF allows {MAX_DATA}")
    return decision("CompleteWorkflowExecution", result=text)


def _fail(reason: str, details: str | None = None) -> dict[str, Any]:
    return decision(
        "FailWorkflowExecution",
        reason=truncate(reason, MAX_REASON),
        details=truncate(details, MAX_DATA),
    )


def replay(
    cls: type[Workflow],
    events: list[Event],
    *,
    workflow_id: str,
    run_id: str,
    live_started_id: int = 0,
) -> Replayed:
    """Run ``cls`` against ``events``. With ``live_started_id`` (a decision task being
    answered) the calls made there become decisions; without it the whole history is
    checked, as ``openswf replay`` does. Raises ``NondeterminismError`` on a mismatch."""
    index = HistoryIndex(events, live_started_id=live_started_id)
    started = index.started
    runtime = ReplayRuntime(
        index,
        workflow_id=workflow_id,
        run_id=run_id,
        default_activity_task_list=cls.activity_task_list,
        parent_workflow_id=(started.get("parentWorkflowExecution") or {}).get("workflowId"),
    )
    workflow = cls()
    workflow._runtime = runtime
    close = close_decision(workflow, loads(started.get("input")))
    if runtime.fatal is not None:
        raise runtime.fatal  # the code caught it; it still stands
    if close is not None:
        runtime.close(close)
    runtime.check_complete(closed=close is not None)
    return Replayed(decisions=runtime.decisions, close=close)


class WorkflowDecider:
    """Decides the given Workflow subclasses, each by its (name, version)."""

    def __init__(self, *workflows: type[Workflow] | Iterable[type[Workflow]]) -> None:
        self.workflows: dict[tuple[str, str], type[Workflow]] = {}
        for item in workflows:
            for cls in [item] if isinstance(item, type) else item:
                self.workflows[cls.key()] = cls

    def decide(self, task: DecisionTask) -> Decisions:
        key = (task.workflow_type["name"], task.workflow_type["version"])
        cls = self.workflows.get(key)
        if cls is None:
            raise LookupError(f"no Workflow class for workflow type {key[0]}/{key[1]}")
        replayed = replay(
            cls,
            task.events,
            workflow_id=task.workflow_id,
            run_id=task.run_id,
            live_started_id=task.started_event_id,
        )
        return Decisions(decisions=replayed.decisions)
