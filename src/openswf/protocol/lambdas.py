"""How Lambda tasks reach openswf's Lambda workers.

SWF runs ScheduleLambdaFunction decisions on AWS Lambda; openswf hands them to workers
instead. A Lambda worker is an activity poller on a reserved task list: it polls
``PollForActivityTask`` on ``LAMBDA_TASK_LIST`` and gets the function's id as ``activityId``,
its name as ``activityType.name`` (version ``LAMBDA_VERSION``) and its input; it answers
with RespondActivityTaskCompleted / Failed, which record LambdaFunctionCompleted / Failed.
"""

from __future__ import annotations

LAMBDA_TASK_LIST = "openswf-lambda"
LAMBDA_VERSION = "$LAMBDA"
