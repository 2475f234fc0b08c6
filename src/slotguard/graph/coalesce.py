"""``BatchWriter``: single requests of many concurrently running sellers, coalesced into
$batch round trips.

A scan writes a few requests per seller (compensation POSTs, the To Do list lookup and
create, the task POST), each awaited by its own seller. Sent one by one, every request
costs its own round trip and several milliseconds of CPU in the SDK's HTTP stack; here
they wait a short window for company and go out up to 20 to a $batch through the same
pipeline (auth, middleware, the envelope's retries). To each caller it behaves like
``Pipeline.send``:

- A request takes its mailbox's slot in the pipeline before it queues and keeps it until
  its batch answers, so a mailbox never has more than 4 requests at Graph at once, plain
  or batched, and never more than 4 items in one batch.
- 2xx → the body. 429 → sent again alone after its Retry-After. 5xx or no answer → a
  GET or DELETE is sent again alone; a POST gets TransientGraphError and is not repeated
  blindly: the write-ahead protocol looks before writing again.
  Other statuses → the error translation plain requests get (errors.classify).
- A request that finds no company in its window goes out as a plain request: a lone
  seller pays nothing for the batching.

Event POSTs stay idempotent inside a batch through their transactionId; To Do creates have
none, and their callers look first whenever a previous attempt may have written.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation

from slotguard.errors import AuthError, SlotguardError, TransientGraphError
from slotguard.graph.batch import MAX_BATCH, MAX_PER_MAILBOX, BatchCall, BatchResult, send_envelope
from slotguard.graph.errors import Target
from slotguard.graph.pipeline import Pipeline

log = structlog.get_logger("slotguard.graph")

DEFAULT_WINDOW = 0.005  # seconds a request waits for others; small against Graph's latency

Build = Callable[[], RequestInformation]
_NO_SLOT = contextlib.nullcontext()
_REPEATABLE = frozenset({Method.GET, Method.DELETE})


@dataclass(eq=False, slots=True)
class _Queued:
    request: RequestInformation
    mailbox: str | None
    target: Target
    idempotent: bool
    answer: asyncio.Future[BatchResult | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    # None as an answer: "go out as a plain request" (nothing to share a batch with).

    @property
    def repeatable(self) -> bool:
        """A GET changed nothing, and a DELETE done twice deletes once: either may go
        again whatever happened to it; a POST may not."""
        return self.request.http_method in _REPEATABLE


@dataclass(slots=True)
class WriterStats:
    batches: int = 0  # $batch envelopes sent
    batched: int = 0  # requests that went out as batch items
    alone: int = 0  # requests that went out on their own (no company, or a retry)


class BatchWriter:
    def __init__(self, pipeline: Pipeline, *, window: float = DEFAULT_WINDOW,
                 max_items: int = MAX_BATCH) -> None:
        self.pipeline = pipeline
        self.window = max(0.0, window)
        self.max_items = max(1, min(max_items, MAX_BATCH))
        self.stats = WriterStats()
        self._queue: list[_Queued] = []
        self._timer: asyncio.Handle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def send(self, build: Build, *, mailbox: str | None,
                   target: Target = Target.MAILBOX, idempotent: bool = True) -> bytes | None:
        """``Pipeline.send`` for one request (a mailbox's, or None for the directory),
        possibly as a $batch item."""
        async with self.pipeline.mailbox_slot(mailbox) if mailbox else _NO_SLOT:
            item = _Queued(build(), mailbox, target, idempotent)
            self._queue.append(item)
            self._schedule()
            result = await item.answer
        # The slot is given back first: a request sent alone takes its own in the pipeline.
        if result is None:
            self.stats.alone += 1
            return await self.pipeline.send(build, mailbox=mailbox, target=target,
                                            idempotent=idempotent)
        if result.error is None:
            return result.body or None
        error = result.error
        if isinstance(error, TransientGraphError) and (
                error.status == 429 or (idempotent and item.repeatable)):
            wait = self.pipeline.policy.wait_before_retry(1, error.retry_after)
            if wait is not None:
                log.info("graph.batch_item_retry", mailbox=mailbox, status=error.status,
                         code=error.code, wait_seconds=round(wait, 3))
                await self.pipeline.sleep(wait)
                self.stats.alone += 1
                return await self.pipeline.send(build, mailbox=mailbox, target=target,
                                                idempotent=idempotent, attempts_made=1)
        raise error

    async def aclose(self) -> None:
        """Wait for batches in flight (their callers are waiting for them anyway)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._flush()
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    # -- the queue -----------------------------------------------------------------------

    def _schedule(self) -> None:
        if len(self._queue) >= self.max_items:
            self._flush(full_only=True)
        if self._queue and self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = (loop.call_later(self.window, self._on_timer) if self.window
                           else loop.call_soon(self._on_timer))

    def _on_timer(self) -> None:
        self._timer = None
        self._flush()

    def _flush(self, *, full_only: bool = False) -> None:
        """Cut the queue into batches (≤ 20 items, ≤ 4 per mailbox) and send them;
        ``full_only`` sends only full batches and leaves the rest for the window."""
        waiting = [q for q in self._queue if not q.answer.done()]  # cancelled callers
        batches = _cut(waiting, self.max_items)
        if full_only:
            ready = [b for b in batches if len(b) >= self.max_items]
            sent = {id(q) for b in ready for q in b}
            self._queue = [q for q in waiting if id(q) not in sent]
            batches = ready
        else:
            self._queue = []
        for batch in batches:
            if len(batch) == 1:
                batch[0].answer.set_result(None)  # alone: a plain request is cheaper
                continue
            task = asyncio.get_running_loop().create_task(self._send(batch))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Queued]) -> None:
        calls = [BatchCall(str(i), q.request, q.mailbox, q.target)
                 for i, q in enumerate(batch, 1)]
        # Sent again whole only when every item may be: after a 5xx or a lost answer nobody
        # knows which POSTs Graph carried out, and their callers look first.
        idempotent = all(q.idempotent and q.repeatable for q in batch)
        try:
            self.stats.batches += 1
            self.stats.batched += len(batch)
            results = {r.id: r for r in await send_envelope(self.pipeline, calls,
                                                            idempotent=idempotent)}
        except AuthError as error:
            _answer_all(batch, error)
            return
        except SlotguardError as error:
            if idempotent:  # the pipeline retried the whole envelope as far as allowed
                _answer_all(batch, error)
                return
            # Writes inside: the envelope was not sent again on a 5xx. Each item gets the
            # failure as its own answer, so a read among them may still go again alone.
            for call, q in zip(calls, batch, strict=True):
                if not q.answer.done():
                    q.answer.set_result(BatchResult(call.id, getattr(error, "status", 0) or 0,
                                                    error=error))
            return
        except BaseException as error:  # cancelled, or a bug: no caller waits forever
            _answer_all(batch, error)
            raise
        log.debug("graph.batch_sent", items=len(batch), writes=sum(not q.idempotent for q in batch))
        for call, q in zip(calls, batch, strict=True):
            if not q.answer.done():
                q.answer.set_result(results[call.id])


def _cut(queue: list[_Queued], size: int) -> list[list[_Queued]]:
    """In arrival order, batches of at most ``size`` with at most 4 items per mailbox (the
    mailbox slots already keep it so; checked here too, as Graph refuses a fifth)."""
    out: list[list[_Queued]] = []
    per_box: list[Counter[str]] = []
    for q in queue:
        box = q.mailbox.lower() if q.mailbox else None
        for batch, boxes in zip(out, per_box, strict=True):
            if len(batch) < size and (box is None or boxes[box] < MAX_PER_MAILBOX):
                break
        else:
            batch, boxes = [], Counter()
            out.append(batch)
            per_box.append(boxes)
        batch.append(q)
        if box is not None:
            boxes[box] += 1
    return out


def _answer_all(batch: list[_Queued], error: BaseException) -> None:
    for q in batch:
        if not q.answer.done():
            q.answer.set_exception(error)
