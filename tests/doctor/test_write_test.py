"""``--write-test``: slotguard's own writes and reads once in a test mailbox, with each of
the simulator's switches for what Graph leaves undocumented (sim/quirks.py) — the doctor
reports what the tenant did and the fallback the scan takes for it, and leaves nothing
behind, also when a step fails."""

from __future__ import annotations

from typing import Any

import pytest
from tests.doctor.conftest import ANNA, Doctor, Outcome

from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.quirks import Quirks


def doctor_items(doctor: Doctor) -> list[str]:
    """What the write test may have left in the test mailbox."""
    tenant = doctor.sim.tenant
    return ([e["subject"] for e in tenant.events_of(ANNA) if "doctor" in e["subject"]]
            + [t["title"] for t in tenant.tasks_of(ANNA) if "doctor" in t["title"]])


def observed(outcome: Outcome) -> dict[str, dict[str, Any]]:
    """The write test's findings by behaviour."""
    return {f["what"].split(": ")[0]: f for f in outcome.check("write_test")["findings"]}


def test_a_tenant_that_honours_everything_needs_no_fallback(doctor: Doctor) -> None:
    outcome = doctor.report("--write-test", ANNA)
    assert outcome.code == 0, outcome.report
    seen = observed(outcome)
    assert {b: f["what"].split(": ", 1)[1] for b, f in seen.items()} == {
        "event series with recurrenceTimeZone": "accepted",
        "repeated transactionId": "201 with the first event",
        "marker $expand on calendarView": "honoured",
        "organizer of slotguard's events": "the user principal name",
        "first pages of a calendarView delta round": "no empty pages",
        "weekly To Do task with recurrenceTimeZone": "accepted",
        "To Do $expand=linkedResources with $select": "honoured",
    }
    assert all(f["fallback"] is None for f in seen.values())
    assert outcome.check("write_test")["summary"].endswith(
        "the scan takes no fallback; everything written was deleted again")
    assert doctor_items(doctor) == []
    methods = [w.method for w in doctor.sim.writes()]
    assert methods.count("DELETE") == 2  # the event series and the task


@pytest.mark.parametrize(("quirk", "behaviour", "seen", "fallback"), [
    ("collection_extended_expand=ignored", "marker $expand on calendarView", "ignored",
     "list_expand_ignored"),
    ("collection_extended_expand=refused", "marker $expand on calendarView", "refused",
     "list_expand_refused"),
    ("task_list_expand=refused_with_select", "To Do $expand=linkedResources with $select",
     "refused with $select; read without it", "task_expand_with_select_refused"),
    ("task_list_expand=refused", "To Do $expand=linkedResources with $select",
     "refused; linked resources read task by task", "task_expand_refused"),
    ("task_recurrence_zone=refused", "weekly To Do task with recurrenceTimeZone",
     "refused; written without it", "task_recurrence_zone_refused"),
    ("repeated_transaction_id=conflict", "repeated transactionId", "409 Conflict",
     "transaction_id_conflict"),
    ("delta_empty_pages=2", "first pages of a calendarView delta round",
     "empty, with only a nextLink", "delta_empty_first_pages"),
    ("organizer_address=primary_smtp", "organizer of slotguard's events",
     "anna.berg@mail.contoso.com (not the user principal name)", None),
    # slotguard writes the mailbox's Windows zone name, which this switch never refuses.
    ("event_recurrence_iana_zone=refused", "event series with recurrenceTimeZone",
     "accepted", None),
])
def test_each_undocumented_behaviour_names_the_scans_fallback(
        doctor: Doctor, quirk: str, behaviour: str, seen: str, fallback: str | None) -> None:
    doctor.sim.set_quirks(Quirks.parse(quirk))
    outcome = doctor.report("--write-test", ANNA)
    assert outcome.code == 0, outcome.report
    finding = observed(outcome)[behaviour]
    assert finding["what"] == f"{behaviour}: {seen}"
    assert finding["fallback"] == fallback
    if fallback:
        assert finding["fix"].startswith(f"the scan takes {fallback}: ")
        assert f"the scan takes {fallback};" in outcome.check("write_test")["summary"]
    others = [f["fallback"] for b, f in observed(outcome).items() if b != behaviour]
    assert others == [None] * len(others)
    assert doctor_items(doctor) == []


def failing(doctor: Doctor, method: str, path: str) -> Outcome:
    """The write test with every ``method`` on a ``path`` answered 500."""
    doctor.sim.set_faults(FaultOptions(rules=(FaultRule(
        500, method=method, path_contains=path, times=None),)))
    outcome = doctor.report("--write-test", ANNA)
    assert outcome.code == 1
    return outcome


def test_a_step_that_fails_still_deletes_what_was_written(doctor: Doctor) -> None:
    outcome = failing(doctor, "POST", "/tasks")
    stopped = outcome.finding("write_test", "stopped at the To Do step")
    assert "Graph 500" in stopped["what"]
    assert doctor_items(doctor) == []  # the event series written before it is gone again


def test_what_cannot_be_deleted_is_listed_with_its_id(doctor: Doctor) -> None:
    outcome = failing(doctor, "DELETE", "/events/")
    left = outcome.finding("write_test", "left behind in the test mailbox")
    (event,) = [e for e in doctor.sim.tenant.events_of(ANNA) if "doctor" in e["subject"]]
    assert left["items"][0].startswith(f"event {event['id']} ")
    assert left["fix"] == "delete them by hand"


def test_a_test_mailbox_that_does_not_exist(doctor: Doctor) -> None:
    outcome = doctor.report("--write-test", "nobody@contoso.com")
    assert outcome.code == 1
    stopped = outcome.finding("write_test", "stopped at the mailbox settings step")
    assert "no such user" in stopped["what"]
    assert doctor.sim.writes() == []
