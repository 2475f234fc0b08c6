"""The ledger: one object the scan, the daemon and the CLI talk to.

Every method is its own short transaction and returns plain frozen records, so callers
never hold a session and a daemon and a CLI reader can share one SQLite file.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from slotguard.errors import ConfigError, LedgerUnavailable
from slotguard.ports.records import PENDING_ACTION_STATES
from slotguard.store import migrate as migrations
from slotguard.store._base import ClockLike, iso_week
from slotguard.store.actions import ActionsMixin
from slotguard.store.coordination import CoordinationMixin
from slotguard.store.deltas import DeltasMixin
from slotguard.store.engine import make_engine
from slotguard.store.runs import RunsMixin
from slotguard.store.schema import (
    actions,
    delta_links,
    escalations,
    leases,
    scan_runs,
    seller_problems,
    shortfalls,
    violations,
)
from slotguard.store.violations import ViolationsMixin


def utc_now() -> datetime:
    return datetime.now(UTC)


def _file_identity(engine: Any) -> tuple[str, tuple[int, int]] | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    path = os.path.abspath(os.path.expanduser(engine.url.database))
    info = os.stat(path)
    return path, (info.st_dev, info.st_ino)


def _unusable(exc: DBAPIError) -> Exception:
    """A failed first connection as one line. A refused login is bad input (the URL's
    user or password); anything else means the database is out of reach."""
    detail = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
    lowered = detail.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered or (
            "database" in lowered and "does not exist" in lowered):
        return ConfigError([f"SLOTGUARD_DATABASE_URL: the database refused the login "
                            f"({detail[:200]}); check the user, password and database name"])
    if "readonly" in lowered or "read-only" in lowered:
        return ConfigError([f"SLOTGUARD_DATABASE_URL: the ledger is read-only ({detail[:200]}); "
                            "let slotguard write its file and folder"])
    return LedgerUnavailable(f"SLOTGUARD_DATABASE_URL: cannot open the ledger ({detail[:300]}); "
                             "check that the database runs and the URL's host and port")


class Ledger(RunsMixin, ViolationsMixin, ActionsMixin, DeltasMixin, CoordinationMixin):
    """The ledger port (``slotguard.ports.Ledger``) over SQLAlchemy."""

    dry_run = False  # it keeps what it is told
    _file: tuple[str, tuple[int, int]] | None = None  # the SQLite file opened, (dev, inode)

    @classmethod
    def open(cls, url: str, clock: ClockLike = utc_now, *, migrate: bool = False,
             busy_timeout_ms: int = 10_000, echo: bool = False) -> Ledger:
        """Connect to ``url`` (any SQLAlchemy URL; a SQLite file's folder is created).
        ``migrate=True`` brings the schema to the newest revision first."""
        ledger = cls(make_engine(url, busy_timeout_ms=busy_timeout_ms, echo=echo), clock)
        try:
            if migrate:
                ledger.upgrade()
            else:
                ledger.engine.connect().close()
        except DBAPIError as exc:
            ledger.close()
            raise _unusable(exc) from None
        ledger._file = _file_identity(ledger.engine)
        return ledger

    @classmethod
    def open_existing(cls, url: str, clock: ClockLike = utc_now) -> Ledger | None:
        """The ledger at ``url`` as it is, for reading: None when there is none (no SQLite
        file, or a database without the schema). Nothing is created or migrated."""
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:") or not os.path.exists(
                    os.path.expanduser(database)):
                return None
        ledger = cls.open(url, clock)
        if ledger.revision() is None:
            ledger.close()
            return None
        return ledger

    def upgrade(self, revision: str = "head") -> None:
        migrations.upgrade(self.engine, revision)

    def revision(self) -> str | None:
        return migrations.current_revision(self.engine)

    def needs_upgrade(self) -> bool:
        return self.revision() != migrations.head_revision()

    def close(self) -> None:
        self.engine.dispose()

    def file_problem(self) -> str | None:
        """Why the SQLite file this ledger opened is no longer the one on disk (deleted
        or replaced under a running process), or None. SQLite keeps writing into a deleted
        file's inode without complaint, and those writes vanish with the process."""
        opened = self._file
        if opened is None:
            return None
        path, identity = opened
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return f"the ledger file {path} was deleted while slotguard was running"
        if (info.st_dev, info.st_ino) != identity:
            return f"the ledger file {path} was replaced while slotguard was running"
        return None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def summary(self) -> dict[str, Any]:
        """Counts for ``slotguard ledger``: what the ledger holds, at a glance."""
        now = self._now()
        with self._read() as conn:
            def count(table: Any, *where: Any) -> int:
                return int(conn.execute(select(func.count()).select_from(table).where(*where))
                           .scalar_one())

            def grouped(column: Any) -> dict[str, int]:
                query = select(column, func.count()).group_by(column).order_by(column)
                return {str(key): int(n) for key, n in conn.execute(query)}

            missing = conn.execute(select(func.coalesce(func.sum(shortfalls.c.missing), 0)))
            result = {
                "runs": count(scan_runs),
                "violations": {"total": count(violations),
                               "by_state": grouped(violations.c.state)},
                "actions": {"total": count(actions), "by_state": grouped(actions.c.state),
                            "by_kind": grouped(actions.c.kind)},
                "shortfalls": {"violations": count(shortfalls),
                               "missing": int(missing.scalar_one())},
                "seller_problems": count(seller_problems),
                "escalations": count(escalations),
                "leases_held": count(leases, leases.c.expires_at >= now),
                "delta_links": count(delta_links),
            }
        last = self.last_run()
        result["last_run"] = None if last is None else {
            "id": last.id, "replica": last.replica, "week": last.week,
            "dry_run": last.dry_run, "started_at": last.started_at.isoformat(),
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "error": last.error, "stats": last.stats,
        }
        return result

    def seller_summary(self, week: str | None = None) -> list[dict[str, Any]]:
        """One row per seller: violations, compensations and tasks done, pending writes,
        missing compensations and problems; ``week`` narrows violations and shortfalls."""
        rows: dict[str, dict[str, Any]] = defaultdict(lambda: {
            "team": None, "violations": 0, "open": 0, "compensations": 0, "tasks": 0,
            "pending": 0, "missing": 0, "problems": 0,
        })
        v, a, s = violations, actions, shortfalls
        vq = select(v.c.seller, v.c.team, v.c.state, func.count()).group_by(
            v.c.seller, v.c.team, v.c.state)
        sq = select(s.c.seller, func.sum(s.c.missing)).group_by(s.c.seller)
        if week is not None:
            week = iso_week(week)
            vq = vq.where(v.c.week == week)
            sq = sq.where(s.c.week == week)
        aq = select(a.c.seller, a.c.kind, a.c.state, func.count()).group_by(
            a.c.seller, a.c.kind, a.c.state)
        pq = select(seller_problems.c.seller, func.count()).group_by(seller_problems.c.seller)
        with self._read() as conn:
            for seller, team, state, n in conn.execute(vq):
                rows[seller]["team"] = team
                rows[seller]["violations"] += n
                rows[seller]["open"] += n if state == "open" else 0
            for seller, kind, state, n in conn.execute(aq):
                if state == "done" and kind == "compensation":
                    rows[seller]["compensations"] += n
                elif state == "done" and kind == "task":
                    rows[seller]["tasks"] += n
                elif state in PENDING_ACTION_STATES:
                    rows[seller]["pending"] += n
            for seller, n in conn.execute(sq):
                rows[seller]["missing"] += int(n or 0)
            for seller, n in conn.execute(pq):
                rows[seller]["problems"] += n
        return [{"seller": seller, **rows[seller]} for seller in sorted(rows)]

