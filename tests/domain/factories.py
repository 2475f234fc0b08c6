"""Builders for realistic sellers and calendars, shared by the domain tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slotguard.domain.model import (
    Attendee,
    AttendeeType,
    BlockRule,
    CalendarEvent,
    Organization,
    OwnMarker,
    Policy,
    Purpose,
    Rules,
    Seller,
    ShowAs,
    Weekday,
    WorkingHours,
)

STOCKHOLM = "Europe/Stockholm"
NEW_YORK = "America/New_York"
WEEKDAYS = frozenset({Weekday(day) for day in range(1, 6)})
CONTOSO = Organization(internal_domains=frozenset({"contoso.com"}), fallback_zone=STOCKHOLM)


def rules(**policy: object) -> Rules:
    return Rules(organization=CONTOSO, policy=Policy(**policy))


def block(
    rule_id: str, days: set[Weekday], start: time, end: time, title: str = "Prospecting"
) -> BlockRule:
    return BlockRule(rule_id, frozenset(days), start, end, title)


def nordics_seller(upn: str = "anna.berg@contoso.com", **changes: object) -> Seller:
    """Team Nordics: Mon–Fri 08–17 Stockholm, blocks Tue+Thu 08:00–10:00."""
    hours = WorkingHours(WEEKDAYS, time(8), time(17), STOCKHOLM)
    blocks = (block("prospecting", {Weekday.TUESDAY, Weekday.THURSDAY}, time(8), time(10)),)
    seller = Seller(upn, "Nordics", STOCKHOLM, hours, blocks, "maria.lind@contoso.com")
    return _replace(seller, changes)


def east_seller(upn: str = "emma.clark@contoso.com", **changes: object) -> Seller:
    """Team East Coast: Mon–Fri 09–18 New York, blocks Mon+Wed 09:00–11:00."""
    hours = WorkingHours(WEEKDAYS, time(9), time(18), NEW_YORK)
    blocks = (block("prospecting", {Weekday.MONDAY, Weekday.WEDNESDAY}, time(9), time(11)),)
    seller = Seller(upn, "East Coast", NEW_YORK, hours, blocks, "david.ross@contoso.com")
    return _replace(seller, changes)


def _replace(seller: Seller, changes: dict[str, object]) -> Seller:
    from dataclasses import replace

    return replace(seller, **changes)


def local(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant (unambiguous times only)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


_counter = iter(range(1, 10**9))


def meeting(
    start: datetime,
    end: datetime | None = None,
    *,
    with_: str | tuple[str, ...] = "buyer@fabrikam.com",
    subject: str = "Fabrikam renewal",
    event_id: str | None = None,
    **fields: object,
) -> CalendarEvent:
    """A meeting with the given people (required attendees) — a customer by default."""
    people = (with_,) if isinstance(with_, str) else with_
    return CalendarEvent(
        id=f"evt-{next(_counter)}" if event_id is None else event_id,
        start=start,
        end=end or start + timedelta(hours=1),
        subject=subject,
        attendees=tuple(Attendee(address) for address in people),
        organizer=fields.pop("organizer", "anna.berg@contoso.com"),
        **fields,
    )


def internal(start: datetime, end: datetime | None = None, **fields: object) -> CalendarEvent:
    return meeting(start, end, with_="erik.holm@contoso.com", subject="Team sync", **fields)


def busy(start: datetime, end: datetime, show_as: ShowAs = ShowAs.BUSY) -> CalendarEvent:
    return CalendarEvent(f"evt-{next(_counter)}", start, end, "Busy", show_as=show_as)


def room(address: str = "room.kista@contoso.com") -> Attendee:
    return Attendee(address, AttendeeType.RESOURCE)


def compensation_event(key: str, start: datetime, end: datetime) -> CalendarEvent:
    return CalendarEvent(
        f"comp-{key}", start, end, "Prospecting", marker=OwnMarker(Purpose.COMPENSATION, key)
    )
