"""calendarView delta rounds, $batch rules, To Do and sendMail
(learn.microsoft.com/graph/api/event-delta, learn.microsoft.com/graph/delta-query-events,
learn.microsoft.com/graph/json-batching, learn.microsoft.com/graph/api/todotasklist-post-tasks,
learn.microsoft.com/graph/api/user-sendmail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.server import SimServer

from .conftest import RawGraph

ANNA = "anna.berg@contoso.com"
WEEK = {"startDateTime": "2026-11-23T00:00:00+01:00", "endDateTime": "2026-11-30T00:00:00+01:00"}


def _round(graph: RawGraph, first: str, **kw: Any) -> tuple[list[dict[str, Any]], str, int]:
    items: list[dict[str, Any]] = []
    response = graph.get(first, headers={"Prefer": "odata.maxpagesize=2"}, **kw)
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages += 1
        items += body["value"]
        if "@odata.deltaLink" in body:
            return items, body["@odata.deltaLink"], pages
        assert "$skiptoken=" in body["@odata.nextLink"]
        response = graph.get(body["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=2"})


def test_delta_rounds_report_changes_and_removals(sim: SimServer, graph: RawGraph) -> None:
    items, delta_link, pages = _round(graph, f"/users/{ANNA}/calendarView/delta", params=WEEK)
    assert pages >= 3 and "$deltatoken=" in delta_link
    by_subject = {e["subject"]: e for e in items}
    assert "Fabrikam renewal" in by_subject
    nothing, delta_link, _ = _round(graph, delta_link)
    assert nothing == []
    renewal = by_subject["Fabrikam renewal"]["id"]
    call = by_subject["Northwind discovery call"]["id"]
    sim.tenant.update_event(ANNA, renewal, subject="Fabrikam renewal (updated)")
    sim.tenant.move_event(
        ANNA, call, datetime(2026, 12, 10, 9), datetime(2026, 12, 10, 10)
    )  # out of range
    new = sim.tenant.add_event(
        ANNA, "Adatum lunch", datetime(2026, 11, 27, 12), datetime(2026, 11, 27, 13)
    )
    changes, delta_link, _ = _round(graph, delta_link)
    changed = {e["id"]: e for e in changes}
    assert changed[renewal]["subject"] == "Fabrikam renewal (updated)"
    assert changed[new]["subject"] == "Adatum lunch"
    assert changed[call] == {
        "@odata.type": "#microsoft.graph.event",
        "id": call,
        "@removed": {"reason": "deleted"},
    }
    assert len(changes) == 3
    sim.expire_delta_tokens(ANNA)
    gone = graph.get(delta_link)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "SyncStateNotFound"


def test_delta_rejects_unsupported_query_options(graph: RawGraph) -> None:
    for option in ("$select", "$filter", "$expand", "$orderby"):
        r = graph.get(f"/users/{ANNA}/calendarView/delta", params={**WEEK, option: "subject"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "ErrorInvalidUrlQuery", option
    assert graph.get(f"/users/{ANNA}/calendarView/delta").status_code == 400  # no window


def test_batch_limits_dependencies_and_content_type(sim: SimServer, graph: RawGraph) -> None:
    many = {
        "requests": [
            {"id": str(i), "method": "GET", "url": f"/users/{ANNA}/mailboxSettings"}
            for i in range(21)
        ]
    }
    assert graph.post("/$batch", many).status_code == 400
    dup = {"requests": [{"id": "1", "method": "GET", "url": "/users/x/mailboxSettings"}] * 2}
    assert graph.post("/$batch", dup).status_code == 400
    no_type = {
        "requests": [
            {
                "id": "1",
                "method": "POST",
                "url": f"/users/{ANNA}/todo/lists",
                "body": {"displayName": "x"},
            }
        ]
    }
    r = graph.post("/$batch", no_type)
    assert r.status_code == 400 and "Content-Type" in r.json()["error"]["message"]
    chained = {
        "requests": [
            {"id": "a", "method": "GET", "url": f"/users/{ANNA}/events/AAMkADnope"},
            {
                "id": "b",
                "method": "POST",
                "url": f"/users/{ANNA}/todo/lists",
                "dependsOn": ["a"],
                "headers": {"Content-Type": "application/json"},
                "body": {"displayName": "never"},
            },
            {
                "id": "c",
                "method": "POST",
                "url": f"users/{ANNA}/todo/lists",
                "headers": {"Content-Type": "application/json"},
                "body": {"displayName": "Slotguard follow-ups"},
            },
            {
                "id": "d",
                "method": "GET",
                "url": f"/users/{ANNA}/todo/lists?$filter=displayName eq 'Slotguard follow-ups'",
                "dependsOn": ["c"],
            },
        ]
    }
    r = graph.post("/$batch", chained)
    assert r.status_code == 200
    status = {x["id"]: x["status"] for x in r.json()["responses"]}
    assert status == {"a": 404, "b": 424, "c": 201, "d": 200}
    d = next(x for x in r.json()["responses"] if x["id"] == "d")
    assert [lst["displayName"] for lst in d["body"]["value"]] == ["Slotguard follow-ups"]
    items = [x for x in sim.requests() if x.batch_item]
    assert len(items) == 3  # the failed dependency never ran


def test_batch_items_are_throttled_one_by_one(sim: SimServer, graph: RawGraph) -> None:
    sim.set_faults(
        FaultOptions(
            rules=(
                FaultRule(
                    status=429,
                    path_contains="/mailboxSettings",
                    in_batch=True,
                    skip=1,
                    retry_after=3,
                ),
            )
        )
    )
    batch = {
        "requests": [
            {"id": str(i), "method": "GET", "url": f"/users/{u}/mailboxSettings"}
            for i, u in enumerate([ANNA, "erik.holm@contoso.com", "sara.nyberg@contoso.com"])
        ]
    }
    r = graph.post("/$batch", batch).json()["responses"]
    assert [(x["id"], x["status"]) for x in r] == [("0", 200), ("1", 429), ("2", 200)]
    assert r[1]["headers"]["Retry-After"] == "3"


def test_todo_lists_tasks_and_linked_resources(sim: SimServer, graph: RawGraph) -> None:
    lst = graph.post(f"/users/{ANNA}/todo/lists", {"displayName": "Prospecting follow-ups"})
    assert lst.status_code == 201 and lst.json()["wellknownListName"] == "none"
    base = f"/users/{ANNA}/todo/lists/{lst.json()['id']}/tasks"
    task = graph.post(
        base,
        {
            "title": "Follow up: Fabrikam renewal",
            "importance": "high",
            "body": {"content": "slotguard.key=anna|r1|2026-11-24#task:m1", "contentType": "text"},
            "dueDateTime": {
                "dateTime": "2026-11-30T09:00:00",
                "timeZone": "W. Europe Standard Time",
            },
            "reminderDateTime": {
                "dateTime": "2026-11-30T08:30:00",
                "timeZone": "W. Europe Standard Time",
            },
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                "range": {"type": "noEnd", "startDate": "2026-11-30"},
            },
            "linkedResources": [
                {
                    "webUrl": "https://outlook.office365.com/calendar/item/x",
                    "applicationName": "slotguard",
                    "displayName": "Fabrikam renewal",
                    "externalId": "anna|r1|2026-11-24#task:m1",
                }
            ],
        },
    )
    assert task.status_code == 201, task.text
    t = task.json()
    assert t["dueDateTime"] == {"dateTime": "2026-11-30T08:00:00.0000000", "timeZone": "UTC"}
    assert t["isReminderOn"] is True and t["recurrence"]["pattern"]["daysOfWeek"] == ["monday"]
    assert t["linkedResources"][0]["externalId"] == "anna|r1|2026-11-24#task:m1"
    links = graph.get(f"{base}/{t['id']}/linkedResources").json()["value"]
    assert links[0]["applicationName"] == "slotguard"
    found = graph.get(
        base, params={"$filter": "status ne 'completed' and contains(title, 'Fabrikam')"}
    ).json()
    assert [x["id"] for x in found["value"]] == [t["id"]]
    done = graph.patch(f"{base}/{t['id']}", {"status": "completed"}).json()
    assert done["status"] == "completed" and done["completedDateTime"]["timeZone"] == "UTC"
    assert graph.post(base, {"title": "x", "status": "someday"}).status_code == 400
    assert (
        graph.post(base, {"title": "x", "recurrence": t["recurrence"]}).status_code == 400
    )  # no due date
    assert [
        x["title"] for x in sim.tenant.tasks_of(ANNA) if x["listName"] == "Prospecting follow-ups"
    ] == ["Follow up: Fabrikam renewal"]


def test_send_mail_lands_in_the_outbox(sim: SimServer, graph: RawGraph) -> None:
    message = {
        "subject": "Weekly prospecting report",
        "body": {"contentType": "text", "content": "..."},
        "toRecipients": [{"emailAddress": {"address": "maria.lind@contoso.com"}}],
    }
    r = graph.post(
        "/users/maria.lind@contoso.com/sendMail", {"message": message, "saveToSentItems": False}
    )
    assert r.status_code == 202 and r.content == b""
    assert sim.outbox() == [
        {
            "from": "maria.lind@contoso.com",
            "message": message,
            "saveToSentItems": False,
            "receivedAt": sim.outbox()[0]["receivedAt"],
        }
    ]
    assert (
        graph.post(
            "/users/maria.lind@contoso.com/sendMail", {"message": {"subject": "x"}}
        ).status_code
        == 400
    )


def test_more_than_four_parallel_batch_items_for_one_mailbox_meet_the_limit(
    sim: SimServer, graph: RawGraph
) -> None:
    sim.set_faults(FaultOptions(latency=0.1))
    url = f"/users/{ANNA}/mailboxSettings"
    same = [{"id": str(i), "method": "GET", "url": url} for i in range(5)]
    chained = [{**same[0], "id": f"c{i}", **({"dependsOn": [f"c{i - 1}"]} if i else {})}
               for i in range(5)]
    parallel = graph.post("/$batch", {"requests": same}).json()["responses"]
    assert sorted(r["status"] for r in parallel) == [200, 200, 200, 200, 429]
    serial = graph.post("/$batch", {"requests": chained}).json()["responses"]
    assert [r["status"] for r in serial] == [200] * 5  # dependsOn makes them sequential
