"""``python -m slotguard``: the same command as the ``slotguard`` script."""

from slotguard.cli import main

main()
