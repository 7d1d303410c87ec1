"""GraphDecider: decides a task-graph workflow from its history.

On every decision task it replays the history into a ``GraphState`` and answers:

* cancel requested: cancel open activities and timers, then cancel the workflow;
* a task failed for good: fail the workflow, with every failure collected in ``details``;
* every task done: complete with the collected results (``{task id: result}``), or
  continue as new when the spec repeats;
* otherwise: start every task whose requirements are done, and arm the timers of retries
  that wait. Tasks already started are never started twice: their events are in the history.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openswf.sdk.activities import ENVELOPE_KEY
from openswf.sdk.converter import MAX_DATA, MAX_REASON, dumps, loads, truncate
from openswf.sdk.deciders.base import Decisions
from openswf.sdk.deciders.state import (
    BACKOFF,
    BACKOFF_TIMER,
    COMPLETED,
    FAILED,
    OPEN,
    GraphState,
    TaskState,
    retry_timer_id,
    short_id,
)
from openswf.sdk.graph import ActivityTask, ChildWorkflow, Task, Timer
from openswf.sdk.history import DecisionTask, History
from openswf.sdk.spec import DeciderSpec


class GraphError(Exception):
    """A task cannot be started (e.g. its input is larger than SWF allows)."""


def _decision(kind: str, **attrs: Any) -> dict[str, Any]:
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": attrs}


class GraphDecider:
    """Decides workflows whose graph is ``spec``; see the module docstring."""

    def __init__(self, spec: DeciderSpec) -> None:
        self.spec = spec

    def tasks_for(self, task: DecisionTask, history: History) -> tuple[list[Task], Any]:
        """The graph of this execution and the workflow input its tasks see."""
        return self.spec.tasks, loads(history.started().get("input"))

    def spec_for(self, task: DecisionTask, history: History) -> DeciderSpec:
        return self.spec

    def state(self, task: DecisionTask) -> tuple[GraphState, Any, DeciderSpec]:
        history = task.history
        tasks, workflow_input = self.tasks_for(task, history)
        state = GraphState.replay(tasks, task.events, retry_key=task.run_id)
        return state, workflow_input, self.spec_for(task, history)

    def decide(self, task: DecisionTask) -> Decisions:
        state, workflow_input, spec = self.state(task)
        context = dumps(state.progress())
        if state.cancel_requested:
            return Decisions(decisions=self._cancel(state), execution_context=context)
        if state.errors:
            return Decisions(decisions=[self._fail_errors(state.errors)])
        failed = [st for st in state.states.values() if st.status == FAILED]
        if failed:
            return Decisions(decisions=[self._fail(state, failed)], execution_context=context)
        if state.all_done():
            if spec.repeat_workflow:
                raw = task.history.started().get("input")
                attrs = {"input": raw} if raw is not None else {}
                close = _decision("ContinueAsNewWorkflowExecution", **attrs)
            else:
                close = self._complete(state)
            return Decisions(decisions=[close], execution_context=context)
        try:
            decisions = self._advance(state, task, workflow_input, spec)
        except GraphError as error:
            return Decisions(decisions=[self._fail_errors([str(error)])])
        return Decisions(decisions=decisions, execution_context=context)

    # --- moving forward ------------------------------------------------------------------

    def _advance(
        self, state: GraphState, task: DecisionTask, workflow_input: Any, spec: DeciderSpec
    ) -> list[dict[str, Any]]:
        decisions: list[dict[str, Any]] = []
        for st in state.states.values():
            if st.status == BACKOFF:
                decisions.append(
                    _decision(
                        "StartTimer",
                        timerId=retry_timer_id(st),
                        startToFireTimeout=str(st.retry_delay),
                        control=dumps({"retry": st.task.id}),
                    )
                )
            elif state.ready(st):
                decisions.append(self._start(state, st, task, workflow_input, spec))
        return decisions

    def _start(
        self,
        state: GraphState,
        st: TaskState,
        task: DecisionTask,
        workflow_input: Any,
        spec: DeciderSpec,
    ) -> dict[str, Any]:
        node = st.task
        if isinstance(node, ActivityTask):
            attrs = node.schedule_attributes()
            attrs["activityId"] = node.id
            if "taskList" not in attrs and spec.default_activity_task_list:
                attrs["taskList"] = {"name": spec.default_activity_task_list}
            payload = self._activity_input(state, st, workflow_input)
            if payload is not None:
                attrs["input"] = payload
            return _decision("ScheduleActivityTask", **attrs)
        if isinstance(node, Timer):
            return _decision(
                "StartTimer",
                timerId=node.id,
                startToFireTimeout=str(node.delay),
                control=dumps({"timer": node.id}),
            )
        if isinstance(node, ChildWorkflow):
            attrs = node.start_attributes(short_id(f"{task.workflow_id}-", node.id))
            child_input = node.input
            if child_input is None and state.context_requires(st):
                # Without an input of its own, a child gets the results it waited for.
                child_input = {}
                for required in state.context_requires(st):
                    child_input.update(state.results_of(required))
            payload = _checked(dumps(node.child_input(child_input)), node.id)
            if payload is not None:
                attrs["input"] = payload
            attrs["control"] = dumps({"task": node.id})
            return _decision("StartChildWorkflowExecution", **attrs)
        raise GraphError(f"cannot start task {node.id!r} of kind {node.kind!r}")

    def _activity_input(self, state: GraphState, st: TaskState, workflow_input: Any) -> str | None:
        node = st.task
        assert isinstance(node, ActivityTask)
        if not node.context:
            return _checked(dumps(node.input), node.id)
        envelope: dict[str, Any] = {ENVELOPE_KEY: 1}
        if node.input is not None:
            envelope["input"] = node.input
        if workflow_input is not None:
            envelope["workflow_input"] = workflow_input
        if st.attempts:
            envelope["attempt"] = st.attempts + 1
        wanted = state.context_requires(st)
        if wanted:
            requires: dict[str, Any] = {}
            for required in wanted:
                requires.update(state.results_of(required))
            if requires:
                envelope["requires"] = requires
        if len(envelope) == 1:
            return None  # nothing to say: no input at all
        return _checked(dumps(envelope), node.id)

    # --- closing -------------------------------------------------------------------------

    def _complete(self, state: GraphState) -> dict[str, Any]:
        results = {
            task_id: st.result
            for task_id, st in state.states.items()
            if st.status == COMPLETED and st.generated is None and st.task.kind != "timer"
        }
        text = dumps(results)
        if text is not None and len(text) > MAX_DATA:
            required = {r for st in state.states.values() for r in st.task.requires}
            leaves = {k: v for k, v in results.items() if k not in required}
            text = dumps({"leaves_only": True, "results": leaves})
            if text is not None and len(text) > MAX_DATA:
                return self._fail_errors(
                    [f"the workflow's results exceed SWF's {MAX_DATA} characters"]
                )
        attrs = {"result": text} if text is not None else {}
        return _decision("CompleteWorkflowExecution", **attrs)

    def _fail(self, state: GraphState, failed: list[TaskState]) -> dict[str, Any]:
        failures = {st.task.id: st.failures for st in failed}
        first = failed[0].last_failure or {}
        what = first.get("reason") or first.get("outcome") or "failed"
        reason = f"{len(failed)} task(s) failed; {failed[0].task.id}: {what}"
        details = dumps({"failures": failures, "progress": state.progress()})
        if details is not None and len(details) > MAX_DATA:
            trimmed = {k: v[-1:] for k, v in failures.items()}
            details = truncate(dumps({"failures": trimmed, "truncated": True}), MAX_DATA)
        return _decision(
            "FailWorkflowExecution", reason=truncate(reason, MAX_REASON), details=details
        )

    @staticmethod
    def _fail_errors(errors: list[str]) -> dict[str, Any]:
        return _decision(
            "FailWorkflowExecution",
            reason=truncate(errors[0], MAX_REASON),
            details=truncate(dumps({"errors": errors}), MAX_DATA),
        )

    def _cancel(self, state: GraphState) -> list[dict[str, Any]]:
        decisions = []
        for st in state.states.values():
            if st.status == OPEN and isinstance(st.task, ActivityTask):
                decisions.append(_decision("RequestCancelActivityTask", activityId=st.task.id))
            elif st.status == OPEN and isinstance(st.task, Timer):
                decisions.append(_decision("CancelTimer", timerId=st.task.id))
            elif st.status == BACKOFF_TIMER:
                decisions.append(_decision("CancelTimer", timerId=_armed_retry_id(st)))
        decisions.append(
            _decision("CancelWorkflowExecution", details=dumps({"progress": state.progress()}))
        )
        return decisions


def _armed_retry_id(st: TaskState) -> str:
    # The armed retry timer was named for the attempt after the current one.
    return retry_timer_id(st)


def _checked(text: str | None, task_id: str) -> str | None:
    if text is not None and len(text) > MAX_DATA:
        raise GraphError(
            f"input of task {task_id} is {len(text)} characters; SWF allows {MAX_DATA}"
        )
    return text


def progress_of(spec_tasks: list[Task], events: list[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of done, running, failed and pending tasks, from a history (for displays)."""
    return GraphState.replay(spec_tasks, events).progress()
