"""`slotguard run` as a process under the simulator: two intervals, then SIGTERM → exit 0."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.e2e.conftest import Live


@pytest.mark.slow
def test_daemon_runs_two_intervals_and_exits_cleanly_on_sigterm(live: Live,
                                                                 tmp_path: Path) -> None:
    exe = shutil.which("slotguard", path=str(Path(sys.executable).parent))
    assert exe is not None
    rules = tmp_path / "slotguard.toml"
    from slotguard.config.rules import example_rules_text

    rules.write_text(example_rules_text(), encoding="utf-8")
    env = {**os.environ, **live.env, "SLOTGUARD_LOG_FORMAT": "json",
           "SLOTGUARD_RULES_FILE": str(rules), "SLOTGUARD_REPLICA_ID": "e2e-daemon"}
    proc = subprocess.Popen([exe, "run", "--interval", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if sum('"scan.finished"' in x for x in lines) >= 2:
                break
        assert sum('"scan.finished"' in x for x in lines) >= 2, "".join(lines[-20:])
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
        lines.extend(rest.splitlines())
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(lines[-20:])
    events = [json.loads(x).get("event") for x in lines if x.strip().startswith("{")]
    assert "daemon.stopped" in events
    # meeting subjects are logged only with SLOTGUARD_LOG_PERSONAL_DATA
    assert not any('"subjects"' in line for line in lines)
