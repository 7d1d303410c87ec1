"""The local executor: workflow code run in-process, with no server at all.

    result = LocalExecutor().run(Order, {"id": 7})

Activities are called directly, when the code calls them (their input and result still go
through the converter, so what would not cross the wire fails here too); retries run at
once; timers do not wait: a virtual clock jumps to the timer's end when the code waits for
it. Child workflows run in place, to their end, when started. Signals sent between
executions of one executor are delivered; others can be given up front
(``signals={"approve": [True]}``). Lambda tasks call ``lambdas={"name": fn}``. A wait for
something nothing in-process will ever deliver raises ``LocalDeadlock``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openswf.sdk.activities import (
    Activity,
    ActivityCancelled,
    ActivityContext,
    ActivityFailed,
    Registry,
    TaskInput,
    default_registry,
    run_sync_or_async,
)
from openswf.sdk.code.calls import ActivityRef, encode_call
from openswf.sdk.code.decider import close_decision
from openswf.sdk.code.errors import (
    ChildWorkflowFailed,
    LambdaFailed,
    SignalFailed,
    TimerCancelled,
    WorkflowFailed,
)
from openswf.sdk.code.futures import Future
from openswf.sdk.code.workflow import WORKFLOWS, Workflow
from openswf.sdk.converter import dumps, loads
from openswf.sdk.worker import failure_of


class LocalDeadlock(RuntimeError):
    """The workflow waits for something nothing in this process will deliver."""


@dataclass(frozen=True, kw_only=True)
class LocalOutcome:
    status: str  # completed, failed, canceled
    result: Any = None
    reason: str | None = None
    details: Any = None
    markers: list[tuple[str, Any]] = field(default_factory=list)


def _roundtrip(value: Any) -> Any:
    return loads(dumps(value))


class LocalRuntime:
    def __init__(
        self, executor: LocalExecutor, workflow_id: str, parent: str | None = None
    ) -> None:
        self.executor = executor
        self.workflow_id = workflow_id
        self.run_id = uuid.uuid4().hex
        self.parent_workflow_id = parent
        self.seq = 0
        self.markers: list[tuple[str, Any]] = []
        self._timers: list[tuple[float, int, Future[None]]] = []
        self._signals: dict[str, list[Any]] = {}
        self._waiters: dict[str, list[Future[Any]]] = {}
        self.fatal: LocalDeadlock | None = None  # stands even if the code catches it

    cancel_requested = False

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.executor.clock, UTC)

    # --- waiting -------------------------------------------------------------------------

    def wait(self, futures: Sequence[Future[Any]], *, first: bool) -> None:
        while not (any(f.done() for f in futures) if first else all(f.done() for f in futures)):
            armed = [t for t in self._timers if not t[2].done()]
            if not armed:
                waiting = ", ".join(f.what for f in futures if not f.done())
                self.fatal = LocalDeadlock(
                    f"{self.workflow_id} waits for {waiting}, which nothing sends"
                )
                raise self.fatal
            due, _, timer = min(armed, key=lambda t: (t[0], t[1]))
            self.executor.clock = max(self.executor.clock, due)
            self._timers.remove((due, timer.seq, timer))
            timer.set_result(None)

    def cancel(self, future: Future[Any]) -> bool:
        if future.state == "timer" and not future.done():
            future.set_exception(TimerCancelled("cancelled by the workflow"))
            return True
        return False

    # --- calls ---------------------------------------------------------------------------

    def activity(
        self, ref: ActivityRef, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, f"activity {ref.name}/{ref.version}", seq)
        item = ref.activity or self.executor.activities.get(ref.name, ref.version)
        if item is None:
            future.set_exception(ActivityFailed(f"unknown activity type {ref.name}/{ref.version}"))
            return future
        attempt = 1
        while True:
            payload = _roundtrip(encode_call(args, kwargs, ref.arity, attempt))
            context = ActivityContext(
                task={
                    "taskToken": f"local-{self.workflow_id}-{seq}-{attempt}",
                    "activityId": str(seq) if attempt == 1 else f"{seq}#{attempt}",
                    "activityType": {"name": ref.name, "version": ref.version},
                    "workflowExecution": {"workflowId": self.workflow_id, "runId": self.run_id},
                },
                task_input=TaskInput.decode(payload),
                heartbeat=lambda details: False,
                aheartbeat=_no_heartbeat,
            )
            try:
                value = run_sync_or_async(item.invoke(context))
                future.set_result(_roundtrip(value))
                return future
            except ActivityCancelled as cancelled:
                future.set_exception(ActivityCancelled(_roundtrip(cancelled.details)))
                return future
            except Exception as error:
                reason, details = failure_of(error)
                retry = ref.retry
                if retry is not None and retry.should_retry(attempt, "failed", reason):
                    self.executor.clock += retry.delay_before(attempt + 1, f"{self.run_id}/{seq}")
                    attempt += 1
                    continue
                future.set_exception(ActivityFailed(reason, loads(details)))
                return future

    def timer(self, seconds: float) -> Future[None]:
        seq = self._next()
        future: Future[None] = Future(self, f"timer of {int(seconds)} s", seq)
        future.state = "timer"
        self._timers.append((self.executor.clock + max(0, int(seconds)), seq, future))
        return future

    def child(self, name: str, version: str, payload: Any, options: dict[str, Any]) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, f"child workflow {name}/{version}", seq)
        cls = (
            options.get("class")
            or self.executor.workflows.get((name, version))
            or WORKFLOWS.get((name, version))
        )
        if cls is None:
            future.set_exception(
                ChildWorkflowFailed("WORKFLOW_TYPE_DOES_NOT_EXIST", None, outcome="start_failed")
            )
            return future
        workflow_id = options.get("workflow_id") or f"{self.workflow_id}-{seq}"
        outcome = self.executor.execute(cls, _roundtrip(payload), workflow_id, self.workflow_id)
        if outcome.status == "completed":
            future.set_result(outcome.result)
        else:
            reason = outcome.reason or f"child {outcome.status}"
            future.set_exception(
                ChildWorkflowFailed(reason, outcome.details, outcome=outcome.status)
            )
        return future

    def lambda_(self, name: str, payload: Any, timeout: int | None) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, f"Lambda function {name}", seq)
        fn = self.executor.lambdas.get(name)
        if fn is None:
            future.set_exception(LambdaFailed(f"no Lambda function {name!r} in this executor"))
            return future
        try:
            future.set_result(_roundtrip(fn(_roundtrip(payload))))
        except Exception as error:
            reason, details = failure_of(error)
            future.set_exception(LambdaFailed(reason, loads(details)))
        return future

    def signal(self, workflow_id: str, name: str, payload: Any, run_id: str | None) -> Future[None]:
        seq = self._next()
        future: Future[None] = Future(self, f"signal {name!r} to {workflow_id}", seq)
        target = self.executor.running.get(workflow_id)
        if target is None:
            future.set_exception(SignalFailed("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"))
        else:
            target.deliver(name, _roundtrip(payload))
            future.set_result(None)
        return future

    def deliver(self, name: str, value: Any) -> None:
        waiters = self._waiters.get(name)
        if waiters:
            waiters.pop(0).set_result(value)
        else:
            self._signals.setdefault(name, []).append(value)

    def signal_future(self, name: str) -> Future[Any]:
        future: Future[Any] = Future(self, f"signal {name!r}")
        buffered = self._signals.get(name)
        if buffered:
            future.set_result(buffered.pop(0))
        else:
            self._waiters.setdefault(name, []).append(future)
        return future

    def record_marker(self, name: str, details: Any) -> None:
        self._next()
        self.markers.append((name, _roundtrip(details)))

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        value = _roundtrip(fn())
        self.record_marker("openswf.side_effect", value)
        return value

    def patched(self, change_id: str) -> bool:
        return True  # a new run always takes the new code


async def _no_heartbeat(details: str | None) -> bool:
    return False


class LocalExecutor:
    def __init__(
        self,
        *,
        activities: Registry | Iterable[Activity[Any, Any]] | None = None,
        lambdas: Mapping[str, Callable[..., Any]] | Iterable[Callable[..., Any]] | None = None,
        signals: Mapping[str, Iterable[Any]] | None = None,
        workflows: Iterable[type[Workflow]] = (),
    ) -> None:
        if activities is None:
            activities = default_registry
        self.activities = activities if isinstance(activities, Registry) else Registry(activities)
        if lambdas is None:
            lambdas = {}
        self.lambdas: dict[str, Callable[..., Any]] = (
            dict(lambdas) if isinstance(lambdas, Mapping) else {fn.__name__: fn for fn in lambdas}
        )
        self.signals = {name: list(values) for name, values in (signals or {}).items()}
        self.workflows = {cls.key(): cls for cls in workflows}
        self.running: dict[str, LocalRuntime] = {}
        self.clock = time.time()

    def run(self, workflow: type[Workflow], *args: Any, **kwargs: Any) -> Any:
        """Run ``workflow(*args, **kwargs)`` to its end; its result, or ``WorkflowFailed``."""
        outcome = self.execute(workflow, workflow.input_of(*args, **kwargs))
        if outcome.status != "completed":
            raise WorkflowFailed(outcome.reason or outcome.status, outcome.details)
        return outcome.result

    def execute(
        self,
        workflow: type[Workflow],
        workflow_input: Any = None,
        workflow_id: str | None = None,
        parent: str | None = None,
    ) -> LocalOutcome:
        """Run to the end with this workflow input (continuing as new as it asks)."""
        workflow_id = workflow_id or f"local-{workflow.name}-{uuid.uuid4().hex[:8]}"
        runtime = LocalRuntime(self, workflow_id, parent)
        if parent is None:
            for name, values in self.signals.items():
                for value in values:
                    runtime.deliver(name, _roundtrip(value))
        self.running[workflow_id] = runtime
        markers: list[tuple[str, Any]] = []
        try:
            while True:
                instance = workflow()
                instance._runtime = runtime
                close = close_decision(instance, _roundtrip(workflow_input))
                if runtime.fatal is not None:
                    raise runtime.fatal
                markers.extend(runtime.markers)
                assert close is not None, "a local run never suspends"
                kind = close["decisionType"]
                attrs = close[kind[0].lower() + kind[1:] + "DecisionAttributes"]
                if kind == "ContinueAsNewWorkflowExecution":
                    workflow_input = loads(attrs.get("input"))
                    runtime.markers, runtime.seq = [], 0
                    continue
                if kind == "CompleteWorkflowExecution":
                    return LocalOutcome(
                        status="completed", result=loads(attrs.get("result")), markers=markers
                    )
                if kind == "CancelWorkflowExecution":
                    return LocalOutcome(status="canceled", markers=markers)
                return LocalOutcome(
                    status="failed",
                    reason=attrs.get("reason"),
                    details=loads(attrs.get("details")),
                    markers=markers,
                )
        finally:
            self.running.pop(workflow_id, None)
