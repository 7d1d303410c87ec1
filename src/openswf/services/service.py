"""The SWF service: every operation's handler, wired to one store, clock and settings."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from openswf.protocol.tokens import TokenSigner, decode_task_token
from openswf.services.clock import Clock, SystemClock
from openswf.services.context import RequestContext
from openswf.services.executions import ExecutionService
from openswf.services.history import HistoryService
from openswf.services.matching import MatchingService
from openswf.services.observe import NO_OBSERVER, Observer
from openswf.services.paging import Pager
from openswf.services.registry import RegistryService
from openswf.services.relay import RelayService
from openswf.services.retention import RetentionService
from openswf.services.settings import Settings
from openswf.services.tasks import TaskService
from openswf.services.timers import TimerService
from openswf.services.visibility import VisibilityService
from openswf.storage.base import Store

Handler = Callable[[dict[str, Any], RequestContext], Awaitable[Any]]


class SwfService:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock | None = None,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        self.store = store
        self.observer = observer
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.handlers: dict[str, Handler] = {}
        self._timers: TimerService | None = None
        self._retention: RetentionService | None = None
        self.matching: MatchingService | None = None
        self.registry: RegistryService | None = None
        self._signer: TokenSigner | None = None
        # The domain of a run never changes: access checks of task-token calls read it once.
        self._run_domains: dict[str, str] = {}

    async def start(self) -> None:
        await self.store.open()
        if self.settings.token_keys:
            first, *older = (key.encode() for key in self.settings.token_keys)
            signer = TokenSigner(first, *older)
        else:
            secret = await self.store.get_or_create_secret(secrets.token_hex(32))
            signer = TokenSigner(secret.encode())
        self._signer = signer
        pager = Pager(signer)
        settings, store, clock = self.settings, self.store, self.clock

        matching_ref: list[MatchingService] = []
        timers_ref: list[TimerService] = []
        history = HistoryService(
            store,
            clock,
            settings.limits,
            on_tasks=lambda rows: matching_ref[0].offer(rows),
            on_timer=lambda due: timers_ref[0].notify(due),
            observer=self.observer,
        )
        matching = MatchingService(
            store,
            history,
            recheck_s=settings.poll_recheck_s,
            max_pollers=settings.max_pollers,
            max_pollers_per_list=settings.max_pollers_per_task_list,
            max_tasks_in_memory=settings.max_tasks_in_memory,
        )
        relay = RelayService(store, history, settings)
        timers = TimerService(
            store, history, relay, clock, recheck_s=settings.poll_recheck_s, observer=self.observer
        )
        matching_ref.append(matching)
        timers_ref.append(timers)
        # Tasks committed by other server processes over the same store wake polls here.
        store.subscribe(matching.remote_tasks)
        registry = RegistryService(store, clock, settings, pager)
        executions = ExecutionService(store, clock, settings, registry, history, pager)
        tasks = TaskService(
            store, clock, settings, registry, history, matching, signer, pager, self.observer
        )
        visibility = VisibilityService(store, clock, registry, pager)
        self.matching, self._timers, self.registry = matching, timers, registry
        self.history = history

        self.handlers = {
            "RegisterDomain": registry.register_domain,
            "DescribeDomain": registry.describe_domain,
            "ListDomains": registry.list_domains,
            "DeprecateDomain": registry.deprecate_domain,
            "UndeprecateDomain": registry.undeprecate_domain,
            "TagResource": registry.tag_resource,
            "UntagResource": registry.untag_resource,
            "ListTagsForResource": registry.list_tags,
            "StartWorkflowExecution": executions.start,
            "DescribeWorkflowExecution": executions.describe,
            "GetWorkflowExecutionHistory": executions.history,
            "SignalWorkflowExecution": executions.signal,
            "RequestCancelWorkflowExecution": executions.request_cancel,
            "TerminateWorkflowExecution": executions.terminate,
            "PollForDecisionTask": tasks.poll_for_decision_task,
            "RespondDecisionTaskCompleted": tasks.respond_decision_task_completed,
            "CountPendingDecisionTasks": tasks.count_pending_decision_tasks,
            "PollForActivityTask": tasks.poll_for_activity_task,
            "RespondActivityTaskCompleted": partial(tasks.respond_activity_task, "completed"),
            "RespondActivityTaskFailed": partial(tasks.respond_activity_task, "failed"),
            "RespondActivityTaskCanceled": partial(tasks.respond_activity_task, "canceled"),
            "RecordActivityTaskHeartbeat": tasks.record_heartbeat,
            "CountPendingActivityTasks": tasks.count_pending_activity_tasks,
            "ListOpenWorkflowExecutions": visibility.list_open,
            "ListClosedWorkflowExecutions": visibility.list_closed,
            "CountOpenWorkflowExecutions": visibility.count_open,
            "CountClosedWorkflowExecutions": visibility.count_closed,
        }
        for kind, noun in (("workflow", "Workflow"), ("activity", "Activity")):
            self.handlers.update(
                {
                    f"Register{noun}Type": partial(registry.register_type, kind),
                    f"Describe{noun}Type": partial(registry.describe_type, kind),
                    f"List{noun}Types": partial(registry.list_types, kind),
                    f"Deprecate{noun}Type": partial(registry.deprecate_type, kind),
                    f"Undeprecate{noun}Type": partial(registry.undeprecate_type, kind),
                    f"Delete{noun}Type": partial(registry.delete_type, kind),
                }
            )
        self._retention = RetentionService(
            store, clock, interval_s=settings.retention_sweep_s, batch=settings.retention_batch
        )
        timers.start()
        self._retention.start()

    async def task_token_domain(self, raw_token: str, kind: str, *also: str) -> str | None:
        """The name of the domain of a task token's run, for access checks.

        A forged or malformed token raises the ``UnknownResourceFault`` its operation would;
        ``None`` when the run is gone (the operation itself then answers as it always does).
        """
        assert self._signer is not None, "service is not started"
        token = decode_task_token(self._signer, raw_token, kind, *also)
        name = self._run_domains.get(token.run_id)
        if name is not None:
            return name
        row = await self.store.get_execution(token.run_id)
        domain = await self.store.get_domain_by_id(row.domain_id) if row is not None else None
        if domain is None:
            return None
        if len(self._run_domains) >= 10_000:
            self._run_domains.clear()
        self._run_domains[token.run_id] = domain.name
        return domain.name

    async def fire_due_timers(self) -> int:
        """Fire every timer due now, until none is left (tests on a manual clock use this to
        make a time jump take effect before they look)."""
        assert self._timers is not None, "service is not started"
        total = 0
        while fired := await self._timers.fire_due():
            total += fired
        return total

    async def sweep_retention(self) -> int:
        """Purge every closed execution past its domain's retention now; returns how many
        (tests on a manual clock use this, like ``fire_due_timers``)."""
        assert self._retention is not None, "service is not started"
        return await self._retention.sweep()

    def stop_polls(self) -> None:
        """Answer every waiting long poll now (the first step of a clean shutdown)."""
        if self.matching is not None:
            self.matching.close()

    async def stop(self) -> None:
        self.stop_polls()
        if self._timers is not None:
            await self._timers.stop()
        if self._retention is not None:
            await self._retention.stop()
        await self.store.close()
