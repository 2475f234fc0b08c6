"""The clocks the service reads ``now`` from: the system's, and a fixed one that tests,
benchmarks and replays set by hand (a real switch, not a monkeypatch)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """Always ``instant`` (aware, UTC) until someone moves it."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant
