#!/usr/bin/env python3
"""A long fuzzing campaign against real openswf servers, on SQLite and PostgreSQL; it counts.

The same generators as the CI test (tests/fuzz/): per operation, the member-by-member sweep of
extreme values, then ``--examples`` Hypothesis examples of valid and mutated requests (random,
not derandomized, unless ``--seed``); then ``--examples`` x 10 garbage bodies, wrong headers and
forged tokens. Each answer must be a 2xx or an SWF 4xx; a bad answer is recorded, not raised,
so the campaign runs to its end. The server must be healthy after each backend's run.

    python benchmarks/fuzz.py --examples 500
    python benchmarks/fuzz.py --examples 2000 --backends sqlite --seed 7

The printed table goes in docs/security.md ("Fuzzing and bad input").
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fuzz

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from openswf.services.settings import Settings  # noqa: E402
from openswf.testing import LocalServer  # noqa: E402
from tests import databases  # noqa: E402
from tests.fuzz import requests as fuzz  # noqa: E402
from tests.fuzz import world as worlds  # noqa: E402

SERVER_SETTINGS = Settings(poll_timeout_s=0.05, max_domains=10_000_000)


@dataclass
class Tally:
    backend: str
    requests: int = 0
    examples: int = 0
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    faults: collections.Counter[str] = field(default_factory=collections.Counter)
    bad: list[str] = field(default_factory=list)
    healthy_after: bool = False
    seconds: float = 0.0

    def send(self, port: int, request: fuzz.Request) -> None:
        self.record(lambda: fuzz.check(port, request))

    def exchange(self, port: int, operation: str, body: Any, world: fuzz.World) -> None:
        self.record(lambda: fuzz.exchange(port, operation, body, world))

    def record(self, call: Callable[[], tuple[int, str | None]]) -> None:
        self.requests += 1
        try:
            status, name = call()
        except fuzz.BadAnswer as error:
            self.statuses["bad"] += 1
            self.bad.append(str(error)[:400])
            return
        self.statuses[f"{status // 100}xx"] += 1
        if name:
            self.faults[name] += 1


def _examples(tally: Tally, port: int, operation: str, world: fuzz.World, options: Any) -> Any:
    @options
    @given(data=st.data())
    def run(data: Any) -> None:
        body = data.draw(fuzz.request_body(operation, world))
        tally.examples += 1
        tally.exchange(port, operation, body, world)

    return run


def campaign(backend: str, url: str, examples: int, fixed_seed: int | None) -> Tally:
    tally = Tally(backend)
    started = time.monotonic()
    with LocalServer(url, settings=SERVER_SETTINGS) as server:
        port = server.port
        other = worlds.build(server.endpoint)
        options = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=["generate"],  # nothing raises, so nothing to shrink
        )
        for operation in fuzz.OPERATIONS:
            world = worlds.build(server.endpoint, other=other)
            for body in fuzz.sweep(operation, world):
                tally.exchange(port, operation, body, world)

            run = _examples(tally, port, operation, world, options)
            (seed(fixed_seed)(run) if fixed_seed is not None else run)()
            print(f"  {backend} {operation}: {tally.requests} requests so far", flush=True)

        world = worlds.build(server.endpoint, other=other)

        @settings(options, max_examples=examples * 10)
        @given(data=st.data())
        def garbage(data: Any) -> None:
            operation = data.draw(st.sampled_from(fuzz.OPERATIONS))
            body = data.draw(
                fuzz.garbage_bodies() | fuzz.valid_request(operation, world).map(fuzz.dumps)
            )
            request = fuzz.Request(
                target=data.draw(st.just(fuzz.TARGET_PREFIX + operation) | fuzz.targets()),
                body=body,
                content_type=data.draw(fuzz.content_types()),
                authorization=data.draw(fuzz.authorizations()),
            )
            tally.examples += 1
            tally.send(port, request)

        (seed(fixed_seed)(garbage) if fixed_seed is not None else garbage)()
        try:
            worlds.healthy(server.endpoint)
            tally.healthy_after = True
        except Exception as error:  # reported in the table
            tally.bad.append(f"unhealthy after the run: {error!r}")
    tally.seconds = time.monotonic() - started
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="Hypothesis examples per op")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--postgres", default=databases.DEFAULT_URL, help="admin URL")
    parser.add_argument("--seed", type=int, default=None, help="repeat a campaign exactly")
    args = parser.parse_args()

    tallies = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="openswf-fuzz-") as folder:
            if backend == "sqlite":
                url, drop = f"sqlite:///{folder}/fuzz.db", None
            else:
                url = databases.create_database(args.postgres)
                drop = url
            try:
                tallies.append(campaign(backend, url, args.examples, args.seed))
            finally:
                if drop is not None:
                    databases.drop_database(args.postgres, drop)

    print()
    print(f"operations: {len(fuzz.OPERATIONS)}; Hypothesis examples per operation: {args.examples}")
    print()
    print(
        "| backend | requests | of which Hypothesis examples | 2xx | 4xx | 5xx or other bad "
        "| healthy after | time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for t in tallies:
        print(
            f"| {t.backend} | {t.requests} | {t.examples} | {t.statuses['2xx']} "
            f"| {t.statuses['4xx']} | {t.statuses['bad']} | {'yes' if t.healthy_after else 'NO'} "
            f"| {t.seconds:.0f} s |"
        )
    for t in tallies:
        print(f"\n{t.backend} faults: " + ", ".join(f"{n} {c}" for n, c in t.faults.most_common()))
        for line in t.bad[:20]:
            print(f"  BAD: {line}")
    if any(t.bad or not t.healthy_after for t in tallies):
        sys.exit(1)


if __name__ == "__main__":
    main()
