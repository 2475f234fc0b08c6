"""The ledger: what slotguard saw and did, kept in SQLite or PostgreSQL (SQLAlchemy +
Alembic), plus the leases and once-per-period claims that let several replicas share work."""
