"""`openswf server` security as operators run it: real processes and ports.

Access keys reread on SIGHUP (and a broken file on reload keeping the keys in use), refusal to
listen open on a network address without --insecure, the unauthenticated warning, HTTPS from
--tls-cert/--tls-key, and token keys rotated across restarts with --token-key-file.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from openswf.testing import free_port
from tests.e2e.test_server_process import (
    HOST,
    OPENSWF,
    START_TIMEOUT_S,
    ServerProcess,
    register_basics,
    sqlite_url,
    wait_for,
)
from tests.tls import self_signed_cert

KEY_A = '[[keys]]\nid = "AKIDA"\nsecret = "secret-a"\n'
KEY_B = '[[keys]]\nid = "AKIDB"\nsecret = "secret-b"\n'


def boto(endpoint: str, key: str, secret: str, **extra: Any) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(connect_timeout=5, read_timeout=30, retries={"total_max_attempts": 1}),
        **extra,
    )


def code_of(call: Callable[..., Any], **kwargs: Any) -> str | None:
    try:
        call(**kwargs)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def healthy(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2, context=context) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


Spawn = Callable[..., ServerProcess]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    started: list[ServerProcess] = []

    def start(
        *args: str,
        port: int | None = None,
        host: str = HOST,
        wait: bool = True,
        context: ssl.SSLContext | None = None,
    ) -> ServerProcess:
        port = port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWF_")}
        env["PYTHONUNBUFFERED"] = "1"
        server = ServerProcess(
            [
                "--host",
                host,
                "--port",
                str(port),
                "--db",
                sqlite_url(tmp_path / "openswf.db"),
                "--poll-timeout",
                "1",
                *args,
            ],
            env=env,
            cwd=tmp_path,
            port=port,
            log=tmp_path / f"server-{len(started)}.log",
        )
        started.append(server)
        if wait:
            scheme = "https" if context is not None else "http"

            def up() -> bool:
                if server.proc.poll() is not None:
                    raise AssertionError(f"openswf exited at start-up:\n{server.logs()}")
                return healthy(f"{scheme}://{HOST}:{port}", context)

            wait_for(up, START_TIMEOUT_S, f"openswf on port {port}")
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()


def test_access_keys_are_reread_on_sighup_and_a_bad_file_keeps_them(
    spawn: Spawn, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(KEY_A)
    server = spawn("--access-keys", str(keys))
    a = boto(server.endpoint, "AKIDA", "secret-a")
    b = boto(server.endpoint, "AKIDB", "secret-b")
    assert code_of(a.list_domains, registrationStatus="REGISTERED") is None
    assert code_of(b.list_domains, registrationStatus="REGISTERED") == (
        "UnrecognizedClientException"
    )
    assert "SigV4 required: 1 access key(s)" in server.logs()

    keys.write_text(KEY_B)
    server.proc.send_signal(signal.SIGHUP)
    wait_for(
        lambda: code_of(b.list_domains, registrationStatus="REGISTERED") is None,
        10,
        "the new key to be accepted after SIGHUP",
    )
    assert code_of(a.list_domains, registrationStatus="REGISTERED") == (
        "UnrecognizedClientException"
    )

    keys.write_text("[[keys]]\nid = 'AKIDC'\n")  # no secret: refused, B stays
    server.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "access keys not reloaded" in server.logs(), 10, "the reload error")
    assert "'secret' must be a non-empty string" in server.logs()
    assert code_of(b.list_domains, registrationStatus="REGISTERED") is None
    assert server.proc.poll() is None
    assert server.stop() == 0


def test_open_server_refuses_a_network_address_unless_insecure(spawn: Spawn) -> None:
    refused = spawn(host="0.0.0.0", wait=False)
    assert refused.proc.wait(timeout=30) != 0
    assert "refusing to listen on 0.0.0.0 without authentication" in refused.logs()
    assert "--insecure" in refused.logs()

    server = spawn("--insecure", host="0.0.0.0")
    assert healthy(server.endpoint)
    swf = boto(server.endpoint, "anything", "goes")
    assert code_of(swf.list_domains, registrationStatus="REGISTERED") is None
    assert server.logs().count("UNAUTHENTICATED") == 1


def test_open_server_on_loopback_says_it_is_unauthenticated_once(spawn: Spawn) -> None:
    server = spawn()
    logs = server.logs()
    assert logs.count("UNAUTHENTICATED") == 1, logs
    swf = boto(server.endpoint, "anything", "goes")
    assert code_of(swf.list_domains, registrationStatus="REGISTERED") is None


def test_a_keyed_server_may_listen_on_any_address(spawn: Spawn, tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(KEY_A)
    server = spawn("--access-keys", str(keys), host="0.0.0.0")
    assert "UNAUTHENTICATED" not in server.logs()
    swf = boto(server.endpoint, "AKIDA", "wrong")
    assert code_of(swf.list_domains, registrationStatus="REGISTERED") == (
        "InvalidSignatureException"
    )


def test_bad_keys_file_stops_the_start_with_the_reason(tmp_path: Path) -> None:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    keys = tmp_path / "keys.toml"
    keys.write_text("[[keys]]\nid = 'AKIDA'\nsecret = 's'\nread_only = 'no'\n")
    done = subprocess.run(
        [str(OPENSWF), "server", "--access-keys", str(keys), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'read_only' must be true or false" in done.stderr


def test_https_from_tls_cert_and_key(spawn: Spawn, tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    keys = tmp_path / "keys.toml"
    keys.write_text(KEY_A)
    context = ssl.create_default_context(cafile=cert)
    server = spawn(
        "--access-keys", str(keys), "--tls-cert", cert, "--tls-key", key, context=context
    )
    endpoint = f"https://{HOST}:{server.port}"
    assert f"on {endpoint}" in server.logs()
    swf = boto(endpoint, "AKIDA", "secret-a", verify=cert)
    swf.register_domain(name="tls", workflowExecutionRetentionPeriodInDays="1")
    assert swf.describe_domain(name="tls")["domainInfo"]["name"] == "tls"
    assert not healthy(server.endpoint)  # plain HTTP on the TLS port


def test_token_keys_rotate_across_restarts(spawn: Spawn, tmp_path: Path) -> None:
    old, new = "old-token-key-0123456789abcdef", "new-token-key-0123456789abcdef"
    key_file = tmp_path / "token-keys"
    key_file.write_text(f"{old}\n")
    port = free_port()
    server = spawn("--token-key-file", str(key_file), port=port)
    swf = boto(server.endpoint, "any", "key")
    register_basics(swf, "rotation")
    swf.start_workflow_execution(
        domain="rotation", workflowId="w", workflowType={"name": "wf", "version": "1"}
    )
    decision = swf.poll_for_decision_task(domain="rotation", taskList={"name": "decisions"})
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": {"name": "act", "version": "1"},
                    "activityId": "a1",
                    "heartbeatTimeout": "NONE",
                },
            }
        ],
    )
    task = swf.poll_for_activity_task(domain="rotation", taskList={"name": "activities"})
    token = task["taskToken"]
    assert server.stop() == 0

    # Step 1: the new key is added second, so every server accepts it before any signs with it
    # (here one server; the token of the old key works throughout). Step 2: the new key signs.
    key_file.write_text(f"{new}\n{old}\n")
    server = spawn("--token-key-file", str(key_file), port=port)
    swf = boto(server.endpoint, "any", "key")
    assert code_of(swf.record_activity_task_heartbeat, taskToken=token) is None
    assert server.stop() == 0

    # Step 3: the old key is removed; what it signed is no longer accepted.
    key_file.write_text(f"{new}\n")
    server = spawn("--token-key-file", str(key_file), port=port)
    swf = boto(server.endpoint, "any", "key")
    assert code_of(swf.record_activity_task_heartbeat, taskToken=token) == "UnknownResourceFault"
    assert server.stop() == 0


def test_short_token_key_is_refused(tmp_path: Path) -> None:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    key_file = tmp_path / "token-keys"
    key_file.write_text("short\n")
    done = subprocess.run(
        [str(OPENSWF), "server", "--token-key-file", str(key_file), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "shorter than 16 characters" in done.stderr
