"""Personal data out of existing ledgers: meeting subjects and attendee addresses that
earlier versions kept.

* ``delta_links``: every row goes. Their snapshots held whole events (subjects, attendee
  addresses); a seller without a stored link is read in full at the next scan, which
  stores the new snapshot form (events without subjects, attendees as domains).
* ``violations.meetings``: each meeting keeps its Graph id and times; ``subject`` and
  ``organizer`` are removed.

There is no way back to the removed data: the downgrade changes nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEPT = ("id", "start", "end")

violations = sa.table("violations", sa.column("id", sa.Integer),
                      sa.column("meetings", sa.JSON))


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM delta_links"))
    conn = op.get_bind()
    changed = []
    for row_id, meetings in conn.execute(sa.select(violations.c.id, violations.c.meetings)):
        value = json.loads(meetings) if isinstance(meetings, str) else meetings
        if not isinstance(value, list):
            continue
        kept = [{k: m[k] for k in _KEPT if k in m} if isinstance(m, dict) else m for m in value]
        if kept != value:
            changed.append({"row": row_id, "meetings": kept})
    if changed:
        conn.execute(violations.update().where(violations.c.id == sa.bindparam("row"))
                     .values(meetings=sa.bindparam("meetings")), changed)


def downgrade() -> None:
    pass
