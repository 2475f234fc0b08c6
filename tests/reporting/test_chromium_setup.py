"""scripts/chromium.py on a machine without Chromium: as root with apt-get it installs
Debian's package, with nothing asked on standard input; elsewhere it says it cannot.

The apt-get here is a stand-in on PATH that records its arguments and "installs" a
chromium beside itself, so nothing is downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
FAKE_APT = """#!/bin/sh
PATH=/usr/bin:/bin
echo "$@" >> "$(dirname "$0")/apt.log"
if [ "$1" = install ]; then
  printf '#!/bin/sh\\n' > "$(dirname "$0")/chromium"
  chmod +x "$(dirname "$0")/chromium"
fi
"""


def ensure(path: Path) -> str:
    env = {"PATH": str(path), "HOME": str(path)}
    done = subprocess.run(
        [sys.executable, "-c", "import chromium; print(chromium.ensure())"],
        cwd=SCRIPTS, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=60, check=True)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(os.geteuid() != 0, reason="installing needs root, as CI has")
def test_a_missing_chromium_is_installed_with_apt_get(tmp_path: Path) -> None:
    apt = tmp_path / "apt-get"
    apt.write_text(FAKE_APT)
    apt.chmod(0o755)
    assert ensure(tmp_path) == str(tmp_path / "chromium")
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq chromium fonts-liberation"]
    assert ensure(tmp_path) == str(tmp_path / "chromium")  # found now: not installed again
    assert len((tmp_path / "apt.log").read_text().splitlines()) == 2


def test_without_apt_get_it_says_it_cannot(tmp_path: Path) -> None:
    assert ensure(tmp_path) == "None"
