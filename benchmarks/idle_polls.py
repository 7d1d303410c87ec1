#!/usr/bin/env python3
"""CPU an openswf server burns while 100 long polls wait on empty task lists.

DESIGN.md: "Long polls cost nothing while they wait: no busy loops, no per-poll threads."
This checks it: start `openswf server --poll-timeout 60`, open 50 PollForDecisionTask and
50 PollForActivityTask on empty task lists, then read the server's utime+stime from
/proc/<pid>/stat before and after 20 s and print the percentage of one core. Linux only.

The polls are raw HTTP/1.1 requests over asyncio streams (signed with botocore's SigV4, as a
real client would send them): 100 boto3 clients in 100 threads would work too, but cost more
to set up and measure nothing extra. Always exits 0; read the RESULT line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

# compare.py sits next to this file; running `python benchmarks/idle_polls.py` puts this
# directory first on sys.path, so its server handling is shared rather than copied.
from compare import Server, find_command, free_port, http_status

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CREDENTIALS = Credentials("x", "x")


def proc_stat(pid: int) -> tuple[int, int]:
    """(parent pid, utime+stime in clock ticks) of one process."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def tree_ticks(root: int) -> int:
    """CPU ticks of root and all its live descendants (in case the server forks workers)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stats[int(entry)] = proc_stat(int(entry))
            except (OSError, ValueError):
                continue  # exited while we looked
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo.extend(children.get(pid, []))
    return total


def signed_request(endpoint: str, operation: str, payload: dict[str, object]) -> bytes:
    """A complete HTTP/1.1 request for one SWF JSON operation, SigV4-signed."""
    body = json.dumps(payload).encode()
    url = urlsplit(endpoint)
    request = AWSRequest(
        method="POST",
        url=endpoint.rstrip("/") + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
            "Host": url.netloc,
        },
    )
    SigV4Auth(CREDENTIALS, "swf", "us-east-1").add_auth(request)
    head = ["POST / HTTP/1.1"]
    head += [f"{name}: {value}" for name, value in request.headers.items()]
    # Connection: close lets the reader take "until EOF" as the answer.
    head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(head).encode() + body


@dataclass
class PollOutcome:
    operation: str
    returned_at: float | None = None
    status_line: str = ""


async def long_poll(
    endpoint: str, operation: str, domain: str, index: int, outcome: PollOutcome
) -> None:
    url = urlsplit(endpoint)
    reader, writer = await asyncio.open_connection(url.hostname, url.port or 80)
    try:
        writer.write(
            signed_request(
                endpoint,
                operation,
                {
                    "domain": domain,
                    "taskList": {"name": "idle-empty"},
                    "identity": f"idle-{index}",
                },
            )
        )
        await writer.drain()
        answer = await reader.read()  # blocks for the whole long poll, costing us nothing
        outcome.returned_at = time.monotonic()
        outcome.status_line = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError as exc:
        outcome.returned_at = time.monotonic()
        outcome.status_line = f"connection error: {exc!r}"
    finally:
        writer.close()


async def measure(args: argparse.Namespace, endpoint: str, pid: int) -> str:
    client = boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )
    domain = f"idle-{uuid.uuid4().hex[:10]}"
    # The polls need an existing domain, or they fail at once with UnknownResourceFault.
    client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")

    baseline = ""
    if args.baseline:
        before = tree_ticks(pid)
        await asyncio.sleep(args.duration)
        pct = (tree_ticks(pid) - before) / CLOCK_TICKS / args.duration * 100
        baseline = f"; with no polls {pct:.2f}%"

    half = args.polls // 2
    operations = ["PollForDecisionTask"] * half + ["PollForActivityTask"] * (args.polls - half)
    outcomes = [PollOutcome(op) for op in operations]
    tasks = [
        asyncio.create_task(long_poll(endpoint, op, domain, i, outcomes[i]))
        for i, op in enumerate(operations)
    ]
    # Let the server accept and park every poll before the clock starts.
    await asyncio.sleep(args.settle)
    early = sum(1 for o in outcomes if o.returned_at is not None)

    start_ticks, start = tree_ticks(pid), time.monotonic()
    await asyncio.sleep(args.duration)
    ticks, elapsed = tree_ticks(pid) - start_ticks, time.monotonic() - start
    pending = sum(1 for o in outcomes if o.returned_at is None)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    pct = ticks / CLOCK_TICKS / elapsed * 100
    line = (
        f"RESULT idle_polls: server CPU {pct:.2f}% of one core over {elapsed:.1f} s "
        f"with {pending}/{args.polls} long polls pending{baseline}"
    )
    if early or pending < args.polls:
        returned = [o for o in outcomes if o.returned_at is not None]
        line += (
            f"\nWARNING: {len(returned)} polls returned before the end ({early} before "
            f"the measurement began), so this was not a pure idle measurement; "
            f"first answer: {returned[0].status_line if returned else '-'}"
        )
    return line


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--polls", type=int, default=100, help="concurrent long polls (half each)")
    p.add_argument("--duration", type=float, default=20.0, help="measurement window, seconds")
    p.add_argument(
        "--poll-timeout",
        type=float,
        default=60.0,
        help="server --poll-timeout; must exceed --settle + --duration",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds between opening the polls and starting the clock",
    )
    p.add_argument(
        "--baseline",
        action="store_true",
        help="first measure the idle server with no polls, for contrast",
    )
    p.add_argument(
        "--endpoint", default=None, help="measure an already running server instead (needs --pid)"
    )
    p.add_argument("--pid", type=int, default=None, help="pid of the server at --endpoint")
    args = p.parse_args(argv)
    if (args.endpoint is None) != (args.pid is None):
        p.error("--endpoint and --pid go together")

    if args.endpoint is not None:
        try:
            print(asyncio.run(measure(args, args.endpoint, args.pid)))
        except Exception as exc:  # noqa: BLE001 - exit 0 always, say what happened
            print(f"RESULT idle_polls: FAILED against {args.endpoint}: {exc!r}")
        return 0

    cmd = find_command("openswf")
    if cmd is None:
        print("RESULT idle_polls: SKIPPED, the `openswf` command is not installed")
        return 0
    with tempfile.TemporaryDirectory(prefix="openswf-idle-") as tmp:
        port = free_port()
        server = Server(
            "openswf",
            [
                cmd,
                "server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                f"sqlite:///{tmp}/idle.db",
                "--poll-timeout",
                str(args.poll_timeout),
            ],
            port,
            Path(tmp) / "openswf.log",
            lambda p: http_status(p, "/healthz") == 200,
        )
        try:
            why_not = server.start(30.0)
            if why_not:
                print(f"RESULT idle_polls: SKIPPED, openswf did not come up: {why_not}")
                return 0
            assert server.proc is not None
            print(asyncio.run(measure(args, server.endpoint, server.proc.pid)))
        except KeyboardInterrupt:
            print("RESULT idle_polls: interrupted")
        except Exception as exc:  # noqa: BLE001
            print(f"RESULT idle_polls: FAILED: {exc!r}; server log: {server.log_tail()}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
