"""The smallest reads that show whether the app reaches a seller's calendar and To Do, for
``slotguard doctor``: one calendarView item, one task list. They go through the gateway's
``send`` like every other request (batched with other sellers', retried, translated), so a
seller that fails here fails the scan for the same reason."""

from __future__ import annotations

from datetime import datetime

from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.todo.lists.lists_request_builder import ListsRequestBuilder

from slotguard.graph.errors import Target
from slotguard.graph.gateway import GraphGateway
from slotguard.graph.pipeline import request_config, utc_param


async def read_calendar(gateway: GraphGateway, upn: str, start: datetime,
                        end: datetime) -> None:
    """One calendarView item of [start, end) (api/user-list-calendarview)."""
    view = gateway.client.users.by_user_id(upn).calendar_view
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=utc_param(start), end_date_time=utc_param(end), top=1, select=["id"])
    await gateway.send(lambda: view.to_get_request_information(request_config(params)),
                       mailbox=upn, target=Target.MAILBOX)


async def read_task_lists(gateway: GraphGateway, upn: str) -> None:
    """One of the seller's To Do lists (api/todo-list-lists)."""
    lists = gateway.client.users.by_user_id(upn).todo.lists
    params = ListsRequestBuilder.ListsRequestBuilderGetQueryParameters(top=1, select=["id"])
    await gateway.send(lambda: lists.to_get_request_information(request_config(params)),
                       mailbox=upn, target=Target.MAILBOX)
