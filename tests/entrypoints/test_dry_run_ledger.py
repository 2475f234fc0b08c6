"""A dry run reads the ledger there is and neither creates nor migrates one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from slotguard.config.rules import example_rules_text, load_rules_text
from slotguard.config.settings import Settings, settings_from
from slotguard.entrypoints.bootstrap import bootstrap
from slotguard.errors import ConfigError
from slotguard.memory import InMemoryCalendarGateway
from slotguard.store.ledger import Ledger
from slotguard.store.migrate import downgrade


def settings(tmp_path: Path) -> Settings:
    return settings_from({"SLOTGUARD_STATE_DIR": str(tmp_path / "state"),
                          "SLOTGUARD_DATABASE_URL": f"sqlite:///{tmp_path / 'ledger.db'}"})


def dry_scan(tmp_path: Path) -> bool:
    async def main() -> bool:
        service = bootstrap(settings(tmp_path), load_rules_text(example_rules_text()),
                            gateway=InMemoryCalendarGateway(), dry_run=True)
        try:
            await service.scanner.scan()
            return service.scanner.ledger.dry_run
        finally:
            await service.aclose()

    return asyncio.run(main())


def test_a_dry_run_creates_no_ledger(tmp_path: Path) -> None:
    assert dry_scan(tmp_path)
    assert not (tmp_path / "ledger.db").exists()


def test_a_dry_run_reads_an_existing_ledger_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url, migrate=True) as ledger:
        run = ledger.start_run("replica-a", "2026-W48", dry_run=False)
    assert dry_scan(tmp_path)
    with Ledger.open(url) as ledger:
        assert [r.id for r in ledger.runs()] == [run]  # the dry run recorded no run


def test_a_dry_run_does_not_migrate_an_older_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    with Ledger.open(url, migrate=True) as ledger:
        downgrade(ledger.engine, "0001")
    with pytest.raises(ConfigError, match="does not migrate"):
        dry_scan(tmp_path)
    with Ledger.open(url) as ledger:
        assert ledger.revision() == "0001"
