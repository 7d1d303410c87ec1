"""The one Decider interface, and the DecisionWorker that polls and answers for deciders.

A decider is stateless between tasks: given a decision task (the complete history), it
returns decisions. So any number of decider processes may share a task list, and a
restarted decider carries on where the history says the workflow is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from openswf.sdk.client import AsyncClient, Client
from openswf.sdk.errors import UnknownResourceFault
from openswf.sdk.history import DecisionTask, apoll_decision_task, poll_decision_task
from openswf.sdk.polling import PollingWorker
from openswf.sdk.workflows import WorkflowType

log = logging.getLogger("openswf.sdk.decider")

CLOSE_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


@dataclass(frozen=True, kw_only=True)
class Decisions:
    decisions: list[dict[str, Any]] = field(default_factory=list)
    execution_context: str | None = None

    @property
    def closes(self) -> bool:
        return bool(self.decisions) and self.decisions[-1]["decisionType"] in CLOSE_DECISIONS


class Decider(Protocol):
    def decide(self, task: DecisionTask) -> Decisions: ...


WorkflowKey = tuple[str, str]


class DecisionWorker(PollingWorker[DecisionTask]):
    """Polls a decision task list and answers with a decider.

    ``decider`` is one Decider for every workflow type on the list, or a mapping from
    (name, version) to the decider of that type. A decider that raises leaves the task
    unanswered: it times out and is decided again, by this or another process.

    ``workflow_types`` are registered when the worker starts (an existing type is left as
    it is), after waiting for the domain if it does not exist yet."""

    def __init__(
        self,
        client: Client | AsyncClient,
        domain: str,
        task_list: str,
        decider: Decider | Mapping[WorkflowKey, Decider],
        *,
        concurrency: int = 2,
        identity: str | None = None,
        page_size: int | None = None,
        abort_polls: bool = True,
        stop_after_close: bool = False,
        workflow_types: Iterable[WorkflowType] = (),
    ) -> None:
        super().__init__(
            client,
            concurrency=concurrency,
            identity=identity,
            abort_polls=abort_polls,
            kind="decider",
        )
        self.domain = domain
        self.task_list = task_list
        self.deciders: Decider | Mapping[WorkflowKey, Decider] = decider
        self.page_size = page_size
        self.stop_after_close = stop_after_close
        self.decided = 0
        self.closed = 0
        self.workflow_types = list(workflow_types)
        if self.workflow_types and not isinstance(client, Client):
            raise TypeError("workflow_types= needs a Client (register them before run_async)")

    def prepare(self) -> None:
        for kind in self.workflow_types:
            assert isinstance(self.client, Client)
            kind.register(self.client, self.domain)

    def decider_for(self, task: DecisionTask) -> Decider | None:
        deciders = self.deciders
        if isinstance(deciders, Mapping):
            key = (task.workflow_type["name"], task.workflow_type["version"])
            return deciders.get(key)
        return deciders

    def _decide(self, task: DecisionTask) -> Decisions | None:
        decider = self.decider_for(task)
        if decider is None:
            log.error("no decider for workflow type %s", dict(task.workflow_type))
            return None
        try:
            return decider.decide(task)
        except Exception:
            log.exception(
                "%s: decider failed on %s; the task will time out and be decided again",
                self.identity,
                task.workflow_id,
            )
            return None

    def _record(self, task: DecisionTask, decisions: Decisions) -> None:
        kinds = [d["decisionType"] for d in decisions.decisions]
        log.info(
            "%s: decided %s (%s %s, %d events): %s",
            self.identity,
            task.workflow_id,
            task.workflow_type.get("name"),
            task.workflow_type.get("version"),
            len(task.events),
            ", ".join(_summary(kinds)) or "no decisions",
        )
        with self._busy_lock:
            self.decided += 1
            if decisions.closes:
                self.closed += 1
        if decisions.closes and self.stop_after_close:
            self.stop(wait=False)

    def poll(self, client: Client) -> DecisionTask | None:
        return poll_decision_task(
            client, self.domain, self.task_list, self.identity, page_size=self.page_size
        )

    async def apoll(self, client: AsyncClient) -> DecisionTask | None:
        return await apoll_decision_task(
            client, self.domain, self.task_list, self.identity, page_size=self.page_size
        )

    def handle(self, task: DecisionTask) -> None:
        decisions = self._decide(task)
        if decisions is None:
            return
        assert isinstance(self.client, Client)
        try:
            self.client.respond_decision_task_completed(
                taskToken=task.task_token,
                decisions=decisions.decisions,  # type: ignore[arg-type]
                executionContext=decisions.execution_context,
            )
        except UnknownResourceFault:
            log.warning("decision task of %s closed before its answer", task.workflow_id)
            return
        self._record(task, decisions)

    async def ahandle(self, task: DecisionTask) -> None:
        decisions = self._decide(task)
        if decisions is None:
            return
        assert isinstance(self.client, AsyncClient)
        try:
            await self.client.respond_decision_task_completed(
                taskToken=task.task_token,
                decisions=decisions.decisions,  # type: ignore[arg-type]
                executionContext=decisions.execution_context,
            )
        except UnknownResourceFault:
            log.warning("decision task of %s closed before its answer", task.workflow_id)
            return
        self._record(task, decisions)


def _summary(kinds: list[str]) -> list[str]:
    """``ScheduleActivityTask x3, StartTimer``: decision types in order, repeats counted."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return [kind if n == 1 else f"{kind} x{n}" for kind, n in counts.items()]
