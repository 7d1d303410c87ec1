"""``from openswf.sdk import futures``: ``futures.wait(*fs)``, ``futures.first(*fs)``."""

from openswf.sdk.code.futures import Future, first, wait

__all__ = ["Future", "first", "wait"]
