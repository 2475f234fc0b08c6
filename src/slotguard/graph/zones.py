"""Time-zone names as Graph writes them (IANA, Windows, or UTC spelled several ways) to
``tzinfo``. Windows names go through ``slotguard.timezones.to_iana`` (CLDR's table), the
one mapping the project keeps."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from slotguard.timezones import to_iana

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
