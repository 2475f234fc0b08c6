"""What the admin decides: environment settings (``settings``) and the rules file (``rules``).

Import the submodules directly; this package does no I/O and imports nothing heavy.
"""
