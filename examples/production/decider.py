"""The deciders: the order graph on its task list, child graphs on theirs. Stateless: run
as many processes as you like; SIGTERM stops them after the tasks they are deciding."""

import logging

import shop

from openswf.sdk import Client, DecisionWorker, DynamicDecider, GraphDecider

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
client = Client()
orders = DecisionWorker(
    client,
    shop.DOMAIN,
    shop.spec.task_list,
    GraphDecider(shop.spec),
    workflow_types=[shop.workflow_type],  # registered on start
)
children = DecisionWorker(
    client,
    shop.DOMAIN,
    shop.shipping.task_list,
    DynamicDecider(),
    workflow_types=[shop.dynamic_type],
)
orders.start()  # background threads
children.run()  # blocks until SIGTERM or SIGINT...
orders.stop()  # ...then the other stops too
