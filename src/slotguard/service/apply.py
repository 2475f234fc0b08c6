"""Applying a seller's plan through the ledger's write-ahead protocol.

Every write goes: ``ledger.intend(key)`` → the gateway write, idempotent by key →
``ledger.complete(key, graph_id)``. A rerun skips keys the ledger knows as done; a key left
``intended`` or ``failed`` (a crash or an error after the request may have reached Graph)
is looked up by its marker first and only written again when Graph does not have it — and
even then the write carries the same transactionId. So no crash point yields a duplicate,
and none loses a write: the key stays pending until a later scan completes it.

A compensation slotguard withdrew (its meeting left the block) and that is planned again
(the meeting came back) is reinstated: written anew under the same key with the next
revision, so the seller cannot lose the make-up blocks by moving a meeting out and back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

import structlog

from slotguard.domain.followup import FollowUpTask
from slotguard.ports import CalendarGateway, NewEvent, NewTask
from slotguard.store.records import ActionRecord

log = structlog.get_logger("slotguard.scan")

WRITTEN = "written"  # slotguard wrote it in this scan
EXISTING = "existing"  # the ledger (or Graph, after an interrupted write) already had it
RECOVERED = "recovered"  # found in Graph after an interrupted write, ledger completed now
REFUSED = "refused"  # withdrawn and not of a kind slotguard writes again
REINSTATABLE = frozenset({"compensation"})


class LedgerWrites(Protocol):
    """The slice of the ledger the apply step uses (the real Ledger provides it)."""

    def intend(self, key: str, seller: str, kind: str, violation_key: str | None = None,
               payload: dict[str, object] | None = None) -> ActionRecord: ...

    def complete(self, key: str, graph_id: str) -> None: ...

    def reinstate(self, key: str, payload: dict[str, object] | None = None) -> ActionRecord: ...

    def fail(self, key: str, error: str) -> None: ...

    def mark_withdrawn(self, key: str) -> None: ...


@dataclass
class Applier:
    gateway: CalendarGateway
    ledger: LedgerWrites
    upn: str
    known: dict[str, ActionRecord]  # this seller's ledger actions by key
    _lists: dict[str, str] | None = None

    async def event(self, kind: str, request: NewEvent,
                    violation_key: str | None = None) -> tuple[str, str | None]:
        async def find() -> str | None:
            found = await self.gateway.own_events(self.upn, request.key)
            return found[0].id if found else None

        payload: dict[str, object] = {"start": request.start.isoformat(),
                                      "end": request.end.isoformat(), "zone": request.zone}

        async def create(revision: int) -> str:
            # _write has already looked when an earlier attempt may have written the key,
            # and a key the ledger never saw cannot exist in Graph: no second lookup.
            return await self.gateway.create_event(
                self.upn, replace(request, revision=revision), look_first=False)

        return await self._write(request.key, kind, violation_key, payload, find, create)

    async def task(self, task: FollowUpTask, request: NewTask,
                   kind: str = "task") -> tuple[str, str | None]:
        list_id: str | None = None

        async def ensure_list() -> str:
            nonlocal list_id
            if list_id is None:
                if self._lists is None:
                    self._lists = {}
                if task.list_name not in self._lists:
                    self._lists[task.list_name] = await self.gateway.ensure_task_list(
                        self.upn, task.list_name)
                list_id = self._lists[task.list_name]
            return list_id

        async def find() -> str | None:
            return await self.gateway.find_task(self.upn, await ensure_list(), request.key)

        async def create(_revision: int) -> str:
            return await self.gateway.create_task(
                self.upn, await ensure_list(), request, look_first=False)

        payload: dict[str, object] = {"due": request.due.isoformat(), "list": task.list_name}
        return await self._write(request.key, kind, task.violation_key, payload, find, create)

    async def withdraw(self, key: str, event_id: str, in_calendar: bool) -> str:
        record = self.known.get(key)
        if record is not None and record.state == "withdrawn":
            return EXISTING
        if in_calendar:
            # Only ids that carried slotguard's compensation marker reach here: the
            # seller's own events are never deleted.
            await self.gateway.delete_event(self.upn, event_id)
        if record is None:
            # A compensation written before a crash that kept it out of the ledger.
            self.ledger.intend(key, self.upn, "compensation", key.rpartition("#comp")[0])
            self.ledger.complete(key, event_id)
        self.ledger.mark_withdrawn(key)
        return WRITTEN

    async def _write(
        self, key: str, kind: str, violation_key: str | None, payload: dict[str, object],
        find: Callable[[], Awaitable[str | None]], create: Callable[[int], Awaitable[str]],
    ) -> tuple[str, str | None]:
        record = self.known.get(key)
        if record is not None and record.state == "done":
            return EXISTING, record.graph_id
        interrupted = record is not None  # intended or failed: it may have reached Graph
        record = self.ledger.intend(key, self.upn, kind, violation_key, payload)
        if record.state == "done":  # another replica finished it meanwhile
            return EXISTING, record.graph_id
        if record.state == "withdrawn":
            if kind not in REINSTATABLE:
                return REFUSED, record.graph_id
            revision = _revision(record) + 1
            record = self.ledger.reinstate(key, {**payload, "revision": revision})
            interrupted = False  # the withdrawn write was deleted: nothing to find
            log.info("scan.write_reinstated", seller=self.upn, key=key, revision=revision)
        revision = _revision(record)
        try:
            if interrupted:
                graph_id = await find()
                if graph_id is not None:
                    self.ledger.complete(key, graph_id)
                    log.info("scan.write_recovered", seller=self.upn, key=key, kind=kind)
                    return RECOVERED, graph_id
            graph_id = await create(revision)
        except Exception as error:
            self.ledger.fail(key, f"{type(error).__name__}: {error}")
            raise
        self.ledger.complete(key, graph_id)
        return WRITTEN, graph_id


def _revision(record: ActionRecord) -> int:
    value = (record.payload or {}).get("revision", 0)
    return value if isinstance(value, int) else 0
