"""``openswf worker`` with workflows written as code (``openswf.sdk.Workflow``): each code
example runs under ``openswf worker`` against a server process, started by a plain client,
with the same result as ``openswf run --local``. Skipped where the code style is absent."""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from openswf.sdk import Client, WorkflowType, ensure_domain, wait_for_result
from tests.e2e.test_worker_process import OPENSWF, ROOT, server, start_worker, wait_for

__all__ = ["server"]  # the fixture, imported for the tests below

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("openswf.sdk.code") is None
    or not (ROOT / "examples" / "procedural.py").exists(),
    reason="workflows as code (openswf.sdk.code) are not in this version",
)

DESCRIBE = """
import json, sys
from pathlib import Path
from openswf.cli.run import load_module
module = load_module(Path(sys.argv[1]))
print(json.dumps([module.workflow.name, module.workflow.version, module.input]))
"""


def run_local(example: Path) -> object:
    done = subprocess.run(
        [str(OPENSWF), "run", "--local", str(example), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", ["procedural", "futures"])
def test_a_code_example_under_openswf_worker(server: str, tmp_path: Path, name: str) -> None:
    example = ROOT / "examples" / f"{name}.py"
    described = subprocess.run(
        [sys.executable, "-c", DESCRIBE, str(example)], capture_output=True, text=True, cwd=ROOT
    )
    assert described.returncode == 0, described.stderr
    type_name, version, workflow_input = json.loads(described.stdout)
    domain = f"code-{name}"
    client = Client(server)
    ensure_domain(client, domain)
    log = tmp_path / "worker.log"
    proc = start_worker(server, str(example), "--domain", domain, log=log)
    try:

        def registered() -> bool:
            kinds = client.list_workflow_types(domain=domain, registrationStatus="REGISTERED")
            return any(t["workflowType"]["name"] == type_name for t in kinds["typeInfos"])

        wait_for(registered, 20, "the workflow types")
        wait_for(lambda: "DecisionWorker started" in log.read_text(), 20, "the deciders")
        run_id = WorkflowType(type_name, version).start(client, domain, f"{name}-1", workflow_input)
        result = wait_for_result(client, domain, f"{name}-1", run_id, timeout=90)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
        client.close()
    assert code == 0, log.read_text()
    assert result == run_local(example)
