"""Microsoft To Do lists and tasks in one mailbox, with Graph's validation.

To Do keeps due and reminder times in UTC and answers with ``"timeZone": "UTC"`` whatever
zone the client sent, so stored values are normalised that way.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from slotguard.sim.events import new_change_key, now
from slotguard.sim.graph_errors import GraphProblem, bad_request, not_found
from slotguard.sim.model import LinkedResource, Mailbox, TodoList, TodoTask, new_opaque_id
from slotguard.sim.quirks import Quirks
from slotguard.sim.timezones import UnknownTimeZone, format_local, parse_datetime_tz
from slotguard.sim.zone_names import require, unsupported

_STATUS = {"notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"}
_IMPORTANCE = {"low", "normal", "high"}
_WRITABLE = {
    "title",
    "body",
    "status",
    "importance",
    "isReminderOn",
    "categories",
    "dueDateTime",
    "reminderDateTime",
    "startDateTime",
    "completedDateTime",
    "recurrence",
}
_DATES = ("dueDateTime", "reminderDateTime", "startDateTime", "completedDateTime")


def ensure_default_lists(box: Mailbox) -> None:
    """Every Exchange mailbox has the "Tasks" and "Flagged Emails" lists."""
    if any(lst.wellknown == "defaultList" for lst in box.todo_lists.values()):
        return
    for name, wellknown in (("Tasks", "defaultList"), ("Flagged Emails", "flaggedEmails")):
        lst = TodoList(new_opaque_id("AAMkAL"), name, wellknown, new_change_key())
        box.todo_lists[lst.id] = lst


def create_list(box: Mailbox, body: dict[str, Any]) -> TodoList:
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("invalidRequest", "displayName is required to create a todoTaskList.")
    lst = TodoList(new_opaque_id("AAMkAL"), name, "none", new_change_key())
    box.todo_lists[lst.id] = lst
    return lst


def get_list(box: Mailbox, list_id: str) -> TodoList:
    lst = box.todo_lists.get(list_id)
    if lst is None:
        raise GraphProblem(404, "NotFound", "The requested resource doesn't exist.")
    return lst


def get_task(lst: TodoList, task_id: str) -> TodoTask:
    task = lst.tasks.get(task_id)
    if task is None:
        raise not_found()
    return task


def create_task(lst: TodoList, body: dict[str, Any], quirks: Quirks | None = None) -> TodoTask:
    fields = _fields(body, quirks)
    fields.setdefault("status", "notStarted")
    fields.setdefault("importance", "normal")
    if "recurrence" in fields and "dueDateTime" not in fields:
        raise bad_request("invalidRequest", "A recurring task needs a dueDateTime.")
    stamp = now()
    task = TodoTask(new_opaque_id("AAMkAT"), fields, stamp, stamp, new_change_key())
    task.linked_resources = [_linked(r) for r in body.get("linkedResources") or []]
    task.extensions = list(body.get("extensions") or [])
    lst.tasks[task.id] = task
    return task


def update_task(lst: TodoList, task_id: str, body: dict[str, Any],
                quirks: Quirks | None = None) -> TodoTask:
    task = get_task(lst, task_id)
    fields = _fields(body, quirks)
    task.fields.update(fields)
    if fields.get("status") == "completed" and "completedDateTime" not in fields:
        stamp = now()
        task.fields["completedDateTime"] = {"dateTime": format_local(stamp), "timeZone": "UTC"}
    if (
        "recurrence" in task.fields
        and task.fields["recurrence"]
        and "dueDateTime" not in task.fields
    ):
        raise bad_request("invalidRequest", "A recurring task needs a dueDateTime.")
    task.modified, task.change_key = now(), new_change_key()
    return task


def add_linked_resource(task: TodoTask, body: dict[str, Any]) -> LinkedResource:
    resource = _linked(body)
    task.linked_resources.append(resource)
    task.modified, task.change_key = now(), new_change_key()
    return resource


def _linked(value: Any) -> LinkedResource:
    if not isinstance(value, dict):
        raise bad_request("invalidRequest", "linkedResources items must be objects.")
    return LinkedResource(
        new_opaque_id("AAMkAR"),
        value.get("webUrl"),
        value.get("applicationName"),
        value.get("displayName"),
        value.get("externalId"),
    )


def _fields(body: dict[str, Any], quirks: Quirks | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("@") or key in {
            "id",
            "linkedResources",
            "extensions",
            "createdDateTime",
            "lastModifiedDateTime",
            "hasAttachments",
            "bodyLastModifiedDateTime",
            "checklistItems",
        }:
            continue
        if key not in _WRITABLE:
            raise bad_request("invalidRequest", f"Invalid property '{key}' for a todoTask.")
        out[key] = value
    if "status" in out and out["status"] not in _STATUS:
        raise bad_request(
            "invalidRequest", f"status '{out['status']}' is not one of {sorted(_STATUS)}."
        )
    if "importance" in out and out["importance"] not in _IMPORTANCE:
        raise bad_request(
            "invalidRequest", f"importance '{out['importance']}' is not low, normal or high."
        )
    for key in _DATES:
        if out.get(key) is not None:
            if isinstance(out[key], dict) and out[key].get("timeZone"):
                require(str(out[key]["timeZone"]))  # as for events: zone_names.py
            try:
                value = parse_datetime_tz(out[key], key).astimezone(UTC)
            except UnknownTimeZone as exc:
                raise unsupported(str(exc)) from exc
            except ValueError as exc:
                raise bad_request(
                    "invalidRequest", f"{key} is not a dateTimeTimeZone: {exc}"
                ) from exc
            out[key] = {"dateTime": format_local(value), "timeZone": "UTC"}
    rec = out.get("recurrence")
    if rec is not None and not (isinstance(rec, dict) and isinstance(rec.get("pattern"), dict)):
        raise bad_request(
            "invalidRequest", "recurrence must be a patternedRecurrence with a pattern."
        )
    if (rec is not None and quirks is not None and quirks.task_recurrence_zone == "refused"
            and isinstance(rec.get("range"), dict) and "recurrenceTimeZone" in rec["range"]):
        raise bad_request("invalidRequest",
                          "recurrence.range.recurrenceTimeZone is not supported on a todoTask.")
    if rec is not None and (rec.get("range") or {}).get("recurrenceTimeZone"):
        require(str(rec["range"]["recurrenceTimeZone"]))
    if rec is not None:
        out["recurrence"] = {
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "month": 0,
                "dayOfMonth": 0,
                "daysOfWeek": [],
                "firstDayOfWeek": "sunday",
                "index": "first",
                **rec["pattern"],
            },
            "range": {
                "type": "noEnd",
                "startDate": "0001-01-01",
                "endDate": "0001-01-01",
                "recurrenceTimeZone": "UTC",
                "numberOfOccurrences": 0,
                **(rec.get("range") or {}),
            },
        }
    return out
