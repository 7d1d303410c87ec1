"""The examples, end to end: ``openswf run examples/X.py`` in a subprocess, each with its
own embedded server, must print the expected result."""

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


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_end_to_end(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "openswf.cli.main",
            "run",
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
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    for key, value in EXPECTED[name].items():
        assert result[key] == value
    assert "WorkflowExecutionCompleted" in proc.stderr
