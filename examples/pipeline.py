"""Three activities, a timer and a retry.

fetch -> (wait 2 s) -> transform (fails on its first attempt, retried after 1 s) -> store

    openswf run examples/pipeline.py
"""

from openswf.sdk import ActivityFailed, ActivityTask, DeciderSpec, Retry, Timeouts, Timer, activity


@activity(name="pipeline.fetch", version="1", task_list="pipeline")
def fetch(context):
    """Pretend to download some records."""
    return [{"id": i, "value": v} for i, v in enumerate(context.workflow_input["values"])]


@activity(
    name="pipeline.transform",
    version="1",
    task_list="pipeline",
    timeouts=Timeouts(start_to_close=30),
)
def transform(context):
    """Scale every value; the first attempt fails, as a flaky service would."""
    if context.attempt == 1:
        raise ActivityFailed("service unavailable", {"attempt": context.attempt})
    (records,) = context.requires.values()
    factor = context.input["factor"]
    return [{**r, "value": r["value"] * factor} for r in records]


@activity(name="pipeline.store", version="1", task_list="pipeline")
def store(context):
    """Pretend to save the records; return a summary."""
    (records,) = context.requires.values()
    return {"stored": len(records), "total": sum(r["value"] for r in records)}


input = {"values": [1, 2, 3, 4]}

fetch_task = ActivityTask(fetch, id="fetch")
cool_down = Timer(2, id="cool-down", requires=[fetch_task])
transform_task = ActivityTask(
    transform,
    {"factor": 10},
    id="transform",
    requires=[fetch_task, cool_down],
    retry=Retry.fixed(delay=1, max_attempts=3),
)
store_task = ActivityTask(store, id="store", requires=[transform_task])

spec = DeciderSpec(domain="examples", task_list="pipeline-decisions", tasks=[store_task])
