"""``slotguard doctor --write-test``: slotguard's own writes and reads, once, in a test
mailbox, to see what this tenant's Graph does where Microsoft documents nothing (issue
§4's list: the marker $expand on calendarView, To Do's $expand=linkedResources with $select,
recurrenceTimeZone on events and tasks, a repeated transactionId, the organizer's address,
empty first delta pages).

Every step goes through the gateway's own methods — the ones the scan uses — so the
fallbacks the gateway takes here (fallbacks.py) are the ones a scan of this tenant takes;
an observation names it. Everything created is marked with a key of its own and deleted
at the end, whatever step failed; what could not be deleted is listed, with its id.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import msgspec

from slotguard.domain.model import CalendarEvent, Purpose, Weekday
from slotguard.errors import GraphError, SlotguardError
from slotguard.graph.delta import WindowState
from slotguard.graph.errors import ItemNotFound, Target
from slotguard.graph.fallbacks import Fallback
from slotguard.graph.gateway import GraphGateway
from slotguard.graph.own import Support
from slotguard.graph.pipeline import request_config
from slotguard.graph.zones import zone_info
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence, WindowRequest

SUBJECT = "slotguard doctor: test event (safe to delete)"
TASK_TITLE = "slotguard doctor: test task (safe to delete)"
NOTE = ("Written by `slotguard doctor --write-test`, which deletes it again at once. If it "
        "is still here, that deletion failed: delete it by hand.")


Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Observation:
    """What the tenant did with one of slotguard's requests. ``fallback``: the way round the
    scan takes (None: none needed); ``level`` "fail": slotguard cannot work like this."""

    behaviour: str
    observed: str
    fallback: Fallback | None = None
    level: Level = "ok"


@dataclass
class WriteTest:
    upn: str
    observations: list[Observation] = field(default_factory=list)
    # What could not be deleted again: one line each, with the item's id.
    left_behind: list[str] = field(default_factory=list)
    # The failure that stopped the test early, if any, and the step it stopped in.
    stopped: SlotguardError | None = None
    step: str = "mailbox settings"
    wrote: set[str] = field(default_factory=set)  # "event", "task": what Graph took


async def write_test(gateway: GraphGateway, upn: str, now: datetime) -> WriteTest:
    """Write, read back and delete a marked event series and a recurring task in ``upn``'s
    mailbox; ``gateway`` should be fresh (no fallback taken yet)."""
    result = WriteTest(upn)
    probe = _Probe(gateway, upn, result)
    try:
        mailbox = await gateway.mailbox(upn)
        result.step = "calendar"
        await probe.events(mailbox.zone, now)
        result.step = "To Do"
        await probe.tasks(mailbox.zone, now)
    except SlotguardError as error:
        result.stopped = error
    finally:
        await probe.clean_up()
    return result


class _Probe:
    def __init__(self, gateway: GraphGateway, upn: str, result: WriteTest) -> None:
        self.gateway, self.upn, self.result = gateway, upn, result
        token = uuid.uuid4().hex[:12]
        # Keys start with the seller's UPN and "|" like every slotguard key (domain/keys.py),
        # so the documented lookup of a seller's own events finds these too.
        self.event_key = f"{upn.lower()}|doctor:{token}"
        self.task_key = f"{upn.lower()}|doctor-task:{token}"
        self.event_ids: list[str] = []
        self.list_id: str | None = None
        self.task: tuple[str, str] | None = None  # (list id, task id)

    def note(self, behaviour: str, observed: str, fallback: Fallback | None = None,
             level: Level = "ok") -> None:
        self.result.observations.append(Observation(behaviour, observed, fallback, level))

    def taken(self, fallback: Fallback) -> Fallback | None:
        return fallback if fallback in self.gateway.fallbacks else None

    async def events(self, zone: str, now: datetime) -> None:
        tz = zone_info(zone) or UTC
        # Next week, late in the evening: out of the way of almost any working day.
        day = (now.astimezone(tz) + timedelta(days=7)).date()
        start = datetime.combine(day, time(23, 0), tz).astimezone(UTC)
        event = NewEvent(
            key=self.event_key, purpose=Purpose.COMPENSATION, subject=SUBJECT, body=NOTE,
            start=start, end=start + timedelta(minutes=15), zone=zone, reminder_minutes=0,
            recurrence=WeeklyRecurrence(frozenset({_weekday(day)}), day, day + timedelta(7)))
        first = await self.gateway.create_event(self.upn, event)
        self.event_ids.append(first)
        self.result.wrote.add("event")
        zoned = self.taken(Fallback.EVENT_RECURRENCE_ZONE)
        self.note("event series with recurrenceTimeZone",
                  "refused; written without it" if zoned else "accepted", zoned)
        await self.repeat(event, first)
        window = (start - timedelta(hours=1), start + timedelta(hours=1))
        events, _ = await self.gateway.read_view(self.upn, *window, {})
        self.marker_expand(self.ours(events, first), "calendarView")
        await self.delta(window, first)

    async def delta(self, window: tuple[datetime, datetime], master: str) -> None:
        """The scan's read: a first full read of the window, then a delta round from its
        link, as the next cycle makes."""
        state = await self.window(WindowRequest(self.upn, *window))
        if not self.ours(state.events, master):
            self.note("slotguard's own event in calendarView delta", "not recognised",
                      level="fail")
        await self.window(WindowRequest(self.upn, *window, snapshot=state.snapshot,
                                        delta_link=state.delta_link))
        empty = self.taken(Fallback.DELTA_EMPTY_PAGES)
        self.note("first pages of a calendarView delta round",
                  "empty, with only a nextLink" if empty else "no empty pages", empty)

    async def window(self, request: WindowRequest) -> WindowState:
        state = (await self.gateway.windows([request]))[self.upn]
        if isinstance(state, SlotguardError):
            raise state
        return state

    async def repeat(self, event: NewEvent, first: str) -> None:
        """The same event again with the same transactionId, as a retry after a lost
        answer sends it."""
        again = await self.gateway.create_event(self.upn, event)
        conflict = self.taken(Fallback.TRANSACTION_CONFLICT)
        if again != first:
            self.event_ids.append(again)
            self.note("repeated transactionId", "a second event was created (slotguard's "
                      "lookup before each write still keeps it from writing twice)",
                      level="warn")
        elif conflict:
            self.note("repeated transactionId", "409 Conflict", conflict)
        else:
            self.note("repeated transactionId", "201 with the first event")

    def ours(self, events: list[CalendarEvent], master: str) -> list[CalendarEvent]:
        return [e for e in events if (e.series_master_id or e.id) == master
                and e.marker is not None and e.marker.key == self.event_key]

    def marker_expand(self, found: list[CalendarEvent], where: str) -> None:
        support = self.gateway.own.support
        fallback = {Support.IGNORED: Fallback.LIST_EXPAND_IGNORED,
                    Support.REFUSED: Fallback.LIST_EXPAND_REFUSED}.get(support)
        observed = support.value if support is not Support.UNKNOWN else "not seen"
        self.note(f"marker $expand on {where}", observed,
                  self.taken(fallback) if fallback else None)
        if not found:
            self.note(f"slotguard's own event in {where}", "not recognised", level="fail")
            return
        organizer = found[0].organizer
        self.note("organizer of slotguard's events",
                  "not given" if not organizer else "the user principal name"
                  if organizer == self.upn.lower()
                  else f"{organizer} (not the user principal name)")

    async def tasks(self, zone: str, now: datetime) -> None:
        self.list_id = list_id = await self.default_list()
        due = (now.astimezone(UTC) + timedelta(days=7)).date()
        task = NewTask(key=self.task_key, title=TASK_TITLE, body=NOTE, due=due, zone=zone,
                       recurrence=WeeklyRecurrence(frozenset({_weekday(due)}), due),
                       link_title="slotguard doctor")
        task_id = await self.gateway.create_task(self.upn, list_id, task)
        self.task = (list_id, task_id)
        self.result.wrote.add("task")
        zoned = self.taken(Fallback.TASK_RECURRENCE_ZONE)
        self.note("weekly To Do task with recurrenceTimeZone",
                  "refused; written without it" if zoned else "accepted", zoned)
        keys = await self.gateway.task_keys(self.upn, list_id)
        with_select = self.taken(Fallback.TASK_EXPAND_WITH_SELECT)
        refused = self.taken(Fallback.TASK_EXPAND)
        observed = ("refused; linked resources read task by task" if refused else
                    "refused with $select; read without it" if with_select else "honoured")
        self.note("To Do $expand=linkedResources with $select", observed,
                  refused or with_select)
        if keys.get(self.task_key) != task_id:
            self.note("slotguard's own task in To Do", "not found again", level="fail")

    async def default_list(self) -> str:
        """The mailbox's own "Tasks" list: a test task there leaves no list behind."""
        lists = self.gateway.client.users.by_user_id(self.upn).todo.lists
        raw = await self.gateway.send(
            lambda: lists.to_get_request_information(request_config()), mailbox=self.upn)
        found = msgspec.json.decode(raw or b"{}", type=_Lists).value
        for item in found:
            if item.wellknownListName == "defaultList":
                return item.id
        if not found:
            raise GraphError(f"{self.upn} has no To Do list", code="NoTaskList")
        return found[0].id

    async def clean_up(self) -> None:
        """Delete what was written, and anything else carrying the test's keys (a write
        whose answer was lost)."""
        with contextlib.suppress(SlotguardError):
            self.event_ids += [e.id for e in await self.gateway.own_events(
                self.upn, self.event_key) if e.id not in self.event_ids]
        for event_id in self.event_ids:
            try:
                await self.gateway.delete_event(self.upn, event_id)
            except SlotguardError as error:
                self.result.left_behind.append(
                    f"event {event_id} ({SUBJECT!r}): {error}")
        if self.task is None and self.list_id is not None:
            with contextlib.suppress(SlotguardError):
                keys = await self.gateway.task_keys(self.upn, self.list_id)
                if self.task_key in keys:
                    self.task = (self.list_id, keys[self.task_key])
        if self.task is not None:
            await self.delete_task(*self.task)

    async def delete_task(self, list_id: str, task_id: str) -> None:
        item = (self.gateway.client.users.by_user_id(self.upn).todo.lists
                .by_todo_task_list_id(list_id).tasks.by_todo_task_id(task_id))
        try:
            with contextlib.suppress(ItemNotFound):
                await self.gateway.send(
                    lambda: item.to_delete_request_information(request_config()),
                    mailbox=self.upn, target=Target.MAILBOX)
        except SlotguardError as error:
            self.result.left_behind.append(f"task {task_id} ({TASK_TITLE!r}): {error}")


class _List(msgspec.Struct):
    id: str
    wellknownListName: str | None = None  # Graph's wire name


class _Lists(msgspec.Struct):
    value: list[_List] = msgspec.field(default_factory=list)


def _weekday(day: date) -> Weekday:
    return Weekday(day.isoweekday())
