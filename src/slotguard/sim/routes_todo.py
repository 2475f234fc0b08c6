"""Microsoft To Do: /users/{id}/todo/lists and their tasks and linkedResources.

Application access policies do not cover To Do (they apply to Mail, Calendars, Contacts and
MailboxSettings), so a mailbox outside the policy still reaches its task lists here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slotguard.sim import todo
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.odata import apply_select, parse_filter, parse_top
from slotguard.sim.quirks import unsupported_query
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, route
from slotguard.sim.serialize import linked_resource_json, todo_list_json, todo_task_json

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext
    from slotguard.sim.model import TodoList, User


def _body(req: GraphRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise GraphProblem(400, "invalidRequest", "Empty Payload. JSON content expected.")
    return req.body


def _collection(req: GraphRequest, items: list[dict[str, Any]], context: str) -> GraphResponse:
    flt = req.query.get("$filter")
    if flt:
        predicate = parse_filter(flt)
        items = [i for i in items if predicate(i)]
    sel = req.query.get("$select")
    if sel:
        # An expanded relationship comes back whatever $select names (OData: $expand adds
        # navigation properties to the selected structural ones).
        expanded = ["linkedResources"] if "linkedResources" in (req.query.get("$expand") or "") \
            else []
        items = [apply_select(i, [s.strip() for s in sel.split(",")] + expanded) for i in items]
    top = parse_top(req.query.get("$top"), default=100, maximum=1000)
    skip = int(req.query.get("$skip", "0") or 0)
    body: dict[str, Any] = {"@odata.context": context, "value": items[skip : skip + top]}
    if skip + top < len(items):
        body["@odata.nextLink"] = req.url({**req.query, "$skip": str(skip + top)})
    return json_response(body)


@route("GET", "/users/{user}/todo/lists")
def lists(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    return _collection(
        req,
        [todo_list_json(lst) for lst in box.todo_lists.values()],
        req.context_url(f"users('{owner.id}')/todo/lists"),
    )


@route("POST", "/users/{user}/todo/lists")
def create_list(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    return _list_entity(req, owner, todo.create_list(box, _body(req)), 201)


@route("GET", "/users/{user}/todo/lists/{list_id}")
def get_list(ctx: SimContext, req: GraphRequest, user: str, list_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    return _list_entity(req, owner, todo.get_list(box, list_id))


@route("GET", "/users/{user}/todo/lists/{list_id}/tasks")
def tasks(ctx: SimContext, req: GraphRequest, user: str, list_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    lst = todo.get_list(box, list_id)
    expand = "linkedResources" in (req.query.get("$expand") or "")
    switch = ctx.tenant.quirks.task_list_expand
    if expand and (switch == "refused" or (switch == "refused_with_select"
                                            and req.query.get("$select"))):
        raise unsupported_query("$expand=linkedResources on the tasks of a list")
    items = [todo_task_json(t, expand) for t in lst.tasks.values()]
    return _collection(
        req, items, req.context_url(f"users('{owner.id}')/todo/lists('{lst.id}')/tasks")
    )


@route("POST", "/users/{user}/todo/lists/{list_id}/tasks")
def create_task(ctx: SimContext, req: GraphRequest, user: str, list_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    lst = todo.get_list(box, list_id)
    task = todo.create_task(lst, _body(req), ctx.tenant.quirks)
    return _task_entity(req, owner, lst, todo_task_json(task, bool(task.linked_resources)), 201)


@route("GET", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}")
def get_task(
    ctx: SimContext, req: GraphRequest, user: str, list_id: str, task_id: str
) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    lst = todo.get_list(box, list_id)
    task = todo.get_task(lst, task_id)
    expand = "linkedResources" in (req.query.get("$expand") or "")
    return _task_entity(req, owner, lst, todo_task_json(task, expand))


@route("PATCH", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}")
def update_task(
    ctx: SimContext, req: GraphRequest, user: str, list_id: str, task_id: str
) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    lst = todo.get_list(box, list_id)
    task = todo.update_task(lst, task_id, _body(req), ctx.tenant.quirks)
    return _task_entity(req, owner, lst, todo_task_json(task))


@route("DELETE", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}")
def delete_task(
    ctx: SimContext, req: GraphRequest, user: str, list_id: str, task_id: str
) -> GraphResponse:
    _, box = ctx.tenant.mailbox(user, policy=False)
    lst = todo.get_list(box, list_id)
    todo.get_task(lst, task_id)
    del lst.tasks[task_id]
    return GraphResponse(204)


@route("GET", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}/linkedResources")
def linked_resources(
    ctx: SimContext, req: GraphRequest, user: str, list_id: str, task_id: str
) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user, policy=False)
    task = todo.get_task(todo.get_list(box, list_id), task_id)
    return _collection(
        req,
        linked_resource_json(task),
        req.context_url(
            f"users('{owner.id}')/todo/lists('{list_id}')/tasks('{task_id}')/linkedResources"
        ),
    )


@route("POST", "/users/{user}/todo/lists/{list_id}/tasks/{task_id}/linkedResources")
def add_linked_resource(
    ctx: SimContext, req: GraphRequest, user: str, list_id: str, task_id: str
) -> GraphResponse:
    _, box = ctx.tenant.mailbox(user, policy=False)
    task = todo.get_task(todo.get_list(box, list_id), task_id)
    todo.add_linked_resource(task, _body(req))
    return json_response(linked_resource_json(task)[-1], 201)


def _list_entity(req: GraphRequest, owner: User, lst: TodoList, status: int = 200) -> GraphResponse:
    context = req.context_url(f"users('{owner.id}')/todo/lists/$entity")
    return json_response({"@odata.context": context, **todo_list_json(lst)}, status)


def _task_entity(req: GraphRequest, owner: User, lst: TodoList, body: dict[str, Any],
                 status: int = 200) -> GraphResponse:
    context = req.context_url(f"users('{owner.id}')/todo/lists('{lst.id}')/tasks/$entity")
    return json_response({"@odata.context": context, **body}, status)
