"""The ledger's first schema: scan runs, violations, actions, shortfalls, seller problems,
delta links, leases, once-per-period job claims and escalations.

Written by hand to stay portable between SQLite and PostgreSQL; names follow the naming
convention in slotguard.store.schema so later migrations can address them.

Revision ID: 0001
Revises:
Create Date: 2026-05-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEY = 1024
UPN = 320
NAME = 200
WEEK = 10


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "scan_runs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("replica", sa.String(NAME), nullable=False),
        sa.Column("week", sa.String(WEEK), nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.Column("stats", sa.JSON, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scan_runs"),
    )
    op.create_index("ix_scan_runs_started_at", "scan_runs", ["started_at"])

    op.create_table(
        "violations",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("team", sa.String(NAME), nullable=False),
        sa.Column("rule_id", sa.String(NAME), nullable=False),
        sa.Column("week", sa.String(WEEK), nullable=False),
        sa.Column("block_day", sa.Date, nullable=False),
        _ts("block_start"),
        _ts("block_end"),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("meetings", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        _ts("state_changed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_violations"),
        sa.UniqueConstraint("key", name="uq_violations_key"),
    )
    op.create_index("ix_violations_seller_block_day", "violations", ["seller", "block_day"])
    op.create_index("ix_violations_week", "violations", ["week"])

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(KEY), nullable=False),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("violation_key", sa.String(KEY), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("graph_id", sa.String(KEY), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("payload", sa.JSON, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
        sa.UniqueConstraint("key", name="uq_actions_key"),
    )
    op.create_index("ix_actions_seller_state", "actions", ["seller", "state"])
    op.create_index("ix_actions_state", "actions", ["state"])
    op.create_index("ix_actions_violation_key", "actions", ["violation_key"])

    op.create_table(
        "shortfalls",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("violation_key", sa.String(KEY), nullable=False),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("week", sa.String(WEEK), nullable=False),
        sa.Column("missing", sa.Integer, nullable=False),
        _ts("first_seen"),
        _ts("last_seen"),
        sa.PrimaryKeyConstraint("id", name="pk_shortfalls"),
        sa.UniqueConstraint("violation_key", "week", name="uq_shortfalls_violation_key_week"),
    )
    op.create_index("ix_shortfalls_seller", "shortfalls", ["seller"])

    op.create_table(
        "seller_problems",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("code", sa.String(NAME), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("id", name="pk_seller_problems"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["scan_runs.id"],
            name="fk_seller_problems_run_id_scan_runs", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_seller_problems_run_id", "seller_problems", ["run_id"])
    op.create_index("ix_seller_problems_seller_at", "seller_problems", ["seller", "at"])

    op.create_table(
        "delta_links",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("window", sa.String(NAME), nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("snapshot", sa.LargeBinary, nullable=True),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_delta_links"),
        sa.UniqueConstraint("seller", "window", name="uq_delta_links_seller_window"),
    )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(KEY), nullable=False),
        sa.Column("owner", sa.String(NAME), nullable=False),
        _ts("acquired_at"),
        _ts("expires_at"),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )

    op.create_table(
        "job_claims",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("job", sa.String(NAME), nullable=False),
        sa.Column("period", sa.String(NAME), nullable=False),
        sa.Column("owner", sa.String(NAME), nullable=False),
        _ts("claimed_at"),
        _ts("expires_at", nullable=True),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job_claims"),
        sa.UniqueConstraint("job", "period", name="uq_job_claims_job_period"),
    )

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("seller", sa.String(UPN), nullable=False),
        sa.Column("period", sa.String(NAME), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        _ts("recorded_at"),
        sa.PrimaryKeyConstraint("id", name="pk_escalations"),
        sa.UniqueConstraint("seller", "period", name="uq_escalations_seller_period"),
    )


def downgrade() -> None:
    for index, table in [
        ("ix_seller_problems_seller_at", "seller_problems"),
        ("ix_seller_problems_run_id", "seller_problems"),
        ("ix_shortfalls_seller", "shortfalls"),
        ("ix_actions_violation_key", "actions"),
        ("ix_actions_state", "actions"),
        ("ix_actions_seller_state", "actions"),
        ("ix_violations_week", "violations"),
        ("ix_violations_seller_block_day", "violations"),
        ("ix_scan_runs_started_at", "scan_runs"),
    ]:
        op.drop_index(index, table_name=table)
    for table in [
        "escalations", "job_claims", "leases", "delta_links", "seller_problems",
        "shortfalls", "actions", "violations", "scan_runs",
    ]:
        op.drop_table(table)
