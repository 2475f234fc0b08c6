"""Which time-zone names Graph accepts wherever a client writes a ``dateTimeTimeZone``
(event start/end, a recurrence's recurrenceTimeZone, To Do due/reminder/start times) and
in ``Prefer: outlook.timezone``.

learn.microsoft.com/graph/api/resources/datetimetimezone: "the timeZone property can be
set to any of the time zones currently supported by Windows, as well as the following
time zones names" — a fixed list of IANA names. Every other IANA name (Asia/Calcutta,
Europe/Chisinau, America/Buenos_Aires, Asia/Katmandu, Europe/Stockholm...) is refused.
The Windows names are CLDR's table (windowsZones.xml, shipped by tzlocal), which lists the
zones Windows supports. Names are matched exactly, as they are spelled there.

The refusal is Graph's own answer, 400 TimeZoneNotSupportedException "A valid TimeZone
value must be specified. The following TimeZone value is not supported: '...'."
(github.com/microsoftgraph/microsoft-graph-docs/issues/4758, for an event's start/end).
The same answer comes for a ``Prefer: outlook.timezone`` value Graph does not support
(github.com/microsoftgraph/msgraph-sample-rubyrailsapp/issues/195, calendarView).
"""

from __future__ import annotations

from tzlocal.windows_tz import win_tz

from slotguard.sim.graph_errors import GraphProblem

# The "Additional time zones" of the page above, in its order. Four entries are written
# "Name (Other)" there; both spellings are taken as meant.
DOCUMENTED_IANA = (
    "Etc/GMT+12", "Etc/GMT+11", "Pacific/Honolulu", "America/Anchorage",
    "America/Santa_Isabel", "America/Los_Angeles", "America/Phoenix", "America/Chihuahua",
    "America/Denver", "America/Guatemala", "America/Chicago", "America/Mexico_City",
    "America/Regina", "America/Bogota", "America/New_York", "America/Indiana/Indianapolis",
    "America/Caracas", "America/Asuncion", "America/Halifax", "America/Cuiaba",
    "America/La_Paz", "America/Santiago", "America/St_Johns", "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires", "America/Cayenne", "America/Godthab",
    "America/Montevideo", "America/Bahia", "Etc/GMT+2", "Atlantic/Azores",
    "Atlantic/Cape_Verde", "Africa/Casablanca", "Etc/GMT", "Europe/London",
    "Atlantic/Reykjavik", "Europe/Berlin", "Europe/Budapest", "Europe/Paris", "Europe/Warsaw",
    "Africa/Lagos", "Africa/Windhoek", "Europe/Bucharest", "Asia/Beirut", "Africa/Cairo",
    "Asia/Damascus", "Africa/Johannesburg", "Europe/Kyiv", "Europe/Kiev", "Europe/Istanbul",
    "Asia/Jerusalem", "Asia/Amman", "Asia/Baghdad", "Europe/Kaliningrad", "Asia/Riyadh",
    "Africa/Nairobi", "Asia/Tehran", "Asia/Dubai", "Asia/Baku", "Europe/Moscow",
    "Indian/Mauritius", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Kabul", "Asia/Karachi",
    "Asia/Toshkent", "Asia/Tashkent", "Asia/Kolkata", "Asia/Colombo", "Asia/Kathmandu",
    "Asia/Astana", "Asia/Almaty", "Asia/Dhaka", "Asia/Yekaterinburg", "Asia/Yangon",
    "Asia/Rangoon", "Asia/Bangkok", "Asia/Novosibirsk", "Asia/Shanghai", "Asia/Krasnoyarsk",
    "Asia/Singapore", "Australia/Perth", "Asia/Taipei", "Asia/Ulaanbaatar", "Asia/Irkutsk",
    "Asia/Tokyo", "Asia/Seoul", "Australia/Adelaide", "Australia/Darwin",
    "Australia/Brisbane", "Australia/Sydney", "Pacific/Port_Moresby", "Australia/Hobart",
    "Asia/Yakutsk", "Pacific/Guadalcanal", "Asia/Vladivostok", "Pacific/Auckland",
    "Etc/GMT-12", "Pacific/Fiji", "Asia/Magadan", "Pacific/Tongatapu", "Pacific/Apia",
    "Pacific/Kiritimati",
)
WINDOWS = frozenset(win_tz)
ACCEPTED = WINDOWS | frozenset(DOCUMENTED_IANA)


def accepted(name: str) -> bool:
    """Graph takes ``name`` as a dateTimeTimeZone's timeZone."""
    return name in ACCEPTED


def unsupported(name: str) -> GraphProblem:
    return GraphProblem(
        400,
        "TimeZoneNotSupportedException",
        "A valid TimeZone value must be specified. The following TimeZone value is not "
        f"supported: '{name}'.",
    )


def require(name: str) -> str:
    """``name`` when Graph accepts it, else Graph's refusal."""
    if not accepted(name):
        raise unsupported(name)
    return name
