"""Activities: plain functions, sync or async, declared with ``@activity``.

    @activity(name="greet", version="1", task_list="hello",
              timeouts=Timeouts(start_to_close=60))
    def greet(name: str) -> str:
        return f"Hello, {name}!"

The function gets the task's input as its argument (a dict input is spread as keyword
arguments when the function takes several parameters). A parameter named ``context`` or
``ctx``, or annotated ``ActivityContext``, receives the context: the workflow input, the
task's own input, the results of the tasks it requires, its task token, ``heartbeat()``
and the cancellation flag. Calling the decorated object calls the plain function.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")

# The key that marks an activity input written by the graph decider (see ``TaskInput``).
ENVELOPE_KEY = "__openswf__"


def duration(seconds: int | float | None) -> str:
    """An SWF duration string: whole seconds, or ``NONE`` for no limit."""
    return "NONE" if seconds is None else str(int(seconds))


@dataclass(frozen=True, kw_only=True, slots=True)
class Timeouts:
    """Activity timeouts in seconds; ``None`` means no limit (SWF's ``NONE``)."""

    start_to_close: int | None = 300
    schedule_to_start: int | None = None
    schedule_to_close: int | None = None
    heartbeat: int | None = None

    def registration(self) -> dict[str, str]:
        return {
            "defaultTaskStartToCloseTimeout": duration(self.start_to_close),
            "defaultTaskScheduleToStartTimeout": duration(self.schedule_to_start),
            "defaultTaskScheduleToCloseTimeout": duration(self.schedule_to_close),
            "defaultTaskHeartbeatTimeout": duration(self.heartbeat),
        }


class ActivityCancelled(Exception):
    """Raise it (or let ``context.raise_if_cancelled()`` raise it) to answer a cancel
    request: the worker reports the task canceled, with ``details``."""

    def __init__(self, details: Any = None) -> None:
        super().__init__("activity cancelled")
        self.details = details


class ActivityFailed(Exception):
    """Raise it to fail the task with your own ``reason`` and ``details``."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True, slots=True)
class TaskInput:
    """The decoded input of one activity task."""

    input: Any = None
    workflow_input: Any = None
    requires: Mapping[str, Any] = field(default_factory=dict)
    attempt: int = 1
    # Set when a code workflow called the activity with several arguments (see sdk/code).
    args: tuple[Any, ...] | None = None
    kwargs: Mapping[str, Any] | None = None

    @classmethod
    def decode(cls, value: Any) -> TaskInput:
        """Unwrap the framework's envelope; any other value is the task's own input."""
        if isinstance(value, dict) and value.get(ENVELOPE_KEY) == 1:
            call = "args" in value or "kwargs" in value
            return cls(
                value.get("args") if call else value.get("input"),
                value.get("workflow_input"),
                value.get("requires") or {},
                int(value.get("attempt", 1)),
                tuple(value.get("args") or ()) if call else None,
                dict(value.get("kwargs") or {}) if call else None,
            )
        return cls(value)


class ActivityContext:
    """What a running activity may ask for. Thread-safe; heartbeats go through the worker."""

    def __init__(
        self,
        *,
        task: Mapping[str, Any],
        task_input: TaskInput,
        heartbeat: Callable[[str | None], bool],
        aheartbeat: Callable[[str | None], Awaitable[bool]],
    ) -> None:
        self.task_token: str = task["taskToken"]
        self.activity_id: str = task.get("activityId", "")
        self.activity_type: Mapping[str, str] = task.get("activityType", {})
        self.workflow_execution: Mapping[str, str] = task.get("workflowExecution", {})
        self.input = task_input.input
        self.workflow_input = task_input.workflow_input
        self.requires: Mapping[str, Any] = task_input.requires
        self.attempt = task_input.attempt  # 1, then 2... when the task has a retry strategy
        self.call_args = task_input.args
        self.call_kwargs = task_input.kwargs
        self._heartbeat = heartbeat
        self._aheartbeat = aheartbeat
        self._cancelled = threading.Event()

    @property
    def cancel_requested(self) -> bool:
        """True once a heartbeat answered that the workflow asked to cancel this task."""
        return self._cancelled.is_set()

    def _note(self, cancel_requested: bool) -> bool:
        if cancel_requested:
            self._cancelled.set()
        return self.cancel_requested

    def heartbeat(self, details: str | None = None) -> bool:
        """Record a heartbeat now (from sync code); returns whether cancellation was asked."""
        return self._note(self._heartbeat(details))

    async def aheartbeat(self, details: str | None = None) -> bool:
        """Record a heartbeat now (from async code)."""
        return self._note(await self._aheartbeat(details))

    def raise_if_cancelled(self) -> None:
        if self.cancel_requested:
            raise ActivityCancelled()


def _context_parameter(fn: Callable[..., Any]) -> str | None:
    for param in inspect.signature(fn).parameters.values():
        annotation = param.annotation
        named = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if param.name in ("context", "ctx") or str(named).endswith("ActivityContext"):
            return param.name
    return None


class Activity(Generic[P, R]):
    """A registered activity type and the function that runs it."""

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str,
        version: str,
        task_list: str | None,
        timeouts: Timeouts,
        description: str | None,
        priority: int | None,
    ) -> None:
        self.fn = fn
        self.name = name
        self.version = version
        self.task_list = task_list
        self.timeouts = timeouts
        self.description = description
        self.priority = priority
        self.is_async = inspect.iscoroutinefunction(fn)
        self.context_parameter = _context_parameter(fn)
        self._arity = sum(
            1
            for p in inspect.signature(fn).parameters.values()
            if p.name != self.context_parameter
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
        self.__name__ = getattr(fn, "__name__", name)
        self.__doc__ = fn.__doc__

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<activity {self.name}/{self.version}>"

    def registration(self, domain: str) -> dict[str, Any]:
        """The RegisterActivityType request for this activity, with all its defaults."""
        params: dict[str, Any] = {"domain": domain, "name": self.name, "version": self.version}
        params.update(self.timeouts.registration())
        if self.task_list:
            params["defaultTaskList"] = {"name": self.task_list}
        if self.description:
            params["description"] = self.description[:1024]
        if self.priority is not None:
            params["defaultTaskPriority"] = str(self.priority)
        return params

    def invoke(self, context: ActivityContext) -> Any:
        """Call the function for one task (returns a coroutine for async functions)."""
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        value = context.input
        if context.call_args is not None:
            args, kwargs = context.call_args, dict(context.call_kwargs or {})
        elif self._arity == 1:
            args = (value,)
        elif self._arity > 1:
            if isinstance(value, Mapping):
                kwargs = dict(value)
            elif isinstance(value, (list, tuple)):
                args = tuple(value)
            else:
                args = (value,)
        if self.context_parameter:
            kwargs[self.context_parameter] = context
        return self.fn(*args, **kwargs)


class Registry:
    """Activities by (name, version); ``@activity`` adds to ``default_registry``."""

    def __init__(self, activities: Iterable[Activity[Any, Any]] = ()) -> None:
        self._by_key: dict[tuple[str, str], Activity[Any, Any]] = {}
        for item in activities:
            self.add(item)

    def add(self, item: Activity[Any, Any]) -> None:
        existing = self._by_key.get(item.key)
        if existing is not None and existing.fn is not item.fn:
            raise ValueError(f"activity {item.name}/{item.version} is registered twice")
        self._by_key[item.key] = item

    def get(self, name: str, version: str) -> Activity[Any, Any] | None:
        return self._by_key.get((name, version))

    def task_lists(self) -> set[str | None]:
        return {a.task_list for a in self._by_key.values()}

    def __iter__(self) -> Iterator[Activity[Any, Any]]:
        return iter(list(self._by_key.values()))

    def __len__(self) -> int:
        return len(self._by_key)


default_registry = Registry()


@overload
def activity(fn: Callable[P, R], /) -> Activity[P, R]: ...


@overload
def activity(
    *,
    name: str | None = None,
    version: str = "1",
    task_list: str | None = None,
    timeouts: Timeouts | None = None,
    description: str | None = None,
    priority: int | None = None,
    registry: Registry | None = None,
) -> Callable[[Callable[P, R]], Activity[P, R]]: ...


def activity(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    version: str = "1",
    task_list: str | None = None,
    timeouts: Timeouts | None = None,
    description: str | None = None,
    priority: int | None = None,
    registry: Registry | None = None,
) -> Activity[P, R] | Callable[[Callable[P, R]], Activity[P, R]]:
    """Declare an activity type. Its defaults are registered when a worker starts."""

    def wrap(func: Callable[P, R]) -> Activity[P, R]:
        made = Activity(
            func,
            name=name or str(getattr(func, "__name__", "activity")),
            version=version,
            task_list=task_list,
            timeouts=timeouts or Timeouts(),
            description=description if description is not None else inspect.getdoc(func),
            priority=priority,
        )
        (registry if registry is not None else default_registry).add(made)
        return made

    return wrap(fn) if fn is not None else wrap


def run_sync_or_async(result: Any) -> Any:
    """Finish an activity's return value in a worker thread (async functions get a loop)."""
    if inspect.iscoroutine(result):
        return asyncio.run(result)
    return result
