"""Simulator fixtures: one local CA per test session (created once, reused by every server),
a fresh demo tenant per test, anchored on a fixed week so expectations are stable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from slotguard.sim.server import SimServer

# A Monday in winter time; the Nordics week starts 2026-11-23 in Europe/Stockholm.
ANCHOR = date(2026, 11, 23)


@pytest.fixture(scope="session")
def sim_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sim-state")


@pytest.fixture
def sim(sim_state_dir: Path) -> Iterator[SimServer]:
    with SimServer(scenario="demo", anchor=ANCHOR, state_dir=sim_state_dir) as server:
        yield server


@pytest.fixture(scope="module")
def shared_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimServer]:
    """For tests that only read the demo tenant."""
    with SimServer(scenario="demo", anchor=ANCHOR,
                   state_dir=tmp_path_factory.getbasetemp() / "sim-shared") as server:
        yield server
