"""SWF's account and domain quotas, on a server whose quotas are small enough to reach."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client
from tests.integration.swf_helpers import WF, decide, decision, history, last, start


@pytest.fixture(scope="module")
def small() -> Iterator[LocalServer]:
    settings = Settings(
        poll_timeout_s=0.2,
        max_domains=3,
        max_types_per_domain=2,
        max_open_executions_per_domain=2,
    )
    with LocalServer(settings=settings) as server:
        yield server


def test_domain_quota(small: LocalServer) -> None:
    swf = make_client(small.endpoint, region="eu-north-1")
    for name in ("q1", "q2"):
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.deprecate_domain(name="q2")  # deprecated domains count too
    swf.register_domain(name="q3", workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(swf.exceptions.LimitExceededFault):
        swf.register_domain(name="q4", workflowExecutionRetentionPeriodInDays="1")
    # The quota is per region.
    make_client(small.endpoint, region="eu-west-3").register_domain(
        name="q4", workflowExecutionRetentionPeriodInDays="1"
    )


def test_type_quota(small: LocalServer) -> None:
    swf = make_client(small.endpoint, region="ap-south-1")
    swf.register_domain(name="types", workflowExecutionRetentionPeriodInDays="1")
    swf.register_activity_type(domain="types", name="a", version="1")
    swf.register_activity_type(domain="types", name="a", version="2")
    with pytest.raises(swf.exceptions.LimitExceededFault):
        swf.register_activity_type(domain="types", name="a", version="3")
    # Workflow types have a quota of their own.
    swf.register_workflow_type(domain="types", name="w", version="1")


def test_open_execution_quota_counts_children(small: LocalServer) -> None:
    swf = make_client(small.endpoint, region="sa-east-1")
    swf.register_domain(name="busy", workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain="busy",
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    parent = start(swf, "busy", "parent")
    start(swf, "busy", "other", taskList={"name": "elsewhere"})
    with pytest.raises(swf.exceptions.LimitExceededFault):
        swf.start_workflow_execution(domain="busy", workflowId="third", workflowType=WF)
    decide(
        swf,
        "busy",
        [
            decision(
                "StartChildWorkflowExecution",
                workflowType=WF,
                workflowId="kid",
                taskList={"name": "kids"},
            )
        ],
    )
    failed = last(history(swf, "busy", parent), "StartChildWorkflowExecutionFailed")
    assert (failed["cause"], failed["initiatedEventId"]) == ("OPEN_WORKFLOWS_LIMIT_EXCEEDED", 0)


def test_quota_faults_are_not_retried_by_boto3(small: LocalServer) -> None:
    swf: Any = make_client(small.endpoint, region="ca-central-1")
    for name in ("r1", "r2", "r3"):
        swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    with pytest.raises(swf.exceptions.LimitExceededFault) as caught:
        swf.register_domain(name="r4", workflowExecutionRetentionPeriodInDays="1")
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 0
