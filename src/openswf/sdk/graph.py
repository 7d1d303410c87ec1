"""Task graphs: the tasks of a workflow and what each one requires.

    fetch = ActivityTask(download, input={"url": url})
    wait = Timer(delay=30, requires=[fetch])
    parse = ActivityTask(parse_page, requires=[fetch, wait], retry=Retry.fixed(10))

A task runs once every task it requires is done, and sees their results. Ids are derived
from what the task is (kind, name, version, input, requirements), so the same graph built
twice has the same ids, and a decider restarted mid-workflow recognises every task in the
history; give ``id=`` to choose one. Every task has a JSON form (``to_dict`` /
``task_from_dict``), which is how specs travel in workflow inputs and how generators hand
new tasks to the decider.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from openswf.sdk.activities import Activity, Timeouts, duration
from openswf.sdk.retry import Retry

if TYPE_CHECKING:
    from openswf.sdk.spec import DeciderSpec

MAX_ID = 256
# The workflow type a DynamicDecider serves: children defined by a spec run under it.
DYNAMIC_WORKFLOW_TYPE = ("openswf.dynamic", "1")


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def derive_id(kind: str, name: str, version: str, payload: Any, requires: Sequence[str]) -> str:
    """``name-version-hash``: the same task definition always gets the same id. (SWF ids
    may not contain ``:``, ``/`` or ``|``.)"""
    digest = hashlib.sha1(
        _canonical([kind, name, version, payload, sorted(requires)]), usedforsecurity=False
    ).hexdigest()[:16]
    prefix = f"{name}-{version}" if kind != "timer" else name
    return f"{prefix[: MAX_ID - 18]}-{digest}"


def _check_id(task_id: str) -> str:
    if not 1 <= len(task_id) <= MAX_ID:
        raise ValueError(f"task ids are 1 to {MAX_ID} characters: {task_id!r}")
    if (
        any(ch in ":/|" or ord(ch) < 32 or 127 <= ord(ch) <= 159 for ch in task_id)
        or task_id == "arn"
        or task_id != task_id.strip()
    ):
        raise ValueError(f"task id {task_id!r} has a character SWF refuses")
    return task_id


class Task:
    """A node of the graph. Subclasses: ActivityTask, Generator, Timer, ChildWorkflow."""

    kind: ClassVar[str] = ""
    id: str

    def __init__(
        self,
        *,
        id: str | None,
        requires: Iterable[Task | str],
        retry: Retry | None,
    ) -> None:
        self.required_tasks: list[Task] = [r for r in requires if isinstance(r, Task)]
        self.requires: tuple[str, ...] = tuple(
            r.id if isinstance(r, Task) else str(r) for r in requires
        )
        self.retry = retry
        self.id = _check_id(id if id is not None else self.default_id())

    def default_id(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.kind, "id": self.id}
        if self.requires:
            data["requires"] = list(self.requires)
        if self.retry is not None:
            data["retry"] = self.retry.to_dict()
        return data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"


class ActivityTask(Task):
    """Run an activity. ``activity`` is an ``@activity`` function or a type name."""

    kind = "activity"

    def __init__(
        self,
        activity: Activity[Any, Any] | str,
        input: Any = None,
        *,
        version: str | None = None,
        id: str | None = None,
        requires: Iterable[Task | str] = (),
        retry: Retry | None = None,
        task_list: str | None = None,
        timeouts: Timeouts | None = None,
        priority: int | None = None,
        context: bool = True,
    ) -> None:
        if isinstance(activity, Activity):
            self.name, self.version = activity.name, version or activity.version
            task_list = task_list or activity.task_list
        else:
            self.name, self.version = activity, version or "1"
        self.input = input
        self.task_list = task_list
        self.timeouts = timeouts
        self.priority = priority
        self.context = context
        super().__init__(id=id, requires=requires, retry=retry)

    def default_id(self) -> str:
        return derive_id(self.kind, self.name, self.version, self.input, self.requires)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(name=self.name, version=self.version)
        if self.input is not None:
            data["input"] = self.input
        if self.task_list:
            data["task_list"] = self.task_list
        if self.timeouts is not None:
            data["timeouts"] = {
                "start_to_close": self.timeouts.start_to_close,
                "schedule_to_start": self.timeouts.schedule_to_start,
                "schedule_to_close": self.timeouts.schedule_to_close,
                "heartbeat": self.timeouts.heartbeat,
            }
        if self.priority is not None:
            data["priority"] = self.priority
        if not self.context:
            data["context"] = False
        return data

    def schedule_attributes(self) -> dict[str, Any]:
        """The ScheduleActivityTask attributes this task fixes (input and id aside)."""
        attrs: dict[str, Any] = {"activityType": {"name": self.name, "version": self.version}}
        if self.task_list:
            attrs["taskList"] = {"name": self.task_list}
        if self.timeouts is not None:
            attrs.update(
                startToCloseTimeout=duration(self.timeouts.start_to_close),
                scheduleToStartTimeout=duration(self.timeouts.schedule_to_start),
                scheduleToCloseTimeout=duration(self.timeouts.schedule_to_close),
                heartbeatTimeout=duration(self.timeouts.heartbeat),
            )
        if self.priority is not None:
            attrs["taskPriority"] = str(self.priority)
        return attrs


class Generator(ActivityTask):
    """An activity whose result is a list of new tasks, added to the graph when it completes.

    The new tasks require the generator; a task that requires the generator waits for
    every task it generated, and sees their results."""

    kind = "generator"


class Timer(Task):
    """Wait ``delay`` seconds (after the tasks it requires)."""

    kind = "timer"

    def __init__(
        self,
        delay: int,
        *,
        id: str | None = None,
        requires: Iterable[Task | str] = (),
    ) -> None:
        if delay < 0:
            raise ValueError("a timer's delay is at least 0 seconds")
        self.delay = int(delay)
        super().__init__(id=id, requires=requires, retry=None)

    def default_id(self) -> str:
        return derive_id(self.kind, f"timer-{self.delay}s", "", None, self.requires)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["delay"] = self.delay
        return data


class ChildWorkflow(Task):
    """Start a child workflow execution and wait for it to close.

    Name the workflow type (``workflow_type``, ``version``), or give ``spec=`` a
    ``DeciderSpec``: the child then runs that graph under a DynamicDecider."""

    kind = "child_workflow"

    def __init__(
        self,
        workflow_type: str | None = None,
        input: Any = None,
        *,
        version: str = "1",
        spec: DeciderSpec | Mapping[str, Any] | None = None,
        id: str | None = None,
        workflow_id: str | None = None,
        requires: Iterable[Task | str] = (),
        retry: Retry | None = None,
        task_list: str | None = None,
        execution_timeout: int | None = None,
        task_timeout: int | None = None,
        child_policy: str | None = None,
        tags: Sequence[str] = (),
        priority: int | None = None,
    ) -> None:
        if workflow_type is None and spec is None:
            raise ValueError("a ChildWorkflow needs workflow_type= or spec=")
        spec_dict = spec if isinstance(spec, Mapping) or spec is None else spec.to_dict()
        self.spec: dict[str, Any] | None = dict(spec_dict) if spec_dict is not None else None
        if workflow_type is None:
            workflow_type, version = DYNAMIC_WORKFLOW_TYPE
        self.workflow_type, self.version = workflow_type, version
        self.input = input
        self.workflow_id = workflow_id
        if task_list is None and self.spec is not None:
            task_list = self.spec.get("task_list")
        self.task_list = task_list
        self.execution_timeout = execution_timeout
        self.task_timeout = task_timeout
        self.child_policy = child_policy
        self.tags = tuple(tags)
        self.priority = priority
        super().__init__(id=id, requires=requires, retry=retry)

    def default_id(self) -> str:
        payload = {"input": self.input, "spec": self.spec, "workflow_id": self.workflow_id}
        return derive_id(self.kind, self.workflow_type, self.version, payload, self.requires)

    def child_input(self, value: Any) -> Any:
        """The child's workflow input carrying ``value`` (and the spec, if any)."""
        if self.spec is None:
            return value
        return {"decider_spec": self.spec, "input": value}

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(workflow_type=self.workflow_type, version=self.version)
        for key in ("input", "spec", "workflow_id", "task_list", "execution_timeout"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        for key in ("task_timeout", "child_policy", "priority"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.tags:
            data["tags"] = list(self.tags)
        return data

    def start_attributes(self, workflow_id: str) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "workflowType": {"name": self.workflow_type, "version": self.version},
            "workflowId": self.workflow_id or workflow_id,
        }
        if self.task_list:
            attrs["taskList"] = {"name": self.task_list}
        if self.execution_timeout is not None:
            attrs["executionStartToCloseTimeout"] = str(self.execution_timeout)
        if self.task_timeout is not None:
            attrs["taskStartToCloseTimeout"] = str(self.task_timeout)
        if self.child_policy:
            attrs["childPolicy"] = self.child_policy
        if self.tags:
            attrs["tagList"] = list(self.tags)
        if self.priority is not None:
            attrs["taskPriority"] = str(self.priority)
        return attrs


def task_from_dict(data: Mapping[str, Any]) -> Task:
    """A task from its JSON form (the inverse of ``Task.to_dict``)."""
    kind = data.get("type", "activity")
    common: dict[str, Any] = {"id": data.get("id"), "requires": list(data.get("requires", ()))}
    if kind in ("activity", "generator"):
        retry = Retry.from_dict(data["retry"]) if data.get("retry") else None
        timeouts = Timeouts(**data["timeouts"]) if data.get("timeouts") else None
        cls = Generator if kind == "generator" else ActivityTask
        return cls(
            data["name"],
            data.get("input"),
            version=str(data.get("version", "1")),
            retry=retry,
            task_list=data.get("task_list"),
            timeouts=timeouts,
            priority=data.get("priority"),
            context=bool(data.get("context", True)),
            **common,
        )
    if kind == "timer":
        return Timer(int(data["delay"]), **common)
    if kind == "child_workflow":
        retry = Retry.from_dict(data["retry"]) if data.get("retry") else None
        return ChildWorkflow(
            data["workflow_type"],
            data.get("input"),
            version=str(data.get("version", "1")),
            spec=data.get("spec"),
            workflow_id=data.get("workflow_id"),
            retry=retry,
            task_list=data.get("task_list"),
            execution_timeout=data.get("execution_timeout"),
            task_timeout=data.get("task_timeout"),
            child_policy=data.get("child_policy"),
            tags=data.get("tags", ()),
            priority=data.get("priority"),
            **common,
        )
    raise ValueError(f"unknown task type {kind!r}")


def collect(tasks: Iterable[Task]) -> list[Task]:
    """The tasks and, transitively, every task object they require, each once, in order."""
    seen: dict[str, Task] = {}

    def visit(task: Task) -> None:
        for required in task.required_tasks:
            if required.id not in seen:
                visit(required)
        existing = seen.get(task.id)
        if existing is None:
            seen[task.id] = task
        elif existing != task:
            raise ValueError(f"two different tasks have the id {task.id!r}")

    for task in tasks:
        visit(task)
    return list(seen.values())


def check_graph(tasks: Sequence[Task]) -> None:
    """Unique ids, known requirements, no cycles."""
    by_id = {t.id: t for t in tasks}
    if len(by_id) != len(tasks):
        raise ValueError("task ids must be unique")
    for task in tasks:
        for required in task.requires:
            if required not in by_id:
                raise ValueError(f"task {task.id!r} requires unknown task {required!r}")
    state: dict[str, int] = {}

    def visit(task_id: str, path: tuple[str, ...]) -> None:
        if state.get(task_id) == 2:
            return
        if state.get(task_id) == 1:
            raise ValueError("the graph has a cycle: " + " -> ".join((*path, task_id)))
        state[task_id] = 1
        for required in by_id[task_id].requires:
            visit(required, (*path, task_id))
        state[task_id] = 2

    for task in tasks:
        visit(task.id, ())
