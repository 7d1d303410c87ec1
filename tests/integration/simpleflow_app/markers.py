"""Markers recorded from workflow code and read back, as in simpleflow's examples/marker.py;
nothing here knows about openswf."""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, futures

from simpleflow_app.arithmetic import increment


class RecordMarkers(Workflow):
    name = "record_markers"
    version = "1"
    task_list = "record-markers"

    def run(self, x: int) -> dict[str, Any]:
        self.submit(self.record_marker("checkpoint", {"x": x}))
        done = self.submit(self.record_marker("checkpoint", {"x": x, "step": 2}))
        self.submit(self.record_marker("note", "plain details"))
        futures.wait(done)
        incremented = self.submit(increment, x)
        return {
            "incremented": incremented.result,
            "latest": [[m.name, m.details] for m in self.list_markers()],
            "all": [[m.name, m.details] for m in self.list_markers(all=True)],
        }
