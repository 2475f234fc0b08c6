"""The real stack — settings, msal, msgraph-sdk, the Graph adapter, the SQLite ledger, the
scan — against the simulator's demo tenant over HTTPS. The clock is fixed early on Monday
of the simulator's anchor week, so every block of the judged week is still ahead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from slotguard.config.rules import RulesFile, load_rules
from slotguard.config.settings import Settings, load_settings
from slotguard.domain.model import IsoWeek
from slotguard.entrypoints.bootstrap import Service, bootstrap
from slotguard.service.clock import FixedClock
from slotguard.service.report import ScanReport
from slotguard.service.weekly import WeeklyResult, run_weekly


@dataclass
class Live:
    sim: Any
    settings: Settings
    rules_file: RulesFile
    week: IsoWeek
    clock: FixedClock
    env: dict[str, str]

    def service(self, gateway: Any = None, *, dry_run: bool = False) -> Service:
        return bootstrap(self.settings, self.rules_file, gateway=gateway, clock=self.clock,
                         dry_run=dry_run)

    def scan(self, *, gateway_wrapper: Any = None, dry_run: bool = False,
             **kw: Any) -> ScanReport:
        async def main() -> ScanReport:
            service = self.service(dry_run=dry_run)
            try:
                if gateway_wrapper is not None:
                    service.scanner.gateway = gateway_wrapper(service.gateway)
                return await service.scanner.scan(week=self.week, **kw)
            finally:
                await service.aclose()

        return asyncio.run(main())

    def posts(self) -> int:
        return len(self.sim.writes())

    def weekly(self) -> WeeklyResult:
        async def main() -> WeeklyResult:
            service = self.service()
            try:
                return await run_weekly(service.scanner, week=self.week)
            finally:
                await service.aclose()

        return asyncio.run(main())

    def forget_ledger(self) -> None:
        """Delete the ledger, as an admin tidying up might: Graph still has everything."""
        path = Path(self.settings.database_url_resolved.removeprefix("sqlite:///"))
        for file in path.parent.glob(f"{path.name}*"):
            file.unlink()

    def elsewhere(self, folder: Path) -> Live:
        """The same tenant scanned from a second state directory, with its own ledger."""
        folder.mkdir(parents=True, exist_ok=True)
        settings = load_settings(state_dir=str(folder),
                                 database_url=f"sqlite:///{folder / 'ledger.db'}")
        return replace(self, settings=settings)


def use_simulator(sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings that point slotguard at ``sim``, with a ledger under ``tmp_path``; set in
    the environment and returned."""
    env = {**sim.env(), "SLOTGUARD_STATE_DIR": str(tmp_path / "state"),
           "SLOTGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'state' / 'ledger.db'}",
           "SLOTGUARD_RETRY_MAX_WAIT_SECONDS": "2"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def scan_week(service: Callable[[], Service], week: IsoWeek) -> ScanReport:
    """One scan of ``week`` and its weekly job (block series, habits), as the daemon runs
    them, on a service made for the purpose."""
    async def main() -> ScanReport:
        made = service()
        try:
            report = await made.scanner.scan(week=week)
            await run_weekly(made.scanner, week=week)
            return report
        finally:
            await made.aclose()

    return asyncio.run(main())


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    try:
        from slotguard.sim.server import SimServer
    except ImportError:
        pytest.skip("the simulator server is not available")
    today = datetime.now(UTC).date()
    with SimServer(scenario="demo", anchor=today, state_dir=tmp_path / "sim") as sim:
        env = use_simulator(sim, tmp_path, monkeypatch)
        settings = load_settings()
        week = IsoWeek.of(today)
        clock = FixedClock(datetime.combine(week.monday(), time(0), UTC) + timedelta(hours=1))
        yield Live(sim, settings, load_rules(None, example_fallback=True), week, clock, env)
