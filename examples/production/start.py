"""The starter: registers the domain and every type (idempotent: the workers register
theirs too, but a workflow started before its activity types exist fails), starts one
order and prints its result."""

import json
import sys

import shop

from openswf.sdk import Client, ensure_domain, register_activities, wait_for_result

order_id = sys.argv[1] if len(sys.argv) > 1 else "A-1"
client = Client()
ensure_domain(client, shop.DOMAIN, retention_days=7)
shop.workflow_type.register(client, shop.DOMAIN)
shop.dynamic_type.register(client, shop.DOMAIN)
register_activities(client, shop.DOMAIN, [shop.reserve, shop.ship])
workflow_id = f"order-{order_id}"
run_id = shop.workflow_type.start(
    client, shop.DOMAIN, workflow_id, {"id": order_id, "items": ["book", "pen"]}
)
result = wait_for_result(client, shop.DOMAIN, workflow_id, run_id, timeout=300)
print(json.dumps(result))
