"""Run the packaged Alembic migrations from code, whatever the working directory.

Several replicas may start at the same moment and all try to upgrade: the upgrade runs in
one transaction that first takes a lock (PostgreSQL: a transaction-scoped advisory lock;
SQLite: BEGIN IMMEDIATE), so the second waits and then finds nothing to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from slotguard.store.engine import transaction
from slotguard.store.schema import metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_MIGRATION_LOCK = 0x736C_6F74_6775_6172  # "slotguar": any constant shared by all replicas


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with transaction(engine, write=False) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    before = current_revision(engine) if engine.dialect.name == "sqlite" else None
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(conn), revision)
    if before is not None and current_revision(engine) != before:
        _vacuum(engine)


def _vacuum(engine: Engine) -> None:
    """Rewrite an upgraded SQLite file: rows a migration deleted or changed (personal data,
    0002) would otherwise stay readable in its free pages. VACUUM cannot run inside a
    transaction, so it goes through the driver's own connection (in autocommit here)."""
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("VACUUM")
    finally:
        raw.close()


def downgrade(engine: Engine, revision: str) -> None:
    with transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        command.downgrade(alembic_config(conn), revision)


def schema_diff(engine: Engine) -> list[Any]:
    """What autogenerate would put into a new migration; empty when the database matches
    the tables in slotguard.store.schema (the check ``alembic check`` makes)."""
    with transaction(engine, write=False) as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))
