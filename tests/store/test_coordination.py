"""Leases and once-per-period claims: how replicas share one database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from slotguard.store import Ledger

from .conftest import FakeClock

SELLER = "seller:anna.berg@contoso.com"


def test_one_owner_at_a_time(open_ledger: Callable[..., Ledger]) -> None:
    a, b = open_ledger(), open_ledger()

    assert a.try_lease(SELLER, "replica-a", 60)
    assert not b.try_lease(SELLER, "replica-b", 60)
    assert a.try_lease(SELLER, "replica-a", 60)  # the holder may take it again
    assert [(lease.name, lease.owner) for lease in b.leases()] == [(SELLER, "replica-a")]


def test_expired_lease_passes_to_another_replica(
    open_ledger: Callable[..., Ledger], clock: FakeClock
) -> None:
    a, b = open_ledger(), open_ledger()
    assert a.try_lease(SELLER, "replica-a", 60)

    clock.advance(59)
    assert not b.try_lease(SELLER, "replica-b", 60)
    clock.advance(2)  # replica-a died and stopped renewing
    assert b.try_lease(SELLER, "replica-b", 60)
    assert not a.renew_lease(SELLER, "replica-a", 60)  # a late renewal does not steal it back
    assert not a.try_lease(SELLER, "replica-a", 60)
    (lease,) = a.leases()
    assert (lease.owner, lease.acquired_at) == ("replica-b", clock.now)


def test_renew_keeps_the_lease_alive(ledger: Ledger, clock: FakeClock) -> None:
    assert ledger.try_lease(SELLER, "replica-a", 60)
    acquired = clock.now
    for _ in range(3):
        clock.advance(45)
        assert ledger.renew_lease(SELLER, "replica-a", 60)
    assert not ledger.try_lease(SELLER, "replica-b", 60)
    (lease,) = ledger.leases()
    assert (lease.acquired_at, lease.expires_at) == (acquired, clock.now + timedelta(seconds=60))

    clock.advance(61)
    assert not ledger.renew_lease(SELLER, "replica-a", 60)  # lapsed: stop working on it
    assert not ledger.renew_lease("seller:nobody", "replica-a", 60)


def test_release_hands_over_at_once(ledger: Ledger) -> None:
    assert ledger.try_lease(SELLER, "replica-a", 60)
    assert not ledger.release_lease(SELLER, "replica-b")  # only the holder releases
    assert ledger.release_lease(SELLER, "replica-a")
    assert ledger.try_lease(SELLER, "replica-b", 60)


def test_batch_leases_take_only_what_is_free(
    open_ledger: Callable[..., Ledger], clock: FakeClock
) -> None:
    a, b = open_ledger(), open_ledger()
    sellers = [f"seller:s{i:04d}@contoso.com" for i in range(1200)]  # more than one chunk

    assert a.try_leases(sellers[:700], "replica-a", 60) == set(sellers[:700])
    clock.advance(1)
    assert b.try_leases(sellers, "replica-b", 60) == set(sellers[700:])
    assert a.try_leases(sellers[:10], "replica-a", 60) == set(sellers[:10])  # renewal
    assert a.release_leases(sellers[:700], "replica-a") == 700
    assert b.try_leases(sellers[:5], "replica-b", 60) == set(sellers[:5])


def test_lease_ttl_must_be_positive(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="ttl_seconds: must be above 0"):
        ledger.try_lease(SELLER, "replica-a", 0)


def test_weekly_job_runs_once_across_replicas(open_ledger: Callable[..., Ledger]) -> None:
    replicas = [open_ledger() for _ in range(3)]
    start = threading.Barrier(len(replicas))
    won: list[str] = []

    def run(index: int) -> None:
        start.wait(timeout=10)
        if replicas[index].claim_once("habit-tasks", "2026-W48", f"replica-{index}"):
            won.append(f"replica-{index}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(won) == 1
    assert not replicas[0].claim_once("habit-tasks", "2026-W48", "replica-late")
    assert replicas[0].claim_once("habit-tasks", "2026-W49", "replica-late")  # next week
    assert replicas[0].claim_once("block-series", "2026-W48", "replica-late")  # other job


def test_claim_resumes_for_its_owner_until_finished(ledger: Ledger) -> None:
    assert ledger.claim_once("habit-tasks", "2026-W48", "replica-a")
    assert ledger.claim_once("habit-tasks", "2026-W48", "replica-a")  # restarted, same id
    assert not ledger.finish_claim("habit-tasks", "2026-W48", "replica-b")
    assert ledger.finish_claim("habit-tasks", "2026-W48", "replica-a")
    assert not ledger.claim_once("habit-tasks", "2026-W48", "replica-a")


def test_abandoned_claim_is_taken_over_after_its_ttl(
    open_ledger: Callable[..., Ledger], clock: FakeClock
) -> None:
    a, b = open_ledger(), open_ledger()
    assert a.claim_once("habit-tasks", "2026-W48", "replica-a", ttl_seconds=600)
    assert not b.claim_once("habit-tasks", "2026-W48", "replica-b", ttl_seconds=600)
    clock.advance(601)  # replica-a died mid-job
    assert b.claim_once("habit-tasks", "2026-W48", "replica-b", ttl_seconds=600)
    assert not a.claim_once("habit-tasks", "2026-W48", "replica-c", ttl_seconds=600)
    assert b.finish_claim("habit-tasks", "2026-W48", "replica-b")
    clock.advance(10_000)
    assert not a.claim_once("habit-tasks", "2026-W48", "replica-a", ttl_seconds=600)


def test_claim_without_ttl_never_lapses(ledger: Ledger, clock: FakeClock) -> None:
    assert ledger.claim_once("habit-tasks", "2026-W48", "replica-a")
    clock.advance(30 * 86400)
    assert not ledger.claim_once("habit-tasks", "2026-W48", "replica-b")
