"""What counts as a customer meeting — the whole rule in one place.

An event counts at all only when it is not slotguard's own, not cancelled, not declined by the
seller, and shows as something the policy counts (busy, oof and tentative by default).

A counted event is a **customer** meeting when someone outside the organization takes part:
an attendee (rooms and equipment — type ``resource`` — are ignored) or the organizer whose
address lies outside every internal domain, or when it carries one of the policy's customer
categories. Otherwise it is **internal**: colleagues only, or the seller's own appointment.

Decisions made on purpose:

* Domains compare case-insensitively and a subdomain of an internal domain is internal
  (``emea.contoso.com`` under ``contoso.com``). An address without ``@`` is an Exchange
  directory address (``/o=ExchangeLabs/...``), which only internal mailboxes have.
* An all-day event is an absence or a marker (vacation, travel, a conference day), not a
  meeting: it is ``ALL_DAY`` unless an external party takes part, and a customer category
  alone does not make it a customer meeting.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from slotguard.domain.model import AttendeeType, CalendarEvent, Response, Rules


class MeetingClass(StrEnum):
    CUSTOMER = "customer"
    INTERNAL = "internal"
    OWN = "own"  # written by slotguard: a block or a compensation
    CANCELLED = "cancelled"
    DECLINED = "declined"  # the seller said no
    NOT_COUNTED = "not_counted"  # shows as something the policy does not count (e.g. free)
    ALL_DAY = "all_day"  # all-day and no external party: an absence, not a meeting


@lru_cache(maxsize=64)
def _lowered(names: frozenset[str]) -> frozenset[str]:
    return frozenset(name.strip().lower() for name in names)


def is_internal_address(address: str, internal_domains: frozenset[str]) -> bool:
    """Whether ``address`` belongs to the organization (its domain or a subdomain of it)."""
    address = address.strip().lower()
    if "@" not in address:
        return True
    domain = address.rpartition("@")[2]
    domains = _lowered(internal_domains)
    # Walk the domain's suffixes: a.emea.contoso.com, emea.contoso.com, contoso.com, com.
    while domain:
        if domain in domains:
            return True
        domain = domain.partition(".")[2]
    return False


def has_external_party(event: CalendarEvent, internal_domains: frozenset[str]) -> bool:
    for attendee in event.attendees:
        if attendee.type is AttendeeType.RESOURCE or not attendee.address.strip():
            continue
        if not is_internal_address(attendee.address, internal_domains):
            return True
    organizer = (event.organizer or "").strip()
    return bool(organizer) and not is_internal_address(organizer, internal_domains)


def classify(event: CalendarEvent, rules: Rules) -> MeetingClass:
    """Classify one event for the block it may sit on."""
    if event.marker is not None:
        return MeetingClass.OWN
    if event.is_cancelled:
        return MeetingClass.CANCELLED
    if event.response is Response.DECLINED:
        return MeetingClass.DECLINED
    policy = rules.policy
    if event.show_as not in policy.counted_show_as:
        return MeetingClass.NOT_COUNTED
    if has_external_party(event, rules.organization.internal_domains):
        return MeetingClass.CUSTOMER
    if event.is_all_day:
        return MeetingClass.ALL_DAY
    if policy.customer_categories:
        wanted = _lowered(policy.customer_categories)
        if any(category.strip().lower() in wanted for category in event.categories):
            return MeetingClass.CUSTOMER
    return MeetingClass.INTERNAL
