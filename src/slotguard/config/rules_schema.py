"""The shape of the rules file: one strict pydantic model per TOML table.

Strict and closed: a value of the wrong type is an error rather than coerced, and an unknown
key is an error (typos such as ``compensation_cout`` must not silently fall back to a
default). Each leaf value is validated here with a message that says how to fix it; checks
that relate several entries (overlaps, duplicates, sellers of two teams) live in
``rules_checks`` so they can name every place involved.
"""

from __future__ import annotations

import re
import uuid
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from slotguard.config._validation import choice, fail, shown
from slotguard.config.rules_texts import Language, Localized, localized
from slotguard.domain.model import InternalMeetings, ShowAs, Weekday, WhenFull
from slotguard.texts import TITLE_LIMIT, TemplateError, fill, placeholders, unsafe_character
from slotguard.timezones import to_iana, to_windows

TITLE_PLACEHOLDERS = ("meeting", "date", "block")

_DAYS = {day.name[:3].lower(): day for day in Weekday} | {day.name.lower(): day for day in Weekday}
_UPN = re.compile(r"^[^@\s\"'<>,;]+@[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise fail(f"must be text in quotes (got {shown(value)})")
    return value


def _weekday(value: object) -> Weekday:
    if isinstance(value, Weekday):
        return value
    if isinstance(value, str) and value.strip().lower() in _DAYS:
        return _DAYS[value.strip().lower()]
    raise fail(f"{shown(value)} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")


def _clock(value: object) -> time:
    """A seller-local time of day: TOML ``08:00:00`` or a string ``"08:00"``."""
    parsed: time | None = None
    if isinstance(value, time):
        parsed = value
    elif isinstance(value, str) and (match := _CLOCK.match(value.strip())):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour < 24 and minute < 60 and second < 60:
            parsed = time(hour, minute, second)
    if parsed is None:
        raise fail(f'must be a time of day such as "08:00" (got {shown(value)})')
    if parsed.tzinfo is not None:
        raise fail("must be a local time without offset; blocks follow each seller's time zone")
    if parsed.second or parsed.microsecond:
        raise fail(f"must be whole minutes such as \"08:00\" (got {shown(value)})")
    return parsed


def _upn(value: object) -> str:
    text = _text(value).strip()
    if not _UPN.match(text):
        raise fail(f"{shown(text)} is not an e-mail address (user principal name)")
    return text.lower()


def _domain(value: object) -> str:
    """A domain; an internationalised one (bücher.example) is checked in its ASCII form
    and kept as written, lower-cased (``Organization`` holds both forms)."""
    text = _text(value).strip().lower().removeprefix("@")
    try:
        ascii_form = text.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_form = ""
    if not _DOMAIN.match(ascii_form):
        raise fail(f"{shown(value)} is not a domain name such as contoso.com")
    return text


def _safe(text: str) -> str:
    char = unsafe_character(text)
    if char is not None:
        raise fail(f"contains the control character U+{ord(char):04X} at position "
                   f"{text.index(char) + 1}; remove it")
    return text


def _guid(value: object) -> str:
    text = _text(value)
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise fail(f"{shown(text)} is not a group id; copy the Object ID (a GUID) of the "
                   "Entra group") from None


def _ident(value: object) -> str:
    text = _text(value).strip()
    if not _IDENT.match(text):
        raise fail(f"{shown(text)} is not a valid id; use up to 64 letters, digits, "
                   "'-', '_' or '.'")
    return text


def _zone(value: object) -> str:
    try:
        iana = to_iana(_text(value))
        to_windows(iana)  # what slotguard writes to Graph must exist
    except ValueError as exc:
        raise fail(str(exc)) from None
    return iana


def _title_template(value: object) -> str:
    text = _safe(_text(value))
    allowed = ", ".join("{" + name + "}" for name in TITLE_PLACEHOLDERS)
    try:
        names = placeholders(text)
    except TemplateError as exc:
        raise fail(str(exc)) from None
    for name in names:
        if name not in TITLE_PLACEHOLDERS:
            raise fail(f"unknown placeholder {{{name}}}; use only {allowed}")
    literal = fill(text, {"meeting": "", "date": "2026-01-05", "block": ""})
    if len(literal) >= TITLE_LIMIT:
        raise fail(f"leaves no room for the meeting: task titles keep {TITLE_LIMIT} "
                   "characters; shorten it")
    return text


_NO_REMINDER = "or false for no reminder"


def _minutes_before(value: object) -> int | None:
    """Minutes before an event's start (0: at the start), or ``false``: no reminder."""
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 20160:
        raise fail(f"must be minutes before the start, 0 to 20160 (two weeks), {_NO_REMINDER} "
                   f"(got {shown(value)})")
    return value


def _reminder_time(value: object) -> time | None:
    """A seller-local time on the task's due day, or ``false``: no reminder."""
    if value is False:
        return None
    try:
        return _clock(value)
    except PydanticCustomError:
        raise fail(f'must be a time of day such as "09:00", {_NO_REMINDER} '
                   f"(got {shown(value)})") from None


def _stripped(value: object) -> str:
    return _safe(_text(value).strip())


Text = Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=TITLE_LIMIT)]
DayName = Annotated[Weekday, BeforeValidator(_weekday)]
Clock = Annotated[time, BeforeValidator(_clock)]
Upn = Annotated[str, BeforeValidator(_upn)]
DomainName = Annotated[str, BeforeValidator(_domain)]
GroupId = Annotated[str, BeforeValidator(_guid)]
Ident = Annotated[str, BeforeValidator(_ident)]
TimeZone = Annotated[str, BeforeValidator(_zone)]


class Recurrence(StrEnum):
    WEEKLY = "weekly"  # repeats on the due weekday until completed
    NONE = "none"


class TargetWeek(StrEnum):
    NEXT = "next"  # the ISO week after the taken block


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class BlockSpec(_Table):
    days: list[DayName] = Field(min_length=1)
    start: Clock
    end: Clock
    title: Text | None = None  # None: the catalog's, in the team's language
    id: Ident | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise fail(f"must be after start ({start:%H:%M})")
        return end

    @property
    def rule_id(self) -> str:
        """Explicit id, or one derived from the times: stable while the times stay."""
        return self.id or f"{self.start:%H%M}-{self.end:%H%M}"


class OverrideSpec(_Table):
    blocks: list[BlockSpec]  # empty: this seller has no blocks


class TeamModel(_Table):
    name: Text
    sellers: list[Upn] = Field(default_factory=list)
    group_id: GroupId | None = None
    manager: Upn | None = None
    blocks: list[BlockSpec] = Field(default_factory=list)
    overrides: dict[Upn, OverrideSpec] = Field(default_factory=dict)
    language: Language | None = None  # None: the organization's


class OrganizationModel(_Table):
    internal_domains: list[DomainName] = Field(min_length=1)
    fallback_time_zone: TimeZone = "UTC"
    language: Language = "en"


class RemindersModel(_Table):
    block_series: Annotated[int | None, BeforeValidator(_minutes_before)] = None
    compensation: Annotated[int | None, BeforeValidator(_minutes_before)] = 15
    task: Annotated[time | None, BeforeValidator(_reminder_time)] = time(9, 0)


class PolicyModel(_Table):
    min_overlap_minutes: int = Field(15, ge=1, le=1440)
    show_as: list[Annotated[ShowAs, choice(ShowAs)]] = Field(
        default_factory=lambda: [ShowAs.BUSY, ShowAs.OOF, ShowAs.TENTATIVE], min_length=1
    )
    customer_categories: list[Text] = Field(default_factory=list)
    internal_meetings: Annotated[InternalMeetings, choice(InternalMeetings)] = (
        InternalMeetings.REPORT
    )
    compensation_count: int = Field(2, ge=1, le=10)
    target_week: Annotated[TargetWeek, choice(TargetWeek, what=" (the following ISO week)")] = (
        TargetWeek.NEXT
    )
    granularity_minutes: int = 15
    prefer_same_time: bool = True
    prefer_different_days: bool = True
    max_compensations_per_week: int = Field(6, ge=1, le=50)
    when_full: Annotated[WhenFull, choice(WhenFull)] = WhenFull.SHORTFALL
    withdraw_when_resolved: bool = True
    reminders: RemindersModel = RemindersModel()

    @field_validator("granularity_minutes")
    @classmethod
    def _divides_hour(cls, minutes: int) -> int:
        if minutes < 1 or 60 % minutes:
            raise fail(f"must divide an hour: 5, 10, 15, 20, 30 or 60 (got {minutes})")
        return minutes


if TYPE_CHECKING:  # what the models hold once validated
    LocalizedText = Localized
    LocalizedTemplate = Localized
else:  # what pydantic validates: one text, or a table of them by language
    LocalizedText = localized(Text)
    LocalizedTemplate = localized(Annotated[str, BeforeValidator(_title_template)])


class HabitModel(_Table):
    id: Ident
    title: LocalizedText
    weekday: DayName


class FollowUpModel(_Table):
    enabled: bool = True
    # None: the catalog's, in each team's language
    list_name: LocalizedText | None = None
    title_template: LocalizedTemplate | None = None
    due_working_days: int = Field(2, ge=0, le=30)
    recurrence: Annotated[Recurrence, choice(Recurrence)] = Recurrence.WEEKLY
    habits: list[HabitModel] = Field(default_factory=list)


class EscalationModel(_Table):
    enabled: bool = True
    violations: int = Field(3, ge=1, le=100)
    weeks: int = Field(4, ge=1, le=52)
    sender: Upn | None = None


# Top-level tables and the model of each; ``teams`` is an array of TeamModel tables.
SECTIONS: dict[str, type[_Table]] = {
    "organization": OrganizationModel,
    "teams": TeamModel,
    "policy": PolicyModel,
    "follow_up": FollowUpModel,
    "escalation": EscalationModel,
}
