"""How several replicas share one database without stepping on each other.

Leases are rows, not PostgreSQL advisory locks: an advisory lock belongs to a connection,
and pooled connections come and go. A lease is taken with one compare-and-set UPDATE
(``WHERE expires_at < now OR owner = me``) or an insert of a new row; PostgreSQL re-checks
that WHERE against the winner's committed row, SQLite runs writers one at a time, so either
way only one owner can win. A replica that dies simply stops renewing and loses its leases
after the ttl. Expiry is judged by the callers' clocks: keep the replicas' clocks in sync
(NTP) and the ttl well above any skew.

Weekly jobs claim (job, period) once for all replicas through a unique constraint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import and_, case, delete, or_, select, update

from slotguard.ports.records import LeaseRecord
from slotguard.store._base import LedgerBase, chunks, insert_ignore, insert_ignore_all
from slotguard.store.schema import job_claims, leases

_L = leases
_J = job_claims


def _ttl(seconds: float) -> timedelta:
    if not seconds > 0:
        raise ValueError(f"ttl_seconds: must be above 0, got {seconds}")
    return timedelta(seconds=seconds)


class CoordinationMixin(LedgerBase):
    def try_lease(self, name: str, owner: str, ttl_seconds: float) -> bool:
        """Take or extend the lease ``name`` for ``ttl_seconds``; False while another owner
        holds it unexpired."""
        return name in self.try_leases([name], owner, ttl_seconds)

    def try_leases(self, names: Iterable[str], owner: str, ttl_seconds: float) -> set[str]:
        """``try_lease`` for many names in one transaction (one per sweep over thousands of
        sellers instead of one each); returns the names now held by ``owner``."""
        wanted = list(dict.fromkeys(names))
        now = self._now()
        expires = now + _ttl(ttl_seconds)
        held: set[str] = set()
        with self._write() as conn:
            for part in chunks(wanted):
                conn.execute(
                    update(_L)
                    .where(_L.c.name.in_(part), or_(_L.c.expires_at < now, _L.c.owner == owner))
                    .values(
                        owner=owner, expires_at=expires,
                        acquired_at=case((_L.c.owner == owner, _L.c.acquired_at), else_=now),
                    )
                )
                rows = [{"name": n, "owner": owner, "acquired_at": now, "expires_at": expires}
                        for n in part]
                insert_ignore_all(conn, _L, rows)
                # Everything this call took or extended carries exactly this expiry.
                held.update(conn.execute(
                    select(_L.c.name).where(_L.c.name.in_(part), _L.c.owner == owner,
                                            _L.c.expires_at == expires)
                ).scalars())
        return held

    def renew_lease(self, name: str, owner: str, ttl_seconds: float) -> bool:
        """Extend a lease still held; False if it lapsed (stop work: another replica may
        already have it) or was never ours."""
        now = self._now()
        query = (
            update(_L)
            .where(_L.c.name == name, _L.c.owner == owner, _L.c.expires_at >= now)
            .values(expires_at=now + _ttl(ttl_seconds))
        )
        with self._write() as conn:
            return conn.execute(query).rowcount == 1

    def renew_leases(self, names: Iterable[str], owner: str, ttl_seconds: float) -> set[str]:
        """Extend the leases ``owner`` still holds, lapsed or not (a lapsed lease nobody
        took is still the owner's row), in one transaction; returns the names held now.
        A name missing from the result was taken over or released: stop working on it."""
        expires = self._now() + _ttl(ttl_seconds)
        with self._write() as conn:
            return {name for part in chunks(list(dict.fromkeys(names)))
                    for name in conn.execute(
                        update(_L).where(_L.c.name.in_(part), _L.c.owner == owner)
                        .values(expires_at=expires).returning(_L.c.name)).scalars()}

    def release_lease(self, name: str, owner: str) -> bool:
        return bool(self.release_leases([name], owner))

    def release_leases(self, names: Iterable[str], owner: str) -> int:
        released = 0
        with self._write() as conn:
            for part in chunks(list(dict.fromkeys(names))):
                released += conn.execute(
                    delete(_L).where(_L.c.name.in_(part), _L.c.owner == owner)
                ).rowcount
        return released

    def leases(self, include_expired: bool = False) -> list[LeaseRecord]:
        query = select(_L).order_by(_L.c.name)
        if not include_expired:
            query = query.where(_L.c.expires_at >= self._now())
        with self._read() as conn:
            return [LeaseRecord(name=r.name, owner=r.owner, acquired_at=r.acquired_at,
                                expires_at=r.expires_at) for r in conn.execute(query)]

    def claim_once(self, job: str, period: str, owner: str,
                   ttl_seconds: float | None = None) -> bool:
        """True for exactly one caller per (job, period) across all replicas.

        The same owner asking again before ``finish_claim`` gets True (it resumes its own
        job after a restart). With ``ttl_seconds``, a claim whose owner neither finished nor
        came back within the ttl may be taken over, so a replica dying mid-job does not
        cost the week its job; the job itself must then be idempotent (ours are, by key)."""
        now = self._now()
        expires = now + _ttl(ttl_seconds) if ttl_seconds is not None else None
        row = {"job": job, "period": period, "owner": owner, "claimed_at": now,
               "expires_at": expires, "finished_at": None}
        with self._write() as conn:
            if insert_ignore(conn, _J, row):
                return True
            takeover = or_(_J.c.owner == owner,
                           and_(_J.c.expires_at.is_not(None), _J.c.expires_at < now))
            return conn.execute(
                update(_J)
                .where(_J.c.job == job, _J.c.period == period, _J.c.finished_at.is_(None),
                       takeover)
                .values(owner=owner, claimed_at=now, expires_at=expires)
            ).rowcount == 1

    def finish_claim(self, job: str, period: str, owner: str) -> bool:
        """Mark the job done for the period; nobody claims it again."""
        query = (
            update(_J)
            .where(_J.c.job == job, _J.c.period == period, _J.c.owner == owner,
                   _J.c.finished_at.is_(None))
            .values(finished_at=self._now())
        )
        with self._write() as conn:
            return conn.execute(query).rowcount == 1
