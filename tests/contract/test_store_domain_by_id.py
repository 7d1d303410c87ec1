"""Store contract: a domain read by its id (access checks of task-token calls use it)."""

from __future__ import annotations

from openswf.storage.base import Store


async def test_a_domain_is_read_back_by_its_id(store: Store) -> None:
    record = await store.insert_domain(
        region="eu-west-1",
        name="orders",
        description="d",
        retention_days="3",
        created_ms=42,
        tags=[],
    )
    assert await store.get_domain_by_id(record.id) == record
    assert await store.get_domain_by_id(record.id + 1000) is None
