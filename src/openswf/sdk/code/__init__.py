"""Workflows written as plain code, replayed from their history (see docs/framework.md)."""

from openswf.sdk.code.calls import ActivityRef, options
from openswf.sdk.code.decider import WorkflowDecider, replay
from openswf.sdk.code.errors import (
    ActivityTimedOut,
    CancelRequested,
    ChildWorkflowFailed,
    LambdaFailed,
    NondeterminismError,
    SignalFailed,
    TimerCancelled,
    WorkflowFailed,
)
from openswf.sdk.code.futures import Future, first, wait
from openswf.sdk.code.local import LocalDeadlock, LocalExecutor, LocalOutcome
from openswf.sdk.code.workflow import (
    ActivityProxy,
    Call,
    Chain,
    ChildProxy,
    Group,
    Workflow,
)

__all__ = [
    "ActivityProxy",
    "ActivityRef",
    "ActivityTimedOut",
    "Call",
    "CancelRequested",
    "Chain",
    "ChildProxy",
    "ChildWorkflowFailed",
    "Future",
    "Group",
    "LambdaFailed",
    "LocalDeadlock",
    "LocalExecutor",
    "LocalOutcome",
    "NondeterminismError",
    "SignalFailed",
    "TimerCancelled",
    "Workflow",
    "WorkflowDecider",
    "WorkflowFailed",
    "first",
    "options",
    "replay",
    "wait",
]
