"""A decider or an activity worker for the code workflows of tests/unit/sdk/code_workflows.py,
as a process of its own: ``python tests/e2e/code_processes.py decider|worker ENDPOINT DOMAIN``.
Runs until SIGTERM (or SIGKILL, which is the point)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from openswf.sdk import ActivityWorker, Client, DecisionWorker, WorkflowDecider  # noqa: E402
from tests.unit.sdk import code_workflows as app  # noqa: E402


def main(kind: str, endpoint: str, domain: str) -> None:
    client = Client(endpoint)
    if kind == "decider":
        DecisionWorker(client, domain, app.DECISIONS, WorkflowDecider(app.ALL)).run()
    else:
        ActivityWorker(client, domain, app.ACTIVITIES, app.registry, heartbeat_interval=0).run()


if __name__ == "__main__":
    main(*sys.argv[1:4])
