"""Creating an item with one POST.

A POST that met a 5xx or no answer may have landed, so it is never repeated blindly here
(``idempotent=False``: the pipeline retries only 429 and 401 on its own): the error goes
to the caller, whose apply step looks for the item before it writes again
(service/apply.py). Events and To Do lists and tasks all create this way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from slotguard.errors import GraphError
from slotguard.graph import reads, writes
from slotguard.graph.errors import Target
from slotguard.graph.fallbacks import Fallback, Fallbacks

Send = Callable[..., Awaitable[bytes | None]]


async def create_once(send: Send, upn: str, builder: Any, body: Any,
                      find: Callable[[], Awaitable[str | None]], entity: str, *,
                      refused: Collection[int] = (),
                      resolved: Callable[[GraphError], None] | None = None,
                      ) -> tuple[str, bool]:
    """(id, created): POST ``body`` through ``builder``. A POST refused with a status in
    ``refused`` is looked up with ``find`` (an event's transactionId that Exchange still
    remembers can be refused as a duplicate): what ``find`` gives then is the answer (and
    ``resolved`` hears of the refusal), else the refusal stands."""
    try:
        raw = await send(lambda: writes.post_request(builder, body),
                         mailbox=upn, target=Target.MAILBOX, idempotent=False)
    except GraphError as exc:
        if exc.status not in refused:
            raise
        existing = await find()
        if existing is None:
            raise
        if resolved is not None:
            resolved(exc)
        return existing, False
    return reads.decode_id(raw, entity), True


async def create_recurring(send: Send, upn: str, builder: Any,
                           body: Callable[[bool], Any], find: Callable[[], Awaitable[str | None]],
                           entity: str, *, fallbacks: Fallbacks,
                           fallback: Fallback, refused: Collection[int] = (),
                           resolved: Callable[[GraphError], None] | None = None,
                           ) -> tuple[str, bool]:
    """``create_once`` for an item whose ``body(with_zone)`` may carry a recurrence time
    zone. The zone goes along until the tenant refuses one (``fallback``); a 400 for a body
    with it wrote nothing, so the same item goes again at once without it."""
    first = body(fallback not in fallbacks)
    try:
        return await create_once(send, upn, builder, first, find, entity,
                                 refused=refused, resolved=resolved)
    except GraphError as error:
        if error.status != 400 or not writes.has_recurrence_zone(first):
            raise
        created = await create_once(send, upn, builder, body(False), find, entity,
                                    refused=refused, resolved=resolved)
        fallbacks.take(fallback, code=error.code)
        return created
