"""A signal from one execution to another, by workflow id, as in simpleflow's
examples/signals.py: the receiver waits for ``go``; the sender, a separate execution, sends it
and completes once SWF reports the delivery. Nothing here knows about openswf."""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, futures


class WaitForGo(Workflow):
    name = "wait_for_go"
    version = "1"
    task_list = "wait-for-go"

    def run(self) -> Any:
        go = self.submit(self.wait_signal("go"))
        futures.wait(go)
        return go.result


class SendGo(Workflow):
    name = "send_go"
    version = "1"
    task_list = "send-go"

    def run(self, receiver_id: str, value: int) -> dict[str, Any]:
        sent = self.submit(
            # Keyword arguments only: simpleflow 0.36's Executor.signal passes positional ones
            # where SignalTask expects workflow_id.
            self.signal(
                "go", workflow_id=receiver_id, propagate=False, value=value, sender="send_go"
            )
        )
        futures.wait(sent)
        return {"sent_to": receiver_id, "value": value}
