"""The pure policy core: no I/O, no SDK types, no clock."""
