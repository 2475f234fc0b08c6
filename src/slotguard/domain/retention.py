"""What slotguard keeps of a calendar event between cycles (the ledger's snapshot of a
window): what decisions need, nothing that names a meeting or a person.

Kept: the id, the times, show-as, the seller's response, cancelled and all-day flags,
categories (customer categories classify), sensitivity (a private meeting is never named),
slotguard's own marker and the series id. Dropped: the subject and the link to the
meeting. Attendees and the organizer are kept as their e-mail **domains** only
(``@fabrikam.com``), once per domain; rooms and equipment and directory-only addresses,
which never make a meeting a customer meeting, not at all. That is exactly what
``classify`` reads — whether someone outside the internal domains takes part — and it
stays right when the admin changes ``internal_domains``.

A stored event therefore classifies like the event it came from. What a write must show
the seller (the meeting's subject, its link) is looked up in Graph when needed.
"""

from __future__ import annotations

from dataclasses import replace

from slotguard.domain.model import Attendee, AttendeeType, CalendarEvent


def _domain(address: str | None) -> str | None:
    text = (address or "").strip().lower()
    if "@" not in text:
        return None  # none, or an Exchange directory address: internal either way
    return "@" + text.rpartition("@")[2]


def stored_form(event: CalendarEvent) -> CalendarEvent:
    """``event`` as the ledger may keep it."""
    domains = sorted({d for a in event.attendees if a.type is not AttendeeType.RESOURCE
                      and (d := _domain(a.address)) is not None})
    attendees = tuple(Attendee(d) for d in domains)
    organizer = _domain(event.organizer)
    if (not event.subject and event.web_link is None and attendees == event.attendees
            and organizer == event.organizer):
        return event  # already in stored form
    return replace(event, subject="", web_link=None, attendees=attendees, organizer=organizer)


def lacks_details(event: CalendarEvent) -> bool:
    """Whether ``event`` may be a stored form, without what a write shows of it."""
    return not event.subject and event.web_link is None
