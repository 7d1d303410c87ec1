"""An order workflow, deployed as production runs it: see docs/framework.md, "Run in
production". The parent graph reserves the items, then a child graph ships them.

    python worker.py     # activity worker(s), any number of processes
    python decider.py    # deciders of the parent's and the children's task lists
    python start.py A-1  # registers, starts one order, waits for its result
    # or, for both workers: openswf worker shop.py
"""

from openswf.sdk import ActivityTask, ChildWorkflow, DeciderSpec, Timeouts, WorkflowType, activity

DOMAIN = "shop"
ACTIVITIES = "shop-activities"


@activity(
    name="shop.reserve", version="1", task_list=ACTIVITIES, timeouts=Timeouts(start_to_close=60)
)
def reserve(context):
    order = context.workflow_input
    return {"order": order["id"], "reserved": len(order["items"])}


@activity(name="shop.ship", version="1", task_list=ACTIVITIES, timeouts=Timeouts(start_to_close=60))
def ship(context):
    # A child without an input of its own gets the results of what it required.
    reserved = context.workflow_input["reserve"]
    return f"shipped {reserved['reserved']} items of {reserved['order']}"


# The child's graph travels in the child's input; the child is an execution of the type
# openswf.dynamic/1 on the child spec's task list, decided there by a DynamicDecider.
shipping = DeciderSpec(
    domain=DOMAIN, task_list="shop-shipping-decisions", tasks=[ActivityTask(ship, id="ship")]
)
spec = DeciderSpec(
    domain=DOMAIN,
    task_list="shop-decisions",
    tasks=[
        ChildWorkflow(spec=shipping, id="shipping", requires=[ActivityTask(reserve, id="reserve")])
    ],
)
workflow_type = WorkflowType("shop.order", "1", task_list=spec.task_list, execution_timeout=3600)
dynamic_type = WorkflowType("openswf.dynamic", "1", task_list=shipping.task_list)
