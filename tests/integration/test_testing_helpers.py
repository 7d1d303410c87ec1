"""openswf.testing for framework workflows: real workers under a manual clock, time skipped
by run_until_complete, events awaited with wait_for_event. The first test is docs/time.md's
example, as written there."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer, run_until_complete, wait_for_event

DAY = 86_400


def test_the_documented_example() -> None:
    from openswf.sdk import (
        ActivityTask,
        ActivityWorker,
        DeciderSpec,
        DecisionWorker,
        GraphDecider,
        Registry,
        Timer,
        WorkflowType,
        activity,
        ensure_domain,
    )

    @activity(name="bill", version="1", task_list="billing")
    def bill(context: Any) -> str:
        return f"billed {context.workflow_input['customer']}"

    first = ActivityTask(bill, id="first-bill")
    month = Timer(30 * DAY, id="a-month-later", requires=[first])
    second = ActivityTask(bill, id="second-bill", requires=[month])
    spec = DeciderSpec(domain="test", task_list="billing-decisions", tasks=[second])
    monthly = WorkflowType("monthly", "1", task_list=spec.task_list, execution_timeout=60 * DAY)

    with LocalServer(settings=Settings(poll_timeout_s=1), clock=ManualClock()) as server:
        client = server.client()
        ensure_domain(client, "test")
        monthly.register(client, "test")
        workers = [
            ActivityWorker(client, "test", "billing", Registry([bill])).start(),
            DecisionWorker(client, "test", spec.task_list, GraphDecider(spec)).start(),
        ]
        run_id = monthly.start(client, "test", "acme-billing", {"customer": "acme"})
        wait_for_event(client, "test", "acme-billing", run_id, "TimerStarted")
        result = run_until_complete(server, "test", "acme-billing", run_id)  # skips 30 days
        assert result == {"first-bill": "billed acme", "second-bill": "billed acme"}
        for worker in workers:
            worker.stop()
        client.close()


def test_run_until_complete_raises_the_failure_and_wait_for_event_times_out() -> None:
    from openswf.sdk import (
        ActivityFailed,
        ActivityTask,
        ActivityWorker,
        DeciderSpec,
        DecisionWorker,
        ExecutionFailed,
        GraphDecider,
        Registry,
        WaitTimeout,
        WorkflowType,
        activity,
        ensure_domain,
    )

    @activity(name="refuse", version="1", task_list="refusals")
    def refuse() -> None:
        raise ActivityFailed("no", {"why": "testing"})

    spec = DeciderSpec(domain="t2", task_list="refusal-decisions", tasks=[ActivityTask(refuse)])
    kind = WorkflowType("refusal", "1", task_list=spec.task_list)
    with LocalServer(settings=Settings(poll_timeout_s=1), clock=ManualClock()) as server:
        client = server.client()
        ensure_domain(client, "t2")
        kind.register(client, "t2")
        run_id = kind.start(client, "t2", "refused", None)
        with pytest.raises(WaitTimeout):
            wait_for_event(client, "t2", "refused", run_id, "ActivityTaskScheduled", timeout=0.2)
        workers = [
            ActivityWorker(client, "t2", "refusals", Registry([refuse])).start(),
            DecisionWorker(client, "t2", spec.task_list, GraphDecider(spec)).start(),
        ]
        with pytest.raises(ExecutionFailed) as failed:
            run_until_complete(server, "t2", "refused")  # the open run of that id
        assert failed.value.status == "FAILED" and "no" in (failed.value.reason or "")
        event = wait_for_event(
            client, "t2", "refused", run_id, lambda e: e["eventType"].endswith("Failed")
        )
        assert event["eventType"] == "ActivityTaskFailed"
        for worker in workers:
            worker.stop()
        client.close()
