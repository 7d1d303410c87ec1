"""``openswf run`` prints the link to its run in the dashboard of its embedded server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_openswf_run_prints_the_dashboard_link() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    proc = subprocess.run(
        [sys.executable, "-m", "openswf.cli.main", "run", str(ROOT / "examples" / "hello.py"),
         "--no-progress", "--workflow-id", "hello-link"],
        capture_output=True, text=True, timeout=90, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    link = re.search(
        r"dashboard: (http://127\.0\.0\.1:\d+/ui/domains/[^/\s]+/runs/hello-link/\w+)", proc.stderr
    )
    assert link, proc.stderr
    run_id = re.search(r"started hello-link \(run (\w+)\)", proc.stderr)
    assert run_id and link.group(1).endswith("/" + run_id.group(1))
