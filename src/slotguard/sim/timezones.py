"""Time zones and Graph's ``dateTimeTimeZone`` wire format.

Exchange stores mailbox zones under Windows names ("W. Europe Standard Time") and Graph
accepts those or IANA names wherever a zone is given, so the simulator resolves both.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tzlocal.windows_tz import tz_win, win_tz

_FRACTION = re.compile(r"\.(\d+)")


class UnknownTimeZone(ValueError):
    pass


@lru_cache(maxsize=512)
def resolve_zone(name: str) -> tzinfo:
    """ZoneInfo for a Windows or IANA zone name; ``UnknownTimeZone`` otherwise."""
    key = name.strip()
    if key.upper() in {"UTC", "Z", "ETC/UTC", "GMT"} or key == "tzone://Microsoft/Utc":
        return UTC
    if key in win_tz:
        return ZoneInfo(win_tz[key])
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(name) from exc


def windows_name(name: str) -> str:
    """The Windows name for a zone given either way (mailboxSettings speak Windows names)."""
    if name in win_tz or name == "UTC":
        return name
    return tz_win.get(name, name)


# isoformat rather than strftime: the same text (years 1000 to 9999) at a fraction of the
# cost, which adds up over every event of every calendar read.
def format_local(value: datetime) -> str:
    """Graph's dateTime string: local wall time, 7 fractional digits, no offset."""
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "0"


def format_utc(value: datetime) -> str:
    """A DateTimeOffset value as Graph writes it: UTC with 'Z'."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def format_utc_precise(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "0Z"


def format_time_of_day(value: time) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "0"


def parse_datetime_text(text: str) -> datetime:
    """ISO 8601 as clients send it; up to 7 fractional digits; optional 'Z'/offset."""
    cleaned = text.strip()
    cleaned = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], cleaned, count=1)
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    return datetime.fromisoformat(cleaned)


def parse_datetime_tz(obj: object, field: str) -> datetime:
    """A ``dateTimeTimeZone`` object into an aware datetime in its own zone."""
    if not isinstance(obj, dict) or "dateTime" not in obj:
        raise ValueError(f"'{field}' must be an object with dateTime and timeZone")
    zone = resolve_zone(str(obj.get("timeZone") or "UTC"))
    value = parse_datetime_text(str(obj["dateTime"]))
    if value.tzinfo is not None:
        return value.astimezone(zone)
    return value.replace(tzinfo=zone)


def parse_query_instant(text: str) -> datetime:
    """startDateTime/endDateTime: the offset in the value counts; without one it is UTC."""
    value = parse_datetime_text(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def date_time_tz(value: datetime, zone_name: str) -> dict[str, str]:
    return {
        "dateTime": format_local(value.astimezone(resolve_zone(zone_name))),
        "timeZone": zone_name,
    }


def parse_time_of_day(text: str) -> time:
    return time.fromisoformat(_FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text))


def local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), zone)
