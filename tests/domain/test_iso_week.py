import pytest

from slotguard.domain.model import IsoWeek


@pytest.mark.parametrize("text", ["2026-W48", " 2026-w48 "])
def test_a_week_is_read_as_written_on_the_command_line(text: str) -> None:
    assert IsoWeek.parse(text) == IsoWeek(2026, 48)
    assert str(IsoWeek.parse(text)) == "2026-W48"


@pytest.mark.parametrize("text", ["2026-W54", "2026-48", "W48", "2026-W"])
def test_a_week_the_calendar_does_not_have_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        IsoWeek.parse(text)


def test_week_53_exists_only_in_long_years() -> None:
    assert IsoWeek.parse("2026-W53") == IsoWeek(2026, 53)
    with pytest.raises(ValueError):
        IsoWeek.parse("2027-W53")
