"""The command itself: its version, ``python -m slotguard``, and shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def slotguard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m slotguard ARGS`` in a process of its own, as a shell would start it."""
    return subprocess.run([sys.executable, "-m", "slotguard", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_version() -> None:
    done = slotguard("--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"slotguard {VERSION}\n", "")


def test_python_m_slotguard_is_the_command() -> None:
    done = slotguard("--help")
    assert done.returncode == 0
    assert "Usage: slotguard " in done.stdout  # not "__main__.py"
    for command in ("check-config", "scan", "run", "ledger", "health"):
        assert command in done.stdout


def test_completion_options_are_offered() -> None:
    done = slotguard("--help")
    assert "--install-completion" in done.stdout and "--show-completion" in done.stdout


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("slotguard sc", "1", "scan"),
    ("slotguard check", "1", "check-config"),
    ("slotguard scan --dr", "2", "--dry-run"),
    ("slotguard scan --al", "2", "--all"),
])
def test_bash_completion_completes_commands_and_options(words: str, cword: str,
                                                        expected: str) -> None:
    """What the script from ``--show-completion bash`` asks the program at each TAB."""
    done = slotguard(env={"_SLOTGUARD_COMPLETE": "complete_bash", "COMP_WORDS": words,
                          "COMP_CWORD": cword})
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout.split()
