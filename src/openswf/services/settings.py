"""The server's settings, with SWF's values as defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from openswf.engine.commands import Limits


@dataclass(frozen=True, kw_only=True)
class Settings:
    poll_timeout_s: float = 60.0
    account_id: str = "123456789012"
    default_region: str = "us-east-1"
    limits: Limits = field(default_factory=Limits)
    max_domains: int = 100
    max_types_per_domain: int = 10_000
    max_open_executions_per_domain: int = 100_000
    max_pollers_per_task_list: int = 1_000
    # All long polls held by this server at once (each is an open connection: mind ulimit -n).
    max_pollers: int = 10_000
    # Tasks held in memory on all task lists' heaps; past it, the store is the backlog.
    max_tasks_in_memory: int = 100_000
    # How often a waiting poll re-reads the store: the guarantee behind in-memory wake-ups.
    poll_recheck_s: float = 5.0
    # How often closed executions past their domain's retention are purged, and how many runs
    # one purge transaction deletes (a batch holds the single writer while it runs).
    retention_sweep_s: float = 10.0
    retention_batch: int = 100
    # Metrics label bounds: domains and task lists past these many distinct names are counted
    # under "other" (simpleflow makes a task list per workflow).
    metrics_max_domains: int = 50
    metrics_max_task_lists: int = 200
    # Keys of task and page tokens: the first signs, all verify (rotation, docs/security.md).
    # Empty: a key generated once and kept in the store, shared by the servers on it.
    token_keys: tuple[str, ...] = ()
    empty_task_token: bool = False  # answer empty polls with taskToken "" instead of omitting it
