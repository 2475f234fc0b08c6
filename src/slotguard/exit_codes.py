"""What slotguard's commands exit with. Scripts, cron and Kubernetes read these, so they
are part of the interface: docs/configuration.md lists them, and a new meaning gets a new
number rather than a changed one."""

from __future__ import annotations

OK = 0  # done, and nothing that was due failed
FAILED = 1  # the command could not do its job: sign-in, the ledger, Graph out of reach
BAD_INPUT = 2  # settings, rules or arguments are wrong: one line each, nothing written
# The cycle ran, but some of its work is not done: a write Graph refused or that failed, a
# seller that could not be read or whose lease was lost. The next cycle retries it.
INCOMPLETE = 3
# Nothing was processed: every seller was held by another replica (or a predecessor whose
# leases have not lapsed yet).
NOTHING_DONE = 4
