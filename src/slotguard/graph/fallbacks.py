"""What Graph turned out to do where Microsoft's documentation is silent, learnt at run time.

slotguard asks first the way that costs least (an $expand on a collection, a recurrence zone
as given) and notices when the tenant does not go along: a 400 for the request, or an own
event that comes back without its marker. From then on it takes the documented way round
for the rest of the process. Each switch is logged once, when it is first taken, as
``graph.fallback_engaged`` with the fallback's name — not per seller, not per cycle.
"""

from __future__ import annotations

from enum import StrEnum

import structlog

log = structlog.get_logger("slotguard.graph")


class Fallback(StrEnum):
    # calendarView and /events drop the marker $expand: own events are found with the
    # documented $filter and read one by one (GET /events/{id} with the $expand).
    LIST_EXPAND_IGNORED = "list_expand_ignored"
    # ... or answer 400 to it: the same, and the $expand is no longer sent.
    LIST_EXPAND_REFUSED = "list_expand_refused"
    # To Do refuses $expand=linkedResources together with $select: the $select goes.
    TASK_EXPAND_WITH_SELECT = "task_expand_with_select_refused"
    # ... or refuses the $expand altogether: linked resources are read task by task.
    TASK_EXPAND = "task_expand_refused"
    # A todoTask recurrence with recurrenceTimeZone is refused: the zone is left out (the
    # recurrence then follows the due date's zone).
    TASK_RECURRENCE_ZONE = "task_recurrence_zone_refused"
    # An event series' recurrenceTimeZone is refused: left out, the series follows the
    # zone of its start ("if not specified, the time zone of the event is used").
    EVENT_RECURRENCE_ZONE = "event_recurrence_zone_refused"
    # A repeated transactionId answers 409: the event is looked up by its marker instead.
    TRANSACTION_CONFLICT = "transaction_id_conflict"
    # A delta round began with empty pages carrying only a nextLink: followed, in $batch
    # round trips shared by every seller still waiting for a deltaLink.
    DELTA_EMPTY_PAGES = "delta_empty_first_pages"


class Fallbacks:
    """The fallbacks one gateway has taken (one per process: the daemon keeps it)."""

    def __init__(self) -> None:
        self._taken: set[Fallback] = set()

    def __contains__(self, fallback: Fallback) -> bool:
        return fallback in self._taken

    def take(self, fallback: Fallback, **context: object) -> None:
        if fallback in self._taken:
            return
        self._taken.add(fallback)
        log.warning("graph.fallback_engaged", fallback=fallback.value, **context)
