"""A child workflow: the parent prepares an order, a child workflow ships it.

The child's graph is a DeciderSpec of its own, carried in the child's input and run by a
DynamicDecider (``openswf run`` starts one).

    openswf run examples/child.py
"""

from openswf.sdk import ActivityTask, ChildWorkflow, DeciderSpec, activity


@activity(name="child.prepare", version="1", task_list="orders")
def prepare(context):
    return {"order": context.workflow_input["order"], "items": 3}


@activity(name="child.pack", version="1", task_list="orders")
def pack(context):
    # A child without an input of its own gets the results of the tasks it required.
    order = context.workflow_input["prepare"]
    return f"packed {order['items']} items of {order['order']}"


@activity(name="child.ship", version="1", task_list="orders")
def ship(context):
    (packed,) = context.requires.values()
    return f"{packed}, shipped"


@activity(name="child.notify", version="1", task_list="orders")
def notify(context):
    (shipping,) = context.requires.values()
    return {"message": f"order {context.workflow_input['order']}: {shipping['ship']}"}


pack_task = ActivityTask(pack, id="pack")
shipping = DeciderSpec(
    domain="examples",
    task_list="shipping-decisions",
    tasks=[ActivityTask(ship, id="ship", requires=[pack_task])],
)

input = {"order": "A-1001"}

prepare_task = ActivityTask(prepare, id="prepare")
ship_child = ChildWorkflow(spec=shipping, id="shipping", requires=[prepare_task])
spec = DeciderSpec(
    domain="examples",
    task_list="orders-decisions",
    tasks=[ActivityTask(notify, id="notify", requires=[ship_child])],
)
