"""Wiring: settings + rules → the gateway, the ledger, the clock and the scanner. Real
adapters by default; tests and the demo inject their own (the in-memory gateway, a ledger
on a temporary file, a fixed clock). A dry run wraps whichever are used in the adapters
that record instead of writing (``slotguard.dryrun``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slotguard.config.rules import RulesFile
from slotguard.config.settings import Settings
from slotguard.dryrun import dry_run as dry_run_adapters
from slotguard.entrypoints.identity import Identity, claim_identity
from slotguard.errors import ConfigError
from slotguard.ports import CalendarGateway, Clock
from slotguard.service.clock import SystemClock
from slotguard.service.scan import Scanner
from slotguard.service.sellers import roster_from
from slotguard.store.ledger import Ledger


@dataclass
class Service:
    settings: Settings
    rules_file: RulesFile
    gateway: CalendarGateway
    ledger: Ledger
    clock: Clock
    scanner: Scanner
    _owned: tuple[Any, ...] = ()

    async def aclose(self) -> None:
        for thing in self._owned:
            if isinstance(thing, Ledger):
                thing.close()
            elif isinstance(thing, Identity):
                thing.release()
            elif hasattr(thing, "aclose"):
                await thing.aclose()


SELLERS_PER_BATCH_SLOT = 20  # a $batch carries up to 20 requests


def sellers_in_flight(settings: Settings, gateway: CalendarGateway) -> int:
    """Reads come in $batch for the whole wave; what is left per seller is mostly one
    request at a time. A gateway that coalesces those into $batch (GraphGateway with a
    writer) fills CONCURRENCY batches of 20 with as many sellers at once; otherwise
    CONCURRENCY sellers fill the budget. The adapter holds every mailbox to
    MAILBOX_CONCURRENCY either way."""
    slots = max(1, settings.concurrency)
    if getattr(gateway, "writer", None) is not None:
        return slots * SELLERS_PER_BATCH_SLOT
    return slots


def open_ledger(settings: Settings, clock: Clock, *, dry_run: bool) -> Ledger:
    """The ledger a run keeps. A dry run reads the one there is, as it is — neither
    created nor migrated — or, when there is none, an empty one in memory."""
    url = settings.database_url_resolved
    if not dry_run:
        return Ledger.open(url, clock, migrate=True)
    found = Ledger.open_existing(url, clock)
    if found is None:
        return Ledger.open("sqlite://", clock, migrate=True)
    if found.needs_upgrade():
        found.close()
        raise ConfigError([f"SLOTGUARD_DATABASE_URL: the ledger at "
                           f"{settings.database_url_display} is from an older slotguard and "
                           "a dry run does not migrate it; run once without --dry-run "
                           "(or `slotguard ledger`) to migrate it first"])
    return found


def bootstrap(settings: Settings, rules_file: RulesFile, gateway: CalendarGateway | None = None,
              ledger: Ledger | None = None, clock: Clock | None = None, *,
              dry_run: bool | None = None) -> Service:
    """Build the service. What is created here is closed by ``Service.aclose``; injected
    parts stay the caller's. ``dry_run``: default SLOTGUARD_DRY_RUN."""
    dry = settings.dry_run if dry_run is None else dry_run
    owned: list[Any] = []
    clock = clock or SystemClock()
    if gateway is None:
        settings.require_credentials()
    # Only the owner can read the state: the ledger names sellers and their calendars.
    settings.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    identity = claim_identity(settings.state_dir, settings.replica_id)
    owned.append(identity)
    if ledger is None:
        try:
            ledger = open_ledger(settings, clock, dry_run=dry)
        except Exception:
            identity.release()
            raise
        owned.append(ledger)
    if gateway is None:
        from slotguard.graph import build_gateway

        gateway = build_gateway(settings)
        owned.append(gateway)
    # A dry run reads through the adapters and keeps what it would write to itself.
    scan_gateway, scan_ledger = dry_run_adapters(gateway, ledger) if dry else (gateway, ledger)
    scanner = Scanner(
        gateway=scan_gateway,
        ledger=scan_ledger,
        rules=rules_file.rules,
        roster=roster_from(rules_file, gateway),
        clock=clock,
        replica=identity.replica,
        concurrency=sellers_in_flight(settings, gateway),
        lease_seconds=float(settings.lease_seconds),
        personal_data=settings.log_personal_data,
        tasks_enabled=rules_file.follow_up_enabled,
        texts=rules_file.texts,
    )
    return Service(settings, rules_file, gateway, ledger, clock, scanner, tuple(owned))
