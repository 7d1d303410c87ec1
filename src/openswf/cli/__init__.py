"""The ``openswf`` command."""
