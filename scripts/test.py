"""The whole check, as CI runs it: static checks first, then pytest.

Runs inside the project's virtualenv (dev.py makes sure it exists). A PostgreSQL server for
the replica tests is found or started by scripts/postgres.py; its URL reaches the tests as
SLOTGUARD_TEST_POSTGRES_URL. Headless Chromium for the HTML report's checks is found or
installed by scripts/chromium.py; its path reaches the tests as SLOTGUARD_TEST_CHROMIUM.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def step(name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
    print(f"== {name}", flush=True)
    code = subprocess.call(argv, cwd=ROOT, env=env)
    if code != 0:
        print(f"== {name} failed (exit {code})", flush=True)
        sys.exit(code)


def main(args: list[str]) -> int:
    env = dict(os.environ)
    sys.path.insert(0, str(ROOT / "scripts"))
    import chromium  # helper scripts beside this one, importable once scripts/ is on the path
    import postgres

    url = postgres.ensure()
    if url:
        env["SLOTGUARD_TEST_POSTGRES_URL"] = url
    if browser := chromium.ensure():
        env[chromium.ENV] = browser
    if not args:
        step("ruff", [str(BIN / "ruff"), "check", "src", "tests", "bench", "scripts"])
        step("import-linter", [str(BIN / "lint-imports")])
        step("mypy (strict; the Graph adapter and the simulator not yet)", [str(BIN / "mypy")])
    step("pytest", [sys.executable, "-m", "pytest", "-q", *args], env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
