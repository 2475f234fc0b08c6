"""An in-memory Microsoft 365 for service-level tests: the whole ``CalendarGateway`` port
the Graph adapter implements, bulk reads included, holding mailboxes, events, To Do lists
and sent mail in dicts, so the scan runs the same read path as in production.

It keeps the promises the real adapter keeps and the scan relies on: an event carrying a
key already present is not created twice (Graph's transactionId), a task is (To Do has no
transactionId: only the scan's lookup prevents it), and slotguard's own events come back
with their ``OwnMarker``. A span read is a delta round: the snapshot stands for the events,
and a round that finds the same events says nothing changed. Faults are real API
(``fail_mailbox``, ``unreadable``, ``after_write``) rather than monkeypatching.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from slotguard.domain.model import CalendarEvent, OwnMarker, ShowAs
from slotguard.errors import GraphError, MailboxUnavailable, SlotguardError, TransientGraphError
from slotguard.ports import GroupMembers, Mailbox, NewEvent, NewTask, WindowRequest


@dataclass
class StoredTask:
    id: str
    list_id: str
    task: NewTask


@dataclass
class SentMail:
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str


@dataclass(frozen=True)
class SpanRead:
    """A calendar span as the in-memory tenant read it (``ports.WindowRead``)."""

    events: tuple[CalendarEvent, ...]
    snapshot: bytes
    delta_link: str
    full_read: bool
    changed: bool
    own_ids: frozenset[str] | None = None


@dataclass
class _MailboxState:
    mailbox: Mailbox
    events: dict[str, CalendarEvent] = field(default_factory=dict)
    lists: dict[str, str] = field(default_factory=dict)  # name -> id
    tasks: dict[str, StoredTask] = field(default_factory=dict)  # id -> task
    task_keys: dict[str, str] = field(default_factory=dict)  # key -> id
    written: dict[str, NewEvent] = field(default_factory=dict)  # id -> what slotguard wrote


class InMemoryCalendarGateway:
    """A tenant in memory. ``writes`` counts every create/delete call that changed
    something; ``calls`` logs every call by operation and seller."""

    def __init__(self) -> None:
        self._boxes: dict[str, _MailboxState] = {}
        self._groups: dict[str, list[str]] = {}
        self._ids = itertools.count(1)
        self._failures: dict[str, Exception] = {}
        self._after_write: Callable[[str, str], None] | None = None
        self._unreadable: dict[str, list[str]] = {}
        self.sent: list[SentMail] = []
        self.writes = 0
        self.calls: list[tuple[str, str]] = []  # (operation, upn)

    # -- arranging the tenant -------------------------------------------------------------

    def add_mailbox(self, mailbox: Mailbox) -> None:
        self._boxes[mailbox.upn.lower()] = _MailboxState(mailbox)

    def add_group(self, group_id: str, members: Sequence[str]) -> None:
        self._groups[group_id] = list(members)

    def put_event(self, upn: str, event: CalendarEvent) -> None:
        """Add or replace one of the seller's own events (a meeting, a private appointment)."""
        self._box(upn).events[event.id] = event

    def remove_event(self, upn: str, event_id: str) -> None:
        self._box(upn).events.pop(event_id, None)

    def fail_mailbox(self, upn: str, error: Exception | None) -> None:
        """Every call for ``upn`` raises ``error`` (None clears it)."""
        if error is None:
            self._failures.pop(upn.lower(), None)
        else:
            self._failures[upn.lower()] = error

    def after_write(self, hook: Callable[[str, str], None] | None) -> None:
        """Call ``hook(upn, key)`` after each successful create: a test raises from it to
        simulate a crash between the Graph write and the ledger write."""
        self._after_write = hook

    # -- inspecting -----------------------------------------------------------------------

    def calendar(self, upn: str) -> list[CalendarEvent]:
        return sorted(self._box(upn).events.values(), key=lambda e: (e.start, e.id))

    def own(self, upn: str) -> list[CalendarEvent]:
        return [e for e in self.calendar(upn) if e.marker is not None]

    def written(self, upn: str, event_id: str) -> NewEvent:
        return self._box(upn).written[event_id]

    def tasks(self, upn: str) -> list[StoredTask]:
        return list(self._box(upn).tasks.values())

    # -- CalendarGateway ------------------------------------------------------------------

    async def group_members(self, group_id: str) -> GroupMembers:
        self.calls.append(("group_members", group_id))
        if group_id not in self._groups:
            raise GraphError(f"group {group_id} not found", status=404,
                             code="Request_ResourceNotFound")
        return GroupMembers(tuple(u.lower() for u in self._groups[group_id]))

    async def mailbox(self, upn: str) -> Mailbox:
        return self._enter("mailbox", upn).mailbox

    async def mailboxes(self, upns: Sequence[str]) -> dict[str, Mailbox | Exception]:
        out: dict[str, Mailbox | Exception] = {}
        for upn in upns:
            try:
                out[upn] = await self.mailbox(upn)
            except SlotguardError as error:
                out[upn] = error
        return out

    async def windows(self, requests: Sequence[WindowRequest]
                      ) -> dict[str, SpanRead | Exception]:
        """Each seller's span, one after the other; the snapshot is a digest of the events
        (as Graph's delta would, a round over the same events reports no change)."""
        out: dict[str, SpanRead | Exception] = {}
        for request in requests:
            try:
                events = tuple(await self.events(request.upn, request.start, request.end))
            except SlotguardError as error:
                out[request.upn] = error
                continue
            snapshot = hashlib.blake2b(repr(events).encode(), digest_size=16).digest()
            out[request.upn] = SpanRead(
                events, snapshot, f"memory-delta:{next(self._ids)}",
                full_read=request.delta_link is None, changed=snapshot != request.snapshot)
        return out

    async def events(self, upn: str, start: datetime, end: datetime) -> list[CalendarEvent]:
        """The span's events, as ``windows`` reads them for each seller."""
        box = self._enter("events", upn)
        return [e for e in self.calendar(box.mailbox.upn) if e.start < end and e.end > start]

    async def event(self, upn: str, event_id: str) -> CalendarEvent | None:
        return self._enter("event", upn).events.get(event_id)

    async def own_events(self, upn: str, key: str) -> list[CalendarEvent]:
        box = self._enter("own_events", upn)
        return [e for e in box.events.values() if e.marker is not None and e.marker.key == key]

    async def create_event(self, upn: str, event: NewEvent) -> str:
        box = self._enter("create_event", upn)
        for existing in box.events.values():
            if existing.marker is not None and existing.marker.key == event.key:
                return existing.id  # what transactionId gives Graph: no second event
        event_id = f"evt-{next(self._ids)}"
        box.events[event_id] = CalendarEvent(
            id=event_id,
            start=event.start,
            end=event.end,
            subject=event.subject,
            show_as=ShowAs.BUSY,
            categories=event.categories,
            marker=OwnMarker(event.purpose, event.key),
        )
        box.written[event_id] = event
        self.writes += 1
        if self._after_write is not None:
            self._after_write(upn, event.key)
        return event_id

    async def delete_event(self, upn: str, event_id: str) -> None:
        box = self._enter("delete_event", upn)
        if box.events.pop(event_id, None) is not None:
            self.writes += 1

    async def ensure_task_list(self, upn: str, name: str) -> str:
        box = self._enter("ensure_task_list", upn)
        if name not in box.lists:
            box.lists[name] = f"list-{next(self._ids)}"
            self.writes += 1
        return box.lists[name]

    async def task_keys(self, upn: str, list_id: str) -> dict[str, str]:
        box = self._enter("task_keys", upn)
        return {key: task_id for key, task_id in box.task_keys.items()
                if box.tasks[task_id].list_id == list_id}

    async def create_task(self, upn: str, list_id: str, task: NewTask) -> str:
        box = self._enter("create_task", upn)
        task_id = f"task-{next(self._ids)}"
        box.tasks[task_id] = StoredTask(task_id, list_id, task)
        box.task_keys[task.key] = task_id
        self.writes += 1
        if self._after_write is not None:
            self._after_write(upn, task.key)
        return task_id

    def unreadable(self, upn: str, line: str) -> None:
        """Arrange an event the adapter could not read (as Graph sending an event whose end
        is before its start)."""
        self._unreadable.setdefault(upn.lower(), []).append(line)

    def take_unreadable(self, upn: str) -> list[str]:
        return self._unreadable.pop(upn.lower(), [])

    async def send_mail(self, sender: str, to: Sequence[str], subject: str, body: str) -> None:
        self._enter("send_mail", sender)
        self.sent.append(SentMail(sender, tuple(to), subject, body))
        self.writes += 1

    async def before_retry(self, attempt: int, error: TransientGraphError) -> bool:
        return False  # no retries: a test arranges each failure it wants

    # -- internals ------------------------------------------------------------------------

    def _box(self, upn: str) -> _MailboxState:
        try:
            return self._boxes[upn.lower()]
        except KeyError:
            raise MailboxUnavailable(
                f"no mailbox for {upn}", reason="missing", status=404,
                code="MailboxNotEnabledForRESTAPI",
            ) from None

    def _enter(self, operation: str, upn: str) -> _MailboxState:
        self.calls.append((operation, upn.lower()))
        failure = self._failures.get(upn.lower())
        if failure is not None:
            raise failure
        return self._box(upn)


def moved(event: CalendarEvent, start: datetime, end: datetime) -> CalendarEvent:
    """The same event at another time, as when a seller drags a meeting."""
    return replace(event, start=start, end=end)
