"""The stored form of an event keeps nothing personal and classifies like the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from slotguard.domain.classify import classify
from slotguard.domain.model import (
    Attendee,
    AttendeeType,
    CalendarEvent,
    Organization,
    Policy,
    Response,
    Rules,
    ShowAs,
)
from slotguard.domain.retention import decision_inputs, stored_form

START = datetime(2026, 11, 24, 7, tzinfo=UTC)
DOMAINS = ["contoso.com", "emea.contoso.com", "fabrikam.com", "Fabrikam.COM", "bücher.example"]
local_parts = st.sampled_from(["anna.berg", "buyer", "Erik", " padded "])
addresses = st.one_of(
    st.builds(lambda who, where: f"{who}@{where}", local_parts, st.sampled_from(DOMAINS)),
    st.sampled_from(["", "/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=anna", "broken@"]))
attendees = st.builds(Attendee, addresses, st.sampled_from(list(AttendeeType)))
events = st.builds(
    CalendarEvent, id=st.text(min_size=1, max_size=8), start=st.just(START),
    end=st.just(START + timedelta(hours=1)), subject=st.text(max_size=20),
    show_as=st.sampled_from(list(ShowAs)), response=st.sampled_from(list(Response)),
    is_all_day=st.booleans(), attendees=st.lists(attendees, max_size=4).map(tuple),
    organizer=st.one_of(st.none(), addresses),
    categories=st.lists(st.sampled_from(["Customer", "Red"]), max_size=2).map(tuple),
    web_link=st.one_of(st.none(), st.just("https://outlook.office365.com/owa/?itemid=x")))
internal = st.sets(st.sampled_from(["contoso.com", "fabrikam.com", "bücher.example"]),
                   min_size=1).map(frozenset)


@settings(max_examples=300, deadline=None)
@given(events, internal, st.booleans())
def test_the_stored_form_classifies_like_the_event(event: CalendarEvent,
                                                   domains: frozenset[str],
                                                   customer_category: bool) -> None:
    rules = Rules(Organization(domains),
                  Policy(customer_categories=frozenset({"Customer"}) if customer_category
                         else frozenset()))
    stored = stored_form(event)
    assert classify(stored, rules) == classify(event, rules)
    assert decision_inputs(stored) == decision_inputs(event)
    assert stored_form(stored) == stored


def test_the_stored_form_names_nobody() -> None:
    event = CalendarEvent("m1", START, START + timedelta(hours=1), "Fabrikam renewal",
                          attendees=(Attendee("Buyer@Fabrikam.com"),
                                     Attendee("anna.berg@contoso.com"),
                                     Attendee("room.kista@contoso.com", AttendeeType.RESOURCE)),
                          organizer="buyer@fabrikam.com", web_link="https://outlook/x")
    stored = stored_form(event)
    assert stored.subject == "" and stored.web_link is None
    assert [a.address for a in stored.attendees] == ["@contoso.com", "@fabrikam.com"]
    assert stored.organizer == "@fabrikam.com"
    assert (stored.id, stored.start, stored.end, stored.show_as) == (
        event.id, event.start, event.end, event.show_as)
