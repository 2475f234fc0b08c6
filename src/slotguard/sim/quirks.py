"""Where Microsoft documents nothing, the simulator can behave each plausible way.

Every behaviour slotguard relies on that Graph's reference leaves open is one switch here,
with what the documentation says and what it leaves open. The default is the behaviour
the simulator always had; tests, ``slotguard sim --quirks`` and a scenario's ``"quirks"``
object turn the others on, and the product must work with every combination.

The switches live on the tenant (``Tenant.quirks``): a scenario describes its tenant, and
loading another scenario brings that scenario's switches.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from slotguard.sim.graph_errors import GraphProblem

ListExpand = Literal["honoured", "ignored", "refused"]
TaskExpand = Literal["honoured", "refused_with_select", "refused"]
Refusal = Literal["accepted", "refused"]
Repeat = Literal["first_event", "conflict"]
Organizer = Literal["upn", "primary_smtp"]


@dataclass(frozen=True, slots=True)
class Quirks:
    collection_extended_expand: ListExpand = "honoured"
    """``$expand=singleValueExtendedProperties($filter=id eq ...)`` on a collection of
    events (calendarView, /events, /instances). learn.microsoft.com/graph/api/
    singlevaluelegacyextendedproperty-get documents the $expand for a single resource
    instance (GET /events/{id}) and the ``$filter=singleValueExtendedProperties/Any(...)``
    for collections, whose response "does not include the extended property"; what a
    collection does with the $expand is not said. ``ignored``: events come back without
    the properties (slotguard's own events then look like anyone's); ``refused``: 400."""

    task_list_expand: TaskExpand = "honoured"
    """``$expand=linkedResources`` when listing a To Do list's tasks. learn.microsoft.com/
    graph/api/todotasklist-list-tasks says the method "supports some of the OData query
    parameters" without naming them; linked resources are documented per task
    (todotask-list-linkedresources). ``refused_with_select``: 400 when $select comes with
    the $expand; ``refused``: 400 for the $expand in any form."""

    task_recurrence_zone: Refusal = "accepted"
    """A todoTask ``recurrence`` whose range carries ``recurrenceTimeZone``. The todoTask
    resource types recurrence as patternedRecurrence (whose range has the property), but
    no todoTask example in the reference sends a recurrence at all. ``refused``: 400."""

    event_recurrence_iana_zone: Refusal = "accepted"
    """An IANA name in an event series' ``recurrence.range.recurrenceTimeZone``.
    datetimetimezone lists the IANA names Graph accepts in ``start``/``end``;
    recurrencerange types recurrenceTimeZone as a plain string ("time zone for the
    startDate and endDate properties", optional) without saying which names it takes.
    ``refused``: 400 for a name that is not a Windows zone name."""

    repeated_transaction_id: Repeat = "first_event"
    """A POST /events repeating a ``transactionId`` already used in the mailbox. The event
    resource says the id is there "for the server to avoid redundant POST operations in
    case of client retries", not what the repeated POST gets back. ``first_event``: 201
    with the first POST's event; ``conflict``: 409 and nothing created."""

    organizer_address: Organizer = "upn"
    """The address in ``organizer.emailAddress`` of the mailbox owner's own events. The
    recipient and emailAddress types say only "the email address"; Exchange has the
    primary SMTP address, which need not be the UPN. ``primary_smtp``: the owner's
    ``mail`` (from the scenario, else ``<name>@mail.<upn domain>``) instead of the UPN."""

    delta_empty_pages: int = 0
    """Pages with no items and only an ``@odata.nextLink`` at the start of every
    calendarView delta round. event-delta documents the nextLink/deltaLink protocol, not
    whether a page may be empty or how many in a row; Microsoft's product team called
    empty pages with only a nextLink "expected behavior" and said to keep following the
    nextLinks until a deltaLink comes (microsoftgraph/microsoft-graph-docs-contrib#1316,
    note added to delta-query-overview by microsoftgraph/microsoft-graph-docs#21635)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            allowed = _ALLOWED.get(f.name)
            if allowed is not None and value not in allowed:
                raise ValueError(f"quirks.{f.name}: {value!r} is not one of {sorted(allowed)}")
        if not isinstance(self.delta_empty_pages, int) or not 0 <= self.delta_empty_pages <= 50:
            raise ValueError("quirks.delta_empty_pages: a whole number from 0 to 50")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quirks:
        try:
            return cls(**data)
        except TypeError as exc:  # a name that is not a switch
            names = ", ".join(f.name for f in fields(cls))
            wrong = str(exc).rpartition(" ")[2]
            raise ValueError(f"{wrong} is not a quirk; known: {names}") from None

    @classmethod
    def parse(cls, text: str) -> Quirks:
        """'collection_extended_expand=ignored,delta_empty_pages=2' as given on the command
        line."""
        values: dict[str, Any] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = item.partition("=")
            key, raw = key.strip(), raw.strip()
            if not sep or key not in {f.name for f in fields(cls)}:
                raise ValueError(f"--quirks: '{item}' is not name=value with a known name "
                                 f"(known: {', '.join(f.name for f in fields(cls))})")
            values[key] = int(raw) if key == "delta_empty_pages" and raw.isdigit() else raw
        return replace(cls(), **values)


_ALLOWED: dict[str, frozenset[str]] = {
    "collection_extended_expand": frozenset({"honoured", "ignored", "refused"}),
    "task_list_expand": frozenset({"honoured", "refused_with_select", "refused"}),
    "task_recurrence_zone": frozenset({"accepted", "refused"}),
    "event_recurrence_iana_zone": frozenset({"accepted", "refused"}),
    "repeated_transaction_id": frozenset({"first_event", "conflict"}),
    "organizer_address": frozenset({"upn", "primary_smtp"}),
}


def unsupported_query(detail: str) -> GraphProblem:
    """How the simulator refuses a query option a switch says Graph refuses."""
    return GraphProblem(400, "ErrorInvalidUrlQuery", f"The query option is not supported: {detail}")
