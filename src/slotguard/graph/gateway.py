"""``GraphGateway``: the CalendarGateway port over msgraph-sdk request builders.

Requests are described by the SDK's builders (URL templates, query parameters, headers,
auth, middleware) and sent through ``Pipeline`` as raw bytes; responses are decoded with
msgspec (decode.py, mailbox.py, reads.py) rather than into the SDK's slow models.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog
from msgraph import GraphServiceClient
from msgraph.generated.groups.item.transitive_members.graph_user.graph_user_request_builder import (
    GraphUserRequestBuilder,
)
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder
from msgraph.generated.users.item.events.item.event_item_request_builder import (
    EventItemRequestBuilder,
)

from slotguard.domain.model import CalendarEvent, OwnMarker
from slotguard.errors import BadGraphData, GraphError, SlotguardError, TransientGraphError
from slotguard.graph import reads, writes
from slotguard.graph.batch import BatchCall, send_batch
from slotguard.graph.coalesce import BatchWriter
from slotguard.graph.create import create_recurring
from slotguard.graph.decode import EventPage, decode_event, decode_event_page
from slotguard.graph.delta import WindowState, WindowSync
from slotguard.graph.errors import ItemNotFound, Target
from slotguard.graph.fallbacks import Fallback, Fallbacks
from slotguard.graph.mailbox import decode_mailbox
from slotguard.graph.marker import EXPAND_MARKER, filter_by_key
from slotguard.graph.own import OwnEvents, own_prefix_filter
from slotguard.graph.pipeline import Pipeline, request_config, utc_param
from slotguard.graph.todo import TodoGateway
from slotguard.ports import GroupMembers, Mailbox, NewEvent, NewTask, WindowRequest

log = structlog.get_logger("slotguard.graph")

# calendarView allows $top up to 1000: one round trip for almost any seller-week.
PAGE_SIZE = 1000
EVENT_FIELDS = [
    "id", "subject", "start", "end", "showAs", "responseStatus", "isCancelled", "isAllDay",
    "attendees", "organizer", "isOrganizer", "categories", "sensitivity", "seriesMasterId",
    "webLink", "type",
]
PREFER_UTC = 'outlook.timezone="UTC"'
MAILBOX = Target.MAILBOX


class GraphGateway:
    def __init__(
        self,
        client: GraphServiceClient,
        pipeline: Pipeline,
        *,
        close: Callable[[], Awaitable[None]] | None = None,
        mailbox_ttl_seconds: float = 3600.0,
        group_ttl_seconds: float = 900.0,
        monotonic: Callable[[], float] = time.monotonic,
        writer: BatchWriter | None = None,
    ) -> None:
        self.client = client
        self.pipeline = pipeline
        # Requests for one mailbox (lookups, writes, To Do) go through the writer when
        # there is one: concurrent sellers' requests then share $batch round trips.
        self.writer = writer
        self._close = close
        self._now = monotonic
        self._mailboxes = reads.TtlCache[str, Mailbox](mailbox_ttl_seconds, monotonic)
        self._groups = reads.TtlCache[str, GroupMembers](group_ttl_seconds, monotonic)
        # What this tenant's Graph does where Microsoft documents nothing (fallbacks.py).
        self.fallbacks = Fallbacks()
        self.own = OwnEvents(self.fallbacks, self.own_event_ids, self.own_event)
        self._todo = TodoGateway(client, pipeline, self.send, self.fallbacks)
        # Events Graph sent that could not be read, per seller, until the scan takes them.
        self._unreadable: dict[str, list[str]] = {}

    async def aclose(self) -> None:
        if self.writer is not None:
            await self.writer.aclose()
        if self._close is not None:
            await self._close()

    async def send(self, build: Callable[[], Any], *, mailbox: str | None,
                   target: Target = MAILBOX, idempotent: bool = True) -> bytes | None:
        """One request for ``mailbox`` (None: the directory): batched with others' when a
        writer is configured, otherwise a plain ``Pipeline.send`` (same retries and errors
        either way)."""
        if self.writer is not None:
            return await self.writer.send(build, mailbox=mailbox, target=target,
                                          idempotent=idempotent)
        return await self.pipeline.send(build, mailbox=mailbox, target=target,
                                        idempotent=idempotent)

    # -- directory -------------------------------------------------------------------

    async def group_members(self, group_id: str) -> GroupMembers:
        cached = self._groups.get(group_id)
        if cached is not None:
            return cached
        users = self.client.groups.by_group_id(group_id).transitive_members.graph_user
        # A type cast on a directory collection is an "advanced query": Graph documents it
        # with $count=true and ConsistencyLevel: eventual.
        params = GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            select=["id", "userPrincipalName", "accountEnabled"], top=999, count=True
        )
        found = reads.group_members(await reads.collect(
            self.send, users, params, reads.decode_users, mailbox=None,
            target=Target.DIRECTORY, headers={"ConsistencyLevel": "eventual"}))
        self._groups.put(group_id, found)
        return found

    async def mailbox(self, upn: str) -> Mailbox:
        cached = self._mailboxes.get(upn.lower())
        if cached is not None:
            return cached
        builder = self.client.users.by_user_id(upn).mailbox_settings
        raw = await self.send(
            lambda: builder.to_get_request_information(request_config()),
            mailbox=upn, target=MAILBOX,
        )
        result = decode_mailbox(upn, raw or b"{}")
        self._mailboxes.put(upn.lower(), result)
        return result

    async def mailboxes(self, upns: Sequence[str]) -> dict[str, Mailbox | SlotguardError]:
        """Many sellers' mailbox settings in $batch round trips (20 per batch), cached
        like ``mailbox``; a seller whose mailbox cannot be read gets its error instead."""
        out: dict[str, Mailbox | SlotguardError] = {}
        calls: list[BatchCall] = []
        for upn in upns:
            cached = self._mailboxes.get(upn.lower())
            if cached is not None:
                out[upn] = cached
                continue
            info = self.client.users.by_user_id(upn).mailbox_settings.to_get_request_information(
                request_config()
            )
            calls.append(BatchCall(str(len(calls) + 1), info, mailbox=upn))
        results = await send_batch(self.pipeline, calls)
        for call in calls:
            upn, result = str(call.mailbox), results[call.id]
            if result.error is not None:
                out[upn] = result.error
                continue
            try:
                mailbox = decode_mailbox(upn, result.body)
            except BadGraphData as exc:
                out[upn] = exc
                continue
            self._mailboxes.put(upn.lower(), mailbox)
            out[upn] = mailbox
        return out

    # -- reading events ----------------------------------------------------------------

    async def events(self, upn: str, start: datetime, end: datetime) -> list[CalendarEvent]:
        """Occurrences, exceptions and single events in [start, end), in UTC, all pages,
        own events with their marker (own.py: whatever Graph does with the $expand)."""
        events, _ = await self.read_view(upn, start, end, {})
        return events

    async def read_view(self, upn: str, start: datetime, end: datetime,
                        known: Mapping[str, OwnMarker], *, refusal: GraphError | None = None,
                        ) -> tuple[list[CalendarEvent], frozenset[str] | None]:
        """``events`` with the markers the ledger knows (``known``, by event id), and the
        ids of the seller's own events if they had to be looked up (OwnEvents.complete).
        ``refusal``: the 400 a first page with the marker $expand has just met."""
        view = self.client.users.by_user_id(upn).calendar_view
        page: EventPage | None = None
        if self.own.expand is not None and refusal is None:
            try:
                page = await self._event_pages(upn, view, self._view_params(start, end))
            except GraphError as error:
                if error.status != 400:
                    raise
                refusal = error
        if page is None:
            page = await self._event_pages(upn, view,
                                           self._view_params(start, end, expand=False))
            if refusal is not None:  # the same read without the $expand went through
                self.own.refused(refusal, "calendarView")
        return await self.own.complete(upn, page.events, page.organized, known)

    def calendar_view_request(self, upn: str, start: datetime, end: datetime) -> Any:
        """The first calendarView page's request, for a $batch item (delta.py)."""
        view = self.client.users.by_user_id(upn).calendar_view
        return view.to_get_request_information(
            request_config(self._view_params(start, end), prefer=PREFER_UTC))

    def note_skipped(self, upn: str, page: EventPage) -> None:
        for item in page.skipped:
            self._unreadable.setdefault(upn.lower(), []).append(
                f"event {item.event_id or '(no id)'}: {item.reason}")
            log.warning("graph.event_skipped", seller=upn, event_id=item.event_id,
                        field=item.field)

    def take_unreadable(self, upn: str) -> list[str]:
        """What could not be read of the seller's events since the last call, one line
        each. A skipped customer meeting may hide a violation, so the scan reports them."""
        return self._unreadable.pop(upn.lower(), [])

    def _view_params(self, start: datetime, end: datetime, expand: bool = True) -> Any:
        return CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=utc_param(start), end_date_time=utc_param(end), top=PAGE_SIZE,
            select=EVENT_FIELDS, expand=self.own.expand if expand else None,
        )

    async def windows(
        self, requests: Sequence[WindowRequest]
    ) -> dict[str, WindowState | SlotguardError]:
        """Many sellers' calendar windows through calendarView delta (delta.py): the
        scan's read, one batch item per unchanged calendar."""
        return await WindowSync(self).sync_many(requests)

    async def own_events(self, upn: str, key: str) -> list[CalendarEvent]:
        """slotguard's events (single events and series masters) carrying ``key``: the
        documented $filter, with the marker $expand while Graph honours it there."""
        events = self.client.users.by_user_id(upn).events

        def params(expand: list[str] | None) -> Any:
            return EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(
                filter=filter_by_key(key), expand=expand, select=EVENT_FIELDS, top=50)

        expand = self.own.expand
        try:
            page = await self._event_pages(upn, events, params(expand))
        except GraphError as error:
            if error.status != 400 or expand is None:
                raise
            page = await self._event_pages(upn, events, params(None))
            self.own.refused(error, "/events")
        found = await self.own.confirm(upn, page.events)
        # Value matching in Graph filters is case-insensitive; keys are not.
        return [e for e in found if e.marker is not None and e.marker.key == key]

    async def own_event_ids(self, upn: str) -> set[str]:
        """Ids of every single event and series master carrying one of the seller's keys
        (the documented $filter; its answer holds no property)."""
        events = self.client.users.by_user_id(upn).events
        params = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(
            filter=own_prefix_filter(upn), select=["id"], top=PAGE_SIZE)
        items = await reads.collect(self.send, events, params, reads.decode_ids,
                                    mailbox=upn, target=MAILBOX)
        return set(items)

    async def _event_pages(self, upn: str, root: Any, params: Any) -> EventPage:
        """Every page from ``root`` with ``params``, as one page."""
        out = EventPage()
        link: str | None = None
        while True:
            page = await self._event_page(upn, root.with_url(link) if link else root,
                                          None if link else params)
            out.events.extend(page.events)
            out.organized |= page.organized
            self.note_skipped(upn, page)
            if not page.next_link:
                return out
            link = page.next_link

    async def _event_page(self, upn: str, builder: Any, params: Any) -> EventPage:
        raw = await self.send(
            lambda: builder.to_get_request_information(request_config(params, prefer=PREFER_UTC)),
            mailbox=upn, target=MAILBOX,
        )
        return decode_event_page(raw or b"{}")

    async def event(self, upn: str, event_id: str) -> CalendarEvent | None:
        """Any event by id, with its subject and link."""
        return await self.own_event(upn, event_id)

    async def own_event(self, upn: str, event_id: str) -> CalendarEvent | None:
        item = self.client.users.by_user_id(upn).events.by_event_id(event_id)
        params = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(
            select=EVENT_FIELDS, expand=[EXPAND_MARKER]
        )
        try:
            raw = await self.send(
                lambda: item.to_get_request_information(request_config(params, prefer=PREFER_UTC)),
                mailbox=upn, target=MAILBOX,
            )
        except ItemNotFound:
            return None
        return decode_event(raw or b"{}")

    # -- writing events ----------------------------------------------------------------

    async def create_event(self, upn: str, event: NewEvent) -> str:
        """One attempt to create ``event``, with its key's transactionId. An event already
        carrying the key is returned instead when Exchange refuses the transactionId as a
        duplicate. The caller looks for an earlier attempt's event first, and again after
        a 5xx or no answer (service/apply.py): a POST is never repeated blindly here."""
        events = self.client.users.by_user_id(upn).events

        async def find() -> str | None:
            existing = await self.own_events(upn, event.key)
            if not existing:
                return None
            log.debug("graph.event_exists", seller=upn, key=event.key, event_id=existing[0].id)
            return existing[0].id

        def conflict(error: GraphError) -> None:
            if error.status == 409:
                self.fallbacks.take(Fallback.TRANSACTION_CONFLICT, code=error.code)

        event_id, created = await create_recurring(
            self.send, upn, events,
            lambda zone: writes.event_body(event, recurrence_zone=zone), find, "event",
            fallbacks=self.fallbacks,
            fallback=Fallback.EVENT_RECURRENCE_ZONE, refused=(400, 409), resolved=conflict)
        if created:
            log.debug("graph.event_created", seller=upn, key=event.key, event_id=event_id)
        return event_id

    async def delete_event(self, upn: str, event_id: str) -> None:
        """Delete one of slotguard's events; anything without our marker is refused, and
        an event already gone counts as deleted."""
        current = await self.own_event(upn, event_id)
        if current is None:
            log.info("graph.event_already_gone", seller=upn, event_id=event_id)
            return
        if current.marker is None:
            raise GraphError(
                f"event {event_id} of {upn} does not carry slotguard's marker; not deleting"
                " an event slotguard did not create",
                code="NotSlotguardEvent",
            )
        item = self.client.users.by_user_id(upn).events.by_event_id(event_id)
        with contextlib.suppress(ItemNotFound):  # gone meanwhile: just as good
            await self.send(
                lambda: item.to_delete_request_information(request_config()),
                mailbox=upn, target=MAILBOX,
            )
        log.info("graph.event_deleted", seller=upn, key=current.marker.key, event_id=event_id)

    # -- To Do (todo.py) -------------------------------------------------------------

    async def ensure_task_list(self, upn: str, name: str) -> str:
        return await self._todo.ensure_task_list(upn, name)

    async def find_task(self, upn: str, list_id: str, key: str) -> str | None:
        return await self._todo.find_task(upn, list_id, key)

    async def task_keys(self, upn: str, list_id: str) -> dict[str, str]:
        return await self._todo.task_keys(upn, list_id)

    async def create_task(self, upn: str, list_id: str, task: NewTask) -> str:
        return await self._todo.create_task(upn, list_id, task)

    async def before_retry(self, attempt: int, error: TransientGraphError) -> bool:
        """The pipeline's retry policy for a write that met a 5xx or no answer: wait and
        say so, or False when it gives up."""
        wait = self.pipeline.policy.wait_before_retry(attempt, error.retry_after)
        if wait is None:
            return False
        await self.pipeline.sleep(wait)
        return True

    # -- mail ----------------------------------------------------------------------------

    async def send_mail(self, sender: str, to: Sequence[str], subject: str, body: str) -> None:
        builder = self.client.users.by_user_id(sender).send_mail
        payload = writes.mail_body(to, subject, body)
        await self.pipeline.send(
            lambda: writes.post_request(builder, payload),
            mailbox=sender, target=MAILBOX, idempotent=False,
        )
