"""Procedural pyflow workflows, written as pyflow's README writes them; nothing here knows
about openswf."""

from __future__ import annotations

from typing import Any

import pyflow

VERSION = "1"


class SequenceThenParallel(pyflow.Workflow):
    """Two activities in sequence, the second fed by the first, then three side by side."""

    NAME = "SequenceThenParallel"
    VERSION = VERSION

    increment = pyflow.ActivityDescriptor("increment", VERSION)
    double = pyflow.ActivityDescriptor("double", VERSION)

    def run(self, x: int) -> dict[str, Any]:
        incremented = self.increment(x).result()
        doubled = self.double(incremented).result()
        fanned = [self.increment(doubled + i) for i in range(3)]
        self.swf.wait_for_all(fanned)
        return {"sequence": [incremented, doubled], "parallel": [f.result() for f in fanned]}


class DoubleChild(pyflow.Workflow):
    NAME = "DoubleChild"
    VERSION = VERSION

    double = pyflow.ActivityDescriptor("double", VERSION)

    def run(self, x: int) -> dict[str, Any]:
        return {"doubled": self.double(x).result()}


class IncrementThenChild(pyflow.Workflow):
    NAME = "IncrementThenChild"
    VERSION = VERSION

    increment = pyflow.ActivityDescriptor("increment", VERSION)
    child = pyflow.ChildWorkflowDescriptor(DoubleChild.NAME, DoubleChild.VERSION)

    def run(self, x: int) -> dict[str, Any]:
        incremented = self.increment(x).result()
        return {"incremented": incremented, "child": self.child(incremented).result()}


class RejectsLargeInput(pyflow.Workflow):
    """Fails on purpose, from workflow code, after an activity has run."""

    NAME = "RejectsLargeInput"
    VERSION = VERSION

    increment = pyflow.ActivityDescriptor("increment", VERSION)

    def run(self, x: int) -> int:
        incremented: int = self.increment(x).result()
        if incremented > 10:
            raise pyflow.WorkflowFailedException("TOO_LARGE", f"{incremented} is over 10")
        return incremented


class CallsFailingActivity(pyflow.Workflow):
    """An activity failure surfaces in workflow code as an exception nobody catches."""

    NAME = "CallsFailingActivity"
    VERSION = VERSION

    explode = pyflow.ActivityDescriptor("explode", VERSION)

    def run(self, x: int) -> Any:
        return self.explode(x).result()


ALL = [
    SequenceThenParallel,
    DoubleChild,
    IncrementThenChild,
    RejectsLargeInput,
    CallsFailingActivity,
]
