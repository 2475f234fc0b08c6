"""The simulator's documented strictness on the wire: application roles in the token decide
what a call may do and read, directory casts need the advanced query parameters, and only
the time-zone names Graph lists are taken."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.sim.conftest import RawGraph

from slotguard.sim import permissions
from slotguard.sim.router import load_routes, routes
from slotguard.sim.server import SimServer
from slotguard.sim.tokens import b64url_decode

ANNA = "anna.berg@contoso.com"
EAST_COAST = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"
ADVANCED = {"ConsistencyLevel": "eventual"}
CAST = f"/groups/{EAST_COAST}/transitiveMembers/microsoft.graph.user"


@pytest.fixture
def granted(sim: SimServer) -> Iterator[Any]:
    """A RawGraph whose token carries exactly the given roles."""
    clients: list[RawGraph] = []

    def with_roles(*roles: str) -> RawGraph:
        next(iter(sim.tenant.apps.values())).roles = roles
        client = RawGraph(sim)
        clients.append(client)
        return client

    yield with_roles
    for client in clients:
        client.http.close()


def claims(token: str) -> dict[str, Any]:
    return dict(json.loads(b64url_decode(token.split(".")[1])))


def test_every_route_has_its_documented_permissions() -> None:
    load_routes()
    assert set(routes()) == set(permissions.REQUIRED)


def test_the_token_carries_the_granted_roles_as_entra_does(granted: Any) -> None:
    graph = granted("Calendars.ReadWrite", "MailboxSettings.Read")
    assert claims(graph.token)["roles"] == ["Calendars.ReadWrite", "MailboxSettings.Read"]
    assert claims(graph.token)["idtyp"] == "app"


def test_a_mailbox_call_the_roles_do_not_cover_is_access_denied(granted: Any) -> None:
    graph = granted("MailboxSettings.Read", "Calendars.Read")
    assert graph.get(f"/users/{ANNA}/mailboxSettings").status_code == 200
    assert graph.get(f"/users/{ANNA}/events").status_code == 200
    body = {"subject": "s", "start": {"dateTime": "2026-11-24T08:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-24T09:00:00", "timeZone": "UTC"}}
    for response in (graph.post(f"/users/{ANNA}/events", body),
                     graph.get(f"/users/{ANNA}/todo/lists"),
                     graph.post(f"/users/{ANNA}/sendMail", {"message": {}})):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "ErrorAccessDenied"
        assert response.json()["error"]["message"] == (
            "Access is denied. Check credentials and try again.")


def test_a_directory_call_the_roles_do_not_cover_is_request_denied(granted: Any) -> None:
    graph = granted("Calendars.ReadWrite", "User.ReadBasic.All")
    for path in (CAST, f"/users/{ANNA}", f"/users/{ANNA}/manager"):
        response = graph.get(path, params={"$count": "true"}, headers=ADVANCED)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["error"] == {**response.json()["error"],
                                            "code": "Authorization_RequestDenied",
                                            "message": "Insufficient privileges to complete "
                                                       "the operation."}


def members(graph: RawGraph, select: str) -> list[dict[str, Any]]:
    response = graph.get(CAST, params={"$select": select, "$count": "true"}, headers=ADVANCED)
    assert response.status_code == 200, response.text
    return list(response.json()["value"])


def test_user_properties_are_trimmed_to_what_the_roles_read(granted: Any) -> None:
    select = "id,userPrincipalName,accountEnabled,jobTitle"
    full = members(granted("GroupMember.Read.All", "User.Read.All"), select)
    assert full and all(m["accountEnabled"] is True and m["userPrincipalName"] for m in full)
    # The basic profile: names and ids, not the account's state.
    basic = members(granted("GroupMember.Read.All", "User.ReadBasic.All"), select)
    assert [m["userPrincipalName"] for m in basic] == [m["userPrincipalName"] for m in full]
    assert all(m["accountEnabled"] is None and m["jobTitle"] is None for m in basic)
    # No user permission at all: the members' type and id, nothing else.
    bare = members(granted("GroupMember.Read.All"), select)
    assert [m["id"] for m in bare] == [m["id"] for m in full]
    assert all(m["userPrincipalName"] is None and m["accountEnabled"] is None for m in bare)


def test_a_type_cast_needs_consistency_level_and_count(graph: RawGraph) -> None:
    for params, headers in (({}, {}), ({"$count": "true"}, {}), ({}, ADVANCED)):
        response = graph.get(CAST, params=params, headers=headers)
        assert response.status_code == 400, (params, headers)
        assert response.json()["error"]["code"] == "Request_UnsupportedQuery"
    assert graph.get(CAST, params={"$count": "true"}, headers=ADVANCED).status_code == 200
    assert graph.get(f"/groups/{EAST_COAST}/transitiveMembers").status_code == 200


@pytest.mark.parametrize("where", ["start", "recurrence"])
def test_an_event_in_a_zone_graph_does_not_list_is_refused(graph: RawGraph, where: str) -> None:
    zone = "Asia/Calcutta"
    body: dict[str, Any] = {
        "subject": "s",
        "start": {"dateTime": "2026-11-24T08:00:00", "timeZone": "India Standard Time"},
        "end": {"dateTime": "2026-11-24T09:00:00", "timeZone": "India Standard Time"}}
    if where == "start":
        body["start"]["timeZone"] = zone
    else:
        body["recurrence"] = {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"],
                        "firstDayOfWeek": "monday"},
            "range": {"type": "noEnd", "startDate": "2026-11-24", "recurrenceTimeZone": zone}}
    response = graph.post(f"/users/{ANNA}/events", body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "TimeZoneNotSupportedException"
    assert response.json()["error"]["message"] == (
        "A valid TimeZone value must be specified. The following TimeZone value is not "
        f"supported: '{zone}'.")
    body["start"]["timeZone"] = "Asia/Kolkata"  # on Graph's list
    body.pop("recurrence", None)
    assert graph.post(f"/users/{ANNA}/events", body).status_code == 201


@pytest.mark.parametrize("field", ["dueDateTime", "reminderDateTime", "startDateTime",
                                   "recurrence"])
def test_a_task_in_a_zone_graph_does_not_list_is_refused(graph: RawGraph, field: str) -> None:
    lists = graph.get(f"/users/{ANNA}/todo/lists").json()["value"]
    due = {"dateTime": "2026-11-26T00:00:00", "timeZone": "Argentina Standard Time"}
    body: dict[str, Any] = {"title": "t", "dueDateTime": dict(due)}
    if field == "recurrence":
        body["recurrence"] = {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["thursday"],
                        "firstDayOfWeek": "monday"},
            "range": {"type": "noEnd", "startDate": "2026-11-26",
                      "recurrenceTimeZone": "America/Buenos_Aires"}}
    else:
        body[field] = {**due, "timeZone": "America/Buenos_Aires"}
    path = f"/users/{ANNA}/todo/lists/{lists[0]['id']}/tasks"
    response = graph.post(path, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "TimeZoneNotSupportedException"
    assert graph.post(path, {"title": "t", "dueDateTime": due}).status_code == 201


def test_prefer_outlook_timezone_takes_the_listed_names_only(graph: RawGraph) -> None:
    window = {"startDateTime": "2026-11-23T00:00:00Z", "endDateTime": "2026-11-30T00:00:00Z"}
    for zone, status in (("Nepal Standard Time", 200), ("Asia/Kathmandu", 200),
                         ("Asia/Katmandu", 400), ("UTC", 200)):
        response = graph.get(f"/users/{ANNA}/calendarView", params=window,
                             headers={"Prefer": f'outlook.timezone="{zone}"'})
        assert response.status_code == status, (zone, response.text)
        if status == 200:
            assert response.headers["Preference-Applied"] == f'outlook.timezone="{zone}"'
        else:
            assert response.json()["error"]["code"] == "TimeZoneNotSupportedException"
