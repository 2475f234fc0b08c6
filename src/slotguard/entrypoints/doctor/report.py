"""What ``slotguard doctor`` found: one ``Check`` per thing it checked, each with its
result and the fix, and under it the ``Finding``s — sellers (or groups, or behaviours)
grouped by what is wrong with them, so a thousand sellers make one line of counts and
the failing ones are each named once, never a thousand lines of "ok"."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slotguard import exit_codes


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but the admin should know (a certificate that expires soon)
    FAIL = "fail"
    SKIPPED = "skipped"  # could not be checked because an earlier check failed


_RANK = {Status.OK: 0, Status.SKIPPED: 1, Status.WARN: 2, Status.FAIL: 3}


def worst(statuses: list[Status], default: Status = Status.OK) -> Status:
    return max(statuses, key=_RANK.__getitem__, default=default)


@dataclass
class Finding:
    """``items`` (seller addresses, group ids, ...) that share ``what`` and ``fix``."""

    what: str
    fix: str = ""
    items: list[str] = field(default_factory=list)
    status: Status = Status.FAIL
    # The run-time fallback (graph/fallbacks.py) the scan takes for what was found.
    fallback: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "what": self.what, "fix": self.fix,
                "items": self.items, "fallback": self.fallback}


class Findings:
    """Items collected under the finding they share (same what, fix and status)."""

    def __init__(self) -> None:
        self._by: dict[tuple[str, str, Status], Finding] = {}

    def add(self, what: str, fix: str, item: str, status: Status = Status.FAIL) -> None:
        key = (what, fix, status)
        self._by.setdefault(key, Finding(what, fix, [], status)).items.append(item)

    def all(self) -> list[Finding]:
        return list(self._by.values())


@dataclass
class Check:
    id: str
    title: str
    summary: str
    status: Status = Status.OK
    fix: str = ""
    findings: list[Finding] = field(default_factory=list)

    def settle(self) -> Check:
        """The check's status as its worst finding's, if worse."""
        self.status = worst([self.status, *(f.status for f in self.findings)])
        return self

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status.value,
                "summary": self.summary, "fix": self.fix,
                "findings": [f.to_json() for f in self.findings]}


def skipped(id: str, title: str, why: str) -> Check:
    return Check(id, title, why, Status.SKIPPED)


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst([c.status for c in self.checks])

    def exit_status(self) -> int:
        """0 when nothing failed (warnings pass), else 1."""
        return exit_codes.FAILED if self.status is Status.FAIL else exit_codes.OK

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "exit_code": self.exit_status(),
                "checks": [c.to_json() for c in self.checks]}
