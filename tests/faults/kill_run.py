"""``slotguard run`` in a process of its own that kills itself with SIGKILL at a chosen
point (SGTEST_KILL, as in kill_scan): ``python -m tests.faults.kill_run --interval N``.
The daemon's weekly job runs first, so ``write_after:k`` with a small k dies in the middle
of it, with some block series written and the job's claim taken."""

from __future__ import annotations

import sys

from tests.faults.kill_scan import install

from slotguard.entrypoints.cli import main

if __name__ == "__main__":
    install()
    sys.argv = ["slotguard", "run", *sys.argv[1:]]
    main()
