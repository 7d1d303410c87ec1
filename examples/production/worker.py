"""The activity worker: runs shop's activities until SIGTERM (running tasks finish first)."""

import logging

import shop

from openswf.sdk import ActivityWorker, Client

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
# Endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL_SWF, ...).
client = Client()
worker = ActivityWorker(client, shop.DOMAIN, shop.ACTIVITIES, [shop.reserve, shop.ship])
worker.run()  # registers the activity types (once the domain exists), polls, heartbeats
