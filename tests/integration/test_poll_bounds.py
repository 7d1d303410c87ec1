"""Bounded long polls (issue 12) and polls whose client has gone (issue 16), on every backend.

Every hold here is 60 s, as is the store re-check: a poll that ends, or a task that arrives,
within a test's deadline did so because the server noticed, never because a hold or a
re-check ran out.
"""

from __future__ import annotations

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from openswf.services.matching import IDLE_QUEUES, Claim
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client
from tests.integration.poll_helpers import RawPoll, matching, polls, register, wait_until, waiting
from tests.integration.swf_helpers import WF

LONG = Settings(poll_timeout_s=60, poll_recheck_s=60)


def _settings(**changes: Any) -> Settings:
    return dataclasses.replace(LONG, **changes)


def test_a_poll_whose_client_hung_up_frees_its_slot_at_once(db_url: str) -> None:
    with LocalServer(db_url, settings=_settings(max_pollers_per_task_list=1)) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "hangup")
        dead = RawPoll(server, domain, "decisions", "Decision")
        wait_until(lambda: waiting(server) == 1, "the raw poll waits")
        dead.hang_up()
        wait_until(lambda: (waiting(server), polls(server)) == (0, 0), "the dead poll is gone")
        # The slot is free (the limit is 1), and the next task goes to the live poll.
        with ThreadPoolExecutor(1) as pool:
            live = pool.submit(
                swf.poll_for_decision_task, domain=domain, taskList={"name": "decisions"}
            )
            wait_until(lambda: waiting(server) == 1, "the live poll waits")
            swf.start_workflow_execution(domain=domain, workflowId="w1", workflowType=WF)
            task = live.result(timeout=30)
        assert task["workflowExecution"]["workflowId"] == "w1"


def test_polls_past_the_server_wide_cap_get_limit_exceeded(db_url: str) -> None:
    settings = _settings(max_pollers=2, max_pollers_per_task_list=10)
    with LocalServer(db_url, settings=settings) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "capped")
        held = [RawPoll(server, domain, f"list-{n}", "Activity") for n in range(2)]
        wait_until(lambda: polls(server) == 2, "two polls wait")
        with pytest.raises(swf.exceptions.LimitExceededFault) as refused:
            swf.poll_for_activity_task(domain=domain, taskList={"name": "list-3"})
        assert "limit 2" in refused.value.response["Error"]["Message"]
        held[0].hang_up()
        wait_until(lambda: polls(server) == 1, "the hung-up poll left")
        held.append(RawPoll(server, domain, "list-3", "Activity"))  # room again
        wait_until(lambda: polls(server) == 2, "the new poll waits")
        for poll in held[1:]:
            poll.hang_up()
        wait_until(lambda: polls(server) == 0, "every poll left")


def test_the_per_list_cap_counts_only_live_polls(db_url: str) -> None:
    with LocalServer(db_url, settings=_settings(max_pollers_per_task_list=2)) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "perlist")
        first, second = (RawPoll(server, domain, "one", "Decision") for _ in range(2))
        wait_until(lambda: waiting(server) == 2, "two polls wait")
        with pytest.raises(swf.exceptions.LimitExceededFault):
            swf.poll_for_decision_task(domain=domain, taskList={"name": "one"})
        first.hang_up()
        wait_until(lambda: waiting(server) == 1, "the hung-up poll left")
        third = RawPoll(server, domain, "one", "Decision")
        wait_until(lambda: waiting(server) == 2, "the third poll took the free slot")
        second.hang_up()
        third.hang_up()


def test_tasks_beyond_the_memory_bound_wait_in_the_store(db_url: str) -> None:
    with LocalServer(db_url, settings=_settings(max_tasks_in_memory=2)) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "bounded")
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(
                swf.poll_for_decision_task, domain=domain, taskList={"name": "decisions"}
            )
            wait_until(lambda: waiting(server) == 1, "a poll waits (its list is loaded)")
            for n in range(6):
                swf.start_workflow_execution(domain=domain, workflowId=f"w{n}", workflowType=WF)
            got = [first.result(timeout=30)["workflowExecution"]["workflowId"]]
        held = server.call(lambda: matching(server)._held)
        assert held <= 2
        for _ in range(5):
            task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
            got.append(task["workflowExecution"]["workflowId"])
        assert sorted(got) == [f"w{n}" for n in range(6)]


def _domain_id(server: LocalServer, name: str) -> int:
    async def look() -> int:
        record = await server.app.service.store.get_domain("us-east-1", name)
        assert record is not None
        return record.id

    return int(server.call(look))


def test_gone_ends_a_waiting_poll_empty_and_takes_no_task(db_url: str) -> None:
    """The edge's interface (``RequestContext.gone``), driven in the server's loop."""
    with LocalServer(db_url, settings=LONG) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "gone")
        key = (_domain_id(server, domain), "decision", "decisions")
        service = matching(server)

        async def scenario() -> tuple[Claim | None, int, int]:
            gone = asyncio.Event()
            poll = asyncio.ensure_future(service.poll(key, identity=None, hold_s=60, gone=gone))
            while service.waiting(key) != 1:
                await asyncio.sleep(0.005)
            gone.set()
            result = await asyncio.wait_for(poll, 30)  # the hold is 60 s
            return result, service.waiting(), service.polls()

        assert server.call(scenario) == (None, 0, 0)
        # The task committed next is there for the next poll: nothing was taken for the gone one.
        swf.start_workflow_execution(domain=domain, workflowId="after", workflowType=WF)
        task = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
        assert task["workflowExecution"]["workflowId"] == "after"


def test_a_task_claimed_before_the_client_went_is_still_answered(db_url: str) -> None:
    with LocalServer(db_url, settings=LONG) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "claimed")
        key = (_domain_id(server, domain), "decision", "decisions")
        service = matching(server)
        history = server.app.service.history
        run = swf.start_workflow_execution(domain=domain, workflowId="w", workflowType=WF)

        async def scenario() -> Claim | None:
            gone = asyncio.Event()
            apply = history.apply

            async def apply_then_hang_up(*args: Any) -> Any:
                outcome = await apply(*args)
                gone.set()  # the client goes away while its claim commits
                return outcome

            history.apply = apply_then_hang_up  # type: ignore[method-assign]
            try:
                return await service.poll(key, identity="me", hold_s=60, gone=gone)
            finally:
                del history.apply

        claim = server.call(scenario)
        assert claim is not None and claim.row.run_id == run["runId"]
        events = swf.get_workflow_execution_history(
            domain=domain, execution={"workflowId": "w", "runId": run["runId"]}
        )["events"]
        assert [e["eventType"] for e in events][-1] == "DecisionTaskStarted"
        assert server.call(service.waiting) == 0


def test_idle_task_list_queues_are_freed(db_url: str) -> None:
    """One task list per workflow (simpleflow): memory stays bounded however many lists."""
    with LocalServer(db_url, settings=LONG) as server:
        swf = make_client(server.endpoint)
        domain = register(swf, "many")
        domain_id = _domain_id(server, domain)
        service = matching(server)
        lists = IDLE_QUEUES + 50

        async def poll_each_list_once() -> int:
            for n in range(lists):
                await service.poll((domain_id, "activity", f"wf-{n}"), identity=None, hold_s=0)
            return service.queues()

        assert server.call(poll_each_list_once) == IDLE_QUEUES
