"""Actions: every write slotguard makes in Graph, recorded as an intent before the write
and completed with the Graph id after it.

The unique key is the whole idempotency story on this side: whatever crashes or races, one
key is one row. A caller that gets back a record with ``attempts > 1`` knows an earlier
attempt may have reached Graph, and looks for the slotguard marker before writing again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, select, update

from slotguard.ports.records import (
    ACTION_KINDS,
    ACTION_STATES,
    PENDING_ACTION_STATES,
    ActionRecord,
    check_member,
)
from slotguard.store._base import (
    CHUNK,
    LedgerBase,
    chunks,
    clip,
    insert_ignore,
    insert_new,
    seller_id,
)
from slotguard.store.schema import actions

_T = actions
_COMPLETE = (update(_T).where(_T.c.key == bindparam("k"))
             .values(state="done", graph_id=bindparam("g"), error=None,
                     completed_at=bindparam("t"), updated_at=bindparam("t")))


def _action(row: Row[Any]) -> ActionRecord:
    m = row._mapping
    return ActionRecord(
        key=m["key"], seller=m["seller"], kind=m["kind"], violation_key=m["violation_key"],
        state=m["state"], graph_id=m["graph_id"], attempts=m["attempts"], error=m["error"],
        payload=m["payload"], created_at=m["created_at"], updated_at=m["updated_at"],
        completed_at=m["completed_at"],
    )


class ActionsMixin(LedgerBase):
    def intend(self, key: str, seller: str, kind: str, violation_key: str | None = None,
               payload: dict[str, Any] | None = None) -> ActionRecord:
        """Record the intent to write ``key`` and return its record.

        New key: a record in state ``intended`` with ``attempts == 1``. Known key that is
        ``intended`` or ``failed``: re-armed (state ``intended``, attempts + 1, payload
        replaced when one is given). Known key that is ``done`` or ``withdrawn``: returned
        unchanged, nothing to write. Safe when two writers race on one key."""
        check_member("kind", kind, ACTION_KINDS)
        seller = seller_id(seller)
        now = self._now()
        row: dict[str, Any] = {
               "key": key, "seller": seller, "kind": kind, "violation_key": violation_key,
               "state": "intended", "graph_id": None, "attempts": 1, "error": None,
               "payload": payload, "created_at": now, "updated_at": now, "completed_at": None}
        with self._write() as conn:
            if insert_ignore(conn, _T, row):
                return ActionRecord(**row)
            existing = conn.execute(select(_T.c.seller, _T.c.kind).where(_T.c.key == key)).one()
            if (existing.seller, existing.kind) != (seller, kind):
                raise ValueError(
                    f"action key {key!r} already belongs to {existing.kind} for {existing.seller}"
                )
            rearm: dict[str, Any] = {"state": "intended", "attempts": _T.c.attempts + 1,
                                     "updated_at": now}
            if payload is not None:
                rearm["payload"] = payload
            conn.execute(
                update(_T).where(_T.c.key == key, _T.c.state.in_(PENDING_ACTION_STATES))
                .values(rearm)
            )
            return _action(conn.execute(select(_T).where(_T.c.key == key)).one())

    def intend_many(self, intents: Sequence[tuple[str, str, str, str | None,
                                                  dict[str, Any] | None]],
                    ) -> list[ActionRecord]:
        """``intend`` for many (key, seller, kind, violation_key, payload), in order: the
        new keys go in with one INSERT ... RETURNING, as a seller's writes are intended
        together; a key that exists already takes ``intend``'s own path."""
        for _, _, kind, _, _ in intents:
            check_member("kind", kind, ACTION_KINDS)
        now = self._now()
        rows: list[dict[str, Any]] = [
            {"key": key, "seller": seller_id(seller), "kind": kind,
             "violation_key": violation_key, "state": "intended", "graph_id": None,
             "attempts": 1, "error": None, "payload": payload, "created_at": now,
             "updated_at": now, "completed_at": None}
            for key, seller, kind, violation_key, payload in intents]
        inserted: set[Any] = set()
        if len(rows) > 1:
            with self._write() as conn:
                inserted = insert_new(conn, _T, rows, "key") or set()
        # (inside a caller's batch this is all one transaction, as with intend() each)
        return [ActionRecord(**row) if intent[0] in inserted else self.intend(*intent)
                for intent, row in zip(intents, rows, strict=True)]

    def complete(self, key: str, graph_id: str) -> None:
        """The write reached Graph; ``graph_id`` is the (immutable) id it got."""
        self.complete_many([(key, graph_id)])

    def complete_many(self, done: Sequence[tuple[str, str]]) -> None:
        """``complete`` for many (key, graph_id) at once: one executemany, as a seller's
        writes finish together (a statement built once, only its values bound per call)."""
        if not done:
            return
        now = self._now()
        rows = [{"k": key, "g": graph_id, "t": now} for key, graph_id in done]
        with self._write() as conn:
            changed = conn.execute(_COMPLETE, rows).rowcount
            if conn.dialect.supports_sane_multi_rowcount and changed == len(rows):
                return
            keys = [key for key, _ in done]
            found = {k for part in chunks(keys)
                     for k in conn.execute(select(_T.c.key).where(_T.c.key.in_(part))).scalars()}
            missing = [k for k in keys if k not in found]
            if missing:
                raise LookupError(f"action key: no action {missing[0]!r}; call intend() first")

    def fail(self, key: str, error: str) -> None:
        """The write failed. A ``done`` or ``withdrawn`` action stays as it is."""
        now = self._now()
        self._set(key, only=PENDING_ACTION_STATES, state="failed", error=clip(error),
                  updated_at=now)

    def reinstate(self, key: str, payload: dict[str, Any] | None = None) -> ActionRecord:
        """A withdrawn action is wanted again (its violation came back): re-arm it as
        ``intended`` with attempts + 1 and, when given, a new payload. Any other state is
        returned unchanged."""
        values: dict[str, Any] = {"state": "intended", "attempts": _T.c.attempts + 1,
                                  "completed_at": None, "updated_at": self._now()}
        if payload is not None:
            values["payload"] = payload
        with self._write() as conn:
            conn.execute(update(_T).where(_T.c.key == key, _T.c.state == "withdrawn")
                         .values(values))
            row = conn.execute(select(_T).where(_T.c.key == key)).first()
        if row is None:
            raise LookupError(f"action key: no action {key!r}; call intend() first")
        return _action(row)

    def mark_withdrawn(self, key: str) -> None:
        """slotguard deleted what this action wrote (its graph_id is kept for the record)."""
        self._set(key, state="withdrawn", updated_at=self._now())

    def _set(self, key: str, only: Iterable[str] | None = None, **values: Any) -> None:
        query = update(_T).where(_T.c.key == key).values(values)
        if only is not None:
            query = query.where(_T.c.state.in_(list(only)))
        with self._write() as conn:
            if conn.execute(query).rowcount:
                return
            if conn.execute(select(_T.c.id).where(_T.c.key == key)).first() is None:
                raise LookupError(f"action key: no action {key!r}; call intend() first")

    def action(self, key: str) -> ActionRecord | None:
        with self._read() as conn:
            row = conn.execute(select(_T).where(_T.c.key == key)).first()
        return _action(row) if row is not None else None

    def actions(self, seller: str | None = None, violation_key: str | None = None,
                kind: str | None = None, states: Iterable[str] | None = None,
                sellers: Iterable[str] | None = None) -> list[ActionRecord]:
        """Actions oldest first, narrowed by any of the filters; ``sellers`` names many
        sellers at once (a scan wave's: one query per 500 instead of the whole table)."""
        query = select(_T).order_by(_T.c.created_at, _T.c.id)
        if seller is not None:
            query = query.where(_T.c.seller == seller_id(seller))
        if violation_key is not None:
            query = query.where(_T.c.violation_key == violation_key)
        if kind is not None:
            query = query.where(_T.c.kind == check_member("kind", kind, ACTION_KINDS))
        if states is not None:
            wanted = [check_member("state", s, ACTION_STATES) for s in states]
            query = query.where(_T.c.state.in_(wanted))
        if sellers is None:
            with self._read() as conn:
                return [_action(row) for row in conn.execute(query)]
        names = list(dict.fromkeys(seller_id(s) for s in sellers))
        found: list[ActionRecord] = []
        with self._read() as conn:
            for part in chunks(names):
                found.extend(_action(row) for row in conn.execute(
                    query.where(_T.c.seller.in_(part))))
        if len(names) > CHUNK:  # each chunk came in order; together they must be too
            found.sort(key=lambda r: r.created_at)
        return found

    def pending_actions(self, seller: str | None = None) -> list[ActionRecord]:
        """Writes not known to have finished: ``intended`` (maybe interrupted by a crash)
        and ``failed`` (maybe landed despite the error). Check Graph for each."""
        return self.actions(seller=seller, states=PENDING_ACTION_STATES)
