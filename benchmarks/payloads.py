"""Cost of a large payload: offloading (encode, hash, store) and loading (fetch, verify,
decode) one value of about 1 MB, to a local directory and to S3 (moto's S3 server in a
process of its own, on this machine), through openswf.sdk.converter's dumps and loads.

    .venv/bin/python benchmarks/payloads.py [--size 1000000] [--repeat 20] [--json]

Each repetition stores a different value (so nothing is deduplicated) and loads it with the
converter's cache off (a cold load: a decider on another host). Prints the medians in ms,
next to the cost of the same value's JSON encode and decode alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import orjson

from openswf.sdk import payloads
from openswf.sdk.converter import MAX_DATA, dumps, loads


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    command = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or "moto_server"
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    proc = subprocess.Popen(
        [command, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
            return proc, endpoint
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moto_server did not start") from None
            time.sleep(0.05)


def value_of(size: int, i: int) -> dict[str, Any]:
    # Records, as a real result would be; about ``size`` characters of JSON in all.
    row = {"id": 0, "name": "x" * 40, "score": 0.5, "tags": ["a", "b"]}
    per = len(orjson.dumps(row)) + 1
    return {"run": i, "rows": [{**row, "id": n} for n in range(size // per)]}


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def measure(size: int, repeat: int, setup: Callable[[], payloads.PayloadStore]) -> dict[str, Any]:
    store = setup()
    payloads.configure(store, cache_bytes=0)
    offload, load = [], []
    length = 0
    for i in range(repeat):
        value = value_of(size, i)
        started = time.perf_counter()
        text = dumps(value)
        offload.append(time.perf_counter() - started)
        assert text is not None and payloads.reference(text) is not None
        length = int(payloads.reference(text)["size"])  # type: ignore[index]
        started = time.perf_counter()
        back = loads(text)
        load.append(time.perf_counter() - started)
        assert back["run"] == i
    payloads.reset()
    return {"bytes": length, "offload_ms": median_ms(offload), "load_ms": median_ms(load)}


def json_only(size: int, repeat: int) -> dict[str, Any]:
    encode, decode = [], []
    for i in range(repeat):
        value = value_of(size, i)
        started = time.perf_counter()
        text = orjson.dumps(value).decode()
        encode.append(time.perf_counter() - started)
        started = time.perf_counter()
        orjson.loads(text)
        decode.append(time.perf_counter() - started)
    return {"offload_ms": median_ms(encode), "load_ms": median_ms(decode)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of JSON")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"limit_characters": MAX_DATA}
    results["json only"] = json_only(args.size, args.repeat)
    with tempfile.TemporaryDirectory(prefix="openswf-payloads-") as folder:
        results["directory"] = measure(args.size, args.repeat, lambda: payloads.FileStore(folder))
    proc, endpoint = start_moto()
    try:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        )
        client.create_bucket(Bucket="openswf-bench")
        results["s3 (moto)"] = measure(
            args.size,
            args.repeat,
            lambda: payloads.S3Store("openswf-bench", "payloads", client=client),
        )
    finally:
        proc.terminate()
        proc.wait(10)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"values over {MAX_DATA} characters are offloaded; value of ~{args.size} characters")
    print(f"{'store':<12} {'offload ms':>11} {'load ms':>9}")
    for name, row in results.items():
        if isinstance(row, dict):
            print(f"{name:<12} {row['offload_ms']:>11} {row['load_ms']:>9}")


if __name__ == "__main__":
    main()
