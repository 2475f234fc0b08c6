"""Throttling and faults, configured per run and reproducible from a seed.

Exchange Online limits each app to 4 concurrent requests and 10,000 requests per 10 minutes
per mailbox (learn.microsoft.com/graph/throttling-limits#outlook-service-limits); the 5th
concurrent request gets 429 "Application is over its MailboxConcurrency limit." with a
Retry-After header. On top of that a run can add random 429/503/504 answers, latency and
exact rules ("the 2nd GET on erik.holm's calendarView answers 503 once").
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from slotguard.sim.graph_errors import GraphProblem, throttled


@dataclass(frozen=True, slots=True)
class FaultRule:
    """Answer matching Graph requests with ``status``. ``skip`` lets that many matches pass
    first; ``times`` is how many answers are faulted (None: all). ``code`` and ``message``
    give the error body (e.g. a 400 Graph answers for bad input); without them each
    status has its usual one."""

    status: int
    method: str | None = None
    path_contains: str | None = None
    mailbox: str | None = None
    in_batch: bool | None = None
    skip: int = 0
    times: int | None = 1
    retry_after: float | None = None
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class FaultOptions:
    seed: int = 0
    throttle_rate: float = 0.0
    unavailable_rate: float = 0.0
    gateway_timeout_rate: float = 0.0
    retry_after: float = 1.0
    latency: float = 0.0  # seconds added to every Graph request
    latency_jitter: float = 0.0  # plus uniform(0, jitter) seconds
    mailbox_concurrency: int | None = 4
    mailbox_budget: int | None = None  # requests per mailbox per budget_window
    budget_window: float = 600.0
    rules: tuple[FaultRule, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rules"] = [asdict(r) for r in self.rules]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault option(s) {unknown}; known: {sorted(known)}")
        rules = tuple(FaultRule(**r) for r in data.get("rules") or ())
        return cls(**{**{k: v for k, v in data.items() if k != "rules"}, "rules": rules})

    @classmethod
    def parse(cls, text: str) -> FaultOptions:
        """'throttle_rate=0.05,latency=0.02,seed=7' as given on the command line."""
        base = cls()
        values: dict[str, Any] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep or not hasattr(base, key) or key == "rules":
                raise ValueError(
                    f"--faults: '{item}' is not name=value with a known name "
                    f"(e.g. throttle_rate=0.05,latency=0.02,seed=7)"
                )
            current = getattr(base, key)
            if raw.strip().lower() in ("none", ""):
                values[key] = None
            else:
                values[key] = type(current)(raw) if current is not None else int(raw)
        return replace(base, **values)


@dataclass(slots=True)
class _RuleState:
    seen: int = 0
    fired: int = 0


class Faults:
    """Runs inside the server's event loop; only ``configure`` is called from other threads
    (it swaps state in one assignment)."""

    def __init__(self, options: FaultOptions | None = None) -> None:
        self.configure(options or FaultOptions())

    def configure(self, options: FaultOptions) -> None:
        self.options = options
        self._rng = random.Random(options.seed)
        self._rule_state = [_RuleState() for _ in options.rules]
        self._in_flight: dict[str, int] = defaultdict(int)
        self._budget: dict[str, tuple[float, int]] = {}

    def check(
        self, method: str, path: str, mailbox: str | None, in_batch: bool
    ) -> GraphProblem | None:
        """The fault to answer with instead of serving the request, if any."""
        opts = self.options
        for rule, state in zip(opts.rules, self._rule_state, strict=True):
            if not _matches(rule, method, path, mailbox, in_batch):
                continue
            state.seen += 1
            if state.seen <= rule.skip or (rule.times is not None and state.fired >= rule.times):
                continue
            state.fired += 1
            if rule.code is not None:
                return GraphProblem(rule.status, rule.code, rule.message or rule.code)
            return _fault(
                rule.status, rule.retry_after if rule.retry_after is not None else opts.retry_after
            )
        if mailbox is not None and opts.mailbox_budget is not None:
            now = time.monotonic()
            started, count = self._budget.get(mailbox, (now, 0))
            if now - started >= opts.budget_window:
                started, count = now, 0
            if count >= opts.mailbox_budget:
                wait = max(1.0, round(opts.budget_window - (now - started), 3))
                return throttled(wait, "Application is over its MailboxRequestLimit limit.")
            self._budget[mailbox] = (started, count + 1)
        roll = self._rng.random()
        for status, rate in (
            (429, opts.throttle_rate),
            (503, opts.unavailable_rate),
            (504, opts.gateway_timeout_rate),
        ):
            if roll < rate:
                return _fault(status, opts.retry_after)
            roll -= rate
        return None

    def enter(self, mailbox: str | None) -> GraphProblem | None:
        """Take a concurrency slot for ``mailbox``; a 429 if all are taken."""
        limit = self.options.mailbox_concurrency
        if mailbox is None:
            return None
        if limit is not None and self._in_flight[mailbox] >= limit:
            return throttled(
                self.options.retry_after, "Application is over its MailboxConcurrency limit."
            )
        self._in_flight[mailbox] += 1
        return None

    def leave(self, mailbox: str | None) -> None:
        if mailbox is not None and self._in_flight.get(mailbox, 0) > 0:
            self._in_flight[mailbox] -= 1

    async def delay(self) -> None:
        opts = self.options
        seconds = opts.latency + (
            self._rng.uniform(0, opts.latency_jitter) if opts.latency_jitter else 0
        )
        if seconds > 0:
            await asyncio.sleep(seconds)


def _matches(rule: FaultRule, method: str, path: str, mailbox: str | None, in_batch: bool) -> bool:
    if rule.method and rule.method.upper() != method.upper():
        return False
    if rule.path_contains and rule.path_contains.lower() not in path.lower():
        return False
    if rule.mailbox and (mailbox or "").lower() != rule.mailbox.lower():
        return False
    return rule.in_batch is None or rule.in_batch == in_batch


def _fault(status: int, retry_after: float) -> GraphProblem:
    if status == 429:
        return GraphProblem(
            429, "TooManyRequests", "Too many requests.", {"Retry-After": _num(retry_after)}
        )
    if status == 503:
        return GraphProblem(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
            {"Retry-After": _num(retry_after)},
        )
    if status == 504:
        return GraphProblem(504, "UnknownError", "Gateway Timeout")
    if status == 401:
        return GraphProblem(
            401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
        )
    if status == 404:
        return GraphProblem(
            404, "ErrorItemNotFound", "The specified object was not found in the store."
        )
    return GraphProblem(status, "UnknownError", "An internal server error occurred.")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
