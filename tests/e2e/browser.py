"""Headless Chromium for the dashboard's tests and screenshots: Debian's ``chromium``
package, driven by Playwright (whose own browser downloads are not used)."""

from __future__ import annotations

import os
import shutil
from typing import Any

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """The system Chromium (env OPENSWF_CHROMIUM overrides), or None when absent."""
    for candidate in (os.environ.get("OPENSWF_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any) -> Any:
    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=path, args=ARGS, headless=True)
