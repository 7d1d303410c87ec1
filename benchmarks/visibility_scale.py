#!/usr/bin/env python3
"""Visibility at scale: the first page and the count of every filter, over a million runs.

Builds a SQLite store with the server's own schema (the same tables, indexes and trigger:
the file is created by ``SqliteStore``'s migration) holding, in ONE domain (the hard case),
1,000,000 closed and 10,000 open executions: 4 workflow types in 3 versions, skewed; 0 to 3
tags each, from a common tag (~60 % of runs) to rare ones; the 6 close statuses, skewed;
start times over 180 days, close times from seconds to days later; a few workflowIds with
thousands of runs (cron-like), the rest with one. Rows carry a state snapshot of a real
run's size (~900 bytes), so pages read realistic rows.

Then it times, through the real handlers (``VisibilityService.list_open`` & co., which
decode rows into executionInfos) plus the JSON encoding the server does, for each filter
(none, executionFilter, typeFilter name, typeFilter name+version, tagFilter,
closeStatusFilter; open by start time, closed by start time and by close time): the first
page of 100 and of 1000 runs, the second page of 1000 (through its nextPageToken), and
the count. It prints the median and p95 wall-clock milliseconds, and the most CPU time any
one call of the row took (this thread's: on a shared machine, a wall-clock tail far above
it is time spent waiting for a core). Exits 1 if any p95 is over ``--budget-ms`` (50).

    .venv/bin/python benchmarks/visibility_scale.py                # builds once, then cached
    .venv/bin/python benchmarks/visibility_scale.py --closed 100000 --open 1000   # quicker
    .venv/bin/python benchmarks/visibility_scale.py --rebuild --repeat 50 --json

The database is cached under ``--cache-dir`` (/tmp/openswf-bench) under a name that holds
the sizes and a hash of the schema, so a schema change builds a new one. Building loads the
rows with the indexes dropped, then re-creates them with the exact statements the schema
created them with (a sort per index is much faster than a million random inserts).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import hashlib
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from openswf.protocol.tokens import TokenSigner
from openswf.services.clock import SystemClock
from openswf.services.context import RequestContext
from openswf.services.paging import Pager
from openswf.services.registry import RegistryService
from openswf.services.settings import Settings
from openswf.services.visibility import COUNT_LIMIT, VisibilityService
from openswf.storage.sqlite import sqlfiles
from openswf.storage.sqlite.store import SqliteStore, migrate

GENERATOR_VERSION = 1  # bump when the generated data changes
DOMAIN = "bench"
REGION = "us-east-1"
DAY_MS = 86_400_000
NOW_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: fixed, so a cached file stays valid
SPAN_DAYS = 180

TYPES = [("ingest", 0.50), ("report", 0.30), ("billing", 0.15), ("cleanup", 0.05)]
VERSIONS = [("1", 0.2), ("2", 0.3), ("3", 0.5)]
STATUSES = [
    ("COMPLETED", 0.80),
    ("FAILED", 0.08),
    ("TIMED_OUT", 0.04),
    ("CANCELED", 0.03),
    ("TERMINATED", 0.03),
    ("CONTINUED_AS_NEW", 0.02),
]
CRON_IDS = 20  # workflowIds "cron-0".."cron-19" share 10 % of the closed runs
COMMON_TAG = "env:prod"  # on ~60 % of runs
MEDIUM_TAG = "priority:high"  # ~10 %
CUSTOMERS = 5_000  # "customer-N": ~0.5 % of runs each get one, so each tag is rare


# --- building the store ----------------------------------------------------------------


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _state_blob(rng: random.Random) -> bytes:
    # A real closed run's snapshot is ~850-1000 bytes of msgspec JSON; its content does not
    # matter here, its size does (it decides how many rows fit in a page).
    return b"{" + rng.randbytes(440).hex().encode() + b"}"


def _runs(rng: random.Random, closed: int, open_: int) -> Iterator[tuple[Any, ...]]:
    """Rows of ``executions`` (with their tags, for execution_tags), oldest start first."""
    blobs = [_state_blob(rng) for _ in range(64)]
    total = closed + open_
    for i in range(total):
        is_open = i >= closed
        if is_open:  # open runs started within the last 7 days
            start_ms = NOW_MS - 7 * DAY_MS + (i - closed) * (7 * DAY_MS // max(1, open_))
        else:
            start_ms = NOW_MS - SPAN_DAYS * DAY_MS + i * (SPAN_DAYS * DAY_MS // closed)
        start_ms += rng.randrange(1000)
        name = _pick(rng, TYPES)
        version = _pick(rng, VERSIONS)
        if is_open and i - closed < CRON_IDS:
            workflow_id = f"cron-{i - closed}"  # the current run of each cron-like id
        elif not is_open and rng.random() < 0.10:
            workflow_id = f"cron-{rng.randrange(CRON_IDS)}"
        else:
            workflow_id = f"order-{i}"
        tags = []
        if rng.random() < 0.6:
            tags.append(COMMON_TAG)
        if rng.random() < 0.1:
            tags.append(MEDIUM_TAG)
        if rng.random() < 0.5:
            tags.append(f"customer-{rng.randrange(CUSTOMERS)}")
        if is_open:
            close_ms, status = None, None
        else:
            close_ms = start_ms + int(rng.expovariate(1 / 600_000))  # mean 10 minutes
            if rng.random() < 0.01:
                close_ms += rng.randrange(7 * DAY_MS)  # a few run for days
            status = _pick(rng, STATUSES)
        yield (
            f"{rng.getrandbits(128):032x}",
            1,
            workflow_id,
            name,
            version,
            start_ms,
            close_ms,
            status,
            int(is_open),
            0,
            None,
            None,
            json.dumps(tags),
            3,
            blobs[i % len(blobs)],
        )


def build(path: Path, closed: int, open_: int, seed: int) -> None:
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(tmp, isolation_level=None)
    migrate(conn)  # the server's schema, exactly
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")  # 1 GB
    # Load with the visibility indexes dropped, then re-create them with the statements the
    # schema made them with.
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('executions', 'execution_tags')"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute(
        "INSERT INTO domains (id, region, name, status, description, retention_days, "
        "created_ms) VALUES (1, ?, ?, 'REGISTERED', NULL, '90', ?)",
        (REGION, DOMAIN, NOW_MS - 365 * DAY_MS),
    )
    rng = random.Random(seed)
    batch: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[Any, ...]] = []
    insert = (
        "INSERT INTO executions (run_id, domain_id, workflow_id, type_name, type_version, "
        "start_ms, close_ms, close_status, is_open, cancel_requested, parent_workflow_id, "
        "parent_run_id, tags, version, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    insert_tag = (
        "INSERT INTO execution_tags (run_id, tag, domain_id, is_open, start_ms, close_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)"
    )
    for row in _runs(rng, closed, open_):
        batch.append(row)
        for tag in json.loads(row[12]):
            tag_rows.append((row[0], tag, row[1], row[8], row[5], row[6]))
        if len(batch) >= 50_000:
            conn.executemany(insert, batch)
            conn.executemany(insert_tag, tag_rows)
            batch, tag_rows = [], []
            print(
                f"  loaded {conn.execute('SELECT max(rowid) FROM executions').fetchone()[0]:,}",
                file=sys.stderr,
                end="\r",
            )
    conn.executemany(insert, batch)
    conn.executemany(insert_tag, tag_rows)
    loaded = time.perf_counter()
    for name, sql in indexes:
        conn.execute(sql)
        print(f"  index {name:<32}", file=sys.stderr, end="\r")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    tmp.rename(path)
    done = time.perf_counter()
    print(
        f"built {path} ({path.stat().st_size / 1e9:.2f} GB): rows {loaded - started:.0f} s, "
        f"indexes {done - loaded:.0f} s",
        file=sys.stderr,
    )


def database(args: argparse.Namespace) -> Path:
    schema = hashlib.sha256(sqlfiles.read("schema.sql").encode()).hexdigest()[:10]
    name = f"visibility-{args.closed}-{args.open}-s{args.seed}-g{GENERATOR_VERSION}-{schema}.db"
    path = Path(args.cache_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild:
        path.unlink(missing_ok=True)
    if not path.exists():
        print(
            f"building {args.closed:,} closed + {args.open:,} open executions ...", file=sys.stderr
        )
        build(path, args.closed, args.open, args.seed)
    return path


# --- the cases -------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    label: str
    operation: str  # "open" | "closed"
    request: dict[str, Any]


def cases(closed: int) -> list[Case]:
    """Every filter on open runs, and on closed runs by start and by close time."""
    all_time = {"oldestDate": 0}
    last_day = {"oldestDate": (NOW_MS - DAY_MS) / 1000}
    filters: list[tuple[str, dict[str, Any]]] = [
        ("none", {}),
        ("executionFilter (1 run)", {"executionFilter": {"workflowId": "order-12346"}}),
        ("executionFilter (cron)", {"executionFilter": {"workflowId": "cron-7"}}),
        ("typeFilter name", {"typeFilter": {"name": "report"}}),
        ("typeFilter name+version", {"typeFilter": {"name": "cleanup", "version": "2"}}),
        ("tagFilter common", {"tagFilter": {"tag": COMMON_TAG}}),
        ("tagFilter rare", {"tagFilter": {"tag": "customer-42"}}),
    ]
    found = []
    for label, extra in filters:
        if label == "executionFilter (1 run)":  # an open run's workflowId
            extra = {"executionFilter": {"workflowId": f"order-{closed + CRON_IDS + 1}"}}
        found.append(Case(f"open   start {label}", "open", {"startTimeFilter": all_time} | extra))
    by_status = ("closeStatusFilter FAILED", {"closeStatusFilter": {"status": "FAILED"}})
    for label, extra in [*filters, by_status]:
        for time_filter in ("startTimeFilter", "closeTimeFilter"):
            column = "start" if time_filter == "startTimeFilter" else "close"
            found.append(
                Case(f"closed {column:<5} {label}", "closed", {time_filter: all_time} | extra)
            )
    found.append(Case("closed close none, last day", "closed", {"closeTimeFilter": last_day}))
    found.append(
        Case(
            "closed start tagFilter common, last day",
            "closed",
            {"startTimeFilter": last_day, "tagFilter": {"tag": COMMON_TAG}},
        )
    )
    return found


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


async def _time(
    call: Callable[[], Awaitable[Any]], repeat: int, cpu: list[float]
) -> tuple[list[float], Any]:
    """Wall-clock milliseconds of ``repeat`` calls; their CPU milliseconds (this thread's,
    which a busy machine does not inflate) are added to ``cpu``."""
    result = None
    for _ in range(2):  # warm the page cache and the statement cache
        result = await call()
    samples = []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.thread_time()
        result = await call()
        samples.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return samples, result


async def measure(
    service: VisibilityService, case: Case, repeat: int, budget_ms: float
) -> dict[str, Any]:
    """One case: the first pages of 100 and 1000, the next page of 1000, and the count."""
    ctx = RequestContext(region=REGION)
    request = {"domain": DOMAIN} | case.request
    listing = service.list_open if case.operation == "open" else service.list_closed
    counting = service.count_open if case.operation == "open" else service.count_closed
    row: dict[str, Any] = {"case": case.label}
    cpu: list[float] = []

    async def page(size: int, token: str | None = None) -> tuple[dict[str, Any], bytes]:
        extra: dict[str, Any] = {"maximumPageSize": size}
        if token:
            extra["nextPageToken"] = token
        answer = await listing(request | extra, ctx)
        return answer, orjson.dumps(answer)  # the server's encoding, too

    token = None
    for size in (100, 1000):
        samples, (answer, _) = await _time(functools.partial(page, size), repeat, cpu)
        row[f"page{size}"] = _stats(samples)
        row[f"rows{size}"] = len(answer["executionInfos"])
        token = answer.get("nextPageToken")
    if token:
        samples, _ = await _time(functools.partial(page, 1000, token), repeat, cpu)
        row["next1000"] = _stats(samples)
    samples, answer = await _time(lambda: counting(request, ctx), repeat, cpu)
    row["count"] = _stats(samples)
    row["count_value"] = answer["count"]
    row["truncated"] = answer["truncated"]
    row["cpu_max"] = max(cpu)
    timed = ("page100", "page1000", "next1000", "count")
    row["ok"] = all(row[key][1] <= budget_ms for key in timed if key in row)
    return row


async def run(path: Path, closed: int, repeat: int, budget_ms: float) -> list[dict[str, Any]]:
    store = SqliteStore(str(path))
    await store.open()
    try:
        pager = Pager(TokenSigner(b"benchmark"))
        clock = SystemClock()
        registry = RegistryService(store, clock, Settings(), pager)
        service = VisibilityService(store, clock, registry, pager)
        # As the server does once it is up (server/run.py): what lives as long as the
        # process is moved out of the collector's sight, so a full collection, which a page
        # of 1000 runs can trigger, scans only what came after.
        gc.freeze()
        results = []
        for case in cases(closed):
            row = await measure(service, case, repeat, budget_ms)
            results.append(row)
            print(_line(row), file=sys.stderr)
        return results
    finally:
        await store.close()


def _cell(value: tuple[float, float] | None) -> str:
    return f"{'-':^15}" if value is None else f"{value[0]:6.2f} / {value[1]:6.2f}"


def _line(row: dict[str, Any]) -> str:
    count = f"{row['count_value']:>7,}{'+' if row['truncated'] else ' '}"
    return (
        f"| {row['case']:<42} | {row['rows100']:>4} | {_cell(row.get('page100'))} "
        f"| {row['rows1000']:>4} | {_cell(row.get('page1000'))} | {_cell(row.get('next1000'))} "
        f"| {count} | {_cell(row.get('count'))} | {row['cpu_max']:6.2f} "
        f"| {'ok' if row['ok'] else 'SLOW'} |"
    )


HEADER = (
    "| case (listing, time filter, filter)        | rows | page 100        "
    "| rows | page 1000       | next 1000       | count    | count           | cpu    |    |\n"
    "|--------------------------------------------|-----:|-----------------"
    "|-----:|-----------------|-----------------|---------:|-----------------|-------:|----|"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closed", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per measurement")
    parser.add_argument("--budget-ms", type=float, default=50.0, help="p95 budget per call")
    parser.add_argument("--cache-dir", default="/tmp/openswf-bench")
    parser.add_argument("--rebuild", action="store_true", help="build the database anew")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    path = database(args)
    with contextlib.suppress(KeyboardInterrupt):
        print(HEADER, file=sys.stderr)
        results = asyncio.run(run(path, args.closed, args.repeat, args.budget_ms))
        if args.json:
            print(json.dumps(results))
        else:
            print(
                f"\n{args.closed:,} closed + {args.open:,} open executions in one domain; "
                f"wall-clock ms, median / p95 over {args.repeat} calls; cpu: the most CPU ms "
                f"any one call of the row used; count limit {COUNT_LIMIT:,} ('+': truncated, "
                f"a lower bound)\n\n{HEADER}"
            )
            for row in results:
                print(_line(row))
        slow = [row["case"] for row in results if not row["ok"]]
        if slow:
            print(f"\nover {args.budget_ms} ms at p95: {', '.join(slow)}", file=sys.stderr)
            return 1
        print(f"\nevery call under {args.budget_ms} ms at p95", file=sys.stderr)
        return 0
    return 130


if __name__ == "__main__":
    sys.exit(main())
