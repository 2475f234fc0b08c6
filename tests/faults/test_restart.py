"""A process SIGKILLed mid-work and started again resumes at once: it is the same replica
(the stable default id), so its predecessor's seller leases and weekly claim are its own —
no interval lost waiting for them to lapse, nothing written twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.faults.harness import (
    Tenant,
    assert_exactly_once,
    assert_no_duplicates,
    marker_key,
    outcome,
    scan_once,
)

from slotguard.sim.faults import FaultOptions
from slotguard.sim.server import SimServer
from slotguard.store.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 3.0


@pytest.mark.slow
def test_scan_killed_mid_cycle_then_rerun_resumes_without_waiting(
        small_tenant: Tenant, small_sim: SimServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    env = small_tenant.env(small_sim, db, SLOTGUARD_LOG_LEVEL="warning",
                           SGTEST_CLOCK=small_tenant.clock.instant.isoformat(),
                           SGTEST_WEEK=str(small_tenant.week), SGTEST_KILL="ledger:6")
    killed = subprocess.run([sys.executable, "-m", "tests.faults.kill_scan"], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with Ledger.open(db) as ledger:
        assert ledger.leases(include_expired=True), "the killed scan held no leases"
    report = scan_once(small_tenant, env)  # at once: the leases have not lapsed
    assert report.totals()["leased"] == 0, report.totals()
    assert report.exit_status() == 0
    assert_exactly_once(outcome(small_sim.tenant, db, small_tenant.sellers))


def _daemon(env: dict[str, str], module: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*module, "--interval", str(INTERVAL)], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _series(sim: SimServer, sellers: list[str]) -> Counter[str]:
    keys: Counter[str] = Counter()
    for upn in sellers:
        for event in sim.tenant.events_of(upn):
            key = marker_key(event)
            if key is not None and key.endswith("|series"):
                keys[key] += 1
    return keys


@pytest.mark.slow
def test_run_killed_mid_weekly_job_then_restarted_completes_within_an_interval(
        tmp_path: Path) -> None:
    tenant = Tenant.generate(60, seed=5, folder=tmp_path / "tenant")
    with SimServer(scenario=tenant.scenario, anchor=datetime.now(UTC).date(),
                   state_dir=tmp_path / "sim", faults=FaultOptions(retry_after=0.01)) as sim:
        db = f"sqlite:///{tmp_path / 'ledger.db'}"
        env = tenant.env(sim, db, SLOTGUARD_LOG_FORMAT="json")
        expected = {f"{upn.lower()}|{team['blockStart'].replace(':', '')}-"
                    f"{team['blockEnd'].replace(':', '')}|series"
                    for team in tenant.scenario["meta"]["teams"] for upn in team["sellers"]}
        killed = _daemon({**env, "SGTEST_KILL": "write_after:21"},
                         [sys.executable, "-m", "tests.faults.kill_run"])
        out, _ = killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL, out[-2000:]
        assert sum(_series(sim, tenant.sellers).values()) > 0
        with Ledger.open(db) as ledger:  # the job's claim taken, the job not done
            done = [a for a in ledger.actions() if a.kind == "block_series"
                    and a.state == "done"]
            assert len(done) < len(expected)
            assert not ledger.claim_once("weekly", str(tenant.week), "someone-else",
                                         ttl_seconds=3600)

        exe = shutil.which("slotguard", path=str(Path(sys.executable).parent))
        assert exe is not None
        restarted = _daemon(env, [exe, "run"])
        began = time.monotonic()
        lines: list[str] = []
        try:
            assert restarted.stdout is not None
            while time.monotonic() - began < 60:
                line = restarted.stdout.readline()
                if not line:
                    break
                lines.append(line)
                if any('"weekly.finished"' in x for x in lines) and any(
                        '"scan.finished"' in x for x in lines):
                    break
            took = time.monotonic() - began
            restarted.send_signal(signal.SIGTERM)
            rest, _ = restarted.communicate(timeout=60)
            lines.extend(rest.splitlines())
        finally:
            if restarted.poll() is None:
                restarted.kill()
        log = "".join(lines[-30:])
        assert not any('"weekly.claimed_elsewhere"' in x for x in lines), log
        assert any('"weekly.finished"' in x for x in lines), log
        assert took < INTERVAL + 30, took
        series = _series(sim, tenant.sellers)
        assert set(series) == expected and all(n == 1 for n in series.values()), series
        assert_no_duplicates(outcome(sim.tenant, db, tenant.sellers))
