"""Loads the SQL of this backend from its .sql files."""

from __future__ import annotations

from importlib import resources


def read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def named_queries(name: str) -> dict[str, str]:
    """Split a file of ``-- name: <name>`` blocks into a dict of statements."""
    queries: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in read(name).splitlines():
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


def migrations() -> list[tuple[int, str]]:
    """The numbered migrations, in order: ``(version, sql)``."""
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)
