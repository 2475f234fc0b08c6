"""The vocabulary of the policy core: sellers, their blocks, calendar events, policy.

Everything here is a frozen, slotted dataclass or an enum. Datetimes are timezone-aware
and in UTC unless a name says ``local``; the core never reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum


class Weekday(IntEnum):
    """ISO weekday numbers, so ``date.isoweekday()`` compares directly."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


class ShowAs(StrEnum):
    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OOF = "oof"
    WORKING_ELSEWHERE = "workingElsewhere"
    UNKNOWN = "unknown"


class Response(StrEnum):
    """The seller's own answer to the meeting (Graph ``responseStatus.response``)."""

    NONE = "none"
    ORGANIZER = "organizer"
    TENTATIVELY_ACCEPTED = "tentativelyAccepted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NOT_RESPONDED = "notResponded"


class AttendeeType(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    RESOURCE = "resource"


class Sensitivity(StrEnum):
    NORMAL = "normal"
    PERSONAL = "personal"
    PRIVATE = "private"
    CONFIDENTIAL = "confidential"


class Purpose(StrEnum):
    """Why slotguard created an event of its own."""

    BLOCK = "block"  # the visible, recurring prospecting block
    COMPENSATION = "compensation"  # a make-up block for a taken one


class InternalMeetings(StrEnum):
    """What an internal meeting over a block means."""

    REPORT = "report"
    COMPENSATE = "compensate"
    IGNORE = "ignore"


class WhenFull(StrEnum):
    """What to do when the target week has no room for every compensation."""

    SHORTFALL = "shortfall"  # place what fits, report the rest
    SPILL = "spill"  # continue into the week after


@dataclass(frozen=True, slots=True)
class Attendee:
    address: str
    type: AttendeeType = AttendeeType.REQUIRED


@dataclass(frozen=True, slots=True)
class OwnMarker:
    """Marks an event as slotguard's: what it is for and the key it belongs to."""

    purpose: Purpose
    key: str


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event (or one occurrence of a series) in a seller's calendar."""

    id: str
    start: datetime
    end: datetime
    subject: str = ""
    show_as: ShowAs = ShowAs.BUSY
    response: Response = Response.NONE
    is_cancelled: bool = False
    is_all_day: bool = False
    attendees: tuple[Attendee, ...] = ()
    organizer: str | None = None
    categories: tuple[str, ...] = ()
    sensitivity: Sensitivity = Sensitivity.NORMAL
    marker: OwnMarker | None = None
    series_master_id: str | None = None
    web_link: str | None = None

    @property
    def is_own(self) -> bool:
        return self.marker is not None


@dataclass(frozen=True, slots=True)
class BlockRule:
    """A weekly prospecting block as agreed: days and seller-local times."""

    id: str
    days: frozenset[Weekday]
    start: time
    end: time
    title: str = "Prospecting"


@dataclass(frozen=True, slots=True)
class WorkingHours:
    days: frozenset[Weekday]
    start: time
    end: time
    zone: str  # IANA name


@dataclass(frozen=True, slots=True)
class Seller:
    upn: str
    team: str
    zone: str  # IANA name the seller's blocks are expressed in
    working_hours: WorkingHours
    blocks: tuple[BlockRule, ...]
    manager: str | None = None
    language: str = "en"  # the team's language tag: what slotguard writes for them is in it


@dataclass(frozen=True, slots=True)
class ListedSeller:
    """A seller as the rules file and the teams' groups list them, before their mailbox
    says where and when they work."""

    upn: str
    team: str
    blocks: tuple[BlockRule, ...]
    manager: str | None = None
    language: str = "en"  # the team's

    def seller(self, zone: str, working_hours: WorkingHours) -> Seller:
        """The seller, once their mailbox gave the zone and working hours."""
        return Seller(upn=self.upn, team=self.team, zone=zone, working_hours=working_hours,
                      blocks=self.blocks, manager=self.manager, language=self.language)


@dataclass(frozen=True, slots=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Parse ``2026-W48``."""
        year, _, week = text.strip().upper().partition("-W")
        result = cls(int(year), int(week))
        result.monday()  # raises ValueError for a week the year does not have
        return result

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def day(self, weekday: Weekday) -> date:
        return date.fromisocalendar(self.year, self.week, int(weekday))

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday() + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True, slots=True)
class BlockOccurrence:
    """A block rule made concrete for one day: local date, UTC start and end."""

    seller: str
    rule: BlockRule
    day: date  # seller-local date
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Stable across scans and independent of any Graph id."""
        return f"{self.seller.lower()}|{self.rule.id}|{self.day.isoformat()}"


@dataclass(frozen=True, slots=True)
class Organization:
    internal_domains: frozenset[str]
    fallback_zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Reminders:
    """Which of slotguard's writes remind the seller, and when; None: no reminder. The
    weekly series has none by default: a reminder before every block is the noise sellers
    learn to dismiss."""

    block_series: int | None = None  # minutes before each block of the visible series
    compensation: int | None = 15  # minutes before a make-up block
    task: time | None = time(9, 0)  # seller-local time on a task's due day


@dataclass(frozen=True, slots=True)
class Policy:
    min_overlap: timedelta = timedelta(minutes=15)
    counted_show_as: frozenset[ShowAs] = frozenset({ShowAs.BUSY, ShowAs.OOF, ShowAs.TENTATIVE})
    customer_categories: frozenset[str] = frozenset()
    internal_meetings: InternalMeetings = InternalMeetings.REPORT
    compensation_count: int = 2
    target_week_offset: int = 1
    granularity: timedelta = timedelta(minutes=15)
    prefer_same_time: bool = True
    prefer_different_days: bool = True
    max_compensations_per_week: int = 6
    when_full: WhenFull = WhenFull.SHORTFALL
    withdraw_when_resolved: bool = True
    reminders: Reminders = field(default_factory=Reminders)


@dataclass(frozen=True, slots=True)
class HabitTask:
    """A standing weekly task, e.g. every Friday: opportunities created this week. Its title
    is words, in each team's language (slotguard.texts)."""

    id: str
    weekday: Weekday


@dataclass(frozen=True, slots=True)
class FollowUpRules:
    """When follow-up tasks are due and whether they repeat; their list name and titles are
    words, in each team's language (slotguard.texts)."""

    due_working_days: int = 2
    recurrence_weekly: bool = True
    habits: tuple[HabitTask, ...] = ()


@dataclass(frozen=True, slots=True)
class EscalationRules:
    violations: int = 3
    weeks: int = 4
    enabled: bool = True
    sender: str | None = None  # mailbox the notice is sent from; None: the manager's own


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything an admin decided, as the core sees it."""

    organization: Organization
    policy: Policy = field(default_factory=Policy)
    follow_up: FollowUpRules = field(default_factory=FollowUpRules)
    escalation: EscalationRules = field(default_factory=EscalationRules)


class ViolationKind(StrEnum):
    """Who took the block: a customer (the case slotguard exists for) or colleagues only."""

    CUSTOMER = "customer"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Violation:
    """A block occurrence taken by one or more meetings; one per occurrence, keyed by it.

    ``meetings`` holds every counted meeting that overlapped the block, sorted by start, end
    and id. ``compensate`` says whether the taken block is made up for: always for
    customers, for internal meetings only when the policy says ``compensate``.
    """

    key: str
    seller: str
    occurrence: BlockOccurrence
    meetings: tuple[CalendarEvent, ...]
    kind: ViolationKind
    compensate: bool = True
