"""The pyflow decider process: ``python -m pyflow_app.decider DOMAIN TASK_LIST``.

pyflow's own entry point, unchanged: it registers the workflow types and polls until killed.
It finds the server through AWS_ENDPOINT_URL_SWF, as any boto3 client does.
"""

from __future__ import annotations

import logging
import sys

import pyflow

from pyflow_app.workflows import ALL


def main() -> None:
    domain, task_list = sys.argv[1], sys.argv[2]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    pyflow.poll_for_executions(ALL, domain=domain, task_list=task_list, identity="pyflow-decider")


if __name__ == "__main__":
    main()
