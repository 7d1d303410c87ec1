#!/usr/bin/env python3
"""What one call costs the client: openswf.sdk.Client against boto3, same server, same run.

    .venv/bin/python benchmarks/sdk_client.py [--calls 2000] [--endpoint URL]

Starts an openswf server in a subprocess (unless --endpoint), then times, for each client,
N DescribeDomain calls (a small answer) and N GetWorkflowExecutionHistory calls (a
40-event answer), one thread, one keep-alive connection. It reports the client's own CPU
time per call (time.thread_time: what the framework's throughput pays on its side) and the
wall time per call (which also holds the server's work and the loopback round trip).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sdk_server import OpenSwfServer  # noqa: E402

from openswf.sdk import Client, WorkflowType, ensure_domain  # noqa: E402


def boto3_client(endpoint: str) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(read_timeout=70, retries={"total_max_attempts": 1, "mode": "standard"}),
    )


def measure(call: Callable[[], Any], calls: int) -> tuple[float, float]:
    for _ in range(50):  # warm-up: connection, caches
        call()
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    for _ in range(calls):
        call()
    return (time.thread_time() - cpu0) / calls * 1e6, (time.perf_counter() - wall0) / calls * 1e6


def run(endpoint: str, calls: int) -> list[tuple[str, str, float, float]]:
    sdk = Client(endpoint)
    boto = boto3_client(endpoint)
    domain = f"client-bench-{uuid.uuid4().hex[:8]}"
    ensure_domain(sdk, domain)
    workflow = WorkflowType("bench", task_list="nobody")
    workflow.register(sdk, domain)
    run_id = workflow.start(sdk, domain, "history", {"x": 1})
    for n in range(38):
        sdk.signal_workflow_execution(
            domain=domain, workflowId="history", signalName="s", input=f'{{"n": {n}}}'
        )
    execution = {"workflowId": "history", "runId": run_id}
    rows = []
    for op, sdk_call, boto_call in [
        (
            "DescribeDomain",
            lambda: sdk.describe_domain(name=domain),
            lambda: boto.describe_domain(name=domain),
        ),
        (
            "GetWorkflowExecutionHistory (40 events)",
            lambda: sdk.get_workflow_execution_history(domain=domain, execution=execution),
            lambda: boto.get_workflow_execution_history(domain=domain, execution=execution),
        ),
    ]:
        for name, call in (("openswf.sdk", sdk_call), ("boto3", boto_call)):
            cpu, wall = measure(call, calls)
            rows.append((op, name, cpu, wall))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--endpoint", default=None)
    p.add_argument("--calls", type=int, default=2000)
    args = p.parse_args()
    if args.endpoint:
        rows = run(args.endpoint, args.calls)
    else:
        with OpenSwfServer() as server:
            rows = run(server.endpoint, args.calls)
    print(f"{'operation':42} {'client':12} {'client CPU us/call':>19} {'wall us/call':>13}")
    for op, name, cpu, wall in rows:
        print(f"{op:42} {name:12} {cpu:19.0f} {wall:13.0f}")
    by = {(op, name): cpu for op, name, cpu, _ in rows}
    for op in dict.fromkeys(op for op, *_ in rows):
        ratio = by[(op, "boto3")] / by[(op, "openswf.sdk")]
        print(f"{op}: boto3 / openswf.sdk client CPU = {ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
