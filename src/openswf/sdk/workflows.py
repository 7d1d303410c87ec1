"""Workflow types and domains: register them idempotently, start executions.

hello = WorkflowType("hello", "1", task_list="hello-decisions")
ensure_domain(client, "demo")
hello.register(client, "demo")
run_id = hello.start(client, "demo", "hello-1", input={"name": "world"})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openswf.sdk.activities import Activity
from openswf.sdk.client import Client
from openswf.sdk.converter import dumps
from openswf.sdk.errors import DomainAlreadyExistsFault, TypeAlreadyExistsFault


def ensure_domain(client: Client, name: str, retention_days: int | str = 1) -> None:
    try:
        client.register_domain(
            name=name, workflowExecutionRetentionPeriodInDays=str(retention_days)
        )
    except DomainAlreadyExistsFault:
        pass


def register_activities(
    client: Client, domain: str, activities: Iterable[Activity[Any, Any]]
) -> None:
    """Register activity types with their defaults; existing ones are left as they are.
    Register them before the first workflow that schedules them starts: a decision that
    schedules an unregistered type fails (``ACTIVITY_TYPE_DOES_NOT_EXIST``)."""
    for item in activities:
        try:
            client.register_activity_type(**item.registration(domain))
        except TypeAlreadyExistsFault:
            pass


@dataclass(frozen=True, kw_only=True)
class WorkflowType:
    name: str
    version: str = "1"
    task_list: str | None = None  # the default decision task list
    execution_timeout: int = 3600
    task_timeout: int = 60
    child_policy: str = "TERMINATE"
    description: str | None = None
    lambda_role: str | None = None  # the default IAM role of its Lambda tasks

    def __init__(self, name: str, version: str = "1", **kw: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "version", version)
        for key, value in {
            "task_list": None,
            "execution_timeout": 3600,
            "task_timeout": 60,
            "child_policy": "TERMINATE",
            "description": None,
            "lambda_role": None,
            **kw,
        }.items():
            object.__setattr__(self, key, value)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)

    def register(self, client: Client, domain: str) -> None:
        params: dict[str, Any] = {
            "domain": domain,
            "name": self.name,
            "version": self.version,
            "defaultExecutionStartToCloseTimeout": str(self.execution_timeout),
            "defaultTaskStartToCloseTimeout": str(self.task_timeout),
            "defaultChildPolicy": self.child_policy,
        }
        if self.task_list:
            params["defaultTaskList"] = {"name": self.task_list}
        if self.description:
            params["description"] = self.description[:1024]
        if self.lambda_role:
            params["defaultLambdaRole"] = self.lambda_role
        try:
            client.register_workflow_type(**params)
        except TypeAlreadyExistsFault:
            pass

    def start(
        self,
        client: Client,
        domain: str,
        workflow_id: str,
        input: Any = None,
        *,
        task_list: str | None = None,
        tags: list[str] | None = None,
    ) -> str:
        """Start an execution; returns its run id. ``input`` is sent as JSON."""
        answer = client.start_workflow_execution(
            domain=domain,
            workflowId=workflow_id,
            workflowType={"name": self.name, "version": self.version},
            input=dumps(input),
            taskList={"name": task_list} if task_list else None,
            tagList=tags,
        )
        return answer["runId"]


def signal(
    client: Client,
    domain: str,
    workflow_id: str,
    name: str,
    input: Any = None,
    *,
    run_id: str | None = None,
) -> None:
    """Signal an execution; ``input`` is sent as JSON (offloaded if large, like any value)."""
    client.signal_workflow_execution(
        domain=domain, workflowId=workflow_id, runId=run_id, signalName=name, input=dumps(input)
    )
