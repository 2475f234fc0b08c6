"""A daemon and a CLI share one SQLite file: WAL, busy timeout, write transactions."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import text

from slotguard.store import Ledger
from slotguard.store.engine import transaction


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_file_is_in_wal_mode_with_a_busy_timeout(ledger: Ledger) -> None:
    with ledger.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 10_000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_reader_is_not_blocked_by_an_open_write(open_ledger: Callable[..., Ledger]) -> None:
    daemon, cli = open_ledger(), open_ledger()
    daemon.start_run("replica-a", "2026-W48", dry_run=False)
    with transaction(daemon.engine) as conn:  # the daemon is mid-write
        conn.execute(text("UPDATE scan_runs SET replica = 'replica-b'"))
        started = time.monotonic()
        assert cli.summary()["runs"] == 1
        assert [run.replica for run in cli.runs()] == ["replica-a"]  # the last commit
        assert time.monotonic() - started < 1


def test_second_writer_waits_instead_of_failing(open_ledger: Callable[..., Ledger]) -> None:
    daemon, cli = open_ledger(), open_ledger()
    done = threading.Event()
    results: list[bool] = []

    def other_writer() -> None:
        results.append(cli.try_lease("seller:anna.berg@contoso.com", "replica-b", 60))
        done.set()

    with transaction(daemon.engine) as conn:
        conn.execute(text("SELECT 1 FROM leases"))  # BEGIN IMMEDIATE holds the write lock
        thread = threading.Thread(target=other_writer)
        thread.start()
        assert not done.wait(0.3)  # blocked by the busy timeout, not failed
    thread.join(timeout=10)
    assert results == [True]


def test_in_memory_ledger_for_quick_use() -> None:
    with Ledger.open("sqlite://", migrate=True) as ledger:
        assert ledger.try_lease("job", "replica-a", 60)
        assert ledger.summary()["leases_held"] == 1


def test_finished_statements_leave_no_buffers_behind(ledger: Ledger) -> None:
    """A window snapshot saved for many sellers, and read back with an IN list, leaves
    SQLite's own heap where it was: no cached statement keeps the values it last held."""
    libsqlite = ctypes.util.find_library("sqlite3")
    if libsqlite is None:
        pytest.skip("no shared libsqlite3 to ask for its heap")
    used = ctypes.CDLL(libsqlite).sqlite3_memory_used
    used.restype = ctypes.c_int64
    sellers = [f"seller{i}@contoso.com" for i in range(300)]
    ledger.delta_states(sellers[:1], "2026-W48+1")  # connection open, schema read
    before = used()
    for round_ in range(3):
        ledger.save_delta_links("2026-W48+1", [(s, f"link{round_}", bytes(16_000))
                                               for s in sellers])
        assert len(ledger.delta_states(sellers, "2026-W48+1")) == 300
    assert used() - before < 3_000_000  # the page cache (2 MB by default) at most
