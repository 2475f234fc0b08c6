"""Graph data slotguard should never see, served for chosen sellers by a transport that
rewrites the simulator's real answers: a mailbox in an unknown time zone, events without
start or with their end before their start, a page whose value is not a list, a page of
5,000 events. The scan never crashes: those seller-weeks are reported and skipped, or
handled, and every other seller is processed as usual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.faults.harness import Item, Tap, Tenant, assert_exactly_once, outcome, scan_once

from slotguard.sim.server import SimServer

Rewrite = dict[str, Any]


def _zone(body: Rewrite) -> Rewrite:
    return {**body, "timeZone": "Mars Standard Time"}


def _no_start(body: Rewrite) -> Rewrite:
    events = [dict(e) for e in body.get("value", [])]
    for event in events[:3]:
        event.pop("start", None)
    return {**body, "value": events}


def _end_before_start(body: Rewrite) -> Rewrite:
    events = [dict(e) for e in body.get("value", [])]
    for event in events[:3]:
        event["start"], event["end"] = event["end"], event["start"]
    return {**body, "value": events}


def _not_a_list(body: Rewrite) -> Rewrite:
    return {**body, "value": {"unexpected": True}}


def _huge(body: Rewrite) -> Rewrite:
    events = list(body.get("value", []))
    filler = {"subject": "Focus", "showAs": "free", "isAllDay": False, "isCancelled": False,
              "attendees": [], "type": "singleInstance",
              "start": {"dateTime": "2020-01-01T00:00:00.0000000", "timeZone": "UTC"},
              "end": {"dateTime": "2020-01-01T00:30:00.0000000", "timeZone": "UTC"}}
    events += [{**filler, "id": f"filler{i}"} for i in range(5000)]
    return {**body, "value": events}


@pytest.mark.slow
def test_surprising_graph_data_is_reported_never_a_crash(small_tenant: Tenant,
                                                         small_sim: SimServer,
                                                         tmp_path: Path) -> None:
    sellers = small_tenant.sellers
    rules = {(sellers[0], "mailboxsettings"): _zone,
             (sellers[1], "calendarview"): _no_start,
             (sellers[2], "calendarview"): _end_before_start,
             (sellers[3], "calendarview"): _not_a_list,
             (sellers[4], "calendarview"): _huge}
    applied: set[tuple[str, str]] = set()

    def rewrite(item: Item, body: Any) -> Any:
        method, path = item
        for (upn, part), change in rules.items():
            # the first read of a window: delta pages carry events the same way
            if method == "GET" and f"/users/{upn}/" in path and part in path:
                applied.add((upn, part))
                return change(body)
        return None

    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    report = scan_once(small_tenant, small_tenant.env(small_sim, db),
                       transport=Tap(small_sim.ca_file, rewrite=rewrite))
    assert applied == set(rules), "some rewrites never met their request"

    by_upn = {s.upn: s for s in report.sellers}
    touched = {upn for upn, _ in rules}
    for upn in touched:  # reported and skipped, or handled: either way accounted for
        seller = by_upn[upn]
        assert seller.status in {"ok", "skipped"}
        if seller.status == "skipped":
            assert seller.problems, upn
    assert by_upn[sellers[0]].status == "skipped"  # no zone, no blocks to judge
    assert by_upn[sellers[3]].status == "skipped"  # nothing of that week is readable
    assert by_upn[sellers[4]].status == "ok"  # big, not wrong
    for upn in (sellers[1], sellers[2]):  # the bad event is left out, and said so
        assert by_upn[upn].status == "ok"
        assert any(p.startswith("bad_data: event ") for p in by_upn[upn].problems), upn
    untouched = [u for u in sellers if u not in touched]
    assert all(by_upn[u].status == "ok" for u in untouched)
    assert_exactly_once(outcome(small_sim.tenant, db, untouched))
