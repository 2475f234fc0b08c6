"""Directory reads: users, mailboxSettings, manager, group members, organization. A user
is shown as the app's roles allow (permissions.user_view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.model import Group, User
from slotguard.sim.odata import apply_select, parse_top
from slotguard.sim.permissions import user_view
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, route
from slotguard.sim.serialize import mailbox_settings_json, user_json

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext


def _resource_not_found(key: str) -> GraphProblem:
    return GraphProblem(
        404,
        "Request_ResourceNotFound",
        f"Resource '{key}' does not exist or one "
        "of its queried reference-property objects are not present.",
    )


def _directory_user(ctx: SimContext, key: str) -> User:
    user = ctx.tenant.find_user(key)
    if user is None:
        raise _resource_not_found(key)
    return user


def _select(req: GraphRequest, item: dict[str, Any]) -> dict[str, Any]:
    sel = req.query.get("$select")
    if not sel:
        return item
    return apply_select(item, [s.strip() for s in sel.split(",")]) | {
        "@odata.type": item["@odata.type"]
    }


@route("GET", "/users/{user}")
def get_user(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    u = _directory_user(ctx, user)
    body = _select(req, user_view(user_json(u), req.roles))
    body.pop("@odata.type", None)
    return json_response({"@odata.context": req.context_url("users/$entity"), **body})


@route("GET", "/users/{user}/mailboxSettings")
def get_mailbox_settings(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    u, _ = ctx.tenant.mailbox(user)
    body = mailbox_settings_json(u)
    sel = req.query.get("$select")
    if sel:
        body = {k: v for k, v in body.items() if k in {s.strip() for s in sel.split(",")}}
    return json_response(
        {"@odata.context": req.context_url(f"users('{u.id}')/mailboxSettings"), **body}
    )


@route("GET", "/users/{user}/mailboxSettings/{setting}")
def get_mailbox_setting(
    ctx: SimContext, req: GraphRequest, user: str, setting: str
) -> GraphResponse:
    u, _ = ctx.tenant.mailbox(user)
    body = mailbox_settings_json(u)
    key = next((k for k in body if k.lower() == setting.lower()), None)
    if key is None:
        raise GraphProblem(400, "BadRequest", f"Resource not found for the segment '{setting}'.")
    value = body[key]
    context = req.context_url(f"users('{u.id}')/mailboxSettings/{key}")
    if isinstance(value, dict):
        return json_response({"@odata.context": context, **value})
    return json_response({"@odata.context": context, "value": value})


@route("GET", "/users/{user}/manager")
def get_manager(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    u = _directory_user(ctx, user)
    manager = ctx.tenant.users.get(u.manager_id or "")
    if manager is None:
        raise _resource_not_found("manager")
    return json_response(
        {
            "@odata.context": req.context_url("directoryObjects/$entity"),
            **_select(req, user_view(user_json(manager), req.roles)),
        }
    )


def _member_json(member: User | Group, roles: frozenset[str] | None) -> dict[str, Any]:
    if isinstance(member, User):
        return user_view(user_json(member), roles)
    return {
        "@odata.type": "#microsoft.graph.group",
        "id": member.id,
        "displayName": member.display_name,
        "mailEnabled": False,
        "securityEnabled": True,
    }


def _members(
    ctx: SimContext, req: GraphRequest, group: str, cast: str | None, transitive: bool
) -> GraphResponse:
    if cast is not None and not _advanced(req):
        # group-list-transitivemembers, group-list-members: "To filter the results on the
        # OData type ... you must use the advanced query parameters" (aad-advanced-queries:
        # without them "the request returns an error"; its wording for a cast is not
        # documented, so the page's endsWith example is followed).
        raise GraphProblem(
            400, "Request_UnsupportedQuery",
            "OData cast is not supported because the required parameters might be missing."
            " Try adding $count=true query parameter and ConsistencyLevel:eventual header."
            " Refer to https://aka.ms/graph-docs/advanced-queries for more information")
    g = ctx.tenant.groups.get(group)
    if g is None:
        raise _resource_not_found(group)
    if transitive:
        members = ctx.tenant.transitive_members(group)
    else:
        members = [
            m for k in g.members if (m := ctx.tenant.users.get(k) or ctx.tenant.groups.get(k))
        ]
    if cast is not None:
        # Graph accepts the short alias the SDKs send ("graph.user") as well as the full name.
        cast_kind = cast.lower().removeprefix("microsoft.").removeprefix("graph.")
        if cast_kind == "user":
            members = [m for m in members if isinstance(m, User)]
        elif cast_kind == "group":
            members = [m for m in members if isinstance(m, Group)]
        else:
            raise GraphProblem(400, "Request_BadRequest", f"Unsupported type cast '{cast}'.")
    items = [_select(req, _member_json(m, req.roles)) for m in members]
    top = parse_top(req.query.get("$top"), default=100, maximum=999)
    skip = int(req.query.get("$skiptoken", "0") or 0)
    page = items[skip : skip + top]
    kind = "users" if cast else "directoryObjects"
    body: dict[str, Any] = {"@odata.context": req.context_url(kind), "value": page}
    if skip + top < len(items):
        body["@odata.nextLink"] = req.url({**req.query, "$skiptoken": str(skip + top)})
    if req.query.get("$count", "").lower() == "true":
        body["@odata.count"] = len(items)
    return json_response(body)


def _advanced(req: GraphRequest) -> bool:
    """ConsistencyLevel: eventual with $count=true: Graph's "advanced query parameters"."""
    return (req.headers.get("consistencylevel", "").lower() == "eventual"
            and req.query.get("$count", "").lower() == "true")


@route("GET", "/groups/{group}/transitiveMembers")
def transitive_members(ctx: SimContext, req: GraphRequest, group: str) -> GraphResponse:
    return _members(ctx, req, group, None, True)


@route("GET", "/groups/{group}/transitiveMembers/{cast}")
def transitive_members_cast(
    ctx: SimContext, req: GraphRequest, group: str, cast: str
) -> GraphResponse:
    return _members(ctx, req, group, cast, True)


@route("GET", "/groups/{group}/members")
def members(ctx: SimContext, req: GraphRequest, group: str) -> GraphResponse:
    return _members(ctx, req, group, None, False)


@route("GET", "/groups/{group}/members/{cast}")
def members_cast(ctx: SimContext, req: GraphRequest, group: str, cast: str) -> GraphResponse:
    return _members(ctx, req, group, cast, False)


@route("GET", "/organization")
def organization(ctx: SimContext, req: GraphRequest) -> GraphResponse:
    t = ctx.tenant
    domains = [
        {
            "capabilities": "Email, OfficeCommunicationsOnline",
            "isDefault": True,
            "isInitial": False,
            "name": t.domain,
            "type": "Managed",
        },
        {
            "capabilities": "Email",
            "isDefault": False,
            "isInitial": True,
            "name": f"{t.domain.split('.')[0]}.onmicrosoft.com",
            "type": "Managed",
        },
    ]
    return json_response(
        {
            "@odata.context": req.context_url("organization"),
            "value": [{"id": t.id, "displayName": t.display_name, "verifiedDomains": domains}],
        }
    )
