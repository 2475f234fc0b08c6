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


class Daemon:
    """``slotguard run --interval 1`` with JSON logs, read line by line."""

    def __init__(self, live: Live, tmp_path: Path) -> None:
        from slotguard.config.rules import example_rules_text

        exe = shutil.which("slotguard", path=str(Path(sys.executable).parent))
        assert exe is not None
        self.rules = tmp_path / "slotguard.toml"
        self.rules.write_text(example_rules_text(), encoding="utf-8")
        env = {**os.environ, **live.env, "SLOTGUARD_LOG_FORMAT": "json",
               "SLOTGUARD_RULES_FILE": str(self.rules)}
        self.proc = subprocess.Popen([exe, "run", "--interval", "1"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: list[str] = []

    def events(self) -> list[dict[str, object]]:
        return [json.loads(x) for x in self.lines if x.strip().startswith("{")]

    def wait_for(self, event: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while sum(e.get("event") == event for e in self.events()) < count:
            assert time.monotonic() < deadline, "".join(self.lines[-20:])
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
        assert sum(e.get("event") == event for e in self.events()) >= count, \
            "".join(self.lines[-20:])

    def finish(self, timeout: float = 30) -> int:
        rest, _ = self.proc.communicate(timeout=timeout)
        self.lines.extend(rest.splitlines(keepends=True))
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()


@pytest.mark.slow
def test_sighup_reloads_the_rules_and_a_bad_file_keeps_them(live: Live, tmp_path: Path) -> None:
    daemon = Daemon(live, tmp_path)
    try:
        daemon.wait_for("scan.finished")
        good = daemon.rules.read_text(encoding="utf-8")
        daemon.rules.write_text(good + "\n[bogus]\n", encoding="utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_for("daemon.reload_rejected")
        daemon.wait_for("scan.finished", 3)  # still scanning, with the old rules
        daemon.rules.write_text(good, encoding="utf-8")
        daemon.proc.send_signal(signal.SIGHUP)
        daemon.wait_for("daemon.reloaded")
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.finish() == 0, "".join(daemon.lines[-20:])
    finally:
        daemon.kill()
    rejected = [e for e in daemon.events() if e.get("event") == "daemon.reload_rejected"]
    assert len(rejected) == 1 and "bogus: unknown key" in str(rejected[0]["problems"])


@pytest.mark.slow
def test_the_ledger_file_deleted_under_the_daemon_stops_it_loudly(live: Live,
                                                                   tmp_path: Path) -> None:
    daemon = Daemon(live, tmp_path)
    try:
        daemon.wait_for("scan.finished")
        Path(live.settings.database_url_resolved.removeprefix("sqlite:///")).unlink()
        code = daemon.finish(timeout=30)
    finally:
        daemon.kill()
    assert code == 1, "".join(daemon.lines[-20:])
    lost = [e for e in daemon.events() if e.get("event") == "daemon.ledger_unusable"]
    assert len(lost) == 1 and "was deleted" in str(lost[0]["problem"])
