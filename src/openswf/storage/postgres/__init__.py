"""The PostgreSQL store: several openswf servers over one database."""
