"""DynamicDecider: a graph decider that reads its graph from the workflow input.

Start a workflow of type ``openswf.dynamic``/``1`` (or any type you route to it) with the
input ``{"decider_spec": <DeciderSpec JSON form>, "input": <what the tasks see as the
workflow input>}``; one DynamicDecider then runs any graph. ``ChildWorkflow(spec=...)``
starts children this way.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from openswf.sdk.converter import loads
from openswf.sdk.deciders.graph import GraphDecider
from openswf.sdk.graph import Task
from openswf.sdk.history import DecisionTask, History
from openswf.sdk.spec import DeciderSpec

SPEC_KEY = "decider_spec"


def dynamic_input(spec: DeciderSpec, workflow_input: Any = None) -> dict[str, Any]:
    """The workflow input that makes a DynamicDecider run ``spec``."""
    return {SPEC_KEY: spec.to_dict(), "input": workflow_input}


class DynamicDecider(GraphDecider):
    def __init__(self, *, cache_size: int = 256) -> None:
        self._cache: OrderedDict[str, tuple[DeciderSpec, Any]] = OrderedDict()
        self._cache_size = cache_size

    def _load(self, task: DecisionTask, history: History) -> tuple[DeciderSpec, Any]:
        # A spec does not change during a run: parse it once per run, not once per task.
        cached = self._cache.get(task.run_id)
        if cached is not None:
            self._cache.move_to_end(task.run_id)
            return cached
        raw = loads(history.started().get("input"))
        if not isinstance(raw, dict) or SPEC_KEY not in raw:
            raise ValueError(f"the input of {task.workflow_id} has no {SPEC_KEY!r}")
        loaded = (DeciderSpec.from_dict(raw[SPEC_KEY]), raw.get("input"))
        self._cache[task.run_id] = loaded
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return loaded

    def tasks_for(self, task: DecisionTask, history: History) -> tuple[list[Task], Any]:
        spec, workflow_input = self._load(task, history)
        return spec.tasks, workflow_input

    def spec_for(self, task: DecisionTask, history: History) -> DeciderSpec:
        return self._load(task, history)[0]
