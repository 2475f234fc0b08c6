"""The in-memory tenant: directory, app registrations, mailboxes and the outbox.

The server's request handlers and the tests in other threads share one instance, so every
read and write goes through ``tenant.lock`` (re-entrant). The mutation helpers are what tests
use to change a calendar "behind slotguard's back" (a meeting moved, cancelled, deleted).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from slotguard.sim import events as ev
from slotguard.sim import todo
from slotguard.sim.graph_errors import access_denied, invalid_user, mailbox_not_enabled
from slotguard.sim.model import AppRegistration, Group, Mailbox, SentMail, User
from slotguard.sim.quirks import Quirks
from slotguard.sim.serialize import (
    event_json,
    extended_properties,
    linked_resource_json,
    todo_task_json,
)
from slotguard.sim.timezones import format_local


class Tenant:
    def __init__(self, tenant_id: str, domain: str, display_name: str = "Contoso") -> None:
        self.id = tenant_id
        self.domain = domain
        self.display_name = display_name
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self._by_upn: dict[str, str] = {}
        self.groups: dict[str, Group] = {}
        self.apps: dict[str, AppRegistration] = {}
        self.mailboxes: dict[str, Mailbox] = {}
        self.outbox_items: list[SentMail] = []
        # How this tenant behaves where Graph's documentation is silent (quirks.py).
        self.quirks = Quirks()

    # --- directory -------------------------------------------------------------------------
    def add_user(self, user: User) -> None:
        with self.lock:
            user.upn = user.upn.lower()
            self.users[user.id] = user
            self._by_upn[user.upn] = user.id
            box = self.mailboxes.setdefault(user.id, Mailbox())
            todo.ensure_default_lists(box)

    def find_user(self, key: str) -> User | None:
        with self.lock:
            user = self.users.get(key)
            if user is None:
                uid = self._by_upn.get(key.lower())
                user = self.users.get(uid) if uid else None
            return user

    def user(self, key: str) -> User:
        user = self.find_user(key)
        if user is None:
            raise invalid_user(key)
        return user

    def mailbox(self, key: str, *, policy: bool = True) -> tuple[User, Mailbox]:
        """The user's mailbox, or the Graph error a real tenant gives for it. ``policy`` is
        False for To Do, which application access policies do not cover."""
        user = self.user(key)
        if not user.has_mailbox:
            raise mailbox_not_enabled()
        if policy and user.access_denied:
            raise access_denied()
        return user, self.mailboxes[user.id]

    def transitive_members(self, group_id: str) -> list[User | Group]:
        with self.lock:
            seen: set[str] = set()
            out: list[User | Group] = []
            stack = list(reversed(self.groups[group_id].members))
            while stack:
                member = stack.pop()
                if member in seen:
                    continue
                seen.add(member)
                if member in self.groups:
                    out.append(self.groups[member])
                    stack.extend(reversed(self.groups[member].members))
                elif member in self.users:
                    out.append(self.users[member])
            return out

    # --- helpers for tests ---------------------------------------------------------------
    def add_event(
        self,
        upn: str,
        subject: str,
        start: datetime,
        end: datetime,
        *,
        zone: str | None = None,
        attendees: Iterable[str | dict[str, Any]] = (),
        organizer: str | None = None,
        show_as: str = "busy",
        response: str | None = None,
        categories: Iterable[str] = (),
        is_cancelled: bool = False,
        is_all_day: bool = False,
        sensitivity: str = "normal",
        recurrence: dict[str, Any] | None = None,
        extended: dict[str, str] | None = None,
        transaction_id: str | None = None,
    ) -> str:
        """Put an event into ``upn``'s calendar as if someone else had created it; returns
        its id. Naive datetimes are read in ``zone`` (default: the mailbox zone)."""
        with self.lock:
            user = self.user(upn)
            zone_name = zone or user.time_zone
            body: dict[str, Any] = {
                "subject": subject,
                "start": _dtz(start, zone_name),
                "end": _dtz(end, zone_name),
                "showAs": show_as,
                "categories": list(categories),
                "isCancelled": is_cancelled,
                "isAllDay": is_all_day,
                "sensitivity": sensitivity,
                "attendees": [_attendee(a) for a in attendees],
            }
            if organizer:
                body["organizer"] = {"emailAddress": {"name": organizer, "address": organizer}}
            if response:
                body["responseStatus"] = {"response": response, "time": "2026-01-01T00:00:00Z"}
            if recurrence:
                body["recurrence"] = recurrence
            if extended:
                body["singleValueExtendedProperties"] = [
                    {"id": k, "value": v} for k, v in extended.items()
                ]
            if transaction_id:
                body["transactionId"] = transaction_id
            event, _ = ev.create_event(user, self.mailboxes[user.id], body)
            return event.id

    def move_event(
        self, upn: str, event_id: str, start: datetime, end: datetime, zone: str | None = None
    ) -> None:
        with self.lock:
            user = self.user(upn)
            zone_name = zone or user.time_zone
            ev.update_event(
                self.mailboxes[user.id],
                event_id,
                {"start": _dtz(start, zone_name), "end": _dtz(end, zone_name)},
            )

    def update_event(self, upn: str, event_id: str, **fields: Any) -> None:
        """PATCH-like change with Graph property names (subject=..., showAs=...)."""
        with self.lock:
            ev.update_event(self.mailboxes[self.user(upn).id], event_id, fields)

    def cancel_event(self, upn: str, event_id: str) -> None:
        """The organizer cancelled: the attendee's copy stays, marked isCancelled."""
        self.update_event(upn, event_id, isCancelled=True)

    def delete_event(self, upn: str, event_id: str) -> None:
        with self.lock:
            ev.delete_event(self.mailboxes[self.user(upn).id], event_id)

    def remove_mailbox(self, upn: str) -> None:
        with self.lock:
            self.user(upn).has_mailbox = False

    def set_access_denied(self, upn: str, denied: bool = True) -> None:
        with self.lock:
            self.user(upn).access_denied = denied

    def events_of(self, upn: str) -> list[dict[str, Any]]:
        """Single events and series masters as GET /events returns them (UTC), with their
        extended properties."""
        with self.lock:
            user = self.user(upn)
            out = []
            for event in sorted(self.mailboxes[user.id].events.values(), key=lambda e: e.start):
                item = event_json(user, event, None, "UTC",
                                  self.quirks.organizer_address == "primary_smtp")
                item["singleValueExtendedProperties"] = extended_properties(event, None)
                out.append(item)
            return out

    def tasks_of(self, upn: str) -> list[dict[str, Any]]:
        """Every To Do task of the user, with ``listName`` and linkedResources added."""
        with self.lock:
            user = self.user(upn)
            out = []
            for lst in self.mailboxes[user.id].todo_lists.values():
                for task in lst.tasks.values():
                    item = todo_task_json(task)
                    item["linkedResources"] = linked_resource_json(task)
                    item["listName"] = lst.display_name
                    item["listId"] = lst.id
                    out.append(item)
            return out

    def outbox(self) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {
                    "from": m.sender,
                    "message": m.message,
                    "saveToSentItems": m.save_to_sent_items,
                    "receivedAt": m.received_at.isoformat(),
                }
                for m in self.outbox_items
            ]


def _dtz(value: datetime, zone_name: str) -> dict[str, str]:
    from slotguard.sim.timezones import resolve_zone

    if value.tzinfo is not None:
        value = value.astimezone(resolve_zone(zone_name))
    return {"dateTime": format_local(value), "timeZone": zone_name}


def _attendee(value: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return {"type": "required", "emailAddress": {"name": value, "address": value}}
