"""The ledger is a cache of what Graph holds: thrown away, replaced by a second state
directory's, or older than the tasks in the seller's list, it never makes slotguard write
anything twice. Through msal + msgraph-sdk against the simulator; the checks are on the
simulator's state and the writes it received."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Live

from slotguard.graph.marker import KEY_PROPERTY_ID, TASK_APPLICATION
from slotguard.sim import todo as sim_todo


def calendar(live: Live, upns: list[str]) -> dict[str, Counter[str]]:
    """Per mailbox, how many events carry each slotguard key."""
    out: dict[str, Counter[str]] = {}
    for upn in upns:
        keys: Counter[str] = Counter()
        for event in live.sim.tenant.events_of(upn):
            for prop in event.get("singleValueExtendedProperties") or []:
                if str(prop["id"]).lower() == KEY_PROPERTY_ID.lower():
                    keys[str(prop["value"])] += 1
        out[upn] = keys
    return out


def task_keys(task: dict[str, Any]) -> set[str]:
    keys = {link["externalId"] for link in task.get("linkedResources") or []
            if link.get("applicationName") == TASK_APPLICATION and link.get("externalId")}
    for line in str((task.get("body") or {}).get("content") or "").splitlines():
        if line.startswith("slotguard-key: "):
            keys.add(line.removeprefix("slotguard-key: ").strip())
    return keys


def todo(live: Live, upns: list[str]) -> dict[str, Counter[str]]:
    """Per mailbox, how many tasks carry each slotguard key."""
    return {upn: Counter(k for t in live.sim.tenant.tasks_of(upn) for k in task_keys(t))
            for upn in upns}


def everything(live: Live) -> tuple[list[str], int]:
    """The weekly job and a scan, as a running daemon does them; the sellers served."""
    weekly = live.weekly()
    report = live.scan()
    assert weekly.series_created > 0 and weekly.habits_created > 0
    assert report.totals()["compensations"] > 0 and report.totals()["tasks"] > 0
    return [s.upn for s in report.sellers if s.status == "ok"], len(live.sim.writes())


def assert_nothing_new(live: Live, upns: list[str], writes: int,
                       events: dict[str, Counter[str]], tasks: dict[str, Counter[str]]) -> None:
    assert [(r.method, r.path) for r in live.sim.writes()[writes:]] == []
    assert calendar(live, upns) == events
    assert todo(live, upns) == tasks
    for counts in (*events.values(), *tasks.values()):
        assert all(n == 1 for n in counts.values()), counts


def test_ledger_thrown_away_then_scan_and_weekly_write_nothing(live: Live) -> None:
    upns, writes = everything(live)
    events, tasks = calendar(live, upns), todo(live, upns)
    before = live.scan(dry_run=True)
    live.forget_ledger()
    again = live.scan()
    weekly = live.weekly()
    assert_nothing_new(live, upns, writes, events, tasks)
    assert weekly.series_created == 0 and weekly.habits_created == 0
    # The ledger learnt back what Graph holds: the same violations, nothing to write.
    assert sorted((v.key, v.kind) for s in again.sellers for v in s.violations) == sorted(
        (v.key, v.kind) for s in before.sellers for v in s.violations)
    assert live.scan().totals()["compensations"] == 0


def test_a_second_state_directory_writes_nothing_again(live: Live, tmp_path: Path) -> None:
    upns, writes = everything(live)
    events, tasks = calendar(live, upns), todo(live, upns)
    other = live.elsewhere(tmp_path / "second-state")
    other.weekly()
    other.scan()
    assert_nothing_new(live, upns, writes, events, tasks)


def test_sellers_never_see_keys_and_old_tasks_with_the_key_in_the_note_count(
        live: Live) -> None:
    planned = live.scan(dry_run=True)
    seller = next(s for s in planned.sellers if s.tasks)
    line = seller.tasks[0]
    # A task written before the key moved out of the note, without a linked resource.
    with live.sim.tenant.lock:
        user = live.sim.tenant.user(seller.upn)
        box = live.sim.tenant.mailboxes[user.id]
        lst = sim_todo.create_list(box, {"displayName": "Prospecting follow-up"})
        sim_todo.create_task(lst, {"title": line.title, "body": {
            "contentType": "text", "content": f"Follow up.\n\nslotguard-key: {line.key}"}})
    live.scan()
    tasks = live.sim.tenant.tasks_of(seller.upn)
    assert Counter(k for t in tasks for k in task_keys(t))[line.key] == 1
    written = [t for upn in (s.upn for s in planned.sellers if s.status == "ok")
               for t in live.sim.tenant.tasks_of(upn)
               if t["listName"] == "Prospecting follow-up" and t["title"] != line.title]
    assert written
    for task in written:
        assert "slotguard-key" not in task["body"]["content"]
        assert task_keys(task)  # found again by its linked resource
        for key in task_keys(task):
            assert key not in task["title"] and key not in task["body"]["content"]


def test_a_fresh_tenant_costs_one_lookup_per_seller_not_one_per_write(live: Live) -> None:
    """With nothing of slotguard's in Graph yet, the first read finds that out once per
    seller (the documented filter on the seller's keys); the writes then need no lookup
    each, and new To Do lists need no read."""
    report = live.scan()
    assert report.totals()["compensations"] > 0 and report.totals()["tasks"] > 0
    gets = [r for r in live.sim.requests() if r.method == "GET"]
    by_key = [r for r in gets if "ep/value eq" in r.query.get("$filter", "")]
    by_seller = [r for r in gets if "startswith(ep/value" in r.query.get("$filter", "")]
    task_reads = [r for r in gets if r.path.endswith("/tasks")]
    assert by_key == [] and task_reads == []
    assert 0 < len(by_seller) <= len(report.sellers)
    assert len({r.mailbox for r in by_seller}) == len(by_seller)
