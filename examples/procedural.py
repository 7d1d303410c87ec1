"""Procedural style (as in pyflow): calls in sequence with ``.result()``, a failing activity
caught and compensated, a Lambda task and a child workflow.

    openswf run examples/procedural.py            # on an embedded server
    openswf run --local examples/procedural.py    # in-process, no server

Calling an activity proxy returns a future; ``.result()`` returns the value, or raises the
activity's failure (``ActivityFailed``, with its reason and details) where the code can
catch it.
"""

from openswf.sdk import ActivityFailed, ActivityProxy, ChildProxy, Workflow, activity


@activity(name="procedural.reserve", version="1", task_list="shop")
def reserve(order):
    return {"order": order["id"], "items": len(order["items"])}


@activity(name="procedural.charge", version="1", task_list="shop")
def charge(order, method):
    if method == "card":
        raise ActivityFailed("card declined", {"method": method})
    return {"paid": order["amount"], "method": method}


@activity(name="procedural.release", version="1", task_list="shop")
def release(reservation):
    return f"released {reservation['items']} items of {reservation['order']}"


@activity(name="procedural.pack", version="1", task_list="shop")
def pack(order_id, items):
    return f"parcel {order_id}: {items} items"


def tax(amount):
    """A Lambda function (run by openswf's LambdaWorker; by AWS Lambda on SWF)."""
    return round(amount * 0.2, 2)


lambdas = {"procedural-tax": tax}


class Shipping(Workflow):
    """The child workflow: packs the parcel."""

    name = "procedural.shipping"
    task_list = "shop-decisions"
    pack = ActivityProxy(pack)

    def run(self, order_id, items):
        return {"parcel": self.pack(order_id, items).result(), "carrier": "post"}


class Checkout(Workflow):
    name = "procedural.checkout"
    task_list = "shop-decisions"
    lambda_role = "arn:aws:iam::123456789012:role/openswf-lambda"

    reserve = ActivityProxy(reserve)
    charge = ActivityProxy(charge)
    release = ActivityProxy(release)
    ship = ChildProxy(Shipping)

    def run(self, order):
        reservation = self.reserve(order).result()
        steps = []
        try:
            payment = self.charge(order, "card").result()
        except ActivityFailed as declined:
            # Compensate: give the stock back, then take it again and pay another way.
            steps.append(f"{declined.reason}: {self.release(reservation).result()}")
            reservation = self.reserve(order).result()
            payment = self.charge(order, "transfer").result()
        vat = self.lambda_("procedural-tax", order["amount"]).result()
        shipment = self.ship(order["id"], reservation["items"]).result()
        return {"payment": payment, "vat": vat, "shipment": shipment, "compensated": steps}


workflow = Checkout
input = {"id": "A-7", "items": ["book", "lamp"], "amount": 40}
