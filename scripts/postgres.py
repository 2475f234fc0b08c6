"""Find or start the PostgreSQL server the replica tests use.

Order: SLOTGUARD_TEST_POSTGRES_URL if set; a server already answering on 127.0.0.1:5432;
a Debian cluster started with pg_ctlcluster; as root on Debian, the server installed with
apt-get first. Returns the URL, or None (the PostgreSQL tests then skip and say why).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _start_debian_cluster() -> None:
    etc = Path("/etc/postgresql")
    if not etc.is_dir() or not shutil.which("pg_ctlcluster"):
        return
    for version in sorted(p.name for p in etc.iterdir()):
        subprocess.call(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )


def _install_debian_server() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.call(["apt-get", "update", "-qq"], env=env, stdout=subprocess.DEVNULL)
    subprocess.call(["apt-get", "install", "-y", "-qq", "postgresql"], env=env,
                    stdout=subprocess.DEVNULL)


def ensure() -> str | None:
    if url := os.environ.get("SLOTGUARD_TEST_POSTGRES_URL"):
        return url
    if _answers():
        return DEFAULT_URL
    _start_debian_cluster()
    if not _answers():
        _install_debian_server()
        _start_debian_cluster()
    if _answers():
        return DEFAULT_URL
    print("postgres: no server could be found or started; PostgreSQL tests will skip")
    return None
