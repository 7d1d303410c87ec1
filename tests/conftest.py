"""Shared fixtures: a real openswf server on a free port, and boto3 clients for it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from openswf.services.settings import Settings
from openswf.testing import LocalServer

# Short holds keep empty polls quick in tests; tests of the hold itself set their own.
TEST_POLL_TIMEOUT_S = 1.0
# The session server outlives hundreds of tests that each register a domain: SWF's quota of
# 100 domains per region would run out (its own test uses a server of its own).
TEST_SETTINGS = Settings(poll_timeout_s=TEST_POLL_TIMEOUT_S, max_domains=100_000)

_names = itertools.count()


def make_client(endpoint: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(read_timeout=70, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    with LocalServer(settings=TEST_SETTINGS) as running:
        yield running


@pytest.fixture(scope="session")
def swf(server: LocalServer) -> Any:
    return make_client(server.endpoint)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def domain(swf: Any) -> str:
    """A fresh domain with a workflow type ``wf``/``1`` and an activity type ``act``/``1``,
    both with every default set, so tests start executions and schedule activities plainly."""
    name = unique("dom")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=name,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return name
