"""Applying a seller's plan through the ledger's write-ahead protocol.

Every write goes: ``ledger.intend(key)`` → the gateway write, idempotent by key →
``ledger.complete(key, graph_id)``. A rerun skips keys the ledger knows as done; any other
key — left ``intended`` or ``failed`` (a crash or an error after the request may have
reached Graph), or never seen (the ledger is new, was deleted, or is another state
directory's) — is looked up in Graph first and only written when Graph does not have it,
and even then an event carries the same transactionId. The ledger is a cache of what Graph
holds, never the only memory of a write: no crash point and no lost ledger yields a
duplicate, and none loses a write (the key stays pending until a later scan completes it).
Events are looked up by their marker, one request per key; tasks by the keys of the
seller's slotguard list, read once per seller and cycle however many tasks need it.

A seller's writes go as one group (``prepare`` → ``send`` → ``finish``): every intent in one
ledger transaction, committed before any of the writes goes out; the writes concurrently
(the gateway batches concurrent requests into shared round trips); the completions in one
transaction after them. A crash anywhere leaves each key intended or done, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import structlog

from slotguard.domain.followup import FollowUpTask
from slotguard.ports import CalendarGateway, NewEvent, NewTask
from slotguard.store.records import ActionRecord

log = structlog.get_logger("slotguard.scan")

WRITTEN = "written"  # slotguard wrote it in this scan
EXISTING = "existing"  # the ledger (or Graph, after an interrupted write) already had it
RECOVERED = "recovered"  # found in Graph though the ledger had not completed it, now has
REFUSED = "refused"  # withdrawn and not of a kind slotguard writes again
REINSTATABLE = frozenset({"compensation"})


class LedgerWrites(Protocol):
    """The slice of the ledger the apply step uses (the real Ledger provides it)."""

    def intend(self, key: str, seller: str, kind: str, violation_key: str | None = None,
               payload: dict[str, object] | None = None) -> ActionRecord: ...

    def intend_many(self, intents: Sequence[tuple[str, str, str, str | None,
                                                  dict[str, Any] | None]],
                    ) -> list[ActionRecord]: ...

    def complete(self, key: str, graph_id: str) -> None: ...

    def complete_many(self, done: Sequence[tuple[str, str]]) -> None: ...

    def reinstate(self, key: str, payload: dict[str, object] | None = None) -> ActionRecord: ...

    def fail(self, key: str, error: str) -> None: ...

    def mark_withdrawn(self, key: str) -> None: ...

    def batch(self) -> AbstractContextManager[None]: ...


@dataclass
class Write:
    """One keyed write of a seller's group, and what became of it."""
    key: str
    kind: str
    violation_key: str | None
    payload: dict[str, object]
    find: Callable[[], Awaitable[str | None]]
    create: Callable[[int], Awaitable[str]]
    status: str = ""  # set by prepare (EXISTING/REFUSED) or send (WRITTEN/RECOVERED)
    graph_id: str | None = None
    error: BaseException | None = None
    record: ActionRecord | None = field(default=None, repr=False)
    # Graph may already hold it: not done in the ledger (never seen, or interrupted).
    may_exist: bool = True

    @property
    def pending(self) -> bool:
        return not self.status and self.error is None

    def result(self) -> tuple[str, str | None]:
        if self.error is not None:
            raise self.error
        return self.status, self.graph_id


@dataclass
class Applier:
    gateway: CalendarGateway
    ledger: LedgerWrites
    upn: str
    known: dict[str, ActionRecord]  # this seller's ledger actions by key, kept current
    # Ids of the seller's events carrying a key, when this cycle's read looked them up:
    # none at all means an event write has nothing to look for.
    own_ids: frozenset[str] | None = None
    _lists: dict[str, asyncio.Future[str]] | None = None
    _task_keys: dict[str, asyncio.Future[Mapping[str, str]]] | None = None

    def event_write(self, kind: str, request: NewEvent,
                    violation_key: str | None = None) -> Write:
        async def find() -> str | None:
            if self.own_ids is not None and not self.own_ids:
                return None
            found = await self.gateway.own_events(self.upn, request.key)
            return found[0].id if found else None

        async def create(revision: int) -> str:
            # _send has already looked (or the key was withdrawn, its event deleted).
            return await self.gateway.create_event(
                self.upn, replace(request, revision=revision), look_first=False)

        payload: dict[str, object] = {"start": request.start.isoformat(),
                                      "end": request.end.isoformat(), "zone": request.zone}
        return Write(request.key, kind, violation_key, payload, find, create)

    def task_write(self, task: FollowUpTask, request: NewTask, list_name: str,
                   kind: str = "task") -> Write:
        async def find() -> str | None:
            return (await self._keys(list_name)).get(request.key)

        async def create(_revision: int) -> str:
            return await self.gateway.create_task(
                self.upn, await self._list(list_name), request, look_first=False)

        payload: dict[str, object] = {"due": request.due.isoformat(), "list": list_name}
        return Write(request.key, kind, task.violation_key, payload, find, create)

    async def _list(self, name: str) -> str:
        """The To Do list's id, looked up (or created) once however many writes want it."""
        if self._lists is None:
            self._lists = {}
        if name not in self._lists:
            self._lists[name] = asyncio.ensure_future(
                self.gateway.ensure_task_list(self.upn, name))
        return await asyncio.shield(self._lists[name])

    async def _keys(self, name: str) -> Mapping[str, str]:
        """The keys of the To Do list's tasks, read once however many writes ask."""
        if self._task_keys is None:
            self._task_keys = {}
        if name not in self._task_keys:
            async def read() -> Mapping[str, str]:
                return await self.gateway.task_keys(self.upn, await self._list(name))

            self._task_keys[name] = asyncio.ensure_future(read())
        return await asyncio.shield(self._task_keys[name])

    async def event(self, kind: str, request: NewEvent,
                    violation_key: str | None = None) -> tuple[str, str | None]:
        return await self._one(self.event_write(kind, request, violation_key))

    async def task(self, task: FollowUpTask, request: NewTask, list_name: str,
                   kind: str = "task") -> tuple[str, str | None]:
        return await self._one(self.task_write(task, request, list_name, kind))

    async def _one(self, write: Write) -> tuple[str, str | None]:
        self.prepare([write])
        await self.send([write])
        with self.ledger.batch():
            self.finish([write])
        return write.result()

    def prepare(self, writes: list[Write]) -> None:
        """Record the intent of every write still to do, in one transaction: when it
        returns, each of them is durable in the ledger and may go to Graph."""
        todo = []
        for w in writes:
            record = self.known.get(w.key)
            if record is not None and record.state == "done":
                w.status, w.graph_id = EXISTING, record.graph_id
            else:
                todo.append(w)
        if not todo:
            return
        with self.ledger.batch():
            records = self.ledger.intend_many(
                [(w.key, self.upn, w.kind, w.violation_key, w.payload) for w in todo])
            for w, record in zip(todo, records, strict=True):
                self._intended(w, record)

    def _intended(self, w: Write, record: ActionRecord) -> None:
        if record.state == "done":  # another replica finished it meanwhile
            w.status, w.graph_id = EXISTING, record.graph_id
        elif record.state == "withdrawn":
            if w.kind not in REINSTATABLE:
                w.status, w.graph_id = REFUSED, record.graph_id
                return
            revision = _revision(record) + 1
            record = self.ledger.reinstate(w.key, {**w.payload, "revision": revision})
            w.may_exist = False  # the withdrawn write was deleted: nothing to find
            log.info("scan.write_reinstated", seller=self.upn, key=w.key, revision=revision)
        w.record = record
        self.known[w.key] = record

    async def send(self, writes: list[Write]) -> None:
        """The prepared writes, all at once; a failure stays with its own write."""
        pending = [w for w in writes if w.pending]
        await asyncio.gather(*(self._send(w) for w in pending))

    async def _send(self, w: Write) -> None:
        assert w.record is not None
        try:
            if w.may_exist:
                graph_id = await w.find()
                if graph_id is not None:
                    w.status, w.graph_id = RECOVERED, graph_id
                    log.info("scan.write_recovered", seller=self.upn, key=w.key, kind=w.kind)
                    return
            w.graph_id = await w.create(_revision(w.record))
            w.status = WRITTEN
        except Exception as error:
            w.error = error

    def finish(self, writes: list[Write]) -> None:
        """Record what the writes did; the caller holds the transaction (``batch``)."""
        done: list[tuple[str, str]] = []
        for w in writes:
            if w.record is None or w.status in {EXISTING, REFUSED}:
                continue
            if w.error is not None:
                self.ledger.fail(w.key, f"{type(w.error).__name__}: {w.error}")
                self.known[w.key] = replace(w.record, state="failed")
            elif w.graph_id is not None:
                done.append((w.key, w.graph_id))
                self.known[w.key] = replace(w.record, state="done", graph_id=w.graph_id)
        self.ledger.complete_many(done)

    async def withdraw(self, key: str, event_id: str, in_calendar: bool) -> str:
        record = self.known.get(key)
        if record is not None and record.state == "withdrawn":
            return EXISTING
        if in_calendar:
            # Only ids that carried slotguard's compensation marker reach here: the
            # seller's own events are never deleted.
            await self.gateway.delete_event(self.upn, event_id)
        with self.ledger.batch():
            if record is None:
                # A compensation written before a crash that kept it out of the ledger.
                record = self.ledger.intend(key, self.upn, "compensation",
                                            key.rpartition("#comp")[0])
                self.ledger.complete(key, event_id)
            self.ledger.mark_withdrawn(key)
        self.known[key] = replace(record, state="withdrawn", graph_id=record.graph_id or event_id)
        return WRITTEN


def _revision(record: ActionRecord) -> int:
    value = (record.payload or {}).get("revision", 0)
    return value if isinstance(value, int) else 0
