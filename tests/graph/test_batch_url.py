"""A batch item's URL comes from ``builder_url``: for every request shape the scan batches,
it must be exactly what kiota's URI-template engine makes of the same request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_abstractions.request_information import RequestInformation
from msgraph import GraphServiceClient
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from stduritemplate import StdUriTemplate

from slotguard.graph import writes
from slotguard.graph.batch import BatchCall, _expand_query, _item, builder_url
from slotguard.graph.pipeline import request_config

USERS = ["anna.berg@contoso.com", "o'brien+sales@emea.contoso.com", "åsa.öberg@contoso.com",
         "a b/c?d#e%f@contoso.com", "plain"]
LIST_ID = "AAMkAGI2TG93AAA=/+x"
EVENT_ID = "AAMkAD-_ZmU3=="


def client() -> Any:
    return GraphServiceClient(AnonymousAuthenticationProvider())


def shapes(upn: str) -> list[Callable[[], RequestInformation]]:
    user = client().users.by_user_id(upn)
    lists = user.todo.lists
    tasks = lists.by_todo_task_list_id(LIST_ID).tasks
    item = user.events.by_event_id(EVENT_ID)
    delta = user.calendar_view.delta
    params = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
        start_date_time="2026-11-23T00:00:00Z", end_date_time="2026-12-07T00:00:00Z",
        select=["id", "start"])
    return [
        lambda: writes.post_request(user.events, {"subject": "x"}),
        lambda: writes.post_request(lists, {"displayName": "x"}),
        lambda: writes.post_request(tasks, {"title": "x"}),
        lambda: user.mailbox_settings.to_get_request_information(request_config()),
        lambda: item.to_delete_request_information(request_config()),
        lambda: delta.to_get_request_information(request_config(params, prefer="x")),
        lambda: user.calendar_view.to_get_request_information(request_config(
            CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
                start_date_time="2026-11-23T00:00:00Z", end_date_time="2026-12-07T00:00:00Z",
                top=1000, select=["id", "start", "end"],
                expand=["singleValueExtendedProperties($filter=id eq 'String {6a1c} Name k')"],
            ))),
        lambda: delta.with_url(
            "https://graph.microsoft.com/v1.0/users/x/calendarView/delta?$deltatoken=a%2Fb"
        ).to_get_request_information(request_config()),
    ]


@pytest.mark.parametrize("upn", USERS)
def test_builder_url_equals_kiotas_expansion(upn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = []
    for build in shapes(upn):
        slow = build()
        slow.path_parameters["baseurl"] = ""
        expected.append(slow.url)
    expand = StdUriTemplate.expand
    expanded: list[str] = []

    def counted(template: str, data: Any) -> str:
        expanded.append(template)
        return expand(template, data)

    monkeypatch.setattr(StdUriTemplate, "expand", counted)
    _expand_query.cache_clear()
    for _ in range(2):
        for build, url in zip(shapes(upn), expected, strict=True):
            fast = build()
            fast.path_parameters["baseurl"] = ""
            assert builder_url(fast) == url
    # Only the query expressions went through the template engine, once per distinct set
    # of values however many requests share it (a raw URL needs none).
    assert len(expanded) == 2 and not any("baseurl" in t for t in expanded)


def test_a_batch_item_of_a_post_keeps_the_upn_literal() -> None:
    info = writes.post_request(client().users.by_user_id("anna.berg@contoso.com").events, {})
    assert _item(BatchCall("1", info))["url"] == "/users/anna.berg@contoso.com/events"


def test_a_url_set_outright_is_used_as_it_is() -> None:
    info = writes.post_request(client().users.by_user_id("anna.berg@contoso.com").events, {})
    info.url = "https://example.test/v1.0/users/x/events"
    assert builder_url(info) == "https://example.test/v1.0/users/x/events"
