"""A fan-out: ``width`` increments at once, then their sum.

Written as simpleflow's own examples are; nothing here knows about openswf.
"""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, futures

from simpleflow_app.arithmetic import increment


class IncrementAllThenSum(Workflow):
    name = "increment_all_then_sum"
    version = "1"
    task_list = "increment-all-then-sum"

    def run(self, width: int) -> dict[str, Any]:
        incremented = [self.submit(increment, x) for x in range(width)]
        futures.wait(*incremented)
        values = [future.result for future in incremented]
        return {"incremented": values, "sum": sum(values)}
