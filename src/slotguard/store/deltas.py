"""Delta links per seller and window, so an unchanged calendar costs one small request.

A delta round returns only what changed since the link was issued, so the events of the
previous round are kept beside the link (``snapshot``, opaque bytes the scan encodes).
Link and snapshot are always saved together: a new link with an old snapshot would
silently lose changes."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from slotguard.store._base import LedgerBase, insert_ignore, seller_id
from slotguard.store.schema import delta_links

_D = delta_links


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

    def save_delta_link(self, seller: str, window: str, link: str,
                        snapshot: bytes | None = None) -> None:
        """Store the link and the snapshot that goes with it (replacing both)."""
        seller = seller_id(seller)
        values = {"link": link, "snapshot": snapshot, "updated_at": self._now()}
        with self._write() as conn:
            if insert_ignore(conn, _D, {"seller": seller, "window": window, **values}):
                return
            conn.execute(
                update(_D).where(_D.c.seller == seller, _D.c.window == window).values(values)
            )

    def drop_delta_link(self, seller: str, window: str) -> None:
        """Forget the link (Graph answered 410 / syncStateNotFound): next read is full."""
        with self._write() as conn:
            conn.execute(
                delete(_D).where(_D.c.seller == seller_id(seller), _D.c.window == window)
            )
