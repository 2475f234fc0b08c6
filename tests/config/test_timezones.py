from __future__ import annotations

import zoneinfo

import pytest
from tzlocal.windows_tz import win_tz

from slotguard.timezones import to_iana, to_windows


@pytest.mark.parametrize(
    ("name", "iana"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Eastern Standard Time", "America/New_York"),
        ("eastern standard time", "America/New_York"),
        ("Europe/Stockholm", "Europe/Stockholm"),
        ("europe/stockholm", "Europe/Stockholm"),
        (" America/New_York ", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_windows_and_iana_names(name: str, iana: str) -> None:
    assert to_iana(name) == iana


@pytest.mark.parametrize("name", ["Mars Standard Time", "Europe/Atlantis", "", "   "])
def test_unknown_names_raise_a_clear_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="IANA name such as 'Europe/Stockholm'"):
        to_iana(name)


def test_every_windows_zone_comes_back_as_itself() -> None:
    """What a mailbox reports is what slotguard writes back (graph/zones.py)."""
    assert {w: to_windows(to_iana(w)) for w in win_tz} == {w: w for w in win_tz}


def test_almost_every_iana_zone_has_a_windows_name() -> None:
    missing = {z for z in zoneinfo.available_timezones() if not _maps(z)}
    assert missing <= {"Antarctica/Troll", "CST6CDT", "EST5EDT", "Europe/Uzhgorod",
                       "Europe/Zaporozhye", "Factory", "GMT", "MST7MDT", "PST8PDT",
                       "US/East-Indiana", "localtime"}


def _maps(zone: str) -> bool:
    try:
        to_windows(zone)
    except ValueError:
        return False
    return True
