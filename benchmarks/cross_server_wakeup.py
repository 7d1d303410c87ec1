"""Cross-server wake-up latency: a task started through server A reaches a poll held on B.

    .venv/bin/python benchmarks/cross_server_wakeup.py [--rounds 50] [--admin URL]

Two ``openswf server`` processes over one fresh PostgreSQL database. Each round holds a
decision poll on B (B's /metrics says when it waits), starts a workflow through A, and times
the start's answer to the poll's. Prints one JSON line: p50, p90, max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import psycopg

from openswf.sdk import Client
from openswf.testing import free_port

OPENSWF = str(Path(sys.executable).parent / "openswf")


def waiting(endpoint: str) -> float:
    with urllib.request.urlopen(f"{endpoint}/metrics", timeout=5) as answer:
        lines = answer.read().decode().splitlines()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith("openswf_polls_waiting{") and 'kind="decision"' in line
    )


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    name = f"openswf_wakeup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.admin.rsplit('/', 1)[0]}/{name}"
    servers: list[subprocess.Popen[bytes]] = []
    try:
        endpoints = []
        for _ in range(2):
            port = free_port()
            command = [OPENSWF, "server", "--port", str(port), "--db", url]
            command += ["--log-level", "warning"]
            servers.append(subprocess.Popen(command))
            endpoints.append(f"http://127.0.0.1:{port}")
        while not all(healthy(endpoint) for endpoint in endpoints):
            time.sleep(0.05)
        a, b = Client(endpoints[0]), Client(endpoints[1])
        a.register_domain(name="wake", workflowExecutionRetentionPeriodInDays="1")
        a.register_workflow_type(
            domain="wake",
            name="wf",
            version="1",
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        latencies = []
        for i in range(args.rounds):
            answer: dict[str, Any] = {}

            def poll(answer: dict[str, Any] = answer) -> None:
                answer["task"] = b.poll_for_decision_task(
                    domain="wake", taskList={"name": "decisions"}
                )
                answer["at"] = time.perf_counter()

            poller = threading.Thread(target=poll)
            poller.start()
            while waiting(endpoints[1]) < 1:
                time.sleep(0.005)
            a.start_workflow_execution(
                domain="wake", workflowId=f"w{i}", workflowType={"name": "wf", "version": "1"}
            )
            started = time.perf_counter()
            poller.join()
            assert answer["task"].get("taskToken")
            latencies.append((answer["at"] - started) * 1000)
            b.respond_decision_task_completed(
                taskToken=answer["task"]["taskToken"],
                decisions=[{"decisionType": "CompleteWorkflowExecution"}],
            )
        latencies.sort()
        print(
            json.dumps(
                {
                    "rounds": args.rounds,
                    "p50_ms": round(statistics.median(latencies), 1),
                    "p90_ms": round(latencies[int(len(latencies) * 0.9) - 1], 1),
                    "max_ms": round(latencies[-1], 1),
                }
            )
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
        with psycopg.connect(args.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
