"""The payload store and the converter's offloading, without a server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openswf.sdk import payloads
from openswf.sdk.converter import MAX_DATA, MAX_LIMITED_DATA, dumps, loads


@pytest.fixture
def store(tmp_path: Path) -> Iterator[payloads.FileStore]:
    chosen = payloads.FileStore(tmp_path)
    payloads.configure(chosen)
    yield chosen
    payloads.reset()


def test_small_values_stay_inline(store: payloads.FileStore) -> None:
    text = dumps({"a": "x" * (MAX_DATA - 20)})
    assert text is not None and payloads.reference(text) is None
    assert not any(store.root.iterdir())


def test_a_value_over_the_limit_becomes_a_reference_and_comes_back(
    store: payloads.FileStore,
) -> None:
    value = {"a": "é" * MAX_DATA}
    text = dumps(value)
    assert text is not None and len(text) < 200
    ref = payloads.reference(text)
    assert ref is not None and ref["size"] == len(('{"a":"' + "é" * MAX_DATA + '"}').encode())
    assert (store.root / ref["sha256"][:2] / ref["sha256"]).exists()
    assert loads(text) == value


def test_the_limit_is_per_field_and_the_threshold_lowers_it(tmp_path: Path) -> None:
    payloads.configure(payloads.FileStore(tmp_path), threshold=1000)
    try:
        assert payloads.reference(dumps("x" * 990) or "") is None
        assert payloads.reference(dumps("x" * 1000) or "") is not None
        payloads.configure(payloads.FileStore(tmp_path))
        assert payloads.reference(dumps("x" * 3000, limit=MAX_LIMITED_DATA) or "") is not None
        assert payloads.reference(dumps("x" * 3000) or "") is None
    finally:
        payloads.reset()


def test_same_content_is_stored_once(store: payloads.FileStore) -> None:
    assert dumps("y" * 40_000) == dumps("y" * 40_000)
    assert len(list(store.root.rglob("*"))) == 2  # one folder, one blob


def test_a_corrupt_or_missing_blob_is_a_clear_error(tmp_path: Path) -> None:
    writer = payloads.configure(payloads.FileStore(tmp_path))
    text = writer.offload("z" * 40_000, MAX_DATA)
    ref = payloads.reference(text)
    assert ref is not None
    path = tmp_path / ref["sha256"][:2] / ref["sha256"]
    path.write_text("tampered")
    reader = payloads.Payloads(payloads.FileStore(tmp_path))
    with pytest.raises(payloads.PayloadError, match="corrupt"):
        reader.resolve(text)
    path.unlink()
    with pytest.raises(payloads.PayloadNotFound, match=ref["sha256"]):
        reader.resolve(text)
    with pytest.raises(payloads.PayloadError, match="OPENSWF_PAYLOAD_STORE"):
        payloads.Payloads(None).resolve(text)
    payloads.reset()


def test_off_leaves_large_values_inline(tmp_path: Path) -> None:
    payloads.configure("off")
    try:
        assert len(dumps("x" * 40_000) or "") == 40_002
    finally:
        payloads.reset()


def test_configuration_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENSWF_PAYLOAD_STORE", (tmp_path / "blobs").as_uri())
    monkeypatch.setenv("OPENSWF_PAYLOAD_THRESHOLD", "4096")
    settings = payloads.from_environment()
    assert isinstance(settings.store, payloads.FileStore)
    assert settings.store.root == tmp_path / "blobs" and settings.threshold == 4096
    monkeypatch.setenv("OPENSWF_PAYLOAD_STORE", "s3://bucket/some/prefix")
    monkeypatch.setenv("OPENSWF_PAYLOAD_S3_ENDPOINT", "http://127.0.0.1:9000")
    s3 = payloads.from_environment().store
    assert isinstance(s3, payloads.S3Store)
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == (
        "bucket",
        "some/prefix",
        "http://127.0.0.1:9000",
    )
    monkeypatch.setenv("OPENSWF_PAYLOAD_STORE", "off")
    assert payloads.from_environment().store is None
    monkeypatch.setenv("OPENSWF_PAYLOAD_STORE", "ftp://x")
    with pytest.raises(ValueError, match="file:///PATH"):
        payloads.from_environment()


def test_a_value_that_only_looks_like_a_reference_is_a_value(store: payloads.FileStore) -> None:
    lookalike = {"openswf:payload": 1, "note": "mine"}
    assert loads(dumps(lookalike)) == lookalike


def test_the_cache_is_bounded() -> None:
    class Counting:
        url = "mem://"

        def __init__(self) -> None:
            self.blobs: dict[str, bytes] = {}
            self.gets = 0

        def put(self, key: str, data: bytes) -> None:
            self.blobs[key] = data

        def get(self, key: str) -> bytes:
            self.gets += 1
            return self.blobs[key]

    store = Counting()
    settings = payloads.Payloads(store, cache_bytes=100_000)
    refs = [settings.offload(str(i) * 40_000, MAX_DATA) for i in range(3)]
    assert [settings.resolve(r) for r in reversed(refs)] == [str(i) * 40_000 for i in (2, 1, 0)]
    assert store.gets == 1  # the first fell out of the cache; the other two were hits
    assert settings._cached <= 100_000
