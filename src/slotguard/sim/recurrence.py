"""Expanding a ``patternedRecurrence`` into the instances calendarView returns.

Occurrences keep their local wall-clock time in the series' zone across DST changes (a 08:00
meeting stays at 08:00 in Stockholm), which is why the rule runs on naive local times and
each result is localised afterwards. Cancelled occurrences vanish; exceptions replace their
occurrence and may have moved elsewhere in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil import rrule

from slotguard.sim.model import StoredEvent, occurrence_id
from slotguard.sim.timezones import resolve_zone

_WEEKDAYS = {
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
    "sunday": rrule.SU,
}
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


class BadRecurrence(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Instance:
    """One occurrence or exception of a series, or a single event."""

    id: str
    type: str  # singleInstance | occurrence | exception
    event: StoredEvent
    start: datetime
    end: datetime
    original_start: datetime | None
    fields: dict[str, Any]
    change_key: str
    modified: datetime


def series_zone(event: StoredEvent) -> str:
    assert event.recurrence is not None
    return str(event.recurrence.get("range", {}).get("recurrenceTimeZone") or event.start_zone)


def validate(recurrence: dict[str, Any]) -> None:
    """Raise BadRecurrence naming the field when a client sends something Graph would refuse."""
    _rule(recurrence, datetime(2000, 1, 1, 8, 0))


def _rule(recurrence: dict[str, Any], dtstart: datetime) -> rrule.rrule:
    pattern = recurrence.get("pattern") or {}
    rng = recurrence.get("range") or {}
    kind = pattern.get("type")
    interval = int(pattern.get("interval") or 1)
    if interval < 1:
        raise BadRecurrence("recurrence.pattern.interval must be at least 1")
    days = [d.lower() for d in pattern.get("daysOfWeek") or []]
    unknown = [d for d in days if d not in _WEEKDAYS]
    if unknown:
        raise BadRecurrence(f"recurrence.pattern.daysOfWeek has unknown day(s) {unknown}")
    kwargs: dict[str, Any] = {"interval": interval, "dtstart": dtstart}
    first_day = str(pattern.get("firstDayOfWeek") or "sunday").lower()
    kwargs["wkst"] = _WEEKDAYS.get(first_day, rrule.SU)
    index = _INDEX.get(str(pattern.get("index") or "first").lower(), 1)
    if kind == "daily":
        freq = rrule.DAILY
    elif kind == "weekly":
        if not days:
            raise BadRecurrence("recurrence.pattern.daysOfWeek is required for a weekly pattern")
        freq, kwargs["byweekday"] = rrule.WEEKLY, [_WEEKDAYS[d] for d in days]
    elif kind == "absoluteMonthly":
        freq, kwargs["bymonthday"] = rrule.MONTHLY, int(pattern.get("dayOfMonth") or dtstart.day)
    elif kind == "relativeMonthly":
        freq, kwargs["byweekday"] = rrule.MONTHLY, [_WEEKDAYS[d](index) for d in days]
    elif kind == "absoluteYearly":
        freq = rrule.YEARLY
        kwargs["bymonth"] = int(pattern.get("month") or dtstart.month)
        kwargs["bymonthday"] = int(pattern.get("dayOfMonth") or dtstart.day)
    elif kind == "relativeYearly":
        freq = rrule.YEARLY
        kwargs["bymonth"] = int(pattern.get("month") or dtstart.month)
        kwargs["byweekday"] = [_WEEKDAYS[d](index) for d in days]
    else:
        raise BadRecurrence(
            f"recurrence.pattern.type {kind!r} is not one of daily, weekly, "
            "absoluteMonthly, relativeMonthly, absoluteYearly, relativeYearly"
        )
    range_type = rng.get("type") or "noEnd"
    if range_type == "endDate":
        if not rng.get("endDate"):
            raise BadRecurrence("recurrence.range.endDate is required when range.type is endDate")
        kwargs["until"] = datetime.combine(date.fromisoformat(rng["endDate"]), time(23, 59, 59))
    elif range_type == "numbered":
        count = int(rng.get("numberOfOccurrences") or 0)
        if count < 1:
            raise BadRecurrence("recurrence.range.numberOfOccurrences must be at least 1")
        kwargs["count"] = count
    elif range_type != "noEnd":
        raise BadRecurrence(
            f"recurrence.range.type {range_type!r} is not endDate, noEnd or numbered"
        )
    return rrule.rrule(freq, **kwargs)


def closer_start(recurrence: dict[str, Any], dtstart: datetime, lo: datetime) -> datetime:
    """A later start for the rule with the same occurrences from ``lo`` on: whole periods
    of a daily or weekly pattern skipped, so a long-running series is not walked from its
    first week on every read. A numbered range counts from the true start and keeps it."""
    pattern = recurrence.get("pattern") or {}
    if (recurrence.get("range") or {}).get("type") == "numbered":
        return dtstart
    interval = int(pattern.get("interval") or 1)
    period = {"daily": interval, "weekly": 7 * interval}.get(str(pattern.get("type")))
    if period is None or interval < 1:
        return dtstart
    periods = (lo - dtstart).days // period - 1
    return dtstart + timedelta(days=periods * period) if periods > 0 else dtstart


def expand(event: StoredEvent, window_start: datetime, window_end: datetime) -> list[Instance]:
    """Instances of ``event`` overlapping [window_start, window_end) (aware datetimes)."""
    if event.recurrence is None:
        if event.start < window_end and event.end > window_start:
            return [
                Instance(
                    event.id,
                    "singleInstance",
                    event,
                    event.start,
                    event.end,
                    None,
                    event.fields,
                    event.change_key,
                    event.modified,
                )
            ]
        return []
    zone = resolve_zone(series_zone(event))
    local_start = event.start.astimezone(zone)
    duration = event.end - event.start
    range_start = (event.recurrence.get("range") or {}).get("startDate")
    first_day = date.fromisoformat(range_start) if range_start else local_start.date()
    dtstart = datetime.combine(first_day, local_start.time().replace(tzinfo=None))
    # Pad the naive local window so occurrences straddling its edges are not lost.
    lo = window_start.astimezone(zone).replace(tzinfo=None) - duration - timedelta(days=1)
    hi = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    rule = _rule(event.recurrence, closer_start(event.recurrence, dtstart, lo))
    out: list[Instance] = []
    for naive in rule.between(lo, hi, inc=True):
        day = naive.date()
        if day in event.cancelled or day in event.exceptions:
            continue
        start = naive.replace(tzinfo=zone)
        end = start + duration
        if start < window_end and end > window_start:
            out.append(
                Instance(
                    occurrence_id(event.id, day),
                    "occurrence",
                    event,
                    start,
                    end,
                    start,
                    event.fields,
                    event.change_key,
                    event.modified,
                )
            )
    for day, override in event.exceptions.items():
        if day in event.cancelled:
            continue
        if override.start < window_end and override.end > window_start:
            original = datetime.combine(day, local_start.time().replace(tzinfo=None), zone)
            merged = {**event.fields, **override.fields}
            out.append(
                Instance(
                    occurrence_id(event.id, day),
                    "exception",
                    event,
                    override.start,
                    override.end,
                    original,
                    merged,
                    override.change_key,
                    override.modified,
                )
            )
    out.sort(key=lambda i: i.start)
    return out


def occurrence_on(event: StoredEvent, day: date) -> datetime | None:
    """Original start of the occurrence on local ``day`` if the series has one there."""
    zone = resolve_zone(series_zone(event))
    local_start = event.start.astimezone(zone)
    range_start = (event.recurrence or {}).get("range", {}).get("startDate")
    first_day = date.fromisoformat(range_start) if range_start else local_start.date()
    dtstart = datetime.combine(first_day, local_start.time().replace(tzinfo=None))
    target = datetime.combine(day, local_start.time().replace(tzinfo=None))
    recurrence = event.recurrence or {}
    rule = _rule(recurrence, closer_start(recurrence, dtstart, target))
    hit = rule.after(target - timedelta(seconds=1), inc=True)
    if hit is not None and hit == target:
        return target.replace(tzinfo=zone)
    return None
