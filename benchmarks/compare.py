#!/usr/bin/env python3
"""Run swf_chain.py against moto and openswf in the same run and compare their throughput.

Each target is started fresh as a real subprocess on a free port, so all see the same
machine, load and parameters; the ratios are the numbers to quote (absolute numbers on
shared machines drift, see DESIGN.md, "Performance principles").

Targets: ``moto``; ``openswf`` (SQLite); ``openswf-pg`` (one server on a fresh PostgreSQL
database); ``openswf-pg-2`` (two servers on one fresh PostgreSQL database, the clients spread
over both). PostgreSQL comes from ``--postgres`` (an administrative URL; a database is
created per target and dropped after it).

    python benchmarks/compare.py --workflows 200 --activities 3
    python benchmarks/compare.py --targets openswf --workflows 1000
    python benchmarks/compare.py --targets openswf,openswf-pg,openswf-pg-2 --workflows 500
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
CHAIN = HERE / "swf_chain.py"
KNOWN_TARGETS = ("moto", "openswf", "openswf-pg", "openswf-pg-2")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Outcome:
    target: str
    status: str  # "ok", "failed", "skipped"
    note: str = ""
    workflows: int = 0
    data: dict[str, Any] = field(default_factory=dict)


def find_command(name: str) -> str | None:
    """Prefer the command installed next to this interpreter (the venv), then PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def free_port() -> int:
    # Bind to port 0 and release: racy in theory, fine on a benchmark machine.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(port: int, path: str) -> int | None:
    """Status of GET path, or None while nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


class Server:
    """A target server subprocess, in its own process group so it can be killed whole."""

    def __init__(
        self, name: str, argv: list[str], port: int, log_path: Path, is_ready: Callable[[int], bool]
    ) -> None:
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.is_ready = is_ready
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float) -> str:
        """Start and wait until it answers; '' when ready, else why not."""
        # Output goes to a file, never to a pipe nobody reads: a chatty server (moto logs
        # every request) would fill the pipe and block mid-benchmark.
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own session: a Ctrl-C in the terminal does not hit the server half-way; we
                # stop it ourselves, in order, in stop().
                start_new_session=True,
            )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"exited with code {self.proc.returncode}: {self.log_tail()}"
            if self.is_ready(self.port):
                return ""
            time.sleep(0.1)
        return f"not ready after {ready_timeout:.0f} s: {self.log_tail()}"

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)  # the group: reloaders/workers die too
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


class PostgresDatabase:
    """A fresh database for one target, dropped afterwards (psycopg comes with openswf)."""

    def __init__(self, admin_url: str) -> None:
        import psycopg  # only the PostgreSQL targets need it

        self._psycopg = psycopg
        self.admin_url = admin_url
        self.name = f"openswf_bench_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        parts = admin_url.split("?", 1)[0].rsplit("/", 1)
        self.url = f"{parts[0]}/{self.name}"

    def drop(self) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def backend_cpu_seconds(database: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend serving ``database`` (Linux): with
    PostgreSQL the database's own work runs outside the server processes."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            # A backend's title: "postgres: <cluster>: <user> <database> <client> <state>".
            if not cmdline.startswith(b"postgres:") or f" {database} ".encode() not in cmdline:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def make_servers(
    target: str, tmpdir: Path, poll_timeout: float | None, db_url: str | None
) -> list[Server] | str:
    """The Server(s) of a target, or a message saying why it cannot run."""
    if target in ("openswf-pg", "openswf-pg-2"):
        assert db_url is not None
        count = 2 if target == "openswf-pg-2" else 1
        made = []
        for i in range(count):
            server = make_server(
                "openswf", tmpdir, poll_timeout, db_url=db_url, log=f"{target}-{i}"
            )
            if isinstance(server, str):
                return server
            server.name = target
            made.append(server)
        return made
    server = make_server(target, tmpdir, poll_timeout)
    return server if isinstance(server, str) else [server]


def make_server(
    target: str,
    tmpdir: Path,
    poll_timeout: float | None,
    *,
    db_url: str | None = None,
    log: str | None = None,
) -> Server | str:
    """The Server for a target, or a message saying why it cannot run."""
    port = free_port()
    log_path = tmpdir / f"{log or target}.log"
    if target == "moto":
        cmd = find_command("moto_server")
        if cmd is None:
            return "moto_server not installed (pip install 'moto[server]')"
        # Moto has no health endpoint; any HTTP answer means it serves requests.
        return Server(
            "moto",
            [cmd, "-H", "127.0.0.1", "-p", str(port)],
            port,
            log_path,
            lambda p: http_status(p, "/") is not None,
        )
    cmd = find_command("openswf")
    if cmd is None:
        return "the `openswf` command is not installed yet"
    argv = [
        cmd,
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        db_url or f"sqlite:///{tmpdir}/bench.db",
    ]
    if poll_timeout is not None:
        argv += ["--poll-timeout", str(poll_timeout)]
    return Server("openswf", argv, port, log_path, lambda p: http_status(p, "/healthz") == 200)


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every process in a process group (Linux).

    The server's own CPU per workflow is what the server costs, whatever the clients cost:
    on a small machine the boto3 clients, not the server, can be what limits throughput.
    """
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[2]) == pgid:  # fields[2] is pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_chain(endpoint: str, workflows: int, args: argparse.Namespace) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(CHAIN),
        "--endpoint",
        endpoint,
        "--json",
        "--workflows",
        str(workflows),
        "--activities",
        str(args.activities),
        "--deciders",
        str(args.deciders),
        "--workers",
        str(args.workers),
        "--timeout",
        str(args.timeout),
    ]
    if args.history_page_size:
        argv += ["--history-page-size", str(args.history_page_size)]
    # stderr (progress) passes through to the terminal; stdout carries the one JSON line.
    # A small margin over --timeout, since swf_chain.py also needs to stop and verify.
    done = subprocess.run(
        argv, stdout=subprocess.PIPE, text=True, check=False, timeout=args.timeout + 120
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"ok": False, "error": f"swf_chain.py exited {done.returncode} without JSON"}
    data: dict[str, Any] = json.loads(lines[-1])
    return data


def run_target(
    target: str, args: argparse.Namespace, tmpdir: Path, servers: list[Server]
) -> Outcome:
    database: PostgresDatabase | None = None
    if target.startswith("openswf-pg"):
        try:
            database = PostgresDatabase(args.postgres)
        except Exception as error:  # noqa: BLE001 - reported as a skip, like a missing command
            return Outcome(target, "skipped", f"no PostgreSQL at {args.postgres}: {error}")
    try:
        return _run_target(target, args, tmpdir, servers, database)
    finally:
        if database is not None:
            database.drop()


def _run_target(
    target: str,
    args: argparse.Namespace,
    tmpdir: Path,
    servers: list[Server],
    database: PostgresDatabase | None,
) -> Outcome:
    workflows = args.moto_workflows if target == "moto" and args.moto_workflows else args.workflows
    made = make_servers(
        target,
        tmpdir,
        None if target == "moto" else args.poll_timeout,
        None if database is None else database.url + args.postgres_options,
    )
    if isinstance(made, str):
        return Outcome(target, "skipped", made)
    servers.extend(made)
    for server in made:
        print(f"== {target}: starting {' '.join(server.argv)}", file=sys.stderr, flush=True)
        why_not = server.start(args.ready_timeout)
        if why_not:
            for started in made:
                started.stop()
            return Outcome(target, "skipped", f"did not come up: {why_not}")
    endpoint = ",".join(server.endpoint for server in made)
    print(
        f"== {target}: ready on {endpoint}; running {workflows} workflows",
        file=sys.stderr,
        flush=True,
    )

    def server_cpu() -> float:
        return sum(group_cpu_seconds(server.proc.pid) for server in made if server.proc)

    cpu_before = server_cpu()
    db_before = backend_cpu_seconds(database.name) if database else {}
    try:
        data = run_chain(endpoint, workflows, args)
        spent = server_cpu() - cpu_before
        data["server_cpu_s"] = spent
        data["server_cpu_ms_per_workflow"] = 1000 * spent / workflows
        if database is not None:
            db_after = backend_cpu_seconds(database.name)
            db_spent = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
            data["db_cpu_ms_per_workflow"] = 1000 * db_spent / workflows
    except subprocess.TimeoutExpired:
        data = {"ok": False, "error": "swf_chain.py did not finish"}
    finally:
        for server in made:
            server.stop()  # free the CPU before the next target runs
    for server in made:
        if server.proc is not None and server.proc.returncode not in (None, 0, -signal.SIGTERM):
            # Not an error by itself (servers often exit 1 on SIGTERM) but worth a look.
            print(
                f"== {target}: exit code {server.proc.returncode}, log {server.log_path}",
                file=sys.stderr,
            )
    status = "ok" if data.get("ok") else "failed"
    samples: list[str] = data.get("errors_sample", [])
    note = data.get("error", "") or "; ".join(samples[:2])
    if status == "ok" and samples:
        # Errors the run recovered from (e.g. moto handing one decision task to two
        # deciders): worth knowing, not a failure.
        counters = data.get("counters", {})
        tolerated = counters.get("poll_errors", 0) + counters.get("respond_errors", 0)
        note = f"{tolerated} error(s) tolerated, first: {samples[0][:200]}"
    return Outcome(target, status, note, workflows, data)


def fmt(value: Any, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(outcomes: list[Outcome]) -> None:
    header = (
        f"{'target':<13} {'status':<8} {'N':>6} {'workflows/s':>12} {'activities/s':>13} "
        f"{'wall s':>8} {'p50 s':>7} {'p99 s':>7} {'server CPU ms/wf':>17} "
        f"{'db CPU ms/wf':>13}"
    )
    print(header)
    print("-" * len(header))
    for o in outcomes:
        d = o.data
        print(
            f"{o.target:<13} {o.status:<8} {o.workflows or '-':>6} "
            f"{fmt(d.get('workflows_per_s')):>12} {fmt(d.get('activities_per_s')):>13} "
            f"{fmt(d.get('wall_s')):>8} {fmt(d.get('latency_p50_s')):>7} "
            f"{fmt(d.get('latency_p99_s')):>7} {fmt(d.get('server_cpu_ms_per_workflow')):>17} "
            f"{fmt(d.get('db_cpu_ms_per_workflow')):>13}"
        )
    for o in outcomes:
        if o.note:
            print(f"  {o.target}: {o.note}")
    by_name = {o.target: o for o in outcomes}
    moto, oswf = by_name.get("moto"), by_name.get("openswf")
    if moto and oswf and moto.status == oswf.status == "ok":
        for key in ("workflows_per_s", "activities_per_s"):
            ratio = oswf.data[key] / moto.data[key] if moto.data.get(key) else None
            print(f"ratio openswf/moto {key.replace('_per_s', '/s'):<13} {fmt(ratio)}x")
        key = "server_cpu_ms_per_workflow"
        if oswf.data.get(key) and moto.data.get(key):
            ratio = moto.data[key] / oswf.data[key]
            print(f"server CPU per workflow: openswf uses 1/{fmt(ratio)} of moto's")
    elif moto is not None and oswf is not None:
        print("ratio openswf/moto: n/a (needs both targets ok)")
    for name in ("openswf-pg", "openswf-pg-2"):
        other = by_name.get(name)
        if oswf and other and oswf.status == other.status == "ok":
            ratio = other.data["workflows_per_s"] / oswf.data["workflows_per_s"]
            print(f"ratio {name}/openswf (SQLite) workflows/s {fmt(ratio)}x")
    one, two = by_name.get("openswf-pg"), by_name.get("openswf-pg-2")
    if one and two and one.status == two.status == "ok":
        ratio = two.data["workflows_per_s"] / one.data["workflows_per_s"]
        print(f"ratio openswf-pg-2/openswf-pg workflows/s {fmt(ratio)}x")


def raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into an exception so the finally blocks stop the servers.
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument(
        "--targets",
        default="moto,openswf",
        help="comma-separated, among: " + ", ".join(KNOWN_TARGETS),
    )
    p.add_argument("--workflows", type=int, default=200)
    p.add_argument(
        "--moto-workflows",
        type=int,
        default=None,
        help="fewer workflows for moto, which is slow (rates stay comparable)",
    )
    p.add_argument("--activities", type=int, default=3)
    p.add_argument("--deciders", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timeout", type=float, default=600.0, help="per target run, seconds")
    p.add_argument("--history-page-size", type=int, default=None)
    p.add_argument(
        "--poll-timeout",
        type=float,
        default=None,
        help="passed to openswf as --poll-timeout (default: the server's)",
    )
    p.add_argument(
        "--ready-timeout", type=float, default=30.0, help="seconds a server gets to start answering"
    )
    p.add_argument(
        "--postgres",
        default=os.environ.get("OPENSWF_TEST_POSTGRES") or DEFAULT_POSTGRES,
        help="administrative PostgreSQL URL for the openswf-pg targets (a database is "
        "created per target); default $OPENSWF_TEST_POSTGRES or " + DEFAULT_POSTGRES,
    )
    p.add_argument(
        "--postgres-options",
        default="",
        help="appended to the PostgreSQL --db URL of the servers, e.g. '?pool_max=20'",
    )
    p.add_argument("--json", action="store_true", help="also print one JSON line of results")
    args = p.parse_args(argv)
    args.target_list = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in args.target_list if t not in KNOWN_TARGETS]
    if unknown or not args.target_list:
        p.error(f"unknown target(s) {unknown}; choose among {', '.join(KNOWN_TARGETS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    servers: list[Server] = []
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="openswf-bench-") as tmp:
        tmpdir = Path(tmp)
        try:
            for target in args.target_list:
                outcome = run_target(target, args, tmpdir, servers)
                if outcome.status == "skipped":
                    print(f"== {target}: SKIPPED, {outcome.note}", file=sys.stderr, flush=True)
                outcomes.append(outcome)
        except KeyboardInterrupt:
            print("interrupted; stopping servers", file=sys.stderr)
            return 130
        finally:
            for server in servers:
                server.stop()
    print_table(outcomes)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "target": o.target,
                        "status": o.status,
                        "note": o.note,
                        "workflows": o.workflows,
                        **o.data,
                    }
                    for o in outcomes
                ]
            )
        )
    return 0 if all(o.status != "failed" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
