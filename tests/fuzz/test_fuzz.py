"""Property-based fuzzing of all 39 operations over real HTTP, on SQLite and PostgreSQL.

Every answer must be a 2xx or a 4xx naming an SWF fault; never a 5xx or a hang; and the
server stays healthy. Per operation: a deterministic sweep (every member of the model, alone,
set to each extreme value of its kind), then Hypothesis's valid and mutated requests. CI runs
a bounded, derandomized number of examples (the same ones on every run, so a failure
reproduces); ``OPENSWF_FUZZ_EXAMPLES`` raises it, and
``benchmarks/fuzz.py --examples N`` runs a long random campaign and counts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import Databases
from tests.fuzz import requests as fuzz
from tests.fuzz import world as worlds

EXAMPLES = int(os.environ.get("OPENSWF_FUZZ_EXAMPLES", "25"))
FUZZ_SETTINGS = Settings(poll_timeout_s=0.05, max_domains=1_000_000)

bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # CI sees the same examples on every run
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def fuzzed(backend: str, session_databases: Databases) -> Iterator[LocalServer]:
    url = session_databases.new(backend)
    with LocalServer(url, settings=FUZZ_SETTINGS) as running:
        yield running
    session_databases.drop(url)


@pytest.fixture(scope="module")
def other_world(fuzzed: LocalServer) -> fuzz.World:
    """Another domain, whose genuine tokens are foreign to every world below."""
    return worlds.build(fuzzed.endpoint)


@pytest.fixture
def world(fuzzed: LocalServer, other_world: fuzz.World) -> fuzz.World:
    """A fresh world per test: a deprecating or terminating example spoils only its own."""
    return worlds.build(fuzzed.endpoint, other=other_world)


@pytest.mark.parametrize("operation", fuzz.OPERATIONS)
def test_valid_and_mutated_requests(operation: str, fuzzed: LocalServer, world: fuzz.World) -> None:
    port = fuzzed.port
    # First the sweep: each member alone, set to each extreme value of its kind.
    for body in fuzz.sweep(operation, world):
        fuzz.exchange(port, operation, body, world)

    @bounded
    @given(data=st.data())
    def run(data: Any) -> None:
        body = data.draw(fuzz.request_body(operation, world), label="body")
        fuzz.exchange(port, operation, body, world)

    run()
    worlds.healthy(fuzzed.endpoint)


def test_garbage_bodies_wrong_headers_and_tokens(fuzzed: LocalServer, world: fuzz.World) -> None:
    port = fuzzed.port

    @settings(bounded, max_examples=EXAMPLES * 10)
    @given(data=st.data())
    def run(data: Any) -> None:
        operation = data.draw(st.sampled_from(fuzz.OPERATIONS), label="operation")
        valid_body = fuzz.valid_request(operation, world).map(fuzz.dumps)
        body = data.draw(fuzz.garbage_bodies() | valid_body, label="body")
        target = data.draw(st.just(fuzz.TARGET_PREFIX + operation) | fuzz.targets(), label="target")
        request = fuzz.Request(
            target=target,
            body=body,
            content_type=data.draw(fuzz.content_types(), label="content-type"),
            authorization=data.draw(fuzz.authorizations(), label="authorization"),
        )
        fuzz.check(port, request)

    run()
    worlds.healthy(fuzzed.endpoint)


def test_every_operation_is_fuzzed() -> None:
    assert len(fuzz.OPERATIONS) == 39


def test_known_faults_exclude_internal_failure() -> None:
    assert "InternalFailure" not in fuzz.FAULTS
    assert {"ValidationException", "SerializationException", "UnknownResourceFault"} <= fuzz.FAULTS
