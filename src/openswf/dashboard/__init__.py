"""The web dashboard: domains, executions, one execution's timeline and history, actions.

A client of the SWF API like any other (DESIGN.md): it reads and acts through
``openswf.sdk`` only, so ``openswf ui --endpoint URL`` serves it against any SWF endpoint,
AWS included, and ``openswf server`` mounts it at /ui over an in-process transport.
See docs/dashboard.md.
"""

from openswf.dashboard.app import Dashboard, create_dashboard
from openswf.dashboard.mount import dashboard_routes

__all__ = ["Dashboard", "create_dashboard", "dashboard_routes"]
