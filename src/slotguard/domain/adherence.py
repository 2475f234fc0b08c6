"""What one seller's ISO week amounts to: the figures of the weekly adherence report.

Each figure counts one thing, stated where it is defined, and the figures of several sellers
or weeks add up field by field (``+``). Where a figure's source lives (ledger, Graph) is not
this module's business: the figures arrive counted; this module says what they mean, checks
that they are consistent, and adds them up. docs/report.md says the same for managers.

A block is "taken" by a meeting under the policy's own rule (overlap threshold, free/busy
states, what counts as internal); the same rule applies to make-up blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from slotguard.domain.model import IsoWeek

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def _check_counts(figures: DataclassInstance) -> None:
    for field in fields(figures):
        value = getattr(figures, field.name)
        if isinstance(value, int) and value < 0:
            raise ValueError(f"{type(figures).__name__}.{field.name}: must be 0 or more "
                             f"(got {value})")


@dataclass(frozen=True, slots=True)
class BlockFigures:
    """The seller's agreed prospecting blocks whose day falls in the week."""

    planned: int = 0  # block occurrences the seller's agreed blocks put in the week
    # The block's time passed with the block in the calendar and no meeting that counts over
    # it (a customer meeting, or an internal one the policy does not ignore).
    kept: int = 0
    taken_by_customer: int = 0  # a customer meeting took it
    # An internal-only meeting took it: counted whether the policy compensates internal
    # meetings or only reports them; never when it ignores them.
    taken_by_internal: int = 0

    def __post_init__(self) -> None:
        _check_counts(self)
        if self.kept + self.taken > self.planned:
            raise ValueError(f"blocks: kept ({self.kept}) and taken ({self.taken}) are more "
                             f"than planned ({self.planned})")

    @property
    def taken(self) -> int:
        return self.taken_by_customer + self.taken_by_internal

    @property
    def unaccounted(self) -> int:
        """Planned blocks neither kept nor taken: still ahead when the figures were counted,
        or whose time passed with the block gone from the calendar."""
        return self.planned - self.kept - self.taken

    def __add__(self, other: BlockFigures) -> BlockFigures:
        return BlockFigures(self.planned + other.planned, self.kept + other.kept,
                            self.taken_by_customer + other.taken_by_customer,
                            self.taken_by_internal + other.taken_by_internal)


@dataclass(frozen=True, slots=True)
class CompensationFigures:
    """Make-up blocks (compensations) whose time falls in the week, repaying earlier weeks'
    taken blocks."""

    booked: int = 0  # placed in the week's free time, re-placements included
    kept: int = 0  # its time passed with it in the calendar and no meeting over it
    lost_to_meetings: int = 0  # a meeting took it, by the same rule as a block
    declined: int = 0  # the seller deleted it from the calendar before its time
    # Of those lost to meetings, how many were placed once more in the same week (each such
    # re-placement is also one of ``booked``).
    replaced: int = 0

    def __post_init__(self) -> None:
        _check_counts(self)
        if self.kept + self.lost > self.booked:
            raise ValueError(f"compensations: kept ({self.kept}) and lost ({self.lost}) are "
                             f"more than booked ({self.booked})")
        if self.replaced > self.lost_to_meetings:
            raise ValueError(f"compensations: re-placed ({self.replaced}) are more than lost "
                             f"to meetings ({self.lost_to_meetings})")

    @property
    def lost(self) -> int:
        return self.lost_to_meetings + self.declined

    def __add__(self, other: CompensationFigures) -> CompensationFigures:
        return CompensationFigures(self.booked + other.booked, self.kept + other.kept,
                                   self.lost_to_meetings + other.lost_to_meetings,
                                   self.declined + other.declined,
                                   self.replaced + other.replaced)


@dataclass(frozen=True, slots=True)
class FollowUpFigures:
    """slotguard's To Do tasks for the seller: follow-ups of customer meetings that took a
    block, and the weekly habit tasks."""

    open: int = 0  # not completed when the figures were counted
    completed: int = 0  # completed during the week

    def __post_init__(self) -> None:
        _check_counts(self)

    def __add__(self, other: FollowUpFigures) -> FollowUpFigures:
        return FollowUpFigures(self.open + other.open, self.completed + other.completed)


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """Everything counted for a seller's week (or added up over several) but the Friday
    number, which is summed its own way (``FridaySum``)."""

    blocks: BlockFigures = BlockFigures()
    compensations: CompensationFigures = CompensationFigures()
    # Make-up blocks still owed at the end of the week: each block taken by a meeting the
    # policy compensates adds ``compensation_count``; only a kept make-up block pays one off.
    debt_outstanding: int = 0
    follow_ups: FollowUpFigures = FollowUpFigures()

    def __post_init__(self) -> None:
        _check_counts(self)

    def __add__(self, other: WeekFigures) -> WeekFigures:
        return WeekFigures(self.blocks + other.blocks,
                           self.compensations + other.compensations,
                           self.debt_outstanding + other.debt_outstanding,
                           self.follow_ups + other.follow_ups)


class FridayStatus(StrEnum):
    ANSWERED = "answered"  # a whole number of 0 or more
    UNREADABLE = "unreadable"  # an answer that is not such a number ("seven", "3-4")
    NO_ANSWER = "no_answer"  # the week's question was not answered


@dataclass(frozen=True, slots=True)
class FridayNumber:
    """The seller's answer to the week's question: how many new sales opportunities did I
    create this week? An answer that is not a whole number is not guessed at."""

    status: FridayStatus
    count: int | None = None  # the number, when answered; None otherwise

    def __post_init__(self) -> None:
        if (self.status is FridayStatus.ANSWERED) != (self.count is not None):
            raise ValueError("Friday number: a count is given exactly when it was answered")
        if self.count is not None and self.count < 0:
            raise ValueError(f"Friday number: must be 0 or more (got {self.count})")

    @classmethod
    def answered(cls, count: int) -> Self:
        return cls(FridayStatus.ANSWERED, count)

    @classmethod
    def unreadable(cls) -> Self:
        return cls(FridayStatus.UNREADABLE)

    @classmethod
    def no_answer(cls) -> Self:
        return cls(FridayStatus.NO_ANSWER)


@dataclass(frozen=True, slots=True)
class FridaySum:
    """Friday numbers added up: the answered numbers' total; answers that could not be read
    and questions left unanswered are counted, not guessed at."""

    total: int = 0
    answered: int = 0
    unreadable: int = 0
    no_answer: int = 0

    def __post_init__(self) -> None:
        _check_counts(self)

    @classmethod
    def of(cls, numbers: Iterable[FridayNumber]) -> FridaySum:
        result = cls()
        for number in numbers:
            result += cls(total=number.count or 0,
                          answered=int(number.status is FridayStatus.ANSWERED),
                          unreadable=int(number.status is FridayStatus.UNREADABLE),
                          no_answer=int(number.status is FridayStatus.NO_ANSWER))
        return result

    def __add__(self, other: FridaySum) -> FridaySum:
        return FridaySum(self.total + other.total, self.answered + other.answered,
                         self.unreadable + other.unreadable, self.no_answer + other.no_answer)


@dataclass(frozen=True, slots=True)
class SellerWeek:
    """One seller's ISO week: a row of the report."""

    seller: str  # the seller's address (user principal name)
    week: IsoWeek
    figures: WeekFigures
    friday: FridayNumber
