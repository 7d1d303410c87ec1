"""Long-poll mechanics: idle polls leave nothing behind, the poller limit, shutdown; on every
storage backend (``db_url``)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client


def test_idle_polls_leave_no_waiters_behind(db_url: str) -> None:
    settings = Settings(poll_timeout_s=0.3, poll_recheck_s=0.05)
    with LocalServer(db_url, settings=settings) as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="idle", workflowExecutionRetentionPeriodInDays="1")
        for _ in range(3):
            answer = swf.poll_for_activity_task(domain="idle", taskList={"name": "quiet"})
            assert "taskToken" not in answer
        matching = server.app.service.matching
        assert matching is not None
        # Nothing is left: no waiter, no poll, and no row (idle queues: test_poll_bounds.py).
        counts = server.call(lambda: (matching.waiting(), matching.polls(), matching._held))
        assert counts == (0, 0, 0)


def test_more_pollers_than_the_limit_get_limit_exceeded(db_url: str) -> None:
    settings = Settings(poll_timeout_s=2, max_pollers_per_task_list=2)
    with LocalServer(db_url, settings=settings) as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="busy", workflowExecutionRetentionPeriodInDays="1")

        def poll() -> str:
            try:
                make_client(server.endpoint).poll_for_decision_task(
                    domain="busy", taskList={"name": "crowded"}
                )
                return "answered"
            except swf.exceptions.LimitExceededFault:
                return "limited"

        with ThreadPoolExecutor(3) as pool:
            outcomes = sorted(pool.map(lambda _: poll(), range(3)))
        assert outcomes == ["answered", "answered", "limited"]


def test_shutdown_answers_waiting_polls_at_once(db_url: str) -> None:
    server = LocalServer(db_url, settings=Settings(poll_timeout_s=30)).start()
    swf = make_client(server.endpoint)
    swf.register_domain(name="closing", workflowExecutionRetentionPeriodInDays="1")
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(
            swf.poll_for_activity_task, domain="closing", taskList={"name": "waiting"}
        )
        deadline = time.monotonic() + 10
        matching = server.app.service.matching
        assert matching is not None
        while not any(q.pollers for q in matching._queues.values()):
            assert time.monotonic() < deadline, "the poll never arrived"
            time.sleep(0.01)
        began = time.monotonic()
        server.stop()
        assert "taskToken" not in pending.result(timeout=10)
        assert time.monotonic() - began < 5


@pytest.mark.parametrize("kind", ["decision", "activity"])
def test_counts_of_an_unknown_task_list_are_zero(kind: str, db_url: str) -> None:
    with LocalServer(db_url, settings=Settings(poll_timeout_s=0.1)) as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="counts", workflowExecutionRetentionPeriodInDays="1")
        count = getattr(swf, f"count_pending_{kind}_tasks")(
            domain="counts", taskList={"name": "never-used"}
        )
        assert (count["count"], count["truncated"]) == (0, False)
