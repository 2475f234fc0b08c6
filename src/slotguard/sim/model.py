"""What the simulated tenant holds: directory objects, app registrations and mailboxes.

Events keep their Graph JSON fields in ``fields`` (subject, attendees, showAs, ...) so PATCH
can merge what clients send; start/end are aware datetimes in the zone the client used.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

# Outlook ids look like base64 blobs; ours are opaque too and encode what they point at so an
# occurrence id leads back to its series master and original date.
_EVENT = b"\x01"
_OCCURRENCE = b"\x02"


def new_event_id() -> str:
    return "AAMkAD" + base64.urlsafe_b64encode(_EVENT + uuid.uuid4().bytes).decode().rstrip("=")


def new_opaque_id(prefix: str = "AAMkAG") -> str:
    return prefix + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def occurrence_id(master_id: str, original_day: date) -> str:
    raw = _decode(master_id)
    payload = _OCCURRENCE + raw[1:17] + original_day.toordinal().to_bytes(4, "big")
    return "AAMkAD" + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def parse_occurrence_id(event_id: str) -> tuple[str, date] | None:
    """(master id, original local date) for an occurrence id, else None."""
    raw = _decode(event_id)
    if len(raw) != 21 or raw[:1] != _OCCURRENCE:
        return None
    master = "AAMkAD" + base64.urlsafe_b64encode(_EVENT + raw[1:17]).decode().rstrip("=")
    return master, date.fromordinal(int.from_bytes(raw[17:21], "big"))


def _decode(event_id: str) -> bytes:
    if not event_id.startswith("AAMkAD"):
        return b""
    body = event_id[6:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        return b""


@dataclass(slots=True)
class WorkingHours:
    days: tuple[str, ...]  # "monday" ...
    start: time
    end: time
    time_zone: str


@dataclass(slots=True)
class User:
    id: str
    upn: str
    display_name: str
    time_zone: str
    working_hours: WorkingHours
    given_name: str = ""
    surname: str = ""
    job_title: str | None = None
    department: str | None = None
    office_location: str | None = None
    account_enabled: bool = True
    has_mailbox: bool = True
    access_denied: bool = False
    manager_id: str | None = None
    mail_address: str | None = None  # the primary SMTP address when it is not the UPN

    @property
    def mail(self) -> str:
        return self.mail_address or self.upn

    def primary_smtp(self) -> str:
        """The address Exchange knows the mailbox by: ``mail``, or for a user without one
        an address that differs from the UPN, as it often does in real tenants."""
        if self.mail_address:
            return self.mail_address
        local, _, domain = self.upn.partition("@")
        return f"{local}@mail.{domain}"


@dataclass(slots=True)
class Group:
    id: str
    display_name: str
    members: list[str]  # user or group ids


@dataclass(slots=True)
class AppCertificate:
    sha1: str  # uppercase hex thumbprints, as the Entra portal shows them
    sha256: str
    public_key_pem: bytes
    # The key credential's endDateTime: the portal takes the certificate's own end date.
    not_after: datetime | None = None


@dataclass(slots=True)
class AppRegistration:
    client_id: str
    display_name: str
    secrets: tuple[str, ...]
    certificates: list[AppCertificate]
    roles: tuple[str, ...]
    # A secret's endDateTime (passwordCredential), when it has one; after it, Entra
    # refuses the secret.
    secret_ends: dict[str, datetime] = field(default_factory=dict)


@dataclass(slots=True)
class StoredEvent:
    id: str
    ical_uid: str
    fields: dict[str, Any]
    start: datetime
    end: datetime
    start_zone: str
    end_zone: str
    created: datetime
    modified: datetime
    change_key: str
    recurrence: dict[str, Any] | None = None
    # Keyed by the occurrence's original local start date in the series' zone.
    exceptions: dict[date, ExceptionOverride] = field(default_factory=dict)
    cancelled: set[date] = field(default_factory=set)
    transaction_id: str | None = None
    extended: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ExceptionOverride:
    fields: dict[str, Any]
    start: datetime
    end: datetime
    modified: datetime
    change_key: str


@dataclass(slots=True)
class LinkedResource:
    id: str
    web_url: str | None
    application_name: str | None
    display_name: str | None
    external_id: str | None


@dataclass(slots=True)
class TodoTask:
    id: str
    fields: dict[str, Any]  # title, body, status, importance, dueDateTime, recurrence, ...
    created: datetime
    modified: datetime
    change_key: str
    linked_resources: list[LinkedResource] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class TodoList:
    id: str
    display_name: str
    wellknown: str = "none"
    change_key: str = ""
    tasks: dict[str, TodoTask] = field(default_factory=dict)


@dataclass(slots=True)
class Mailbox:
    events: dict[str, StoredEvent] = field(default_factory=dict)
    by_transaction: dict[str, str] = field(default_factory=dict)
    todo_lists: dict[str, TodoList] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    # Bumped on every calendar change; delta tokens remember the version they saw.
    version: int = 0
    # Expanded windows, (start, end) -> (version, instances): valid while version stands.
    views: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class SentMail:
    sender: str
    message: dict[str, Any]
    save_to_sent_items: bool
    received_at: datetime
