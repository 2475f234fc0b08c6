"""``python -m slotguard``: the same command as the ``slotguard`` script."""

from slotguard.entrypoints.cli import main

main()
