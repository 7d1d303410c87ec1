"""The replay runtime: runs workflow code against a history and says what to decide.

The code runs from the start on every decision task. A clock walks the decision tasks the
history recorded (positions, see ``index.py``): the code starts at the first one, and
moves to a later one only when it waits for something that the history says became known
there. Each call the code makes is checked against what the recorded decision task at the
clock's position did: the same activity type, the same timer, the same child... made in
the same decision task. A call made at the live decision task (the one being answered)
becomes a decision. A call the history does not match stops the replay with a
``NondeterminismError``; nothing is ever scheduled in its place.

Outcomes reach futures through *triggers*, run in order of the position at which the
history shows them (ties: in the order they were armed). A trigger can make new calls
(a retry, the next step of a chain): they count at the trigger's position.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from openswf.sdk.activities import ActivityCancelled, ActivityFailed
from openswf.sdk.code.calls import ActivityRef, encode_call
from openswf.sdk.code.errors import (
    ActivityTimedOut,
    CancelRequested,
    ChildWorkflowFailed,
    LambdaFailed,
    NondeterminismError,
    SignalFailed,
    Suspend,
    TimerCancelled,
)
from openswf.sdk.code.futures import Future
from openswf.sdk.code.index import PATCH_MARKER, SIDE_EFFECT_MARKER, HistoryIndex, Step
from openswf.sdk.converter import dumps, loads
from openswf.sdk.deciders.state import TRANSIENT_CAUSES
from openswf.sdk.history import Event

_PACKAGE = __name__.rsplit(".", 1)[0]
MAX_ID = 256


def decision(kind: str, **attrs: Any) -> dict[str, Any]:
    body = {k: v for k, v in attrs.items() if v is not None}
    return {"decisionType": kind, kind[0].lower() + kind[1:] + "DecisionAttributes": body}


def call_site() -> str:
    """Where workflow code made the current call: the first frame outside this package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "?"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def describe_event(event: Event) -> str:
    return f"event {event['eventId']} {event['eventType']}"


class ReplayRuntime:
    def __init__(
        self,
        index: HistoryIndex,
        *,
        workflow_id: str,
        run_id: str,
        default_activity_task_list: str | None = None,
        parent_workflow_id: str | None = None,
    ) -> None:
        self.index = index
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.default_activity_task_list = default_activity_task_list
        self.parent_workflow_id = parent_workflow_id
        self.clock = 0
        self.n_completed = len(index.completed)
        self.last = max(0, len(index.starts) - 1)
        self.seq = 0
        self.decisions: list[dict[str, Any]] = []
        self.fatal: NondeterminismError | None = None
        self._heap: list[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._in_trigger = False
        self._markers = 0
        self._signals: dict[str, int] = {}
        self._patches: dict[str, bool] = {}
        self._cancel_delivered = False

    # --- the clock -----------------------------------------------------------------------

    @property
    def past(self) -> bool:
        """Whether the clock stands at a decision task the history already answered."""
        return self.clock < self.n_completed

    def _at(self, event_id: int, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(*args)`` when the clock reaches the position where ``event_id`` is seen."""
        position = self.index.position(event_id)
        if position is None:
            return  # not in this replay: still pending
        if position <= self.clock:
            fn(*args)
        else:
            heapq.heappush(self._heap, (position, next(self._order), fn, args))

    def _step(self) -> None:
        position = self._heap[0][0]
        self.clock = position
        self._in_trigger = True
        try:
            while self._heap and self._heap[0][0] == position:
                _, _, fn, args = heapq.heappop(self._heap)
                fn(*args)
        finally:
            self._in_trigger = False

    def wait(self, futures: Sequence[Future[Any]], *, first: bool) -> None:
        if self._in_trigger:
            raise RuntimeError("a done-callback cannot wait for a future that is not done")
        while not (
            futures[0]._done
            if len(futures) == 1
            else any(f._done for f in futures)
            if first
            else all(f._done for f in futures)
        ):
            upcoming = self._heap[0][0] if self._heap else None
            # A cancel request is delivered at the position where the code first sees it,
            # after the triggers of that position (which may end this wait).
            cancel_at = self._cancel_position() if self.index.cancel_requested_id else None
            if cancel_at is not None and (upcoming is None or cancel_at < upcoming):
                self.clock = max(self.clock, cancel_at)
                self._cancel_delivered = True
                raise CancelRequested("the workflow was asked to cancel")
            if upcoming is None:
                self.clock = max(self.clock, self.last)
                raise Suspend()
            self._step()

    def _cancel_position(self) -> int | None:
        event_id = self.index.cancel_requested_id
        if not event_id or self._cancel_delivered:
            return None
        return self.index.position(event_id)

    @property
    def cancel_requested(self) -> bool:
        event_id = self.index.cancel_requested_id
        position = self.index.position(event_id) if event_id else None
        return position is not None and position <= self.clock

    def now(self) -> datetime:
        """The start time of the decision task at the clock's position."""
        return datetime.fromtimestamp(self.index.time_of(self.clock), UTC)

    # --- checking a call against the history ---------------------------------------------

    def _fail(
        self, message: str, *, event: Event | None = None, at_call: bool = True
    ) -> NondeterminismError:
        where = call_site() if at_call else None
        text = f"{message} (call at {where})" if where else message
        error = NondeterminismError(text, event=event, call=where)
        if self.fatal is None:
            self.fatal = error
        return error

    def _where(self) -> str:
        return f"decision task {self.clock + 1} (started at event {self.index.starts[self.clock]})"

    def _expect(
        self,
        kind: str,
        seq: int,
        attempt: int,
        what: str,
        check: Callable[[Mapping[str, Any]], str | None],
    ) -> Step | None:
        """The recorded step of this call, checked, at a past position; None when live."""
        step = self.index.steps.get((kind, seq, attempt))
        if not self.past:
            if step is not None:
                raise self._fail(
                    f"{describe_event(step.event)} recorded {what} (call #{seq}) in an earlier "
                    f"decision task, but the code asks for it only now, in {self._where()}",
                    event=step.event,
                )
            return None
        if step is None:
            other = self.index.by_seq.get(seq) if attempt == 1 else None
            if other is not None:
                raise self._fail(
                    f"{describe_event(other.event)} ({_summary(other)}) is call #{seq} in the "
                    f"history, but the code now asks for {what}",
                    event=other.event,
                )
            raise self._fail(
                f"the code asks for {what} (call #{seq}) in {self._where()}, but the history "
                "has no such event: the recorded run did not make this call"
            )
        problem = check(step.attrs)
        if problem is not None:
            raise self._fail(
                f"{describe_event(step.event)} ({_summary(step)}) is call #{seq} in the "
                f"history, but the code now asks for {what}" + (f": {problem}" if problem else ""),
                event=step.event,
            )
        if step.decision and step.decision != self.index.completed[self.clock]:
            raise self._fail(
                f"{describe_event(step.event)} ({_summary(step)}) was decided by the decision "
                f"task completed at event {step.decision}, but the code asks for it in "
                f"{self._where()}",
                event=step.event,
            )
        step.matched = True
        return step

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    # --- activities ----------------------------------------------------------------------

    def activity(
        self, ref: ActivityRef, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, ref.what, seq)
        self._attempt(future, ref, args, kwargs, 1)
        return future

    def _attempt(
        self,
        future: Future[Any],
        ref: ActivityRef,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        attempt: int,
    ) -> None:
        seq = future.seq
        activity_id = str(seq) if attempt == 1 else f"{seq}#{attempt}"
        future.state = ("activity", activity_id)
        step = self.index.steps.get(("activity", seq, attempt))
        recorded = step.attrs.get("activityType") if step is not None else None
        if (
            step is not None
            and recorded is not None
            and self.clock < self.n_completed
            and recorded.get("name") == ref.name
            and recorded.get("version") == ref.version
            and step.decision == self.index.completed[self.clock]
        ):
            step.matched = True  # the common case, checked without building messages
        else:
            what = f"activity {ref.name}/{ref.version}" + (
                f" (attempt {attempt})" if attempt > 1 else ""
            )
            wanted = {"name": ref.name, "version": ref.version}
            step = self._expect(
                "activity",
                seq,
                attempt,
                what,
                lambda a: None if a.get("activityType") == wanted else "",
            )
        if step is None:
            self.decisions.append(self._schedule(ref, activity_id, args, kwargs, attempt))
            return
        if step.outcome is not None:
            self._at(
                step.outcome_id, self._activity_outcome, future, ref, args, kwargs, attempt, step
            )

    def _schedule(
        self,
        ref: ActivityRef,
        activity_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        attempt: int,
    ) -> dict[str, Any]:
        task_list = ref.task_list or self.default_activity_task_list
        timeouts = ref.timeouts
        return decision(
            "ScheduleActivityTask",
            activityType={"name": ref.name, "version": ref.version},
            activityId=activity_id,
            input=dumps(encode_call(args, kwargs, ref.arity, attempt)),
            taskList={"name": task_list} if task_list else None,
            taskPriority=str(ref.priority) if ref.priority is not None else None,
            startToCloseTimeout=_seconds(timeouts.start_to_close) if timeouts else None,
            scheduleToStartTimeout=_seconds(timeouts.schedule_to_start) if timeouts else None,
            scheduleToCloseTimeout=_seconds(timeouts.schedule_to_close) if timeouts else None,
            heartbeatTimeout=_seconds(timeouts.heartbeat) if timeouts else None,
        )

    def _activity_outcome(
        self,
        future: Future[Any],
        ref: ActivityRef,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        attempt: int,
        step: Step,
    ) -> None:
        kind, attrs = step.outcome, step.outcome_attrs
        if kind == "ActivityTaskCompleted":
            future.set_result(loads(attrs.get("result")))
            return
        if kind == "ActivityTaskCanceled":
            future.set_exception(ActivityCancelled(loads(attrs.get("details"))))
            return
        if kind == "ScheduleActivityTaskFailed":
            cause = str(attrs.get("cause", ""))
            if cause in TRANSIENT_CAUSES:
                self._attempt(future, ref, args, kwargs, attempt + 1)
            else:
                future.set_exception(ActivityFailed(cause, None))
            return
        outcome = "timed_out" if kind == "ActivityTaskTimedOut" else "failed"
        reason = attrs.get("timeoutType") if outcome == "timed_out" else attrs.get("reason")
        details = loads(attrs.get("details"))
        retry = ref.retry
        if retry is not None and retry.should_retry(attempt, outcome, reason):
            delay = retry.delay_before(attempt + 1, f"{self.run_id}/{future.seq}")

            def again() -> None:
                self._attempt(future, ref, args, kwargs, attempt + 1)

            if delay > 0:
                self._retry_timer(future.seq, attempt + 1, delay, again)
            else:
                again()
            return
        error_type = ActivityTimedOut if outcome == "timed_out" else ActivityFailed
        future.set_exception(error_type(str(reason or outcome), details))

    def _retry_timer(self, seq: int, attempt: int, delay: int, then: Callable[[], None]) -> None:
        step = self.index.retry_timers.get((seq, attempt))
        if not self.past:
            if step is None:
                self.decisions.append(
                    decision(
                        "StartTimer", timerId=f"{seq}#{attempt}", startToFireTimeout=str(delay)
                    )
                )
            return
        if step is None:
            raise self._fail(
                f"the retry policy of call #{seq} waits {delay} s before attempt {attempt} in "
                f"{self._where()}, but the history has no timer {seq}#{attempt}"
            )
        step.matched = True
        if step.outcome is not None:
            self._at(step.outcome_id, then)

    # --- timers --------------------------------------------------------------------------

    def timer(self, seconds: float) -> Future[None]:
        seq = self._next()
        delay = str(max(0, int(seconds)))
        future: Future[None] = Future(self, f"timer of {delay} s", seq)
        future.state = ("timer", str(seq))

        def check(attrs: Mapping[str, Any]) -> str | None:
            got = attrs.get("startToFireTimeout")
            return None if got == delay else f"the history's timer waits {got} s"

        step = self._expect("timer", seq, 1, future.what, check)
        if step is None:
            self.decisions.append(
                decision("StartTimer", timerId=str(seq), startToFireTimeout=delay)
            )
        elif step.outcome == "TimerFired":
            self._at(step.outcome_id, lambda: future.set_result(None))
        elif step.outcome == "StartTimerFailed":
            cause = str(step.outcome_attrs.get("cause"))
            self._at(step.outcome_id, lambda: future.set_exception(TimerCancelled(cause)))
        return future

    def cancel(self, future: Future[Any]) -> bool:
        if not isinstance(future.state, tuple):
            return False
        kind, ident = future.state
        if self.past:
            step = self.index.cancels.get((kind, ident))
            if step is None or step.decision != self.index.completed[self.clock]:
                raise self._fail(
                    f"the code cancels {future.what} (call #{future.seq}) in {self._where()}, "
                    "but the history has no such cancellation there",
                    event=step.event if step is not None else None,
                )
            step.matched = True
        elif kind == "activity":
            self.decisions.append(decision("RequestCancelActivityTask", activityId=ident))
        else:
            self.decisions.append(decision("CancelTimer", timerId=ident))
        if kind == "timer":
            future.set_exception(TimerCancelled("cancelled by the workflow"))
        return True

    # --- children, Lambda, signals -------------------------------------------------------

    def child(
        self, name: str, version: str, payload: Any, options: Mapping[str, Any]
    ) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, f"child workflow {name}/{version}", seq)
        wanted = {"name": name, "version": version}

        def check(attrs: Mapping[str, Any]) -> str | None:
            got = attrs.get("workflowType")
            return None if got == wanted else ""

        step = self._expect("child", seq, 1, future.what, check)
        if step is None:
            workflow_id = options.get("workflow_id") or _child_id(self.workflow_id, seq)
            task_list = options.get("task_list")
            self.decisions.append(
                decision(
                    "StartChildWorkflowExecution",
                    workflowType=wanted,
                    workflowId=workflow_id,
                    control=dumps({"call": seq}),
                    input=dumps(payload),
                    taskList={"name": task_list} if task_list else None,
                    executionStartToCloseTimeout=_opt(options.get("execution_timeout")),
                    taskStartToCloseTimeout=_opt(options.get("task_timeout")),
                    childPolicy=options.get("child_policy"),
                    tagList=list(options["tags"]) if options.get("tags") else None,
                    taskPriority=_opt(options.get("priority")),
                    lambdaRole=options.get("lambda_role"),
                )
            )
        elif step.outcome is not None:
            self._at(step.outcome_id, lambda: _child_outcome(future, step))
        return future

    def lambda_(self, name: str, payload: Any, timeout: int | None) -> Future[Any]:
        seq = self._next()
        future: Future[Any] = Future(self, f"Lambda function {name}", seq)

        def check(attrs: Mapping[str, Any]) -> str | None:
            got = attrs.get("name")
            return None if got == name else ""

        step = self._expect("lambda", seq, 1, future.what, check)
        if step is None:
            self.decisions.append(
                decision(
                    "ScheduleLambdaFunction",
                    id=str(seq),
                    name=name,
                    input=dumps(payload),
                    startToCloseTimeout=_opt(timeout),
                )
            )
        elif step.outcome is not None:
            self._at(step.outcome_id, lambda: _lambda_outcome(future, step))
        return future

    def signal(self, workflow_id: str, name: str, payload: Any, run_id: str | None) -> Future[None]:
        seq = self._next()
        future: Future[None] = Future(self, f"signal {name!r} to {workflow_id}", seq)

        def check(attrs: Mapping[str, Any]) -> str | None:
            got = (attrs.get("signalName"), attrs.get("workflowId"))
            if got != (name, workflow_id):
                return ""
            return None

        step = self._expect("signal", seq, 1, future.what, check)
        if step is None:
            self.decisions.append(
                decision(
                    "SignalExternalWorkflowExecution",
                    workflowId=workflow_id,
                    runId=run_id,
                    signalName=name,
                    input=dumps(payload),
                    control=dumps({"call": seq}),
                )
            )
        elif step.outcome == "ExternalWorkflowExecutionSignaled":
            self._at(step.outcome_id, lambda: future.set_result(None))
        elif step.outcome is not None:
            cause = str(step.outcome_attrs.get("cause"))
            self._at(step.outcome_id, lambda: future.set_exception(SignalFailed(cause)))
        return future

    def signal_future(self, name: str) -> Future[Any]:
        """The n-th call for ``name`` gets the n-th signal of that name."""
        n = self._signals.get(name, 0)
        self._signals[name] = n + 1
        future: Future[Any] = Future(self, f"signal {name!r}")
        received = self.index.signals.get(name, ())
        if n < len(received):
            event_id, raw = received[n]
            self._at(event_id, lambda: future.set_result(loads(raw)))
        return future

    # --- markers, side effects, versions -------------------------------------------------

    def _marker(self, name: str, details: str | None) -> Step | None:
        self._next()
        n = self._markers
        self._markers += 1
        if not self.past:
            self.decisions.append(decision("RecordMarker", markerName=name, details=details))
            return None
        step = self.index.markers[n] if n < len(self.index.markers) else None
        if step is None or step.attrs.get("markerName") != name:
            recorded = f"marker {step.attrs.get('markerName')!r}" if step else "no marker"
            raise self._fail(
                f"the code records marker {name!r} in {self._where()}, but the history has "
                f"{recorded} there",
                event=step.event if step else None,
            )
        if step.decision != self.index.completed[self.clock]:
            raise self._fail(
                f"{describe_event(step.event)} (marker {name!r}) was recorded by another "
                f"decision task than {self._where()}",
                event=step.event,
            )
        step.matched = True
        return step

    def record_marker(self, name: str, details: Any) -> None:
        self._marker(name, dumps(details))

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        if self.past:
            step = self._marker(SIDE_EFFECT_MARKER, None)
            assert step is not None
            return loads(step.attrs.get("details"))
        text = dumps(fn())
        self._marker(SIDE_EFFECT_MARKER, text)
        return loads(text)

    def patched(self, change_id: str) -> bool:
        known = self._patches.get(change_id)
        if known is not None:
            return known
        step = self.index.patches.get(change_id)
        if step is not None:
            step.matched = True
            self.seq += 1
            result = True
        elif self.past:
            result = False  # the recorded run took the code path from before the change
        else:
            self.seq += 1
            self.decisions.append(
                decision("RecordMarker", markerName=PATCH_MARKER, details=dumps(change_id))
            )
            result = True
        self._patches[change_id] = result
        return result

    # --- the end -------------------------------------------------------------------------

    def close(self, close: dict[str, Any]) -> None:
        """The code closes the workflow (completes, fails, continues, cancels) now."""
        if self.past:
            recorded = self.index.closes.get(self.index.completed[self.clock])
            wanted = _CLOSE_EVENTS[close["decisionType"]]
            if recorded is None:
                raise self._fail(
                    f"the code closes the workflow ({close['decisionType']}) in "
                    f"{self._where()}, but the recorded run went on"
                )
            if not self.index.live and recorded != wanted and not recorded.endswith("Failed"):
                raise self._fail(
                    f"the code closes the workflow with {close['decisionType']} in "
                    f"{self._where()}, but the history recorded {recorded}"
                )
            if not self.index.live:
                return
        self.decisions.append(close)

    def check_complete(self, *, closed: bool) -> None:
        """Everything the history recorded must have been asked for by the code."""
        if self.fatal is not None:
            raise self.fatal
        for step in self.index.steps.values():
            if not step.matched:
                raise self._unasked(step)
        for step in self.index.retry_timers.values():
            if not step.matched:
                raise self._unasked(step)
        for step in self.index.markers[self._markers :]:
            raise self._unasked(step)
        for step in self.index.cancels.values():
            if not step.matched and step.decision:
                raise self._unasked(step)
        for event in self.index.foreign:
            raise self._fail(
                f"{describe_event(event)} names a call this workflow code does not make "
                "(its id was not made by openswf's code workflows)",
                event=event,
            )
        if not closed and not self.index.live and self.index.close_event is not None:
            kind = self.index.close_event["eventType"]
            if kind not in ("WorkflowExecutionTerminated", "WorkflowExecutionTimedOut"):
                raise self._fail(
                    f"the history closes the workflow ({kind}), but the code still waits"
                )

    def _unasked(self, step: Step) -> NondeterminismError:
        return self._fail(
            f"{describe_event(step.event)} ({_summary(step)}) is in the history, but the code "
            "no longer asks for it",
            event=step.event,
            at_call=False,
        )


_CLOSE_EVENTS = {
    "CompleteWorkflowExecution": "WorkflowExecutionCompleted",
    "FailWorkflowExecution": "WorkflowExecutionFailed",
    "CancelWorkflowExecution": "WorkflowExecutionCanceled",
    "ContinueAsNewWorkflowExecution": "WorkflowExecutionContinuedAsNew",
}


def _summary(step: Step) -> str:
    attrs = step.attrs
    if step.kind == "activity":
        return f"activity {_type(attrs.get('activityType'))}, id {attrs.get('activityId')}"
    if step.kind in ("timer", "retry_timer"):
        return f"timer {attrs.get('timerId')} of {attrs.get('startToFireTimeout')} s"
    if step.kind == "child":
        return f"child workflow {_type(attrs.get('workflowType'))}"
    if step.kind == "lambda":
        return f"Lambda function {attrs.get('name')!r}"
    if step.kind == "signal":
        return f"signal {attrs.get('signalName')!r} to {attrs.get('workflowId')}"
    if step.kind == "marker":
        return f"marker {attrs.get('markerName')!r}"
    return step.kind


def _type(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value.get('name')}/{value.get('version')}"
    return repr(value)


def _seconds(value: int | None) -> str:
    return "NONE" if value is None else str(int(value))


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _child_id(workflow_id: str, seq: int) -> str:
    suffix = f"-{seq}"
    return workflow_id[: MAX_ID - len(suffix)] + suffix


def _child_outcome(future: Future[Any], step: Step) -> None:
    kind, attrs = step.outcome, step.outcome_attrs
    if kind == "ChildWorkflowExecutionCompleted":
        future.set_result(loads(attrs.get("result")))
    elif kind == "ChildWorkflowExecutionFailed":
        reason = str(attrs.get("reason") or "failed")
        future.set_exception(ChildWorkflowFailed(reason, loads(attrs.get("details"))))
    elif kind == "StartChildWorkflowExecutionFailed":
        cause = str(attrs.get("cause"))
        future.set_exception(ChildWorkflowFailed(cause, None, outcome="start_failed"))
    else:
        outcome = {
            "ChildWorkflowExecutionTimedOut": "timed_out",
            "ChildWorkflowExecutionCanceled": "canceled",
            "ChildWorkflowExecutionTerminated": "terminated",
        }.get(str(kind), "failed")
        details = loads(attrs.get("details"))
        future.set_exception(ChildWorkflowFailed(f"child {outcome}", details, outcome=outcome))


def _lambda_outcome(future: Future[Any], step: Step) -> None:
    kind, attrs = step.outcome, step.outcome_attrs
    if kind == "LambdaFunctionCompleted":
        future.set_result(loads(attrs.get("result")))
    elif kind == "LambdaFunctionFailed":
        reason = str(attrs.get("reason") or "failed")
        future.set_exception(LambdaFailed(reason, loads(attrs.get("details"))))
    elif kind == "LambdaFunctionTimedOut":
        future.set_exception(LambdaFailed(str(attrs.get("timeoutType")), None))
    else:
        future.set_exception(LambdaFailed(str(attrs.get("cause")), attrs.get("message")))
