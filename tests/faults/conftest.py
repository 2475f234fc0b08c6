"""Fixtures of the fault suite: a generated tenant served by the simulator over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.faults.harness import Tenant

from slotguard.sim.faults import FaultOptions
from slotguard.sim.server import SimServer


@pytest.fixture
def small_tenant(tmp_path: Path) -> Tenant:
    return Tenant.generate(12, seed=11, folder=tmp_path / "tenant")


@pytest.fixture
def small_sim(small_tenant: Tenant, tmp_path: Path) -> Iterator[SimServer]:
    with SimServer(scenario=small_tenant.scenario, anchor=datetime.now(UTC).date(),
                   state_dir=tmp_path / "sim", faults=FaultOptions(retry_after=0.01)) as sim:
        yield sim
