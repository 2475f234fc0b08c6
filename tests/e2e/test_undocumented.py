"""Graph's undocumented behaviour, each plausible way: with every simulator switch
(sim/quirks.py) on, through msal + msgraph-sdk, slotguard notices, takes the documented way
round, says so once per run, and writes nothing twice — scan after scan, and after the
ledger is thrown away."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs
from tests.e2e.conftest import Live
from tests.e2e.test_delta_cycles import cycles, http
from tests.e2e.test_lost_ledger import calendar, todo

from slotguard.domain.model import Purpose
from slotguard.ports import NewEvent
from slotguard.sim.quirks import Quirks


def violations(report: Any) -> list[tuple[str, str]]:
    return sorted((v.key, v.kind) for s in report.sellers for v in s.violations)


def engaged(logs: list[dict[str, Any]], name: str) -> int:
    return sum(1 for e in logs if e["event"] == "graph.fallback_engaged"
               and e["fallback"] == name)


def logged(run: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    with capture_logs() as logs:
        result = run()
    return result, logs


def served(live: Live) -> list[str]:
    return [u.upn for u in live.sim.tenant.users.values() if u.upn.endswith("contoso.com")]


def assert_once_each(live: Live) -> None:
    for counts in (*calendar(live, served(live)).values(), *todo(live, served(live)).values()):
        assert all(n == 1 for n in counts.values()), counts


def lose_ledger_and_rerun(live: Live) -> list[dict[str, Any]]:
    """Once the weekly job and a scan have written everything, throw the ledger away and
    run both again: Graph must get no write."""
    live.weekly()
    live.scan()
    writes = len(live.sim.writes())
    events, tasks = calendar(live, served(live)), todo(live, served(live))
    live.forget_ledger()
    (_, weekly), logs = logged(lambda: (live.scan(), live.weekly()))
    assert [(r.method, r.path) for r in live.sim.writes()[writes:]] == []
    assert calendar(live, served(live)) == events and todo(live, served(live)) == tasks
    assert weekly.series_created == 0 and weekly.habits_created == 0
    return logs


@pytest.mark.parametrize("mode", ["ignored", "refused"])
def test_marker_expand_on_event_collections_not_honoured(live: Live, mode: str) -> None:
    expected = violations(live.scan(dry_run=True))
    live.sim.set_quirks(Quirks(collection_extended_expand=mode))
    live.weekly()
    report, logs = logged(live.scan)
    # Own block series and compensations are recognised: no block of the seller's own
    # series counts as a meeting taking the block, the same violations as ever.
    assert violations(report) == expected
    assert report.totals()["compensations"] > 0
    name = f"list_expand_{mode}"
    assert engaged(logs, name) == 1  # once for the run, not per seller
    again = lose_ledger_and_rerun(live)
    assert engaged(again, name) <= 2  # at most once in each of the two runs
    assert violations(live.scan()) == expected
    assert_once_each(live)


@pytest.mark.parametrize("mode", ["refused_with_select", "refused"])
def test_linked_resources_expand_refused(live: Live, mode: str) -> None:
    live.sim.set_quirks(Quirks(task_list_expand=mode))
    live.weekly()
    live.scan()
    before = len(live.sim.writes())
    _, logs = logged(live.scan)  # every key is done in the ledger: no list read
    assert len(live.sim.writes()) == before and engaged(logs, "task_expand_refused") == 0
    logs = lose_ledger_and_rerun(live)
    name = "task_expand_with_select_refused" if mode == "refused_with_select" else \
        "task_expand_refused"
    assert engaged(logs, name) == 2  # the scan and the weekly job each found out once
    assert_once_each(live)


def test_todo_recurrence_zone_refused(live: Live) -> None:
    live.sim.set_quirks(Quirks(task_recurrence_zone="refused"))
    report, logs = logged(live.scan)
    assert report.totals()["tasks"] > 0 and not [s for s in report.sellers if s.problems]
    assert engaged(logs, "task_recurrence_zone_refused") == 1
    follow_ups = [t for upn in served(live) for t in live.sim.tenant.tasks_of(upn)
                  if t["listName"] == "Prospecting follow-up" and t.get("recurrence")]
    assert follow_ups  # still weekly, in the due date's zone
    refused = [r for r in live.sim.requests() if r.status == 400 and "/todo/" in r.path]
    assert refused  # Graph said no at least once, and each refused task went in once more
    lose_ledger_and_rerun(live)
    assert_once_each(live)


def test_event_series_with_iana_recurrence_zone_refused(live: Live) -> None:
    # A mailbox whose zone Graph gives as an IANA name: slotguard writes that name.
    with live.sim.tenant.lock:
        for user in live.sim.tenant.users.values():
            if user.time_zone == "W. Europe Standard Time":
                user.time_zone = "Europe/Stockholm"
    live.sim.set_quirks(Quirks(event_recurrence_iana_zone="refused"))
    weekly, logs = logged(live.weekly)
    assert weekly.series_created > 0 and weekly.problems == 0
    refused = [r for r in live.sim.requests()
               if r.status == 400 and r.method == "POST" and r.path.endswith("/events")]
    # Once slotguard writes Windows names only, nothing is refused and nothing falls back.
    assert engaged(logs, "event_recurrence_zone_refused") == (1 if refused else 0)
    series = [e for upn in served(live) for e in live.sim.tenant.events_of(upn)
              if e.get("recurrence")]
    assert series
    lose_ledger_and_rerun(live)
    assert_once_each(live)


def test_repeated_transaction_id_answered_with_conflict(live: Live) -> None:
    live.sim.set_quirks(Quirks(repeated_transaction_id="conflict"))
    upn = "anna.berg@contoso.com"
    start = live.clock.instant + timedelta(days=8)
    event = NewEvent(key=f"{upn}|0800-1000|2026-01-01#comp1", purpose=Purpose.COMPENSATION,
                     subject="Prospecting", body="", start=start,
                     end=start + timedelta(hours=1), zone="Europe/Stockholm")

    async def twice() -> tuple[str, str]:
        service = live.service()
        try:
            # The second POST repeats the first's transactionId, as a retry after a lost
            # answer would if the marker lookup had not found the event.
            first = await service.gateway.create_event(upn, event)
            second = await service.gateway.create_event(upn, event)
            return first, second
        finally:
            await service.aclose()

    (first, second), logs = logged(lambda: asyncio.run(twice()))
    assert first == second
    assert [r.status for r in live.sim.writes()][-2:] == [201, 409]
    assert engaged(logs, "transaction_id_conflict") == 1
    assert calendar(live, [upn])[upn][event.key] == 1
    live.scan()
    lose_ledger_and_rerun(live)
    assert_once_each(live)


def test_organizer_named_by_primary_smtp_address(live: Live, tmp_path: Path) -> None:
    expected = violations(live.scan(dry_run=True))
    live.sim.set_quirks(Quirks(organizer_address="primary_smtp"))
    first = live.scan()  # reads every window in full, keeps the delta links
    assert violations(first) == expected
    # Another installation (its own ledger) writes the block series meanwhile: this one
    # learns of them through delta, from events whose organizer is not the seller's UPN.
    live.elsewhere(tmp_path / "other").weekly()
    organizers = {e["organizer"]["emailAddress"]["address"]
                  for upn in served(live) for e in live.sim.tenant.events_of(upn)
                  if e.get("recurrence") and e.get("categories") == ["Prospecting"]}
    assert organizers and all("@mail." in a for a in organizers)
    again = live.scan()
    assert violations(again) == expected  # the series are the seller's own, not meetings
    assert again.totals()["compensations"] == 0
    assert_once_each(live)


def test_delta_rounds_that_start_with_empty_pages(live: Live) -> None:
    live.sim.set_quirks(Quirks(delta_empty_pages=2))
    with capture_logs() as logs:
        runs = cycles(live, [lambda: None, lambda: None, lambda: None])
    (first, _), (second, _), (steady, requests) = runs
    assert first.totals()["compensations"] > 0
    assert second.totals()["compensations"] == 0 and steady.totals()["compensations"] == 0
    assert engaged(logs, "delta_empty_first_pages") == 1
    sellers = len(steady.sellers)
    # Every unchanged seller's round took three pages, but together: three round trips
    # for all of them, not one request after another per seller.
    assert len([r for r in requests if r.batch_item]) == 3 * sellers
    assert len(http(requests)) <= 4
    assert_once_each(live)


def test_switches_are_set_by_scenario_and_command_line(live: Live) -> None:
    scenario = {"users": [{"upn": "a@contoso.com"}],
                "quirks": {"collection_extended_expand": "refused"}}
    live.sim.load_scenario(scenario)
    assert live.sim.tenant.quirks == Quirks(collection_extended_expand="refused")
    assert Quirks.parse("delta_empty_pages=3,organizer_address=primary_smtp") == replace(
        Quirks(), delta_empty_pages=3, organizer_address="primary_smtp")
    with pytest.raises(ValueError, match="repeated_transaction_id"):
        Quirks(repeated_transaction_id="sometimes")  # type: ignore[arg-type]
    # ... and by another process, through the simulator's administration endpoint.
    trust = ssl.create_default_context(cafile=str(live.sim.ca_file))
    with httpx.Client(base_url=live.sim.graph_url, verify=trust) as admin:
        put = admin.put("/_sim/quirks", json={"task_list_expand": "refused"})
        assert put.status_code == 200 and put.json()["task_list_expand"] == "refused"
        assert admin.put("/_sim/quirks", json={"nonsense": 1}).status_code == 400
    assert live.sim.tenant.quirks == Quirks(task_list_expand="refused")
