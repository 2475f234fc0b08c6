"""Run every benchmark script in bench/ (``python3 dev.py bench``), one after the other,
each in its own interpreter with its default arguments; modules starting with "_" are
helpers, not benchmarks.

    .venv/bin/python bench/run_all.py            # all of them
    .venv/bin/python bench/run_all.py cycle      # only those whose name contains "cycle"
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(filters: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py")
                   if not p.name.startswith("_") and p.name != Path(__file__).name)
    return [p for p in found if not filters or any(f in p.stem for f in filters)]


def main(argv: list[str]) -> int:
    chosen = scripts(argv)
    if not chosen:
        print(f"run_all: no benchmark matches {argv}", file=sys.stderr)
        return 2
    failed = []
    for script in chosen:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: exit {code}, {time.perf_counter() - started:.1f} s\n",
              flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"run_all: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
