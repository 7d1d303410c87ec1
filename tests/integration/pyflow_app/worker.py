"""The activity worker process: ``python -m pyflow_app.worker DOMAIN TASK_LIST``.

pyflow ships no activity worker (its activities may be written in any language that reaches
SWF), so this is the plain boto3 loop such a worker is: poll, run, respond. JSON in and out,
as pyflow encodes activity input and decodes results.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

log = logging.getLogger("pyflow_app.worker")


class Refused(Exception):
    pass


def increment(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def explode(x: int) -> int:
    raise Refused(f"cannot handle {x}")


ACTIVITIES: dict[str, Callable[[Any], Any]] = {
    "increment": increment,
    "double": double,
    "explode": explode,
}


def main() -> None:
    domain, task_list = sys.argv[1], sys.argv[2]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    swf = boto3.client("swf", config=Config(read_timeout=70))
    while True:
        task = swf.poll_for_activity_task(
            domain=domain, taskList={"name": task_list}, identity="pyflow-worker"
        )
        if not task.get("taskToken"):
            continue
        name = task["activityType"]["name"]
        log.info("running %s(%s)", name, task.get("input"))
        try:
            result = ACTIVITIES[name](json.loads(task["input"]))
        except Exception as error:
            swf.respond_activity_task_failed(
                taskToken=task["taskToken"], reason=type(error).__name__, details=str(error)
            )
        else:
            swf.respond_activity_task_completed(
                taskToken=task["taskToken"], result=json.dumps(result)
            )


if __name__ == "__main__":
    main()
