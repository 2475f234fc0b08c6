"""Delta links per seller and window, so an unchanged calendar costs one small request.

A delta round returns only what changed since the link was issued, so the events of the
previous round are kept beside the link (``snapshot``, opaque bytes the scan encodes).
Link and snapshot are always saved together: a new link with an old snapshot would
silently lose changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from slotguard.store._base import LedgerBase, chunks, insert_ignore, iso_week, seller_id
from slotguard.store.schema import delta_links

_D = delta_links
SAVE_CHUNK = 200  # rows per multi-row upsert (5 parameters each)


class DeltasMixin(LedgerBase):
    def delta_link(self, seller: str, window: str) -> str | None:
        query = select(_D.c.link).where(_D.c.seller == seller_id(seller), _D.c.window == window)
        with self._read() as conn:
            return conn.execute(query).scalar_one_or_none()

    def delta_snapshot(self, seller: str, window: str) -> bytes | None:
        query = select(_D.c.snapshot).where(_D.c.seller == seller_id(seller),
                                            _D.c.window == window)
        with self._read() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return bytes(value) if value is not None else None

    def delta_states(self, sellers: Iterable[str], window: str
                     ) -> dict[str, tuple[str, bytes | None]]:
        """``delta_link`` and ``delta_snapshot`` for many sellers in one query per 500:
        {seller (lower-cased): (link, snapshot)}; sellers with nothing stored are absent."""
        wanted = list(dict.fromkeys(seller_id(s) for s in sellers))
        out: dict[str, tuple[str, bytes | None]] = {}
        with self._read() as conn:
            for part in chunks(wanted):
                query = select(_D.c.seller, _D.c.link, _D.c.snapshot).where(
                    _D.c.window == window, _D.c.seller.in_(part))
                for seller, link, snapshot in conn.execute(query):
                    out[seller] = (link, bytes(snapshot) if snapshot is not None else None)
        return out

    def save_delta_links(self, window: str,
                         states: Iterable[tuple[str, str, bytes | None]]) -> None:
        """``save_delta_link`` for many (seller, link, snapshot) in one transaction: a wave
        of first reads stores all its links at once."""
        now = self._now()
        rows = list({seller_id(s): {"seller": seller_id(s), "window": window, "link": link,
                                    "snapshot": snapshot, "updated_at": now}
                     for s, link, snapshot in states}.values())
        if not rows:
            return
        with self._write() as conn:
            if conn.dialect.name not in ("postgresql", "sqlite"):
                for row in rows:
                    self._save(conn, row)
                return
            make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            for start in range(0, len(rows), SAVE_CHUNK):
                query = make(_D).values(rows[start:start + SAVE_CHUNK])
                conn.execute(query.on_conflict_do_update(
                    index_elements=[_D.c.seller, _D.c.window],
                    set_={"link": query.excluded.link, "snapshot": query.excluded.snapshot,
                          "updated_at": query.excluded.updated_at}))

    def prune_delta_links(self, week: str) -> int:
        """Forget links and snapshots of windows that start before ``week`` (an ISO week):
        a past week is never read again, and each kept its sellers' snapshots."""
        # Window names start with their ISO week ("2026-W48+1"), which sorts as text.
        query = delete(_D).where(_D.c.window < iso_week(week))
        with self._write() as conn:
            return int(conn.execute(query).rowcount or 0)

    def save_delta_link(self, seller: str, window: str, link: str,
                        snapshot: bytes | None = None) -> None:
        """Store the link and the snapshot that goes with it (replacing both)."""
        row = {"seller": seller_id(seller), "window": window, "link": link,
               "snapshot": snapshot, "updated_at": self._now()}
        with self._write() as conn:
            self._save(conn, row)

    @staticmethod
    def _save(conn: Connection, row: dict[str, Any]) -> None:
        if insert_ignore(conn, _D, row):
            return
        conn.execute(update(_D).where(_D.c.seller == row["seller"], _D.c.window == row["window"])
                     .values(link=row["link"], snapshot=row["snapshot"],
                             updated_at=row["updated_at"]))

    def drop_delta_link(self, seller: str, window: str) -> None:
        """Forget the link (Graph answered 410 / syncStateNotFound): next read is full."""
        with self._write() as conn:
            conn.execute(
                delete(_D).where(_D.c.seller == seller_id(seller), _D.c.window == window)
            )
