"""mailboxSettings bytes → ``Mailbox``: the zone as IANA, working hours with their days.

Graph reports ``timeZone`` in whatever format the admin configured (Windows by default,
IANA possible) and ``workingHours.timeZone`` either as ``{"name": ...}`` or as a
``#microsoft.graph.customTimeZone`` object with offsets; all three are handled.
"""

from __future__ import annotations

from datetime import time

import msgspec
import structlog

from slotguard.domain.model import Weekday, WorkingHours
from slotguard.errors import BadGraphData
from slotguard.graph.zones import iana_name
from slotguard.ports import Mailbox

log = structlog.get_logger("slotguard.graph")

_DAYS = {d.name.lower(): d for d in Weekday}
# Outlook's own default when a mailbox has never set working hours.
DEFAULT_DAYS = frozenset({Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY,
                          Weekday.THURSDAY, Weekday.FRIDAY})
DEFAULT_START, DEFAULT_END = time(8, 0), time(17, 0)


class _ZoneBase(msgspec.Struct):
    name: str | None = None
    bias: int | None = None  # customTimeZone: minutes to add to local time to get UTC
    odata_type: str | None = msgspec.field(default=None, name="@odata.type")


class _WorkingHours(msgspec.Struct):
    daysOfWeek: list[str] | None = None  # Graph's wire names
    startTime: str | None = None
    endTime: str | None = None
    timeZone: _ZoneBase | None = None


class _MailboxSettings(msgspec.Struct):
    timeZone: str | None = None
    workingHours: _WorkingHours | None = None


_DECODER = msgspec.json.Decoder(_MailboxSettings)


def decode_mailbox(upn: str, raw: bytes) -> Mailbox:
    try:
        settings = _DECODER.decode(raw)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"mailboxSettings of {upn}: {exc}", code="mailboxSettings") from exc
    hours = settings.workingHours
    hours_tz = hours.timeZone if hours else None
    named_hours_zone = iana_name(hours_tz.name) if hours_tz and hours_tz.name else None
    zone = iana_name(settings.timeZone) if settings.timeZone else None
    if settings.timeZone and zone is None:
        raise BadGraphData(
            f"mailboxSettings.timeZone of {upn}: unknown time zone {settings.timeZone!r}",
            code="mailboxSettings.timeZone",
        )
    # A custom working-hours zone is, in practice, the mailbox's zone with its own
    # rules; its fixed bias is only a last resort (no DST).
    hours_zone = named_hours_zone or zone or (_bias_zone(hours_tz) if hours_tz else None)
    zone = zone or hours_zone
    if zone is None or hours_zone is None:
        raise BadGraphData(
            f"mailboxSettings of {upn} name no time zone (timeZone and workingHours.timeZone"
            " are empty); set the mailbox's time zone in Outlook",
            code="mailboxSettings.timeZone",
        )
    return Mailbox(upn=upn, zone=zone, working_hours=_working_hours(upn, hours, hours_zone))


def _working_hours(upn: str, hours: _WorkingHours | None, zone: str) -> WorkingHours:
    if hours is None or not hours.daysOfWeek or not hours.startTime or not hours.endTime:
        log.info("graph.working_hours_defaulted", seller=upn)
        return WorkingHours(DEFAULT_DAYS, DEFAULT_START, DEFAULT_END, zone)
    days = set()
    for name in hours.daysOfWeek:
        day = _DAYS.get(name.lower())
        if day is None:
            raise BadGraphData(
                f"mailboxSettings.workingHours.daysOfWeek of {upn}: {name!r} is not a day",
                code="workingHours.daysOfWeek",
            )
        days.add(day)
    start = _time(upn, "startTime", hours.startTime)
    end = _time(upn, "endTime", hours.endTime)
    if end <= start:
        raise BadGraphData(
            f"mailboxSettings.workingHours of {upn}: endTime {end} is not after startTime {start}",
            code="workingHours.endTime",
        )
    return WorkingHours(frozenset(days), start, end, zone)


def _time(upn: str, name: str, text: str) -> time:
    try:
        return time.fromisoformat(text[:15] if "." in text else text)  # "08:00:00.0000000"
    except ValueError as exc:
        raise BadGraphData(
            f"mailboxSettings.workingHours.{name} of {upn}: {text!r} is not a time of day",
            code=f"workingHours.{name}",
        ) from exc


def _bias_zone(value: _ZoneBase) -> str | None:
    """A fixed-offset IANA zone from a customTimeZone's bias (whole hours only)."""
    if value.bias is not None and value.bias % 60 == 0:
        hours = value.bias // 60  # bias = UTC - local, so UTC+1 is bias -60 = Etc/GMT-1
        return "UTC" if hours == 0 else f"Etc/GMT{hours:+d}"
    return None
