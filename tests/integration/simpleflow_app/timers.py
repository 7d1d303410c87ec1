"""A timer between two steps: wait ``seconds`` on an SWF timer, then increment.

Written as simpleflow's own examples/timer.py is; nothing here knows about openswf.
"""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, futures

from simpleflow_app.arithmetic import increment


class PauseThenIncrement(Workflow):
    name = "pause_then_increment"
    version = "1"
    task_list = "pause-then-increment"

    def run(self, x: int, seconds: int) -> dict[str, Any]:
        pause = self.submit(self.start_timer("pause", seconds))
        futures.wait(pause)
        incremented = self.submit(increment, x)
        return {"x": x, "incremented": incremented.result}
