"""What ``slotguard scan --once`` prints for people and for scripts, through the command
against the simulator: a totals line, only the sellers that need a look unless ``--all``,
addresses never cut (piped, and at a terminal 40 or 200 columns wide), JSON times in ISO
8601 with the offset and the zone's name, and no library chatter on stderr."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import structlog
from tests.e2e.conftest import Live
from typer.testing import CliRunner

from slotguard import exit_codes
from slotguard.config.rules import example_rules_text
from slotguard.entrypoints.cli import app, live_cmd

# A terminal as rich sees one (TTY_COMPATIBLE), without colour codes in the captured text.
TERMINAL = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1"}


@pytest.fixture
def scan(live: Live, tmp_path: Path):  # type: ignore[no-untyped-def]
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())
    live_cmd.register(app)
    base = ["scan", "--once", "--rules", str(rules), "--week", str(live.week)]

    def run(*args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
        # The command sets up logging on the runner's stderr, which is closed after it.
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        try:
            result = CliRunner().invoke(app, [*base, *args], env=env or {})
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
            structlog.reset_defaults()
        assert result.exit_code in {exit_codes.OK, exit_codes.INCOMPLETE}, result.output
        return result.stdout, result.stderr

    return run


def all_sellers(live: Live) -> set[str]:
    return {s.upn for s in live.scan(dry_run=True).sellers}


def totals(stdout: str) -> str:
    (line,) = [x for x in stdout.splitlines() if x.startswith("totals: ")]
    return line


def test_piped_output_lists_sellers_that_need_a_look_whole_and_a_totals_line(
        live: Live, scan) -> None:  # type: ignore[no-untyped-def]
    everyone = all_sellers(live)
    stdout, _ = scan("--dry-run")
    lines = stdout.splitlines()
    listed = {upn for upn in everyone if any(line.split()[:1] == [upn] for line in lines)}
    plan = live.scan(dry_run=True)
    wanted = {s.upn for s in plan.sellers if s.needs_look()}
    assert listed == wanted and 0 < len(wanted) < len(everyone)
    line = totals(stdout)
    assert f"{len(everyone)} sellers" in line
    assert f"{plan.totals()['violations']} violations" in line
    assert f"{len(wanted)} listed; the other {len(everyone) - len(wanted)}" in line
    # Plain text for pipes: no box drawing, no line cut at rich's 80 columns.
    assert not re.search("[┃│━─┏└]", stdout)
    assert all(x == x.rstrip() for x in lines)


def test_all_lists_every_seller(live: Live, scan) -> None:  # type: ignore[no-untyped-def]
    everyone = all_sellers(live)
    stdout, _ = scan("--dry-run", "--all")
    firsts = {line.split()[0] for line in stdout.splitlines() if line.strip()}
    assert everyone <= firsts
    assert totals(stdout).endswith("every seller listed")


@pytest.mark.parametrize("columns", [40, 200])
def test_a_terminal_never_cuts_an_address(live: Live, scan, columns: int) -> None:  # type: ignore[no-untyped-def]
    plan = live.scan(dry_run=True)
    wanted = {s.upn for s in plan.sellers if s.needs_look()}
    stdout, _ = scan("--dry-run", env={**TERMINAL, "COLUMNS": str(columns)})
    stdout = re.sub(r"\x1b\[[0-9;]*m", "", stdout)  # bold and italic stay without colour
    for upn in wanted:
        assert re.search(rf"(^|[\s│┃]){re.escape(upn)}($|[\s│┃])", stdout, re.M), upn
    boxed = bool(re.search("[┃│]", stdout))
    # 200 columns hold the table; at 40 it would cut the addresses, so it comes as text.
    assert boxed is (columns == 200)
    if columns == 200:
        assert max(len(line) for line in stdout.splitlines()) <= columns


def test_json_times_are_iso_8601_with_offset_and_zone(live: Live, scan) -> None:  # type: ignore[no-untyped-def]
    stdout, _ = scan("--dry-run", "--json")
    data = json.loads(stdout)
    assert data["listing"] == "need_a_look"
    checked = 0
    for seller in data["sellers"]:
        zone = seller["zone"]
        timed = [*seller["violations"], *seller["compensations"], *seller["withdrawals"],
                 *(m for v in seller["violations"] for m in v["meetings"])]
        for item in timed:
            assert "when" not in item and "block" not in item  # display strings: tables only
            assert item["zone"] == zone
            for key in ("start", "end"):
                value = datetime.fromisoformat(item[key])
                assert value.utcoffset() == value.astimezone(ZoneInfo(zone)).utcoffset()
                assert re.search(r"T\d\d:\d\d:\d\d([+-]\d\d:\d\d)$", item[key]), item[key]
                checked += 1
        for task in seller["tasks"]:
            assert "when" not in task and task["zone"] == zone
            date.fromisoformat(task["due"])
    assert checked > 0
    datetime.fromisoformat(data["started_at"]).utcoffset()  # aware, with its offset
    assert len(data["sellers"]) < data["totals"]["sellers"]
    every = json.loads(scan("--dry-run", "--json", "--all")[0])
    assert every["listing"] == "all" and len(every["sellers"]) == every["totals"]["sellers"]


def test_a_scan_process_prints_no_alembic_lines(live: Live, tmp_path: Path) -> None:
    """A fresh ledger is migrated on the first scan; Alembic's INFO lines ("setup plugin",
    "Context impl SQLiteImpl") are its own business, not the admin's."""
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())
    env = {**os.environ, **live.env, "SLOTGUARD_LOG_LEVEL": "info"}
    proc = subprocess.run(
        [sys.executable, "-m", "slotguard", "scan", "--once", "--rules", str(rules),
         "--week", str(live.week)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode in {exit_codes.OK, exit_codes.INCOMPLETE}, proc.stderr[-2000:]
    assert "scan.finished" in proc.stderr  # slotguard's own INFO lines are there
    assert "alembic" not in proc.stderr.lower() and "setup plugin" not in proc.stderr
    assert totals(proc.stdout)


def test_a_scan_signs_in_with_a_secret_from_the_credentials_directory(
        live: Live, tmp_path: Path) -> None:
    """As under systemd's LoadCredential=: the client secret is a file in
    $CREDENTIALS_DIRECTORY, and nowhere in the environment."""
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "SLOTGUARD_CLIENT_SECRET").write_text(live.env["SLOTGUARD_CLIENT_SECRET"])
    env = {k: v for k, v in {**os.environ, **live.env}.items()
           if k != "SLOTGUARD_CLIENT_SECRET"}
    command = [sys.executable, "-m", "slotguard", "scan", "--once", "--dry-run", "--rules",
               str(rules), "--week", str(live.week)]
    proc = subprocess.run(command, env={**env, "CREDENTIALS_DIRECTORY": str(credentials)},
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == exit_codes.OK, proc.stderr[-2000:]
    assert totals(proc.stdout).startswith(f"totals: {len(all_sellers(live))} sellers")
    # Without it the scan has no credential and says so before touching Graph.
    bare = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert bare.returncode == exit_codes.BAD_INPUT
    assert "SLOTGUARD_CLIENT_SECRET: not set" in bare.stderr


def test_the_ledger_lists_sellers_whole_when_piped(live: Live, scan) -> None:  # type: ignore[no-untyped-def]
    recorded = {s.upn for s in live.scan(dry_run=True).sellers if s.violations}
    scan()
    result = CliRunner().invoke(app, ["ledger"])
    assert result.exit_code == 0, result.output
    firsts = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert recorded and recorded <= firsts
    assert not re.search("[┃│━─┏└]", result.stdout)
