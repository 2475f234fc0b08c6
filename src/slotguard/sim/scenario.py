"""Scenario files: a tenant described in JSON, with events placed relative to an anchor week
so a scenario stays "this week" whenever it is loaded.

Format (all keys camelCase; see scenarios/demo.json):
  tenant   {id, domain, displayName}
  apps     [{clientId, displayName, secrets[value | {value, endDateTime}], roles[],
            certificates[{pem}]}]; roles are the application permissions admin-consented
            (default SLOTGUARD_ROLES); a secret past its endDateTime, or a certificate past
            its end date, is refused as Entra refuses it
  users    [{id?, upn, mail?, displayName, timeZone (Windows or IANA), workingHours{daysOfWeek,
            startTime, endTime, timeZone?}, manager?, jobTitle?, department?,
            flags[no_mailbox|access_denied]}]
  groups   [{id, displayName, members[upn or group id]}]
  events   [{mailbox (upn or [upns]), week (0 = anchor ISO week), day (mon..sun) | date,
            start "HH:MM", end "HH:MM", zone?, subject, organizer?, attendees[email |
            {email, name?, type?, response?}], showAs?, response?, isCancelled?, isAllDay?,
            categories?, sensitivity?, location?, body?, recurrence?{type, interval?, days?,
            untilWeek? | occurrences?, exceptions[{week, day?, start?, end?, subject?, ...}],
            cancelled[{week, day?}]}}]
  todo     [{mailbox, lists[{displayName, tasks[{title, status?, dueWeek?, dueDay?, body?}]}]}]
  quirks   {name: value} switches for behaviour Graph does not document (quirks.py)
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography import x509

from slotguard.config.permissions import PERMISSIONS
from slotguard.sim import events as ev
from slotguard.sim import todo
from slotguard.sim.auth import cert_thumbprints
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.model import (
    AppCertificate,
    AppRegistration,
    ExceptionOverride,
    Group,
    User,
    WorkingHours,
)
from slotguard.sim.quirks import Quirks
from slotguard.sim.tenant import Tenant
from slotguard.sim.timezones import UnknownTimeZone, format_local, resolve_zone

_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_EVENT_PASSTHROUGH = (
    "subject",
    "showAs",
    "isCancelled",
    "isAllDay",
    "categories",
    "sensitivity",
    "importance",
)


# An app registration's roles when a scenario names none: what slotguard uses with every
# feature on (config/permissions.py, docs/entra-app-registration.md). They go into its
# tokens (permissions.py).
SLOTGUARD_ROLES = tuple(p.name for p in PERMISSIONS)


class ScenarioError(ValueError):
    pass


def read_scenario(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    if isinstance(source, str) and source.startswith("generate:"):
        from slotguard.sim.generate import generate_scenario

        parts = source.split(":")
        try:
            return generate_scenario(int(parts[1]), int(parts[2]) if len(parts) > 2 else 0)
        except (IndexError, ValueError):
            raise ScenarioError(
                f"scenario '{source}' should be generate:SELLERS[:SEED], e.g. generate:200:7"
            ) from None
    if isinstance(source, str) and not source.endswith(".json") and "/" not in source:
        try:
            text = resources.files("slotguard.sim.scenarios").joinpath(f"{source}.json").read_text()
        except FileNotFoundError:
            raise ScenarioError(
                f"scenario '{source}' is not shipped; give 'demo' or a JSON file path"
            ) from None
        return dict(json.loads(text))
    path = Path(source)
    if not path.exists():
        raise ScenarioError(f"scenario file {path} does not exist; give 'demo' or a JSON file path")
    try:
        return dict(json.loads(path.read_text()))
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"scenario file {path} is not valid JSON: {exc}") from exc


def anchor_monday(anchor: date | None) -> date:
    day = anchor or date.today()
    return day - timedelta(days=day.weekday())


def load_scenario(source: str | Path | dict[str, Any], anchor: date | None = None) -> Tenant:
    data = read_scenario(source)
    monday = anchor_monday(anchor)
    t = data.get("tenant") or {}
    tenant = Tenant(
        str(t.get("id") or uuid.uuid4()),
        str(t.get("domain") or "contoso.com").lower(),
        str(t.get("displayName") or "Contoso"),
    )
    try:
        tenant.quirks = Quirks.from_dict(dict(data.get("quirks") or {}))
    except (TypeError, ValueError) as exc:
        raise ScenarioError(f"quirks: {exc}") from None
    for i, app in enumerate(data.get("apps") or []):
        _add_app(tenant, app, f"apps[{i}]")
    managers: dict[str, str] = {}
    for i, raw in enumerate(data.get("users") or []):
        user = _user(raw, f"users[{i}]")
        tenant.add_user(user)
        if raw.get("manager"):
            managers[user.id] = str(raw["manager"])
    for uid, manager in managers.items():
        found = tenant.find_user(manager)
        if found is None:
            raise ScenarioError(
                f"users: manager '{manager}' of {tenant.users[uid].upn} is not a user"
            )
        tenant.users[uid].manager_id = found.id
    for raw in data.get("groups") or []:
        tenant.groups[str(raw["id"])] = Group(
            str(raw["id"]), str(raw.get("displayName", raw["id"])), []
        )
    for i, raw in enumerate(data.get("groups") or []):
        members = []
        for m in raw.get("members") or []:
            user = tenant.find_user(str(m))
            if user is None and str(m) not in tenant.groups:
                raise ScenarioError(f"groups[{i}].members: '{m}' is neither a user nor a group")
            members.append(user.id if user else str(m))
        tenant.groups[str(raw["id"])].members = members
    for i, raw in enumerate(data.get("events") or []):
        mailboxes = raw["mailbox"] if isinstance(raw.get("mailbox"), list) else [raw.get("mailbox")]
        for upn in mailboxes:
            _add_event(tenant, str(upn), raw, monday, f"events[{i}]")
    for i, raw in enumerate(data.get("todo") or []):
        _add_todo(tenant, raw, monday, f"todo[{i}]")
    return tenant


def _add_app(tenant: Tenant, app: dict[str, Any], where: str) -> None:
    certs = []
    for cert in app.get("certificates") or []:
        pem = str(cert["pem"]).encode()
        sha1, sha256, public = cert_thumbprints(pem)
        ends = x509.load_pem_x509_certificate(pem).not_valid_after_utc
        certs.append(AppCertificate(sha1, sha256, public, ends))
    secrets: list[str] = []
    secret_ends: dict[str, datetime] = {}
    for i, secret in enumerate(app.get("secrets") or ()):
        if isinstance(secret, dict):  # {"value": ..., "endDateTime": ...}
            try:
                secret_ends[str(secret["value"])] = datetime.fromisoformat(
                    str(secret["endDateTime"]))
            except (KeyError, ValueError):
                raise ScenarioError(f"{where}.secrets[{i}]: give value and endDateTime "
                                    "(ISO 8601 with an offset)") from None
            secret = secret["value"]
        secrets.append(str(secret))
    client_id = str(app["clientId"]).lower()
    tenant.apps[client_id] = AppRegistration(
        client_id,
        str(app.get("displayName") or "app"),
        tuple(secrets),
        certs,
        tuple(app["roles"]) if "roles" in app else SLOTGUARD_ROLES,
        secret_ends,
    )


def _user(raw: dict[str, Any], where: str) -> User:
    if not raw.get("upn"):
        raise ScenarioError(f'{where}.upn is required (e.g. "anna.berg@contoso.com")')
    upn = str(raw["upn"]).lower()
    zone = str(raw.get("timeZone") or "UTC")
    try:
        resolve_zone(zone)
    except UnknownTimeZone:
        raise ScenarioError(
            f"{where}.timeZone '{zone}' is not a Windows or IANA zone name"
        ) from None
    wh = raw.get("workingHours") or {}
    days = tuple(d.lower() for d in wh.get("daysOfWeek") or _DAYS[:5])
    flags = set(raw.get("flags") or ())
    unknown = flags - {"no_mailbox", "access_denied", "disabled"}
    if unknown:
        raise ScenarioError(
            f"{where}.flags has unknown {sorted(unknown)}; use no_mailbox, access_denied, disabled"
        )
    local = upn.split("@")[0]
    given, _, sur = local.partition(".")
    return User(
        id=str(raw.get("id") or uuid.uuid5(uuid.NAMESPACE_DNS, upn)),
        upn=upn,
        display_name=str(raw.get("displayName") or local),
        time_zone=zone,
        working_hours=WorkingHours(
            days,
            time.fromisoformat(str(wh.get("startTime", "08:00"))[:8]),
            time.fromisoformat(str(wh.get("endTime", "17:00"))[:8]),
            str(wh.get("timeZone") or zone),
        ),
        given_name=given.capitalize(),
        surname=sur.capitalize(),
        job_title=raw.get("jobTitle"),
        department=raw.get("department"),
        account_enabled="disabled" not in flags,
        has_mailbox="no_mailbox" not in flags,
        access_denied="access_denied" in flags,
        mail_address=str(raw["mail"]).lower() if raw.get("mail") else None,
    )


def _day(raw: dict[str, Any], monday: date, where: str, default_day: str | None = None) -> date:
    if raw.get("date"):
        return date.fromisoformat(str(raw["date"]))
    day = str(raw.get("day") or default_day or "").lower()
    index = next((i for i, d in enumerate(_DAYS) if d.startswith(day[:3])), None) if day else None
    if index is None:
        raise ScenarioError(f"{where}.day must be mon..sun (or give date: YYYY-MM-DD)")
    return monday + timedelta(weeks=int(raw.get("week", 0)), days=index)


def _attendees(raw: list[Any]) -> list[dict[str, Any]]:
    out = []
    for a in raw:
        a = {"email": a} if isinstance(a, str) else a
        out.append(
            {
                "type": a.get("type", "required"),
                "status": {"response": a.get("response", "none"), "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": a.get("name") or a["email"], "address": a["email"]},
            }
        )
    return out


def _add_event(tenant: Tenant, upn: str, raw: dict[str, Any], monday: date, where: str) -> None:
    user = tenant.find_user(upn)
    if user is None:
        raise ScenarioError(f"{where}.mailbox '{upn}' is not a user of the scenario")
    zone = str(raw.get("zone") or user.time_zone)
    day = _day(raw, monday, where)
    tz = resolve_zone(zone)
    all_day = bool(raw.get("isAllDay"))
    start = datetime.combine(day, time(0) if all_day else time.fromisoformat(raw["start"]), tz)
    end = (
        datetime.combine(day + timedelta(days=1), time(0), tz)
        if all_day
        else datetime.combine(day, time.fromisoformat(raw["end"]), tz)
    )
    body: dict[str, Any] = {k: raw[k] for k in _EVENT_PASSTHROUGH if k in raw}
    body["start"] = {"dateTime": format_local(start), "timeZone": zone}
    body["end"] = {"dateTime": format_local(end), "timeZone": zone}
    body["attendees"] = _attendees(raw.get("attendees") or [])
    organizer = str(raw.get("organizer") or upn).lower()
    org_user = tenant.find_user(organizer)
    body["organizer"] = {
        "emailAddress": {
            "name": org_user.display_name if org_user else organizer,
            "address": organizer,
        }
    }
    response = raw.get("response") or ("organizer" if organizer == user.upn else "accepted")
    body["responseStatus"] = {"response": response, "time": "0001-01-01T00:00:00Z"}
    if raw.get("location"):
        body["location"] = {
            "displayName": raw["location"],
            "locationType": "default",
            "uniqueIdType": "private",
        }
    if raw.get("body"):
        body["body"] = {"contentType": "text", "content": raw["body"]}
    spec = raw.get("recurrence")
    if spec:
        rng: dict[str, Any] = {"type": "noEnd", "startDate": day.isoformat()}
        if spec.get("untilWeek") is not None:
            rng = {
                "type": "endDate",
                "startDate": day.isoformat(),
                "endDate": (monday + timedelta(weeks=int(spec["untilWeek"]), days=6)).isoformat(),
            }
        elif spec.get("occurrences"):
            rng = {
                "type": "numbered",
                "startDate": day.isoformat(),
                "numberOfOccurrences": int(spec["occurrences"]),
            }
        body["recurrence"] = {
            "pattern": {
                "type": spec.get("type", "weekly"),
                "interval": int(spec.get("interval", 1)),
                "daysOfWeek": spec.get("days") or [_DAYS[day.weekday()]],
                "firstDayOfWeek": "monday",
            },
            "range": {**rng, "recurrenceTimeZone": zone},
        }
    try:
        event, _ = ev.create_event(user, tenant.mailboxes[user.id], body)
    except Exception as exc:
        raise ScenarioError(f"{where}: {exc}") from exc
    for j, exc_raw in enumerate((spec or {}).get("exceptions") or []):
        original = _day(
            exc_raw, monday, f"{where}.recurrence.exceptions[{j}]", _DAYS[day.weekday()]
        )
        new_start = datetime.combine(
            original, time.fromisoformat(exc_raw.get("start", raw["start"])), tz
        )
        new_end = datetime.combine(original, time.fromisoformat(exc_raw.get("end", raw["end"])), tz)
        fields = {k: exc_raw[k] for k in _EVENT_PASSTHROUGH if k in exc_raw}
        event.exceptions[original] = ExceptionOverride(
            fields, new_start, new_end, ev.now(), ev.new_change_key()
        )
    for j, c in enumerate((spec or {}).get("cancelled") or []):
        event.cancelled.add(
            _day(c, monday, f"{where}.recurrence.cancelled[{j}]", _DAYS[day.weekday()])
        )
    tenant.mailboxes[user.id].version += 1  # exceptions and cancellations change the series


def _add_todo(tenant: Tenant, raw: dict[str, Any], monday: date, where: str) -> None:
    user = tenant.find_user(str(raw.get("mailbox")))
    if user is None:
        raise ScenarioError(f"{where}.mailbox '{raw.get('mailbox')}' is not a user of the scenario")
    box = tenant.mailboxes[user.id]
    for spec in raw.get("lists") or []:
        existing = next(
            (lst for lst in box.todo_lists.values() if lst.display_name == spec["displayName"]),
            None,
        )
        lst = existing or todo.create_list(box, {"displayName": spec["displayName"]})
        for task in spec.get("tasks") or []:
            body = {k: v for k, v in task.items() if k not in ("dueWeek", "dueDay")}
            if "dueDay" in task:
                due = _day({"week": task.get("dueWeek", 0), "day": task["dueDay"]}, monday, where)
                body["dueDateTime"] = {
                    "dateTime": f"{due.isoformat()}T00:00:00",
                    "timeZone": user.time_zone,
                }
            try:
                todo.create_task(lst, body)
            except GraphProblem as exc:  # e.g. a zone Graph does not take in dueDateTime
                raise ScenarioError(f"{where}: {exc}") from exc
