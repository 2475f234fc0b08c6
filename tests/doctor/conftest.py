"""``slotguard doctor`` through its command line against the simulator over HTTPS: the real
settings loader, msal and msgraph-sdk, the simulator's tenant changed per test to show
each failure a real tenant can have."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
import typer
from typer.testing import CliRunner

from slotguard.config.rules import example_rules_text
from slotguard.entrypoints.cli import doctor_cmd
from slotguard.sim.faults import FaultOptions
from slotguard.sim.quirks import Quirks
from slotguard.sim.server import SimServer

ANNA = "anna.berg@contoso.com"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimServer]:
    state = tmp_path_factory.mktemp("sim")
    with SimServer(scenario="demo", anchor=datetime.now(UTC).date(), state_dir=state) as server:
        yield server


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    report: dict[str, Any] = field(default_factory=dict)

    def check(self, id: str) -> dict[str, Any]:
        return next(c for c in self.report["checks"] if c["id"] == id)

    def status(self, id: str) -> str:
        return str(self.check(id)["status"])

    def finding(self, id: str, what: str) -> dict[str, Any]:
        """The finding of check ``id`` whose text contains ``what``."""
        found = [f for f in self.check(id)["findings"] if what in f["what"]]
        assert len(found) == 1, (what, self.check(id))
        return found[0]


class Doctor:
    def __init__(self, sim: SimServer, folder: Path) -> None:
        self.sim, self.folder = sim, folder
        self.rules = folder / "slotguard.toml"
        self.rules.write_text(example_rules_text())
        self.env = {**sim.env(), "SLOTGUARD_STATE_DIR": str(folder / "state"),
                    "SLOTGUARD_RULES_FILE": str(self.rules)}
        self.app = typer.Typer()
        doctor_cmd.register(self.app)
        self.app.command("unused")(lambda: None)  # more than one command: "doctor" is named

    def grant(self, *roles: str) -> None:
        next(iter(self.sim.tenant.apps.values())).roles = roles

    def run(self, *args: str, **env: str | None) -> Outcome:
        result = CliRunner().invoke(self.app, ["doctor", *args], env={**self.env, **env})
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def report(self, *args: str, **env: str | None) -> Outcome:
        outcome = self.run("--json", *args, **env)
        assert outcome.out.startswith("{"), (outcome.out, outcome.err)
        outcome.report = json.loads(outcome.out)
        return outcome


@pytest.fixture
def doctor(sim: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           ) -> Iterator[Doctor]:
    for name in list(os.environ):
        if name.upper().startswith("SLOTGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    sim.load_scenario("demo")
    sim.set_faults(FaultOptions())
    sim.set_quirks(Quirks())
    sim.clear_requests()
    yield Doctor(sim, tmp_path)
    # The command quietens logging to errors for its process; later tests log as before.
    structlog.reset_defaults()
