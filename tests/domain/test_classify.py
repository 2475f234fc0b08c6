from dataclasses import replace
from datetime import date, timedelta

import pytest

from slotguard.domain import MeetingClass, classify, is_internal_address
from slotguard.domain.model import Attendee, AttendeeType, OwnMarker, Purpose, Response, ShowAs

from .factories import STOCKHOLM, internal, local, meeting, room, rules

TUESDAY = date(2026, 3, 24)
AT_NINE = local(STOCKHOLM, TUESDAY, 9)
RULES = rules()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("erik.holm@contoso.com", True),
        ("Erik.Holm@CONTOSO.COM", True),
        ("lars@emea.contoso.com", True),  # subdomains are internal
        ("lars@a.b.emea.contoso.com", True),
        ("buyer@fabrikam.com", False),
        ("someone@notcontoso.com", False),  # not a subdomain, only a look-alike
        ("someone@contoso.com.evil.example", False),
        ("/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=erik", True),
        # A quoted local part may hold an "@"; the domain is what follows the last one.
        ('"buyer@fabrikam.com"@contoso.com', True),
        ('"erik@contoso.com"@fabrikam.com', False),
    ],
)
def test_internal_addresses(address: str, expected: bool) -> None:
    assert is_internal_address(address, frozenset({"Contoso.com"})) is expected


def test_an_external_attendee_makes_a_customer_meeting() -> None:
    assert classify(meeting(AT_NINE), RULES) is MeetingClass.CUSTOMER


def test_colleagues_only_is_internal_even_from_a_subdomain() -> None:
    event = meeting(AT_NINE, with_=("erik.holm@contoso.com", "lars@emea.contoso.com"))
    assert classify(event, RULES) is MeetingClass.INTERNAL


def test_a_room_as_the_only_outside_address_does_not_make_a_customer() -> None:
    event = meeting(AT_NINE, with_="erik.holm@contoso.com")
    rented = Attendee("meetingroom3@regus.example", AttendeeType.RESOURCE)
    event = replace(event, attendees=(*event.attendees, rented, room()))
    assert classify(event, RULES) is MeetingClass.INTERNAL


def test_a_room_or_a_blank_address_listed_first_does_not_hide_the_customer() -> None:
    customer = Attendee("buyer@fabrikam.com")
    for first in (room(), Attendee("  ")):
        event = replace(meeting(AT_NINE, with_=()), attendees=(first, customer))
        assert classify(event, RULES) is MeetingClass.CUSTOMER, first


def test_an_external_organizer_makes_a_customer_meeting() -> None:
    event = meeting(AT_NINE, with_="anna.berg@contoso.com", organizer="cfo@Adatum.com")
    assert classify(event, RULES) is MeetingClass.CUSTOMER


def test_optional_external_attendees_count() -> None:
    event = meeting(AT_NINE, with_="erik.holm@contoso.com")
    guest = Attendee("analyst@northwind.example", AttendeeType.OPTIONAL)
    event = replace(event, attendees=(*event.attendees, guest))
    assert classify(event, RULES) is MeetingClass.CUSTOMER


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"response": Response.DECLINED}, MeetingClass.DECLINED),
        ({"is_cancelled": True}, MeetingClass.CANCELLED),
        ({"show_as": ShowAs.FREE}, MeetingClass.NOT_COUNTED),
        ({"show_as": ShowAs.WORKING_ELSEWHERE}, MeetingClass.NOT_COUNTED),
        ({"show_as": ShowAs.TENTATIVE}, MeetingClass.CUSTOMER),
        ({"response": Response.TENTATIVELY_ACCEPTED}, MeetingClass.CUSTOMER),
        ({"response": Response.NOT_RESPONDED}, MeetingClass.CUSTOMER),
        ({"show_as": ShowAs.OOF}, MeetingClass.CUSTOMER),
        ({"marker": OwnMarker(Purpose.COMPENSATION, "k#comp1")}, MeetingClass.OWN),
    ],
)
def test_what_keeps_a_customer_meeting_from_counting(
    changes: dict[str, object], expected: MeetingClass
) -> None:
    assert classify(meeting(AT_NINE, **changes), RULES) is expected


def test_counted_show_as_comes_from_the_policy() -> None:
    strict = rules(counted_show_as=frozenset({ShowAs.BUSY}))
    assert classify(meeting(AT_NINE, show_as=ShowAs.TENTATIVE), strict) is MeetingClass.NOT_COUNTED


def test_a_customer_category_makes_an_internal_prep_a_customer_meeting() -> None:
    policy = rules(customer_categories=frozenset({"Customer"}))
    prep = internal(AT_NINE, categories=("Blue", " customer "))
    assert classify(prep, policy) is MeetingClass.CUSTOMER
    assert classify(internal(AT_NINE, categories=("Blue",)), policy) is MeetingClass.INTERNAL


def test_an_appointment_without_attendees_is_internal() -> None:
    dentist = meeting(AT_NINE, with_=(), subject="Dentist")
    assert classify(dentist, RULES) is MeetingClass.INTERNAL


def test_all_day_events_are_absences_unless_a_customer_takes_part() -> None:
    midnight = local(STOCKHOLM, TUESDAY, 0)
    day = {"is_all_day": True, "end": midnight + timedelta(days=1)}
    vacation = meeting(midnight, with_=(), show_as=ShowAs.OOF, **day)
    assert classify(vacation, RULES) is MeetingClass.ALL_DAY
    offsite = internal(midnight, **day)
    assert classify(offsite, RULES) is MeetingClass.ALL_DAY
    tagged = rules(customer_categories=frozenset({"Customer"}))
    fair = meeting(midnight, with_=(), categories=("Customer",), **day)
    assert classify(fair, tagged) is MeetingClass.ALL_DAY
    workshop = meeting(midnight, with_="buyer@fabrikam.com", **day)
    assert classify(workshop, RULES) is MeetingClass.CUSTOMER
