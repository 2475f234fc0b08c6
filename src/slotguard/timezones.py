"""Time zone names as Microsoft 365 and admins write them, turned into IANA names, and
IANA names back into the Windows names Microsoft 365 takes.

Exchange mailboxes report Windows zone names ("W. Europe Standard Time"); the policy core
and ``zoneinfo`` need IANA names ("Europe/Berlin"). tzlocal ships the CLDR mapping
(``windowsZones.xml``), which Unicode maintains, so we use it instead of a copy of our own.
Both directions use it: CLDR maps every IANA zone to the Windows zone with the same rules,
and a Windows zone's own IANA name back to that Windows zone.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from tzlocal.windows_tz import tz_win, win_tz

__all__ = ["to_iana", "to_windows"]

# Case-insensitive lookups: Graph and admins are not consistent about capitalisation.
_WINDOWS = {name.casefold(): iana for name, iana in win_tz.items()}


@lru_cache(maxsize=512)
def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@lru_cache(maxsize=1024)
def to_iana(name: str) -> str:
    """Return the IANA name for an IANA or Windows time zone name.

    Raises ``ValueError`` with a message fit for a one-line config problem.
    """
    text = name.strip()
    if not text:
        raise ValueError("time zone is empty; give an IANA name such as 'Europe/Stockholm'")
    iana = _iana_names().get(text.casefold())
    if iana is not None:
        return iana
    mapped = _WINDOWS.get(text.casefold())
    if mapped is not None:
        return mapped
    raise ValueError(
        f"{text!r} is not a known time zone; give an IANA name such as 'Europe/Stockholm' "
        "or a Windows name such as 'W. Europe Standard Time'"
    )


@lru_cache(maxsize=1024)
def to_windows(iana: str) -> str:
    """The Windows name for an IANA zone ("Asia/Kolkata" -> "India Standard Time").

    Raises ``ValueError`` for the few IANA names CLDR maps to no Windows zone.
    """
    name = tz_win.get(iana)
    if name is None:
        raise ValueError(
            f"{iana!r} has no Windows time zone that Microsoft 365 accepts; give a city zone "
            "such as 'America/New_York' or a Windows name such as 'Eastern Standard Time'"
        )
    return name
