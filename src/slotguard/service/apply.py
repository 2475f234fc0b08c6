"""Carrying out a seller's writes through the ledger's write-ahead protocol, and the one
place for "look before you write again".

Every write goes: intent recorded → the gateway's write → completion recorded (the record
step, service/record.py, holds the ledger's side). A rerun skips keys the ledger knows as
done. Any other key — left ``intended`` or ``failed`` (a crash or an error after the
request may have reached Graph), or never seen (the ledger is new, was deleted, or is
another state directory's) — is looked up in Graph first and only written when Graph does
not have it. A write that met an uncertain failure (a 5xx, no answer: the POST may have
landed) is looked up again before it goes again, as long as the adapter's retry policy
allows; an event goes with the same transactionId each time. The ledger is a cache of what
Graph holds, never the only memory of a write: no crash point and no lost ledger yields a
duplicate, and none loses a write (the key stays pending until a later scan completes it).
Events are looked up by their marker, one request per key; tasks by the keys of the
seller's slotguard list, read once per seller and cycle however many tasks need it.

A seller's writes go as one group (``prepare`` → ``send`` → ``finish``): every intent in one
ledger transaction, committed before any of the writes goes out; the writes concurrently
(the adapter batches concurrent requests into shared round trips); the completions in one
transaction after them. A crash anywhere leaves each key intended or done, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

import structlog

from slotguard.domain.followup import FollowUpTask
from slotguard.domain.keys import parse_compensation_key
from slotguard.errors import TransientGraphError
from slotguard.ports import ActionRecord, CalendarGateway, NewEvent, NewTask
from slotguard.service.record import Recorder

log = structlog.get_logger("slotguard.scan")

WRITTEN = "written"  # slotguard wrote it in this scan
PLANNED = "planned"  # what a dry run would have written
EXISTING = "existing"  # the ledger (or Graph, after an interrupted write) already had it
RECOVERED = "recovered"  # found in Graph though the ledger had not completed it, now has
REFUSED = "refused"  # withdrawn and not of a kind slotguard writes again
REINSTATABLE = frozenset({"compensation"})
SETTLED = frozenset({EXISTING, REFUSED})  # what left Graph and the ledger as they were

Find = Callable[[bool], Awaitable[str | None]]  # again: after an uncertain failure


@dataclass
class Write:
    """One keyed write of a seller's group, and what became of it."""
    key: str
    kind: str
    violation_key: str | None
    payload: dict[str, object]
    find: Find
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

    @property
    def wrote(self) -> bool:
        """Whether this cycle wrote it (or would have: a dry run)."""
        return self.status in {WRITTEN, PLANNED}

    def result(self) -> tuple[str, str | None]:
        if self.error is not None:
            raise self.error
        return self.status, self.graph_id


@dataclass
class Applier:
    gateway: CalendarGateway
    record: Recorder
    known: dict[str, ActionRecord]  # this seller's ledger actions by key, kept current
    # Ids of the seller's events carrying a key, when this cycle's read looked them up:
    # none at all means an event's first look has nothing to find.
    own_ids: frozenset[str] | None = None
    # What a write this cycle made is called: WRITTEN, or PLANNED for a dry run.
    wrote: str = WRITTEN
    _lists: dict[str, asyncio.Future[str]] = field(default_factory=dict)
    _task_keys: dict[str, asyncio.Future[Mapping[str, str]]] = field(default_factory=dict)

    @property
    def upn(self) -> str:
        return self.record.seller

    def event_write(self, kind: str, request: NewEvent,
                    violation_key: str | None = None) -> Write:
        async def find(again: bool) -> str | None:
            if not again and self.own_ids is not None and not self.own_ids:
                return None
            found = await self.gateway.own_events(self.upn, request.key)
            return found[0].id if found else None

        async def create(revision: int) -> str:
            return await self.gateway.create_event(self.upn, replace(request, revision=revision))

        payload: dict[str, object] = {"start": request.start.isoformat(),
                                      "end": request.end.isoformat(), "zone": request.zone}
        return Write(request.key, kind, violation_key, payload, find, create)

    def task_write(self, task: FollowUpTask, request: NewTask, list_name: str,
                   kind: str = "task") -> Write:
        async def find(again: bool) -> str | None:
            if again:  # the list's keys as read before the failure may miss this task
                self._task_keys.pop(list_name, None)
            return (await self._keys(list_name)).get(request.key)

        async def create(_revision: int) -> str:
            return await self.gateway.create_task(self.upn, await self._list(list_name),
                                                  request)

        payload: dict[str, object] = {"due": request.due.isoformat(), "list": list_name}
        return Write(request.key, kind, task.violation_key, payload, find, create)

    async def _list(self, name: str) -> str:
        """The To Do list's id, looked up (or created) once however many writes want it."""
        if name not in self._lists:
            self._lists[name] = asyncio.ensure_future(
                self.gateway.ensure_task_list(self.upn, name))
        try:
            return await asyncio.shield(self._lists[name])
        except Exception:
            self._lists.pop(name, None)  # a failed lookup is tried again, not remembered
            raise

    async def _keys(self, name: str) -> Mapping[str, str]:
        """The keys of the To Do list's tasks, read once however many writes ask."""
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
        intents = [(w.key, self.upn, w.kind, w.violation_key, w.payload) for w in todo]
        for w, record in zip(todo, self.record.intents(intents), strict=True):
            self._intended(w, record)

    def _intended(self, w: Write, record: ActionRecord) -> None:
        if record.state == "done":  # another replica finished it meanwhile
            w.status, w.graph_id = EXISTING, record.graph_id
        elif record.state == "withdrawn":
            if w.kind not in REINSTATABLE:
                w.status, w.graph_id = REFUSED, record.graph_id
                return
            revision = _revision(record) + 1
            record = self.record.reinstated(w.key, {**w.payload, "revision": revision})
            w.may_exist = False  # the withdrawn write was deleted: nothing to find
            log.info("scan.write_reinstated", seller=self.upn, key=w.key, revision=revision)
        w.record = record
        self.known[w.key] = record

    async def send(self, writes: list[Write]) -> None:
        """The prepared writes, all at once; a failure stays with its own write."""
        await asyncio.gather(*(self._send(w) for w in writes if w.pending))

    async def _send(self, w: Write) -> None:
        assert w.record is not None
        look, attempt = w.may_exist, 0
        while True:
            attempt += 1
            try:
                found = await w.find(attempt > 1) if look else None
                if found is None:
                    w.graph_id, w.status = await w.create(_revision(w.record)), self.wrote
            except TransientGraphError as error:
                # A 5xx or no answer: a write may have landed (a task's list, the task), so
                # look again before it goes again, as long as the retry policy allows.
                if await self.gateway.before_retry(attempt, error):
                    look = True
                    continue
                w.error = error
            except Exception as error:
                w.error = error
            else:
                if found is not None:
                    w.status, w.graph_id = RECOVERED, found
                    log.info("scan.write_recovered", seller=self.upn, key=w.key, kind=w.kind)
            return

    def finish(self, writes: list[Write]) -> None:
        """Record what the writes sent this cycle did, and keep ``known`` current."""
        sent = [w for w in writes if w.record is not None and w.status not in SETTLED]
        self.record.outcomes([(w.key, w.error) for w in sent if w.error is not None],
                             [(w.key, w.graph_id) for w in sent
                              if w.error is None and w.graph_id is not None])
        for w in sent:
            assert w.record is not None
            state = "failed" if w.error is not None else "done"
            self.known[w.key] = replace(w.record, state=state,
                                        graph_id=w.graph_id if w.error is None
                                        else w.record.graph_id)

    async def withdraw(self, key: str, event_id: str, in_calendar: bool) -> str:
        record = self.known.get(key)
        if record is not None and record.state == "withdrawn":
            return EXISTING
        if in_calendar:
            # Only ids that carried slotguard's compensation marker reach here: the
            # seller's own events are never deleted.
            await self.gateway.delete_event(self.upn, event_id)
        parsed = parse_compensation_key(key)
        record = self.record.withdrawn(key, event_id, record, parsed[0] if parsed else None)
        self.known[key] = replace(record, state="withdrawn",
                                  graph_id=record.graph_id or event_id)
        return self.wrote


def _revision(record: ActionRecord) -> int:
    value = (record.payload or {}).get("revision", 0)
    return value if isinstance(value, int) else 0
