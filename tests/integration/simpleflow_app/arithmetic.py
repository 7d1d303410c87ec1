"""Two activities in sequence, the second fed by the first: ``(x + 1) * 2``.

Written exactly as simpleflow's own examples are; nothing here knows about openswf.
"""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="quickstart", version="1")
def increment(x: int) -> int:
    return x + 1


@activity.with_attributes(task_list="quickstart", version="1")
def double(x: int) -> int:
    return x * 2


class IncrementThenDouble(Workflow):
    name = "increment_then_double"
    version = "1"
    task_list = "increment-then-double"

    def run(self, x: int) -> dict[str, Any]:
        incremented = self.submit(increment, x)
        doubled = self.submit(double, incremented)
        return {"x": x, "incremented": incremented.result, "doubled": doubled.result}
