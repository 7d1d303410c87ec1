"""docs/framework.md's "Run in production", as written: a server, examples/production's
worker and decider as their own processes, and its starter printing the result; then the
same module under ``openswf worker``. SIGTERM stops the workers cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from openswf.testing import free_port
from tests.e2e.test_worker_process import OPENSWF, wait_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "production"


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(OPENSWF), "server", "--port", str(port), "--db", f"sqlite:///{tmp_path / 's.db'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(20)


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint + "/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def env_for(endpoint: str) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL_SWF": endpoint, "AWS_DEFAULT_REGION": "us-east-1"}


def spawn(args: list[str], endpoint: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, cwd=EXAMPLE, env=env_for(endpoint), stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def start_order(endpoint: str, order: str) -> object:
    done = subprocess.run(
        [sys.executable, "start.py", order],
        cwd=EXAMPLE,
        env=env_for(endpoint),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("how", ["scripts", "openswf worker"])
def test_the_production_example(endpoint: str, tmp_path: Path, how: str) -> None:
    if how == "scripts":
        procs = [
            spawn([sys.executable, "worker.py"], endpoint, tmp_path / "worker.log"),
            spawn([sys.executable, "decider.py"], endpoint, tmp_path / "decider.log"),
        ]
    else:
        procs = [spawn([str(OPENSWF), "worker", "shop.py"], endpoint, tmp_path / "worker.log")]
    try:
        # The workers started before the server answers and the domain exists: they wait.
        wait_for(lambda: healthy(endpoint), 20, "the server")
        result = start_order(endpoint, "A-7")
        assert result == {
            "reserve": {"order": "A-7", "reserved": 2},
            "shipping": {"ship": "shipped 2 items of A-7"},
        }
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(30) for proc in procs]
    logs = {p.name: p.read_text() for p in tmp_path.glob("*.log")}
    assert codes == [0] * len(procs), logs
    assert "completed shop.ship" in logs["worker.log"]
