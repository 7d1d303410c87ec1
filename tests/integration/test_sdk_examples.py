"""The examples, end to end: ``openswf run examples/X.py`` in a subprocess, each with its
own embedded server, must print the expected result. The code workflows (futures.py,
procedural.py) also run with ``--local`` (no server), with the same result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "hello": {"greet": "Hello, world!"},
    "pipeline": {"store": {"stored": 4, "total": 100}},
    "fanout": {"total": {"count": 8, "sum": 204}},
    "child": {"notify": {"message": "order A-1001: packed 3 items of A-1001, shipped"}},
}


CODE_EXPECTED = {
    "futures": {
        "chain": [4, 8],
        "report": {"count": 5, "total": 38},
        "signal": {"total": 38},
    },
    "procedural": {
        "payment": {"paid": 40, "method": "transfer"},
        "vat": 8.0,
        "shipment": {"parcel": "parcel A-7: 2 items", "carrier": "post"},
        "compensated": ["card declined: released 2 items of A-7"],
    },
}


def run_example(name: str, *options: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "openswf.cli.main",
            "run",
            *options,
            str(ROOT / "examples" / f"{name}.py"),
            "--no-progress",
            "--timeout",
            "60",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_end_to_end(name: str) -> None:
    proc = run_example(name)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    for key, value in EXPECTED[name].items():
        assert result[key] == value
    assert "WorkflowExecutionCompleted" in proc.stderr


@pytest.mark.parametrize("mode", ["server", "local"])
@pytest.mark.parametrize("name", sorted(CODE_EXPECTED))
def test_code_example_runs_on_the_server_and_locally(name: str, mode: str) -> None:
    proc = run_example(name, *(["--local"] if mode == "local" else []))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout) == CODE_EXPECTED[name]
    assert "WorkflowExecutionCompleted" in proc.stderr
