"""The scan report: the exit status scripts read, and what its JSON shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from slotguard import exit_codes
from slotguard.service.report import (
    LEASED,
    OK,
    SKIPPED,
    ActionLine,
    MeetingLine,
    ScanReport,
    SellerReport,
    ViolationLine,
)

STARTED = datetime(2026, 11, 23, 7, tzinfo=UTC)


def report(*statuses: str, problems: tuple[str, ...] = ()) -> ScanReport:
    sellers = [SellerReport(f"s{i}@contoso.com", "Nordics", status=s)
               for i, s in enumerate(statuses)]
    return ScanReport("2026-W48", "2026-W49", False, STARTED, sellers=sellers,
                      problems=list(problems))


@pytest.mark.parametrize(
    ("statuses", "problems", "expected"),
    [
        ((OK, OK), (), exit_codes.OK),
        ((), (), exit_codes.OK),  # no sellers in the rules: nothing was due
        ((OK, SKIPPED), (), exit_codes.INCOMPLETE),
        ((OK, OK), ("group sales failed",), exit_codes.INCOMPLETE),
        ((OK, LEASED), (), exit_codes.OK),  # the other replica does that seller's work
        ((LEASED, LEASED), (), exit_codes.NOTHING_DONE),
        ((LEASED, SKIPPED), (), exit_codes.INCOMPLETE),
    ],
)
def test_the_exit_status_says_whether_the_cycles_work_is_done(
        statuses: tuple[str, ...], problems: tuple[str, ...], expected: int) -> None:
    assert report(*statuses, problems=problems).exit_status() == expected


def _seller_with_personal_data() -> SellerReport:
    meeting = MeetingLine("AAMk-1", "Fabrikam pricing", STARTED, STARTED)
    violation = ViolationLine("k", "Tue 08:00–10:00", "customer", (meeting,))
    task = ActionLine("k#task:AAMk-1", "task", "2026-11-26", "written", "k",
                      title="Follow up: Fabrikam pricing (2026-11-24)")
    compensation = ActionLine("k#comp1", "compensation", "Mon 08:00–10:00", "written", "k",
                              title="Prospecting")
    return SellerReport("anna.berg@contoso.com", "Nordics", violations=[violation],
                        tasks=[task], compensations=[compensation])


def test_the_json_leaves_meeting_subjects_and_task_titles_out_unless_asked() -> None:
    scan = ScanReport("2026-W48", "2026-W49", False, STARTED,
                      sellers=[_seller_with_personal_data()])
    shown = scan.to_json()
    json.dumps(shown)  # plain JSON: datetimes as ISO strings
    (seller,) = shown["sellers"]
    assert seller["violations"][0]["meetings"][0]["subject"] is None
    assert seller["tasks"][0]["title"] is None
    assert seller["compensations"][0]["title"] == "Prospecting"  # the block's own name
    assert seller["violations"][0]["meetings"][0]["start"] == "2026-11-23T07:00:00+00:00"
    assert "Fabrikam" not in json.dumps(shown)
    assert shown["totals"]["compensations"] == 1 and shown["totals"]["tasks"] == 1
    assert "folded" not in shown

    personal = scan.to_json(personal=True)
    (seller,) = personal["sellers"]
    assert seller["violations"][0]["meetings"][0]["subject"] == "Fabrikam pricing"
    assert seller["tasks"][0]["title"] == "Follow up: Fabrikam pricing (2026-11-24)"
