"""Where a process starts: the ``slotguard`` command (cli/), the daemon, the demo, the
admin's checks (preflight, doctor), table rendering, and the bootstrap that wires the
adapters into the service. Nothing in the service imports from here."""
