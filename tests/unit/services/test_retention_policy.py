"""How a domain's retention string becomes a keep period."""

from __future__ import annotations

import pytest

from openswf.services.retention import DAY_MS, retention_ms


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("0", 0),
        ("NONE", 0),
        ("1", DAY_MS),
        ("90", 90 * DAY_MS),
        # Not a whole number of days: keep the runs rather than destroy history.
        ("forever", None),
        ("1.5", None),
        ("-1", None),
    ],
)
def test_retention_ms(days: str, expected: int | None) -> None:
    assert retention_ms(days) == expected
