"""Every Graph request slotguard makes goes through ``Pipeline.send``: concurrency limits
(global and per mailbox), retries honouring Retry-After, one fresh-token retry on 401 and
the translation of failures into slotguard's errors — each in exactly one place.

The SDK's RetryHandler is left in the middleware chain with retries off: it sleeps with
``asyncio.sleep`` directly (no test can skip the wait), reads Retry-After as an integer
only ("2.128" falls through to backoff) and has no cap below 180 s.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from slotguard.errors import AuthError, TransientGraphError
from slotguard.graph.errors import Target, translate

Sleep = Callable[[float], Awaitable[None]]
ERROR_MAP: dict[str, Any] = {"XXX": ODataError}
MAX_MAILBOX_CONCURRENCY = 4  # Outlook's own limit per app and mailbox

log = structlog.get_logger("slotguard.graph")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first try; waits never exceed ``max_wait`` seconds."""

    max_attempts: int = 4
    max_wait: float = 30.0
    base_delay: float = 0.5

    def wait_before_retry(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up. A
        Retry-After above ``max_wait`` gives up rather than retrying early: Graph keeps
        counting requests made while it is throttling."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        backoff = self.base_delay * 2 ** (attempt - 1)
        return min(self.max_wait, backoff * (1 + random.random() / 4))


class TokenInvalidator(Protocol):
    """What the pipeline needs of the token provider after a 401."""

    def invalidate(self, rejected_token: str | None) -> None: ...


class Pipeline:
    def __init__(
        self,
        adapter: Any,
        tokens: TokenInvalidator,
        policy: RetryPolicy,
        *,
        concurrency: int = 32,
        mailbox_concurrency: int = MAX_MAILBOX_CONCURRENCY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.adapter = adapter
        self._tokens = tokens
        self.policy = policy
        self.sleep = sleep
        self._global = asyncio.Semaphore(max(1, concurrency))
        self._mailbox_limit = max(1, min(mailbox_concurrency, MAX_MAILBOX_CONCURRENCY))
        # Per mailbox with requests waiting or in flight: its semaphore and how many use it.
        self._mailboxes: dict[str, list[Any]] = {}
        self.requests_sent = 0

    async def send(
        self,
        build: Callable[[], RequestInformation],
        *,
        mailbox: str | None = None,
        target: Target = Target.ANY,
        idempotent: bool = True,
        attempts_made: int = 0,
    ) -> bytes | None:
        """Send the request ``build()`` describes and return the body bytes (None for an
        empty body). ``build`` is called per attempt so no header (Authorization, above
        all) leaks from a failed attempt into the next. ``idempotent=False`` retries only
        what Graph cannot have carried out (429, 401); 5xx and network failures surface so
        the caller can look before it writes again. ``attempts_made`` counts tries already
        spent elsewhere (as a $batch item) against the retry policy."""
        who = mailbox or ""
        refreshed = False
        attempt = max(0, attempts_made)
        while True:
            attempt += 1
            request = build()
            try:
                async with self._limits(mailbox):
                    self.requests_sent += 1
                    return await self.adapter.send_primitive_async(request, "bytes", ERROR_MAP)
            except Exception as exc:
                original: BaseException = exc
                error = translate(exc, target=target, who=who)
            if isinstance(error, AuthError) and error.status == 401 and not refreshed:
                refreshed = True
                self._tokens.invalidate(_bearer(request))
                log.info("graph.token_refused", mailbox=who or None)
                continue
            if isinstance(error, TransientGraphError) and (idempotent or error.status == 429):
                wait = self.policy.wait_before_retry(attempt, error.retry_after)
                if wait is not None:
                    log.info(
                        "graph.retry", mailbox=who or None, status=error.status,
                        code=error.code, attempt=attempt, wait_seconds=round(wait, 3),
                    )
                    await self.sleep(wait)
                    continue
            if error is original:
                raise error
            raise error from original

    def mailbox_slot(self, mailbox: str) -> MailboxSlot:
        """One of ``mailbox``'s slots for a request in flight (``async with``), shared by
        plain requests and $batch items (batch.py's BatchWriter holds it per item), so the
        mailbox never has more than MAILBOX_CONCURRENCY requests at Graph at once."""
        return MailboxSlot(self._mailboxes, mailbox.lower(), self._mailbox_limit)

    def _limits(self, mailbox: str | None) -> _Limits:
        return _Limits(self.mailbox_slot(mailbox) if mailbox else None, self._global)


class MailboxSlot:
    """A mailbox's semaphore, made when a request for the mailbox arrives and dropped
    when the last one using it leaves: a scan touches every seller's mailbox once a
    cycle, and keeping a semaphore for each of thousands of them between cycles was
    memory for nothing."""

    __slots__ = ("_entry", "_key", "_limit", "_table")

    def __init__(self, table: dict[str, list[Any]], key: str, limit: int) -> None:
        self._table, self._key, self._limit = table, key, limit
        self._entry: list[Any] | None = None

    async def __aenter__(self) -> None:
        entry = self._table.get(self._key)
        if entry is None:
            entry = self._table[self._key] = [asyncio.Semaphore(self._limit), 0]
        entry[1] += 1  # counted while waiting too: the semaphore stays while anyone needs it
        self._entry = entry
        try:
            await entry[0].acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(self, *exc: object) -> None:
        assert self._entry is not None
        self._entry[0].release()
        self._leave()

    def _leave(self) -> None:
        assert self._entry is not None
        self._entry[1] -= 1
        if self._entry[1] == 0 and self._table.get(self._key) is self._entry:
            del self._table[self._key]
        self._entry = None


class _Limits:
    """Mailbox slot first, then a global one: a request queued behind its own mailbox
    must not hold a global slot other mailboxes could use."""

    __slots__ = ("_global", "_mailbox")

    def __init__(self, mailbox: MailboxSlot | None, global_: asyncio.Semaphore) -> None:
        self._mailbox, self._global = mailbox, global_

    async def __aenter__(self) -> None:
        if self._mailbox is not None:
            await self._mailbox.__aenter__()
        try:
            await self._global.acquire()
        except BaseException:
            if self._mailbox is not None:
                await self._mailbox.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._global.release()
        if self._mailbox is not None:
            await self._mailbox.__aexit__(None, None, None)


def _bearer(request: RequestInformation) -> str | None:
    values = request.headers.get("Authorization") if request.headers else None
    for value in values or ():
        if value.startswith("Bearer "):
            return value[len("Bearer "):]
    return None


def request_config(
    params: Any = None, *, prefer: str | None = None, headers: dict[str, str] | None = None
) -> RequestConfiguration[Any]:
    """A builder's request configuration: query parameters, Prefer and other headers."""
    config: RequestConfiguration[Any] = RequestConfiguration(query_parameters=params, options=[])
    if prefer:
        config.headers.add("Prefer", prefer)
    for name, value in (headers or {}).items():
        config.headers.add(name, value)
    return config


def utc_param(moment: datetime) -> str:
    """A query-string instant (startDateTime...): UTC with a "Z", seconds precision."""
    if moment.tzinfo is None:
        raise ValueError("calendar window bounds must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
