"""The moving parts of the server, one per module."""
