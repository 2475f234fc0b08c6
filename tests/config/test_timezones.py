from __future__ import annotations

import pytest

from slotguard.timezones import to_iana


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
