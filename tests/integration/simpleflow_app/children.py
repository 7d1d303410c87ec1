"""A parent that hands part of its work to a child workflow, as in simpleflow's
examples/child_workflow.py; nothing here knows about openswf."""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow

from simpleflow_app.arithmetic import double, increment


class DoubleInChild(Workflow):
    name = "double_in_child"
    version = "1"
    task_list = "double-in-child"
    execution_timeout = 300

    def run(self, x: int) -> dict[str, Any]:
        return {"doubled": self.submit(double, x).result}


class IncrementThenDoubleInChild(Workflow):
    name = "increment_then_double_in_child"
    version = "1"
    task_list = "increment-then-double-in-child"

    def run(self, x: int) -> dict[str, Any]:
        incremented = self.submit(increment, x)
        child = self.submit(DoubleInChild, incremented.result)
        return {"x": x, "incremented": incremented.result, "child": child.result}
