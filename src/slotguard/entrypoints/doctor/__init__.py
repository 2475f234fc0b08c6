"""``slotguard doctor``: the admin's preflight against the real tenant, before writes are
switched on. It reads what a scan reads — and, with ``--write-test``, writes what a scan
writes into one test mailbox and deletes it again — and reports per check whether the scan
will work, and the fix where it will not. It never touches the ledger or the state
directory."""

from slotguard.entrypoints.doctor.report import Check, DoctorReport, Finding, Status
from slotguard.entrypoints.doctor.run import diagnose

__all__ = ["Check", "DoctorReport", "Finding", "Status", "diagnose"]
