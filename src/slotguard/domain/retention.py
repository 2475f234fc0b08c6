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

from slotguard.domain.model import Attendee, AttendeeType, CalendarEvent

_ATTENDEES: dict[str, Attendee] = {}  # one Attendee per domain: the stored forms share them


def _domain(address: str | None) -> str | None:
    """``@fabrikam.com`` for an address; None for none or an Exchange directory address
    (internal either way)."""
    if not address:
        return None
    at = address.rfind("@")
    return None if at < 0 else "@" + address[at + 1:].strip().lower()


def _domains(event: CalendarEvent) -> tuple[str, ...]:
    if not event.attendees:
        return ()
    found = set()
    for attendee in event.attendees:
        if attendee.type is not AttendeeType.RESOURCE:
            address = attendee.address
            at = address.rfind("@")
            if at >= 0:
                found.add("@" + address[at + 1:].strip().lower())
    return tuple(sorted(found))


def stored_form(event: CalendarEvent) -> CalendarEvent:
    """``event`` as the ledger may keep it."""
    attendees = tuple(_ATTENDEES.get(d) or _ATTENDEES.setdefault(d, Attendee(d))
                      for d in _domains(event))
    return CalendarEvent(event.id, event.start, event.end, "", event.show_as, event.response,
                         event.is_cancelled, event.is_all_day, attendees,
                         _domain(event.organizer), event.categories, event.sensitivity,
                         event.marker, event.series_master_id, None)


def decision_inputs(event: CalendarEvent) -> tuple[object, ...]:
    """What of ``event`` decisions read, as plain values: equal for an event and its
    stored form (for digests, without building the stored form)."""
    return (event.id, event.start, event.end, event.show_as, event.response,
            event.is_cancelled, event.is_all_day, _domains(event), _domain(event.organizer),
            event.categories, event.sensitivity, event.series_master_id)


def lacks_details(event: CalendarEvent) -> bool:
    """Whether ``event`` may be a stored form, without what a write shows of it."""
    return not event.subject and event.web_link is None
