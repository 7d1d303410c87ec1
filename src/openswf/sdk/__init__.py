"""openswf's framework: what users import to write SWF workflows and workers.

It imports nothing from openswf but ``openswf.protocol``, so it runs against openswf and
against real AWS SWF alike. See docs/framework.md.
"""

from openswf.sdk import futures
from openswf.sdk.activities import (
    Activity,
    ActivityCancelled,
    ActivityContext,
    ActivityFailed,
    Registry,
    Timeouts,
    activity,
    default_registry,
)
from openswf.sdk.client import AsyncClient, Client
from openswf.sdk.code import (
    ActivityProxy,
    ActivityTimedOut,
    Call,
    CancelRequested,
    Chain,
    ChildProxy,
    ChildWorkflowFailed,
    Future,
    Group,
    LambdaFailed,
    LocalDeadlock,
    LocalExecutor,
    NondeterminismError,
    SignalFailed,
    TimerCancelled,
    Workflow,
    WorkflowDecider,
    WorkflowFailed,
    options,
)
from openswf.sdk.credentials import Credentials
from openswf.sdk.deciders import (
    DaemonDecider,
    Decider,
    Decisions,
    DecisionWorker,
    DynamicDecider,
    GraphDecider,
    dynamic_input,
)
from openswf.sdk.graph import ActivityTask, ChildWorkflow, Generator, Task, Timer
from openswf.sdk.history import DecisionTask, History
from openswf.sdk.lambdas import LambdaWorker
from openswf.sdk.payloads import FileStore, S3Store
from openswf.sdk.payloads import configure as configure_payloads
from openswf.sdk.results import ExecutionFailed, WaitTimeout, wait_for_result
from openswf.sdk.retry import Retry
from openswf.sdk.spec import DeciderSpec
from openswf.sdk.worker import ActivityWorker
from openswf.sdk.workflows import WorkflowType, ensure_domain, register_activities, signal

__all__ = [
    "Activity",
    "ActivityCancelled",
    "ActivityContext",
    "ActivityFailed",
    "ActivityProxy",
    "ActivityTask",
    "ActivityTimedOut",
    "ActivityWorker",
    "AsyncClient",
    "Call",
    "CancelRequested",
    "Chain",
    "ChildProxy",
    "ChildWorkflow",
    "ChildWorkflowFailed",
    "Client",
    "Credentials",
    "DaemonDecider",
    "Decider",
    "DeciderSpec",
    "DecisionTask",
    "DecisionWorker",
    "Decisions",
    "DynamicDecider",
    "ExecutionFailed",
    "FileStore",
    "Future",
    "Generator",
    "GraphDecider",
    "Group",
    "History",
    "LambdaFailed",
    "LambdaWorker",
    "LocalDeadlock",
    "LocalExecutor",
    "NondeterminismError",
    "Registry",
    "Retry",
    "S3Store",
    "SignalFailed",
    "Task",
    "Timeouts",
    "Timer",
    "TimerCancelled",
    "WaitTimeout",
    "Workflow",
    "WorkflowDecider",
    "WorkflowFailed",
    "WorkflowType",
    "activity",
    "configure_payloads",
    "default_registry",
    "dynamic_input",
    "ensure_domain",
    "futures",
    "options",
    "register_activities",
    "signal",
    "wait_for_result",
]
