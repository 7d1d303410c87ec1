"""Loads a backend's SQL from its .sql files: named queries, the schema, numbered migrations.

Each backend keeps its SQL beside its code (``schema.sql``, ``queries.sql``,
``migrations/NNNN_name.sql``) and binds one ``SqlFiles`` to its package.
"""

from __future__ import annotations

from importlib import resources


class SqlFiles:
    def __init__(self, package: str) -> None:
        self.package = package

    def read(self, name: str) -> str:
        return resources.files(self.package).joinpath(name).read_text(encoding="utf-8")

    def named_queries(self, name: str) -> dict[str, str]:
        """Split a file of ``-- name: <name>`` blocks into a dict of statements; other
        comment lines are left out."""
        queries: dict[str, str] = {}
        current: str | None = None
        lines: list[str] = []
        for line in self.read(name).splitlines():
            if line.startswith("-- name:"):
                if current is not None:
                    queries[current] = "\n".join(lines).strip()
                current = line.split(":", 1)[1].strip()
                lines = []
            elif current is not None and not line.startswith("--"):
                lines.append(line)
        if current is not None:
            queries[current] = "\n".join(lines).strip()
        return queries

    def migrations(self) -> list[tuple[int, str]]:
        """The numbered migrations, in order: ``(version, sql)``."""
        folder = resources.files(self.package).joinpath("migrations")
        found = []
        for entry in folder.iterdir():
            if entry.name.endswith(".sql"):
                version = int(entry.name.split("_", 1)[0])
                found.append((version, entry.read_text(encoding="utf-8")))
        return sorted(found)
