"""openswf: a self-hostable, wire-compatible Amazon SWF server and workflow framework."""

__version__ = "0.1.0"
