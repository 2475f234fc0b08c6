"""Scan runs and the problems met per seller during them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update

from slotguard.ports.records import RunRecord, SellerProblemRecord
from slotguard.store._base import LedgerBase, clip, iso_week, seller_id
from slotguard.store.schema import scan_runs, seller_problems


def _run(row: Row[Any]) -> RunRecord:
    m = row._mapping
    return RunRecord(
        id=m["id"], replica=m["replica"], week=m["week"], dry_run=bool(m["dry_run"]),
        started_at=m["started_at"], finished_at=m["finished_at"], stats=m["stats"],
        error=m["error"],
    )


class RunsMixin(LedgerBase):
    def start_run(self, replica: str, week: str, dry_run: bool) -> int:
        values = {"replica": replica, "week": iso_week(week), "dry_run": dry_run,
                  "started_at": self._now()}
        with self._write() as conn:
            result = conn.execute(scan_runs.insert().values(values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, stats: dict[str, Any], error: str | None = None) -> None:
        values = {"finished_at": self._now(), "stats": stats,
                  "error": clip(error) if error is not None else None}
        with self._write() as conn:
            result = conn.execute(update(scan_runs).where(scan_runs.c.id == run_id).values(values))
            if result.rowcount == 0:
                raise LookupError(f"run_id: no scan run {run_id}")

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first."""
        query = select(scan_runs).order_by(scan_runs.c.id.desc()).limit(limit)
        with self._read() as conn:
            return [_run(row) for row in conn.execute(query)]

    def last_run(self) -> RunRecord | None:
        found = self.runs(limit=1)
        return found[0] if found else None

    def record_seller_problem(self, run_id: int | None, seller: str, code: str,
                              message: str) -> None:
        values = {"run_id": run_id, "seller": seller_id(seller), "code": code,
                  "message": clip(message), "at": self._now()}
        with self._write() as conn:
            conn.execute(seller_problems.insert().values(values))

    def seller_problems(self, run_id: int | None = None, seller: str | None = None,
                        since: datetime | None = None) -> list[SellerProblemRecord]:
        t = seller_problems
        query = select(t).order_by(t.c.at, t.c.id)
        if run_id is not None:
            query = query.where(t.c.run_id == run_id)
        if seller is not None:
            query = query.where(t.c.seller == seller_id(seller))
        if since is not None:
            query = query.where(t.c.at >= since)
        with self._read() as conn:
            return [
                SellerProblemRecord(run_id=r.run_id, seller=r.seller, code=r.code,
                                    message=r.message, at=r.at)
                for r in conn.execute(query)
            ]
