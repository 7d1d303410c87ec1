"""``Workflow``: a workflow written as plain code, replayed from its history.

    class Order(Workflow):
        name, version, task_list = "order", "1", "orders"

        def run(self, order):
            charged = self.submit(charge, order)          # a future (futures style)
            try:
                receipt = self.ship(order).result()       # a proxy call (procedural style)
            except ActivityFailed:
                self.submit(refund, charged).result()
                raise
            return {"charged": charged.result(), "receipt": receipt}

``run`` runs again from the start on every decision task; calls whose outcome the history
holds return it at once, and the first wait for an outcome it does not hold ends the
decision. So ``run`` must be deterministic: the same calls in the same order for the same
history. Take time from ``self.now()``, randomness from ``self.random()`` /
``self.uuid4()`` / ``self.side_effect(fn)``, and change code under running executions with
``self.patched(change_id)``. Its return value is the workflow's result.
"""

from __future__ import annotations

import inspect
import random as _random
import uuid as _uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar, NoReturn, Protocol

from openswf.sdk.activities import Activity, Timeouts
from openswf.sdk.code.calls import ActivityRef, activity_ref, arity, encode_call, options
from openswf.sdk.code.errors import ContinueAsNew, WorkflowFailed
from openswf.sdk.code.futures import Future, gather
from openswf.sdk.retry import Retry
from openswf.sdk.workflows import WorkflowType


class WorkflowRuntime(Protocol):
    """What a runtime (replay, local) gives workflow code."""

    workflow_id: str
    run_id: str

    def wait(self, futures: Any, *, first: bool) -> None: ...
    def cancel(self, future: Future[Any]) -> bool: ...
    def activity(
        self, ref: ActivityRef, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]: ...
    def timer(self, seconds: float) -> Future[None]: ...
    def child(
        self, name: str, version: str, payload: Any, options: dict[str, Any]
    ) -> Future[Any]: ...
    def lambda_(self, name: str, payload: Any, timeout: int | None) -> Future[Any]: ...
    def signal(
        self, workflow_id: str, name: str, payload: Any, run_id: str | None
    ) -> Future[None]: ...
    def signal_future(self, name: str) -> Future[Any]: ...
    def record_marker(self, name: str, details: Any) -> None: ...
    def side_effect(self, fn: Callable[[], Any]) -> Any: ...
    def patched(self, change_id: str) -> bool: ...
    def now(self) -> datetime: ...
    @property
    def cancel_requested(self) -> bool: ...
    @property
    def parent_workflow_id(self) -> str | None: ...


# Every Workflow subclass by (name, version): children started by name, local runs.
WORKFLOWS: dict[tuple[str, str], type[Workflow]] = {}


class Call:
    """A call to make later, in a ``Group`` or a ``Chain``: ``Call(activity, *args, **kw)``."""

    def __init__(self, target: Any, *args: Any, **kwargs: Any) -> None:
        self.target, self.args, self.kwargs = target, args, kwargs

    def with_argument(self, value: Any) -> Call:
        return Call(self.target, *self.args, value, **self.kwargs)


class Group:
    """Calls run side by side; its future's result is the list of their results."""

    def __init__(self, *items: Call | Group | Chain) -> None:
        self.items = items


class Chain:
    """Calls run one after the other; with ``send_result=True`` each gets the previous
    one's result as its last positional argument. Its future's result is the list of
    results."""

    def __init__(self, *items: Call | Group | Chain, send_result: bool = False) -> None:
        self.items = items
        self.send_result = send_result


class Workflow:
    """Subclass it and write ``run``; class attributes name the workflow type."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    task_list: ClassVar[str | None] = None  # decision task list (default: the name)
    activity_task_list: ClassVar[str | None] = None  # for activities that name none
    execution_timeout: ClassVar[int] = 3600
    task_timeout: ClassVar[int] = 60
    child_policy: ClassVar[str] = "TERMINATE"
    lambda_role: ClassVar[str | None] = None
    domain: ClassVar[str | None] = None  # for `openswf run`

    _runtime: WorkflowRuntime
    _task_list_given: ClassVar[bool] = False
    _name_given: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if inspect.iscoroutinefunction(cls.__dict__.get("run")):
            raise TypeError(
                f"{cls.__name__}.run is async: write a plain def run; futures suspend it "
                "(docs/framework.md, 'One form')"
            )
        # The type's name: given in the class or a base class, else the class's name.
        if cls.__dict__.get("name"):
            cls._name_given = True
        elif not cls._name_given:
            cls.name = cls.__name__
        # The decision task list: given in the class or a base class, else the name.
        if cls.__dict__.get("task_list"):
            cls._task_list_given = True
        elif not cls._task_list_given:
            cls.task_list = cls.name
        WORKFLOWS.setdefault((cls.name, cls.version), cls)

    @classmethod
    def workflow_type(cls) -> WorkflowType:
        return WorkflowType(
            cls.name,
            cls.version,
            task_list=cls.task_list,
            execution_timeout=cls.execution_timeout,
            task_timeout=cls.task_timeout,
            child_policy=cls.child_policy,
            description=(cls.__doc__ or "").strip() or None,
        )

    @classmethod
    def key(cls) -> tuple[str, str]:
        return (cls.name, cls.version)

    @classmethod
    def input_of(cls, *args: Any, **kwargs: Any) -> Any:
        """The workflow input that makes ``run(*args, **kwargs)``."""
        return encode_call(args, kwargs, arity(cls.run, ("self",)))

    def run(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.run")

    # --- where we are --------------------------------------------------------------------

    @property
    def workflow_id(self) -> str:
        return self._runtime.workflow_id

    @property
    def run_id(self) -> str:
        return self._runtime.run_id

    @property
    def parent_workflow_id(self) -> str | None:
        """The workflow id of the parent, for a child workflow."""
        return self._runtime.parent_workflow_id

    @property
    def cancel_requested(self) -> bool:
        return self._runtime.cancel_requested

    # --- futures style -------------------------------------------------------------------

    def submit(self, target: Any, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start ``target``: an ``@activity`` (or ``options(...)``, or a type name), a
        ``Workflow`` subclass (a child), a ``Call``, ``Group`` or ``Chain``. Futures among
        the arguments are waited for and replaced by their results."""
        if isinstance(target, Activity):
            # The ActivityRef of an activity submitted without options, made once.
            ref = target.__dict__.get("_openswf_ref")
            if ref is None:
                ref = target.__dict__["_openswf_ref"] = activity_ref(target)
        elif isinstance(target, (Call, Group, Chain)):
            return self._submit_item(target)
        elif isinstance(target, type) and issubclass(target, Workflow):
            return self.child(target, *args, **kwargs)
        else:
            ref = activity_ref(target)
        args, kwargs = _resolved(args, kwargs)
        return self._runtime.activity(ref, args, kwargs)

    def map(self, target: Any, iterable: Iterable[Any]) -> list[Future[Any]]:
        """``submit(target, item)`` for every item: they all run side by side."""
        return [self.submit(target, item) for item in iterable]

    def starmap(self, target: Any, iterable: Iterable[Iterable[Any]]) -> list[Future[Any]]:
        return [self.submit(target, *items) for items in iterable]

    def _submit_item(self, item: Call | Group | Chain) -> Future[Any]:
        if isinstance(item, Call):
            return self.submit(item.target, *item.args, **item.kwargs)
        if isinstance(item, Group):
            return gather(self._runtime, [self._submit_item(i) for i in item.items])
        return self._chain(item)

    def _chain(self, chain: Chain) -> Future[Any]:
        out: Future[Any] = Future(self._runtime, "chain")
        results: list[Any] = []
        items = list(chain.items)

        def start(i: int, previous: Any) -> None:
            item = items[i]
            if chain.send_result and i > 0 and isinstance(item, Call):
                item = item.with_argument(previous)
            future = self._submit_item(item)

            def done(f: Future[Any]) -> None:
                error = f.exception()
                if error is not None:
                    out.set_exception(error)
                    return
                value = f.result()
                results.append(value)
                if i + 1 < len(items):
                    start(i + 1, value)
                else:
                    out.set_result(results)

            future.add_done_callback(done)

        if items:
            start(0, None)
        else:
            out.set_result([])
        return out

    # --- everything else SWF offers ------------------------------------------------------

    def child(
        self,
        workflow: type[Workflow] | str,
        *args: Any,
        version: str | None = None,
        workflow_id: str | None = None,
        task_list: str | None = None,
        execution_timeout: int | None = None,
        task_timeout: int | None = None,
        child_policy: str | None = None,
        tags: Iterable[str] = (),
        priority: int | None = None,
        lambda_role: str | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        """Start a child workflow; ``.result()`` is its result, or raises
        ``ChildWorkflowFailed``."""
        args, kwargs = _resolved(args, kwargs)
        if isinstance(workflow, str):
            name, version = workflow, version or "1"
            cls = WORKFLOWS.get((name, version))
            payload = encode_call(args, kwargs, arity(cls.run, ("self",)) if cls else 1)
        else:
            name, version = workflow.name, version or workflow.version
            task_list = task_list or workflow.task_list
            lambda_role = lambda_role or workflow.lambda_role
            payload = workflow.input_of(*args, **kwargs)
        opts = {
            "workflow_id": workflow_id,
            "task_list": task_list,
            "execution_timeout": execution_timeout,
            "task_timeout": task_timeout,
            "child_policy": child_policy,
            "tags": tuple(tags),
            "priority": priority,
            "lambda_role": lambda_role,
            "class": workflow if isinstance(workflow, type) else None,
        }
        return self._runtime.child(name, version, payload, opts)

    def timer(self, seconds: float) -> Future[None]:
        """A durable timer; cancel it with ``future.cancel()``."""
        return self._runtime.timer(seconds)

    def sleep(self, seconds: float) -> None:
        self._runtime.timer(seconds).result()

    def wait_signal(self, name: str) -> Any:
        """Wait for the next signal called ``name``; returns its input."""
        return self._runtime.signal_future(name).result()

    def signal_future(self, name: str) -> Future[Any]:
        """The next signal called ``name``, as a future (to race it against a timer)."""
        return self._runtime.signal_future(name)

    def signal(
        self, workflow_id: str, name: str, input: Any = None, *, run_id: str | None = None
    ) -> Future[None]:
        """Signal another execution; ``.result()`` raises ``SignalFailed`` if it was not
        delivered."""
        return self._runtime.signal(workflow_id, name, input, run_id)

    def lambda_(self, name: str, input: Any = None, *, timeout: int | None = None) -> Future[Any]:
        """Run a Lambda task (the execution needs a lambdaRole: ``lambda_role = ...``)."""
        return self._runtime.lambda_(name, input, timeout)

    def record_marker(self, name: str, details: Any = None) -> None:
        self._runtime.record_marker(name, details)

    def side_effect(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` once: its value is recorded in a marker, and replays return it."""
        return self._runtime.side_effect(fn)

    def random(self) -> float:
        return float(self._runtime.side_effect(_random.random))

    def uuid4(self) -> str:
        return str(self._runtime.side_effect(lambda: str(_uuid.uuid4())))

    def now(self) -> datetime:
        """The time of the current decision task (the same on every replay)."""
        return self._runtime.now()

    def patched(self, change_id: str) -> bool:
        """True on runs that reach this point with the new code, False on runs that passed
        it with the code from before: ``if self.patched("x"): new() else: old()``."""
        return self._runtime.patched(change_id)

    def fail(self, reason: str, details: Any = None) -> NoReturn:
        raise WorkflowFailed(reason, details)

    def continue_as_new(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Close this run and start a new one of the same workflow with these arguments."""
        raise ContinueAsNew(self.input_of(*args, **kwargs))


class ActivityProxy:
    """A class attribute that calls an activity (procedural style):

    class Order(Workflow):
        charge = ActivityProxy(charge, retry=Retry.fixed(5))
        def run(self, order):
            return self.charge(order).result()
    """

    def __init__(
        self,
        target: Activity[Any, Any] | ActivityRef | str,
        *,
        version: str | None = None,
        task_list: str | None = None,
        timeouts: Timeouts | None = None,
        priority: int | None = None,
        retry: Retry | None = None,
    ) -> None:
        self.ref = options(
            target,
            version=version,
            task_list=task_list,
            timeouts=timeouts,
            priority=priority,
            retry=retry,
        )

    def __get__(self, workflow: Workflow | None, owner: type) -> Any:
        if workflow is None:
            return self
        ref = self.ref

        def call(*args: Any, **kwargs: Any) -> Future[Any]:
            return workflow.submit(ref, *args, **kwargs)

        return call


class ChildProxy:
    """A class attribute that starts a child workflow: ``self.ship(order).result()``."""

    def __init__(self, workflow: type[Workflow] | str, **options: Any) -> None:
        self.workflow, self.options = workflow, options

    def __get__(self, workflow: Workflow | None, owner: type) -> Any:
        if workflow is None:
            return self

        def call(*args: Any, **kwargs: Any) -> Future[Any]:
            return workflow.child(self.workflow, *args, **self.options, **kwargs)

        return call


def _resolved(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Futures given as arguments stand for their results (simpleflow's rule)."""
    if not kwargs and len(args) == 1 and not isinstance(args[0], Future):
        return args, kwargs  # the common case, without building generators
    if any(isinstance(a, Future) for a in args):
        args = tuple(a.result() if isinstance(a, Future) else a for a in args)
    if any(isinstance(v, Future) for v in kwargs.values()):
        kwargs = {k: v.result() if isinstance(v, Future) else v for k, v in kwargs.items()}
    return args, kwargs
