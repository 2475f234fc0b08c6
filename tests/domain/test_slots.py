"""Choosing one slot: rounding to the grid on the seller's wall clock, and the ranking."""

from datetime import UTC, date, datetime, timedelta

from slotguard.domain.slots import OpenDay, best_slot

MONDAY = date(2026, 3, 30)
HOUR, MINUTE = 3600, 60
QUARTER, HALF = 15 * MINUTE, 30 * MINUTE


def local_seconds(day: date, hour: int, minute: int = 0, *, offset: int = 0) -> int:
    """POSIX seconds of a wall-clock time on ``day`` in a zone ``offset`` seconds east."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int(midnight.timestamp()) + hour * HOUR + minute * MINUTE - offset


def open_day(
    day: date, free: list[tuple[int, int]], *, week: int = 0, offset: int = 0
) -> OpenDay:
    """A working day 07:00–17:00 whose free gaps run between the given local hours."""
    gaps = [(local_seconds(day, a, offset=offset), local_seconds(day, b, offset=offset))
            for a, b in free]
    return OpenDay(week, day, offset, local_seconds(day, 7, offset=offset), gaps)


def choose(days: list[OpenDay], wanted_at: tuple[int, int], *, step: int = QUARTER,
           avoid: frozenset[date] = frozenset(), capacity: list[int] | None = None,
           length: int = HOUR) -> tuple[date, str] | None:
    """The chosen day and local start, wanting ``wanted_at`` (hour, minute) on every day."""
    hour, minute = wanted_at
    choice = best_slot(
        days, capacity or [6, 6], length, step, set(avoid),
        lambda day: local_seconds(day.day, hour, minute, offset=day.offset),
    )
    if choice is None:
        return None
    day, start = choice
    local = datetime.fromtimestamp(start + day.offset, UTC)
    return day.day, local.strftime("%H:%M:%S")


def test_a_block_off_the_quarter_hour_is_made_up_at_the_nearer_quarter_hour() -> None:
    day = [open_day(MONDAY, [(7, 17)])]
    assert choose(day, (8, 10)) == (MONDAY, "08:15:00")  # up: 5 minutes against 10
    assert choose(day, (8, 5)) == (MONDAY, "08:00:00")  # down: 5 minutes against 10
    assert choose(day, (8, 0)) == (MONDAY, "08:00:00")  # on the grid: kept


def test_halfway_between_two_starts_the_earlier_one_wins() -> None:
    day = [open_day(MONDAY, [(7, 17)])]
    halfway = local_seconds(MONDAY, 8, 7) + 30
    choice = best_slot(day, [6], HOUR, QUARTER, set(), lambda _: halfway)
    assert choice is not None and choice[1] == local_seconds(MONDAY, 8)
    assert choose(day, (8, 15), step=HALF) == (MONDAY, "08:00:00")
    assert choose(day, (8, 20), step=HALF) == (MONDAY, "08:30:00")


def test_a_wanted_time_outside_the_gap_takes_its_nearest_aligned_edge() -> None:
    day = [open_day(MONDAY, [(9, 12)])]
    assert choose(day, (8, 0)) == (MONDAY, "09:00:00")
    assert choose(day, (15, 0)) == (MONDAY, "11:00:00")  # the last start that still fits


def test_starts_align_to_the_local_hour_where_the_offset_is_not_a_whole_hour() -> None:
    kathmandu = 5 * HOUR + 45 * MINUTE  # UTC+05:45 all year
    free = open_day(MONDAY, [(7, 17)], offset=kathmandu)
    # Free from 08:10 until 16:50 local: hourly starts from 09:00, the last at 15:00.
    free.gaps = [(local_seconds(MONDAY, 8, 10, offset=kathmandu),
                  local_seconds(MONDAY, 16, 50, offset=kathmandu))]
    assert choose([free], (9, 20), step=HOUR) == (MONDAY, "09:00:00")
    assert choose([free], (11, 40), step=HOUR) == (MONDAY, "12:00:00")
    assert choose([free], (8, 0), step=HOUR) == (MONDAY, "09:00:00")
    assert choose([free], (18, 0), step=HOUR) == (MONDAY, "15:00:00")


def test_a_day_that_already_holds_a_compensation_loses_even_to_a_farther_time() -> None:
    wednesday = MONDAY + timedelta(days=2)
    days = [open_day(MONDAY, [(7, 17)]), open_day(wednesday, [(14, 17)])]
    assert choose(days, (8, 0), avoid=frozenset({MONDAY})) == (wednesday, "14:00:00")
    assert choose(days, (8, 0)) == (MONDAY, "08:00:00")


def test_when_every_open_day_is_used_the_nearest_time_among_them_wins() -> None:
    wednesday = MONDAY + timedelta(days=2)
    days = [open_day(MONDAY, [(14, 16)]), open_day(wednesday, [(10, 12)])]
    both = frozenset({MONDAY, wednesday})
    assert choose(days, (8, 0), avoid=both) == (wednesday, "10:00:00")


def test_the_target_week_beats_a_day_not_used_yet_in_the_week_after() -> None:
    following = MONDAY + timedelta(days=7)
    days = [open_day(MONDAY, [(12, 17)]), open_day(following, [(7, 17)], week=1)]
    assert choose(days, (8, 0), avoid=frozenset({MONDAY})) == (MONDAY, "12:00:00")
    assert choose(days, (8, 0), capacity=[0, 6]) == (following, "08:00:00")


def test_no_gap_long_enough_is_no_slot() -> None:
    days = [open_day(MONDAY, [(8, 9), (10, 10)])]
    assert choose(days, (8, 0), length=2 * HOUR) is None
