"""Application permissions: which roles in the access token let a call through, and what
of a user an app may read.

Entra ID puts an app-only token's granted application permissions in its ``roles`` claim
(learn.microsoft.com/entra/identity-platform/access-token-claims-reference); Graph serves
a call when one of the permissions on the API's page is among them. Every route the
simulator serves has its row here, with the page it comes from; a route without one is a
bug (tests check the table is complete).

A call the roles do not cover is answered 403 before anything else is looked at:
- directory calls: Authorization_RequestDenied "Insufficient privileges to complete the
  operation." (learn.microsoft.com/entra/identity-platform/quickstart-console-app-nodejs-
  acquire-token: the "HTTP 403 - Forbidden" an app-only call gets without consent;
  learn.microsoft.com/answers/questions/6019739 shows the body);
- Outlook calls (calendar, mailbox settings, mail, To Do): ErrorAccessDenied "Access is
  denied. Check credentials and try again." (the answer seen for an app lacking the
  Calendars permission, e.g. github.com/microsoftgraph/msgraph-sdk-javascript/issues/378).
  Graph does not document To Do's own denial; it is taken to be Outlook's.

Calendars.ReadBasic also reads calendarView and events, without bodies and extended
properties. The simulator does not trim those, so it grants no reads here: slotguard
needs Calendars.ReadWrite in any case.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from slotguard.sim.graph_errors import GraphProblem

_CAL_READ = frozenset({"Calendars.Read", "Calendars.ReadWrite"})
_CAL_WRITE = frozenset({"Calendars.ReadWrite"})
_SETTINGS_READ = frozenset({"MailboxSettings.Read", "MailboxSettings.ReadWrite"})
_SETTINGS_WRITE = frozenset({"MailboxSettings.ReadWrite"})
_TASKS_READ = frozenset({"Tasks.Read.All", "Tasks.ReadWrite.All"})
_TASKS_WRITE = frozenset({"Tasks.ReadWrite.All"})
_MAIL_SEND = frozenset({"Mail.Send"})
# api/user-get, api/user-list-manager (Application row).
_USER_READ = frozenset({"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                        "Directory.ReadWrite.All"})
# api/group-list-members, api/group-list-transitivemembers (Application row).
_MEMBERS_READ = frozenset({"GroupMember.Read.All", "Group.Read.All",
                           "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
                           "Directory.Read.All", "Directory.ReadWrite.All"})
# api/organization-list (Application row).
_ORG_READ = frozenset({"Organization.Read.All", "Organization.ReadWrite.All",
                       "Directory.Read.All", "Directory.ReadWrite.All"})


@dataclass(frozen=True, slots=True)
class Needs:
    roles: frozenset[str]
    directory: bool = False  # which 403 a denial gets


# (method, route pattern) -> what it needs; the page of each row is named beside it.
REQUIRED: dict[tuple[str, str], Needs] = {
    # api/user-list-calendarview, api/event-delta, api/user-list-events, api/event-get,
    # api/event-list-instances
    **{("GET", p): Needs(_CAL_READ) for p in (
        "/users/{user}/calendarView", "/users/{user}/calendar/calendarView",
        "/users/{user}/calendarView/delta", "/users/{user}/calendar/calendarView/delta",
        "/users/{user}/calendarView/delta()", "/users/{user}/calendar/calendarView/delta()",
        "/users/{user}/events", "/users/{user}/calendar/events",
        "/users/{user}/events/{event_id}", "/users/{user}/calendar/events/{event_id}",
        "/users/{user}/events/{event_id}/instances",
        "/users/{user}/calendar/events/{event_id}/instances")},
    # api/user-post-events, api/event-update, api/event-delete
    **{(m, p): Needs(_CAL_WRITE) for m, p in (
        ("POST", "/users/{user}/events"), ("POST", "/users/{user}/calendar/events"),
        ("PATCH", "/users/{user}/events/{event_id}"),
        ("PATCH", "/users/{user}/calendar/events/{event_id}"),
        ("DELETE", "/users/{user}/events/{event_id}"),
        ("DELETE", "/users/{user}/calendar/events/{event_id}"))},
    # api/user-get-mailboxsettings, api/outlookuser-list-mastercategories,
    # api/outlookuser-post-mastercategories
    ("GET", "/users/{user}/mailboxSettings"): Needs(_SETTINGS_READ),
    ("GET", "/users/{user}/mailboxSettings/{setting}"): Needs(_SETTINGS_READ),
    ("GET", "/users/{user}/outlook/masterCategories"): Needs(_SETTINGS_READ),
    ("POST", "/users/{user}/outlook/masterCategories"): Needs(_SETTINGS_WRITE),
    # api/todo-list-lists, api/todotasklist-get, api/todotasklist-list-tasks,
    # api/todotask-get, api/todotask-list-linkedresources (reads); api/todo-post-lists,
    # api/todotasklist-post-tasks, api/todotask-update, api/todotask-delete,
    # api/todotask-post-linkedresources (writes)
    **{("GET", p): Needs(_TASKS_READ) for p in (
        "/users/{user}/todo/lists", "/users/{user}/todo/lists/{list_id}",
        "/users/{user}/todo/lists/{list_id}/tasks",
        "/users/{user}/todo/lists/{list_id}/tasks/{task_id}",
        "/users/{user}/todo/lists/{list_id}/tasks/{task_id}/linkedResources")},
    **{(m, p): Needs(_TASKS_WRITE) for m, p in (
        ("POST", "/users/{user}/todo/lists"),
        ("POST", "/users/{user}/todo/lists/{list_id}/tasks"),
        ("PATCH", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}"),
        ("DELETE", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}"),
        ("POST", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}/linkedResources"))},
    # api/user-sendmail
    ("POST", "/users/{user}/sendMail"): Needs(_MAIL_SEND),
    ("GET", "/users/{user}"): Needs(_USER_READ, directory=True),
    ("GET", "/users/{user}/manager"): Needs(_USER_READ, directory=True),
    **{("GET", p): Needs(_MEMBERS_READ, directory=True) for p in (
        "/groups/{group}/members", "/groups/{group}/members/{cast}",
        "/groups/{group}/transitiveMembers", "/groups/{group}/transitiveMembers/{cast}")},
    ("GET", "/organization"): Needs(_ORG_READ, directory=True),
}


def require(method: str, pattern: str, roles: Collection[str] | None) -> None:
    """Refuse the call as Graph does when ``roles`` hold none of the route's permissions.
    ``roles`` None: a request that did not come through a token (the simulator's own)."""
    if roles is None:
        return
    needs = REQUIRED[(method, pattern)]
    if needs.roles.isdisjoint(roles):
        if needs.directory:
            raise GraphProblem(403, "Authorization_RequestDenied",
                               "Insufficient privileges to complete the operation.")
        raise GraphProblem(403, "ErrorAccessDenied",
                           "Access is denied. Check credentials and try again.")


# api/resources/users "User basic profile properties": what User.ReadBasic.All reads.
BASIC_PROFILE = frozenset({"displayName", "givenName", "id", "mail", "photo",
                           "securityIdentifier", "surname", "userPrincipalName"})
_USER_FULL = _USER_READ
_USER_BASIC = frozenset({"User.ReadBasic.All"})


def user_view(item: dict[str, Any], roles: Collection[str] | None) -> dict[str, Any]:
    """A user's JSON as an app with ``roles`` may read it. Without a user permission a
    directoryObject collection still lists the user, with only its type and id ("other
    properties are indicated as null": concepts/permissions-overview, "Limited information
    returned for inaccessible member objects"); with User.ReadBasic.All, properties
    outside the basic profile come back null too (how Graph leaves them out is not
    documented; slotguard reads null and absent alike)."""
    if roles is None or not _USER_FULL.isdisjoint(roles):
        return item
    keep = BASIC_PROFILE if not _USER_BASIC.isdisjoint(roles) else frozenset({"id"})
    return {k: (v if k in keep or k.startswith("@odata.") else None) for k, v in item.items()}
