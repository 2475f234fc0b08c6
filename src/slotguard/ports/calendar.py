"""The calendar port: what slotguard reads from and writes to Microsoft 365, in its own
terms (domain types and the write requests below), never the SDK's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol

from slotguard.domain.model import CalendarEvent, OwnMarker, Purpose, Weekday, WorkingHours
from slotguard.errors import TransientGraphError


@dataclass(frozen=True, slots=True)
class Mailbox:
    """What Graph says about a seller's mailbox, already in our terms (IANA zone)."""

    upn: str
    zone: str
    working_hours: WorkingHours
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class GroupMembers:
    """A team group's user members as Graph listed them. Disabled accounts are left out;
    members whose account state or name the app may not read are counted, so the roster
    can say so instead of guessing."""

    upns: tuple[str, ...]  # lower-case; enabled accounts and those of unknown state
    disabled: int = 0  # accountEnabled false: not sellers
    unknown_state: int = 0  # accountEnabled not readable (needs User.Read.All): kept
    unnamed: int = 0  # no userPrincipalName (no user read permission): cannot be scanned


@dataclass(frozen=True, slots=True)
class WeeklyRecurrence:
    days: frozenset[Weekday]
    start: date
    end: date | None = None  # None: no end


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event slotguard writes. ``key`` is the idempotency key: the same key always
    means the same event (it derives the transactionId and the marker property)."""

    key: str
    purpose: Purpose
    subject: str
    body: str
    start: datetime  # UTC
    end: datetime  # UTC
    zone: str  # IANA zone the seller reads the event in
    categories: tuple[str, ...] = ()
    reminder_minutes: int | None = 15  # before the start; None: no reminder
    recurrence: WeeklyRecurrence | None = None
    # Bumped each time slotguard writes the key again after withdrawing it (the meeting
    # moved out of the block, then back in): a fresh transactionId, the same marker key.
    revision: int = 0


@dataclass(frozen=True, slots=True)
class NewTask:
    """A To Do task slotguard writes; ``key`` is its idempotency key."""

    key: str
    title: str
    body: str
    due: date
    zone: str
    recurrence: WeeklyRecurrence | None = None
    link_url: str | None = None
    link_title: str | None = None
    reminder: time | None = time(9, 0)  # zone-local time on the due day; None: no reminder


@dataclass(frozen=True, slots=True)
class WindowRequest:
    """One seller's calendar span for ``CalendarGateway.windows``: what the caller stored
    last time (nothing for a first read) and markers it knows from elsewhere (event id →
    marker of an event slotguard wrote, from the ledger), which spare the lookup of a new
    own event."""

    upn: str
    start: datetime
    end: datetime
    snapshot: bytes | None = None
    delta_link: str | None = None
    known: Mapping[str, OwnMarker] = field(default_factory=dict)


class WindowRead(Protocol):
    """A window as read: its events, and what to store for the next read."""

    @property
    def events(self) -> Sequence[CalendarEvent]: ...

    @property
    def snapshot(self) -> bytes: ...

    @property
    def delta_link(self) -> str: ...

    @property
    def full_read(self) -> bool:
        """The whole window was read (no usable link, or the link had expired)."""

    @property
    def changed(self) -> bool:
        """False when nothing changed since the stored snapshot and link, which then
        still describe the window and need not be stored again."""

    @property
    def own_ids(self) -> frozenset[str] | None:
        """Ids of every event in the seller's mailbox carrying one of slotguard's keys,
        when the read had to look them up; None when it did not. Empty: nothing of
        slotguard's is there, and the seller's writes need no lookup this cycle."""


class CalendarGateway(Protocol):
    """Everything slotguard asks of Microsoft 365. The Graph adapter reads a wave of
    sellers at once ($batch round trips, calendarView delta); the in-memory one keeps a
    tenant in dicts; the dry run's records writes instead of making them."""

    async def group_members(self, group_id: str) -> GroupMembers: ...

    async def mailbox(self, upn: str) -> Mailbox: ...

    async def mailboxes(self, upns: Sequence[str]) -> Mapping[str, Mailbox | Exception]:
        """Each seller's mailbox, or the error that stopped its read."""
        ...

    async def windows(self, requests: Sequence[WindowRequest],
                      ) -> Mapping[str, WindowRead | Exception]:
        """Each seller's calendar span, or the error that stopped its read."""
        ...

    async def event(self, upn: str, event_id: str) -> CalendarEvent | None:
        """One event as Graph has it now, with its subject and link (a window read from
        a stored snapshot keeps neither: domain/retention.py); None when it is gone."""
        ...

    async def own_events(self, upn: str, key: str) -> list[CalendarEvent]: ...

    async def create_event(self, upn: str, event: NewEvent) -> str:
        """One attempt to create ``event``; the service looks for an earlier attempt's
        event first (service/apply.py). A repeated transactionId is resolved here."""
        ...

    async def delete_event(self, upn: str, event_id: str) -> None: ...

    async def ensure_task_list(self, upn: str, name: str) -> str: ...

    async def task_keys(self, upn: str, list_id: str) -> Mapping[str, str]:
        """Every slotguard key carried by a task of the list, with the task's id: one read
        of the list, for all the keys the ledger does not know."""
        ...

    async def create_task(self, upn: str, list_id: str, task: NewTask) -> str:
        """One attempt to create ``task``, as ``create_event``."""
        ...

    async def send_mail(self, sender: str, to: Sequence[str], subject: str, body: str) -> None: ...

    async def before_retry(self, attempt: int, error: TransientGraphError) -> bool:
        """Wait as the adapter's retry policy says before a write that met an uncertain
        failure (a 5xx, no answer) is looked up and tried again; False: give up."""
        ...

    def take_unreadable(self, upn: str) -> list[str]:
        """Events of the seller Graph sent but that could not be read since the last call
        (one line each, no personal data); the scan reports them."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...
