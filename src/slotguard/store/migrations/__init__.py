"""Alembic migrations for the ledger, shipped inside the package (see slotguard.store.migrate)."""
