"""Time-zone names as Graph writes them (IANA, Windows, or UTC spelled several ways) to
``tzinfo``, and the name slotguard writes back. Windows names go through
``slotguard.timezones`` (CLDR's table), the one mapping the project keeps.

What slotguard writes is always a Windows name: Graph takes "any of the time zones
currently supported by Windows" but only a fixed list of IANA names in a dateTimeTimeZone
(learn.microsoft.com/graph/api/resources/datetimetimezone), and CLDR's first IANA name
for a third of the Windows zones is not on it (India Standard Time is Asia/Calcutta in
CLDR, Asia/Kolkata on Graph's list). For a mailbox in a Windows zone the name written is
the one mailboxSettings reported; for one reporting an IANA name, its Windows equivalent."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from slotguard.timezones import to_iana, to_windows

# Spellings of UTC seen in Graph payloads that are not IANA names themselves.
_UTC_NAMES = frozenset(
    {"utc", "etc/utc", "z", "tzone://microsoft/utc", "coordinated universal time"}
)


@lru_cache(maxsize=512)
def iana_name(name: str) -> str | None:
    """``name`` as an IANA zone name ("UTC" for the UTC spellings), or None if unknown."""
    text = name.strip()
    if text.lower() in _UTC_NAMES:
        return "UTC"
    try:
        return to_iana(text)
    except ValueError:
        return None


@lru_cache(maxsize=512)
def zone_info(name: str) -> tzinfo | None:
    """The zone Graph means by ``name``, or None when nobody knows it."""
    iana = iana_name(name)
    if iana is None:
        return None
    return UTC if iana == "UTC" else ZoneInfo(iana)


@lru_cache(maxsize=512)
def graph_zone(name: str) -> str | None:
    """The Windows name Graph accepts for ``name`` (an IANA zone, or a Windows one), or
    None when CLDR knows no Windows zone for it."""
    iana = iana_name(name)
    if iana is None:
        return None
    try:
        return to_windows(iana)
    except ValueError:
        return None
