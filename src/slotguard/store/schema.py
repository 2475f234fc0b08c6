"""The ledger's tables (SQLAlchemy Core). Migration 0001 creates exactly these; a test
compares the two so they cannot drift apart.

Keys are the idempotency keys of the team's design ("<seller>|<rule>|<date>", with
"#comp1", "#task:..." suffixes for actions); their unique constraints are what make a
replayed scan, a crash between a Graph write and the ledger write, or two replicas racing
on the same key harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

# Named constraints keep migrations portable (SQLite batch mode needs names to alter them).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

KEY = 1024  # idempotency keys: upn + rule + date + action suffix (a meeting key)
UPN = 320  # the longest legal e-mail address
NAME = 200
WEEK = 10  # "2026-W48"


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zones: values are stored as naive UTC text in one fixed format, so
    comparisons in SQL (lease expiry) still order correctly."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone; pass aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


scan_runs = Table(
    "scan_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("replica", String(NAME), nullable=False),
    Column("week", String(WEEK), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("stats", JSON(none_as_null=True)),
    Column("error", Text),
    Index(None, "started_at"),
)

violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(KEY), nullable=False),
    Column("seller", String(UPN), nullable=False),
    Column("team", String(NAME), nullable=False),
    Column("rule_id", String(NAME), nullable=False),
    Column("week", String(WEEK), nullable=False),
    Column("block_day", Date, nullable=False),
    Column("block_start", UtcDateTime, nullable=False),
    Column("block_end", UtcDateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("meetings", JSON, nullable=False),
    Column("state", String(20), nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("state_changed_at", UtcDateTime, nullable=False),
    UniqueConstraint("key"),
    Index(None, "seller", "block_day"),
    Index(None, "week"),
)

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(KEY), nullable=False),
    Column("seller", String(UPN), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("violation_key", String(KEY)),
    Column("state", String(20), nullable=False),
    Column("graph_id", String(KEY)),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("payload", JSON(none_as_null=True)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    UniqueConstraint("key"),
    Index(None, "seller", "state"),
    Index(None, "state"),
    Index(None, "violation_key"),
)

shortfalls = Table(
    "shortfalls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("violation_key", String(KEY), nullable=False),
    Column("seller", String(UPN), nullable=False),
    Column("week", String(WEEK), nullable=False),
    Column("missing", Integer, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    UniqueConstraint("violation_key", "week"),
    Index(None, "seller"),
)

seller_problems = Table(
    "seller_problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("scan_runs.id", ondelete="CASCADE")),
    Column("seller", String(UPN), nullable=False),
    Column("code", String(NAME), nullable=False),
    Column("message", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index(None, "run_id"),
    Index(None, "seller", "at"),
)

delta_links = Table(
    "delta_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seller", String(UPN), nullable=False),
    Column("window", String(NAME), nullable=False),
    Column("link", Text, nullable=False),
    Column("snapshot", LargeBinary),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("seller", "window"),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(KEY), primary_key=True),
    Column("owner", String(NAME), nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

job_claims = Table(
    "job_claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(NAME), nullable=False),
    Column("period", String(NAME), nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),  # NULL: the claim never lapses
    Column("finished_at", UtcDateTime),
    UniqueConstraint("job", "period"),
)

escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seller", String(UPN), nullable=False),
    Column("period", String(NAME), nullable=False),
    Column("count", Integer, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("seller", "period"),
)
