#!/usr/bin/env python3
"""Set up and run slotguard from a fresh clone with nothing but Python 3.11+.

    python3 dev.py demo     # run the demo against the embedded Microsoft 365 simulator
    python3 dev.py test     # run the whole test suite
    python3 dev.py bench    # run the benchmarks under bench/
    python3 dev.py slotguard ARGS...   # any slotguard command inside the project's virtualenv

The virtualenv (.venv) is created and the project installed into it when missing or when
pyproject.toml changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".slotguard-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"slotguard needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text() != _fingerprint():
        print("dev.py: installing slotguard and its test dependencies into .venv", file=sys.stderr)
        subprocess.run(
            [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-e", f"{ROOT}[dev]"],
            check=True,
        )
        STAMP.write_text(_fingerprint())


def run(argv: list[str]) -> int:
    return subprocess.call(argv, cwd=ROOT)


def main(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    command, rest = args[0], args[1:]
    ensure_env()
    if command == "demo":
        return run([str(BIN / "slotguard"), "demo", *rest])
    if command == "test":
        return run([str(PY), "scripts/test.py", *rest])
    if command == "bench":
        return run([str(PY), "bench/run_all.py", *rest])
    if command == "slotguard":
        return run([str(BIN / "slotguard"), *rest])
    print(f"dev.py: unknown command {command!r}; use demo, test, bench or slotguard", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
