"""Things that change while a scan runs: the token expires, a mailbox disappears, the
delta state is dropped. The scan finishes, reports what it could not do, and the next
scan completes everything exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.faults.harness import (
    Item,
    Tap,
    Tenant,
    assert_exactly_once,
    assert_no_duplicates,
    outcome,
    scan_once,
)

from slotguard.sim.server import SimServer


def _db(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


@pytest.mark.slow
def test_token_expiring_mid_cycle_costs_nothing(small_tenant: Tenant, small_sim: SimServer,
                                                tmp_path: Path) -> None:
    expire_at = 4  # the 4th HTTP request of the scan goes out with an expired token

    def before(items: list[Item]) -> None:
        if tap.requests == expire_at:
            small_sim.expire_tokens()

    tap = Tap(small_sim.ca_file, before=before)
    db = _db(tmp_path, "ledger.db")
    report = scan_once(small_tenant, small_tenant.env(small_sim, db), transport=tap)
    assert tap.requests > expire_at + 2, "the scan ended before the token expired"
    refused = [r for r in small_sim.requests() if r.status == 401]
    assert refused, "the expiry did not hit a request"
    assert report.totals()["skipped"] == 0
    assert_exactly_once(outcome(small_sim.tenant, db, small_tenant.sellers))


@pytest.mark.slow
@pytest.mark.parametrize("when", ["read", "write"])
def test_mailbox_disappearing_mid_cycle(small_tenant: Tenant, small_sim: SimServer,
                                        tmp_path: Path, when: str) -> None:
    """Gone just before its calendar is read, or just before its first event write: that
    seller is reported, the others are processed; later scans are fine, and once the
    mailbox is back the seller is completed exactly once."""
    victim = small_tenant.sellers[3]
    removed = False

    def hits(method: str, path: str) -> bool:
        if f"/users/{victim}/" not in path:
            return False
        if when == "read":
            return method == "GET" and "calendarview" in path
        return method == "POST" and path.rstrip("/").endswith("/events")

    def before(items: list[Item]) -> None:
        nonlocal removed
        if not removed and any(hits(m, p) for m, p in items):
            removed = True
            small_sim.tenant.remove_mailbox(victim)

    db = _db(tmp_path, "ledger.db")
    env = small_tenant.env(small_sim, db)
    report = scan_once(small_tenant, env, transport=Tap(small_sim.ca_file, before=before))
    assert removed, f"{victim} never reached its {when}"
    by_upn = {s.upn: s for s in report.sellers}
    assert by_upn[victim].status == "skipped" and by_upn[victim].problems
    assert all(s.status == "ok" for u, s in by_upn.items() if u != victim)
    assert_no_duplicates(outcome(small_sim.tenant, db, small_tenant.sellers))

    again = scan_once(small_tenant, env)  # still gone: reported again, nobody else hurt
    assert {s.upn for s in again.sellers if s.status == "skipped"} == {victim}
    others = [u for u in small_tenant.sellers if u != victim]
    assert_exactly_once(outcome(small_sim.tenant, db, others))

    with small_sim.tenant.lock:
        small_sim.tenant.user(victim).has_mailbox = True
    final = scan_once(small_tenant, env)
    assert final.totals()["skipped"] == 0
    assert_exactly_once(outcome(small_sim.tenant, db, small_tenant.sellers))


@pytest.mark.slow
def test_expired_delta_state_gives_a_full_resync_and_the_same_result(
        small_tenant: Tenant, small_sim: SimServer, tmp_path: Path) -> None:
    db = _db(tmp_path, "ledger.db")
    env = small_tenant.env(small_sim, db)
    scan_once(small_tenant, env)
    small_sim.clear_requests()
    scan_once(small_tenant, env)
    assert any("delta" in r.path.lower() for r in small_sim.requests()), (
        "a repeated scan no longer reads calendars by delta"
    )
    before = outcome(small_sim.tenant, db, small_tenant.sellers)
    assert small_sim.expire_delta_tokens() > 0
    small_sim.clear_requests()
    report = scan_once(small_tenant, env)
    gone = [r for r in small_sim.requests() if r.status == 410]
    assert gone, "no delta request met the expired state"
    assert report.totals()["skipped"] == 0
    assert report.totals()["compensations"] == 0  # nothing new to write
    after = outcome(small_sim.tenant, db, small_tenant.sellers)
    assert after.comparable() == before.comparable()
    assert_exactly_once(after)
