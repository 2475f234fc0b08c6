"""Violations (a block taken by a meeting), the shortfalls of their compensations, and the
escalations they led to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, select, update

from slotguard.domain.model import IsoWeek
from slotguard.ports.ledger import ViolationSeen
from slotguard.ports.records import (
    COUNTED_VIOLATION_STATES,
    VIOLATION_STATES,
    ShortfallRecord,
    ViolationRecord,
    check_member,
)
from slotguard.store._base import (
    LedgerBase,
    chunks,
    insert_ignore,
    insert_new,
    iso_week,
    seller_id,
)
from slotguard.store.schema import escalations, shortfalls, violations

_FIELDS = tuple(f.name for f in fields(ViolationRecord))
# What a later sighting updates; the key, first_seen and state stay as they were.
_SEEN = ("seller", "team", "rule_id", "week", "block_day", "block_start", "block_end", "kind",
         "meetings", "last_seen")
_UPDATE_SEEN = (update(violations).where(violations.c.key == bindparam("k"))
                .values({name: bindparam(name) for name in _SEEN}))
_SET_STATE = (update(violations)
              .where(violations.c.key == bindparam("k"), violations.c.state != bindparam("s"))
              .values(state=bindparam("s"), state_changed_at=bindparam("t")))


# (key, seller, team, rule_id, block_day, block_start, block_end, kind, meetings)


def _violation(row: Row[Any]) -> ViolationRecord:
    m = row._mapping
    return ViolationRecord(**{name: m[name] for name in _FIELDS})


def _states(states: Iterable[str] | None) -> list[str] | None:
    if states is None:
        return None
    return [check_member("state", s, VIOLATION_STATES) for s in states]


class ViolationsMixin(LedgerBase):
    def upsert_violation(
        self, key: str, seller: str, team: str, rule_id: str, block_day: date,
        block_start: datetime, block_end: datetime, kind: str, meetings: list[dict[str, Any]],
    ) -> bool:
        """Record a violation seen by a scan; True when it is new. A known one keeps its
        first_seen and state and gets the latest meetings and last_seen."""
        return bool(self.upsert_violations([(key, seller, team, rule_id, block_day,
                                              block_start, block_end, kind, meetings)]))

    def upsert_violations(self, seen: Sequence[ViolationSeen]) -> set[str]:
        """``upsert_violation`` for many, as a seller's violations are recorded together:
        the new ones go in with one INSERT ... RETURNING, the known ones are updated in one
        executemany. Returns the keys that were new."""
        if not seen:
            return set()
        now = self._now()
        rows = [{"key": key, "seller": seller_id(seller), "team": team, "rule_id": rule_id,
                 "week": str(IsoWeek.of(day)), "block_day": day, "block_start": start,
                 "block_end": end, "kind": kind, "meetings": meetings, "last_seen": now,
                 "state": "open", "first_seen": now, "state_changed_at": now}
                for key, seller, team, rule_id, day, start, end, kind, meetings in seen]
        with self._write() as conn:
            new = insert_new(conn, violations, rows, "key")
            if new is None:  # a key twice, or a backend without RETURNING: row by row
                new, known = set(), []
                for row in rows:
                    if insert_ignore(conn, violations, row):
                        new.add(row["key"])
                    else:
                        known.append(row)
            else:
                known = [row for row in rows if row["key"] not in new]
            if known:
                conn.execute(_UPDATE_SEEN, [{**{k: row[k] for k in _SEEN}, "k": row["key"]}
                                            for row in known])
        return new

    def set_violation_state(self, key: str, state: str) -> bool:
        """Move a violation to ``state``; False when it was already there."""
        check_member("state", state, VIOLATION_STATES)
        t = violations
        with self._write() as conn:
            changed = conn.execute(_SET_STATE, {"k": key, "s": state, "t": self._now()}).rowcount
            if not changed and conn.execute(select(t.c.id).where(t.c.key == key)).first() is None:
                raise LookupError(f"violation key: no violation {key!r}")
            return bool(changed)

    def set_violation_states(self, states: Mapping[str, str]) -> None:
        """``set_violation_state`` for many violations the caller has recorded, in one
        executemany: a seller's violations settle together at the end of its cycle."""
        for state in states.values():
            check_member("state", state, VIOLATION_STATES)
        if not states:
            return
        now = self._now()
        with self._write() as conn:
            conn.execute(_SET_STATE, [{"k": key, "s": state, "t": now}
                                      for key, state in states.items()])

    def violation(self, key: str) -> ViolationRecord | None:
        with self._read() as conn:
            row = conn.execute(select(violations).where(violations.c.key == key)).first()
        return _violation(row) if row is not None else None

    def violations(self, seller: str | None = None, week: str | None = None,
                   states: Iterable[str] | None = None) -> list[ViolationRecord]:
        t = violations
        query = select(t).order_by(t.c.block_day, t.c.seller, t.c.key)
        if seller is not None:
            query = query.where(t.c.seller == seller_id(seller))
        if week is not None:
            query = query.where(t.c.week == iso_week(week))
        if (wanted := _states(states)) is not None:
            query = query.where(t.c.state.in_(wanted))
        with self._read() as conn:
            return [_violation(row) for row in conn.execute(query)]

    def violation_dates(self, seller: str, since: date,
                        states: Iterable[str] = COUNTED_VIOLATION_STATES) -> list[date]:
        """Days since ``since`` on which the seller lost a block (withdrawn and resolved
        violations do not count unless asked for), oldest first, for escalation."""
        return sorted(self.violation_days([seller], since, states).get(seller_id(seller), ()))

    def violation_days(self, sellers: Iterable[str], since: date,
                       states: Iterable[str] = COUNTED_VIOLATION_STATES,
                       ) -> dict[str, set[date]]:
        """``violation_dates`` for many sellers in one query per 500: {seller (lower-cased):
        days}; sellers with none are absent."""
        t = violations
        wanted = list(dict.fromkeys(seller_id(s) for s in sellers))
        out: dict[str, set[date]] = {}
        with self._read() as conn:
            for part in chunks(wanted):
                query = select(t.c.seller, t.c.block_day).distinct().where(
                    t.c.seller.in_(part), t.c.block_day >= since,
                    t.c.state.in_(_states(states) or []))
                for seller, day in conn.execute(query):
                    out.setdefault(seller, set()).add(day)
        return out

    def record_shortfall(self, violation_key: str, seller: str, missing: int, week: str) -> bool:
        """Compensations that did not fit into ``week``; True when newly recorded. A later
        call updates the number; ``missing=0`` clears it (room was found after all)."""
        if missing < 0:
            raise ValueError(f"missing: must be 0 or more, got {missing}")
        if missing == 0:
            self.clear_shortfalls([violation_key], week)
            return False
        week = iso_week(week)
        t = shortfalls
        where = (t.c.violation_key == violation_key, t.c.week == week)
        now = self._now()
        with self._write() as conn:
            row = {"violation_key": violation_key, "seller": seller_id(seller), "week": week,
                   "missing": missing, "first_seen": now, "last_seen": now}
            if insert_ignore(conn, t, row):
                return True
            conn.execute(update(t).where(*where).values(missing=missing, last_seen=now))
            return False

    def clear_shortfalls(self, violation_keys: Iterable[str], week: str) -> None:
        """``record_shortfall(key, ..., missing=0, week)`` for many violations at once."""
        week = iso_week(week)
        keys = list(dict.fromkeys(violation_keys))
        if not keys:
            return
        t = shortfalls
        with self._write() as conn:
            for part in chunks(keys):
                conn.execute(delete(t).where(t.c.week == week, t.c.violation_key.in_(part)))

    def shortfalls(self, seller: str | None = None,
                   week: str | None = None) -> list[ShortfallRecord]:
        t = shortfalls
        query = select(t).order_by(t.c.week, t.c.seller, t.c.violation_key)
        if seller is not None:
            query = query.where(t.c.seller == seller_id(seller))
        if week is not None:
            query = query.where(t.c.week == iso_week(week))
        with self._read() as conn:
            return [
                ShortfallRecord(violation_key=r.violation_key, seller=r.seller, week=r.week,
                                missing=r.missing, first_seen=r.first_seen,
                                last_seen=r.last_seen)
                for r in conn.execute(query)
            ]

    def record_escalation(self, seller: str, period: str, count: int) -> bool:
        """True the first time a seller is escalated for ``period``; False ever after, so
        several replicas or repeated scans mail the manager once."""
        row = {"seller": seller_id(seller), "period": period, "count": count,
               "recorded_at": self._now()}
        with self._write() as conn:
            return insert_ignore(conn, escalations, row) == 1

    def escalations(self, seller: str | None = None) -> list[tuple[str, str, int, datetime]]:
        """(seller, period, count, recorded_at), oldest first."""
        t = escalations
        query = select(t.c.seller, t.c.period, t.c["count"], t.c.recorded_at).order_by(t.c.id)
        if seller is not None:
            query = query.where(t.c.seller == seller_id(seller))
        with self._read() as conn:
            return [tuple(r) for r in conn.execute(query)]
