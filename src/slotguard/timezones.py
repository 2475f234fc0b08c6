"""Time zone names as Microsoft 365 and admins write them, turned into IANA names.

Exchange mailboxes report Windows zone names ("W. Europe Standard Time"); the policy core
and ``zoneinfo`` need IANA names ("Europe/Berlin"). tzlocal ships the CLDR mapping
(``windowsZones.xml``), which Unicode maintains, so we use it instead of a copy of our own.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from tzlocal.windows_tz import win_tz

__all__ = ["to_iana"]

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
