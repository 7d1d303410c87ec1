"""DeciderSpec: a whole task-graph workflow as data, with a JSON form that round-trips.

spec = DeciderSpec(domain="demo", task_list="hello-decisions",
                   default_activity_task_list="hello", tasks=[greet_task])
DeciderSpec.from_json(spec.to_json()) == spec
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from openswf.sdk.graph import Task, check_graph, collect, task_from_dict


class DeciderSpec:
    def __init__(
        self,
        *,
        domain: str,
        task_list: str,
        tasks: Iterable[Task],
        default_activity_task_list: str | None = None,
        repeat_workflow: bool = False,
        terminate_after_completion: bool = False,
    ) -> None:
        self.domain = domain
        self.task_list = task_list
        self.tasks: list[Task] = collect(tasks)
        check_graph(self.tasks)
        self.default_activity_task_list = default_activity_task_list
        self.repeat_workflow = repeat_workflow
        self.terminate_after_completion = terminate_after_completion

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "domain": self.domain,
            "task_list": self.task_list,
            "tasks": [t.to_dict() for t in self.tasks],
        }
        if self.default_activity_task_list:
            data["default_activity_task_list"] = self.default_activity_task_list
        if self.repeat_workflow:
            data["repeat_workflow"] = True
        if self.terminate_after_completion:
            data["terminate_after_completion"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeciderSpec:
        return cls(
            domain=data["domain"],
            task_list=data["task_list"],
            tasks=[task_from_dict(t) for t in data.get("tasks", ())],
            default_activity_task_list=data.get("default_activity_task_list"),
            repeat_workflow=bool(data.get("repeat_workflow", False)),
            terminate_after_completion=bool(data.get("terminate_after_completion", False)),
        )

    def to_json(self) -> str:
        return orjson.dumps(self.to_dict(), option=orjson.OPT_NON_STR_KEYS).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> DeciderSpec:
        return cls.from_dict(orjson.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeciderSpec) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"DeciderSpec(domain={self.domain!r}, tasks={len(self.tasks)})"
