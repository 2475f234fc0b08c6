"""Microsoft To Do for follow-up and habit tasks: slotguard's own list per seller, tasks
found again by their key (the linked resource's externalId, which the seller does not
see; tasks written earlier also carry it as a line of their note).

To Do has no transactionId and cannot filter on linked resources, so the list is read —
once per seller and cycle when a key is unknown to the ledger (``task_keys``) — with the
linked resources expanded. learn.microsoft.com/graph/api/todotasklist-list-tasks supports
"some of the OData query parameters" without naming them: a tenant that refuses the $expand
with $select is read without the $select, one that refuses the $expand altogether task by
task (todotask-list-linkedresources, documented). Each way round is taken once for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import structlog
from msgraph import GraphServiceClient
from msgraph.generated.users.item.todo.lists.item.tasks.tasks_request_builder import (
    TasksRequestBuilder,
)

from slotguard.errors import GraphError
from slotguard.graph import reads, writes
from slotguard.graph.create import Send, create_once, create_recurring
from slotguard.graph.errors import Target
from slotguard.graph.fallbacks import Fallback, Fallbacks
from slotguard.graph.pipeline import Pipeline
from slotguard.ports import NewTask

log = structlog.get_logger("slotguard.graph")
MAILBOX = Target.MAILBOX


class TodoGateway:
    def __init__(self, client: GraphServiceClient, pipeline: Pipeline,
                 send: Send | None = None, fallbacks: Fallbacks | None = None) -> None:
        self.client = client
        self.pipeline = pipeline
        self.fallbacks = fallbacks or Fallbacks()
        # ``Pipeline.send``'s contract for one mailbox's request (GraphGateway.send batches).
        self.send: Send = send or pipeline.send
        self._lists: dict[tuple[str, str], str] = {}
        # Lists this process has just created, not read since: nothing can be in them yet
        # but what the ledger records this process writing.
        self._new_lists: set[tuple[str, str]] = set()

    async def ensure_task_list(self, upn: str, name: str) -> str:
        """slotguard's list for ``upn``, looked up by name and created when missing. A
        create that met a 5xx or no answer may have landed: the caller asks again, and the
        lists are read again before it goes again."""
        cache_key = (upn.lower(), name.casefold())
        if cache_key in self._lists:
            return self._lists[cache_key]
        lists = self.client.users.by_user_id(upn).todo.lists

        async def find() -> str | None:
            for item in await reads.collect(self.send, lists, None, reads.decode_task_lists,
                                           mailbox=upn, target=MAILBOX):
                if (item.displayName or "").casefold() == name.casefold():
                    return str(item.id)
            return None

        list_id, created = await find(), False
        if list_id is None:
            list_id, created = await create_once(self.send, upn, lists,
                                                 writes.task_list_body(name), find,
                                                 "todoTaskList")
        if created:
            self._new_lists.add((upn.lower(), list_id))
        log.debug("graph.task_list_ready", seller=upn, list_id=list_id)
        self._lists[cache_key] = list_id
        return list_id

    async def find_task(self, upn: str, list_id: str, key: str) -> str | None:
        """The task carrying ``key`` in the list, read now."""
        return (await self.task_keys(upn, list_id)).get(key)

    async def task_keys(self, upn: str, list_id: str) -> dict[str, str]:
        """Every slotguard key a task of the list carries, with the task's id: the list read
        once, whatever the tenant does with the linked resources' $expand."""
        if (upn.lower(), list_id) in self._new_lists:
            self._new_lists.discard((upn.lower(), list_id))
            return {}
        tasks = self.client.users.by_user_id(upn).todo.lists.by_todo_task_list_id(list_id).tasks
        found: list[reads.Task] | None = None
        refusal: GraphError | None = None
        for select, skip in ((["id", "body"], Fallback.TASK_EXPAND_WITH_SELECT), (None, None)):
            if Fallback.TASK_EXPAND in self.fallbacks or (skip and skip in self.fallbacks):
                continue
            params = TasksRequestBuilder.TasksRequestBuilderGetQueryParameters(
                expand=["linkedResources"], select=select, top=100)
            try:
                found = await self._tasks(upn, tasks, params)
            except GraphError as error:
                if error.status != 400:
                    raise
                refusal = error
                continue
            if refusal is not None:  # refused with the $select, read without it
                self.fallbacks.take(Fallback.TASK_EXPAND_WITH_SELECT, code=refusal.code)
            break
        if found is None:
            found = await self._tasks_one_by_one(upn, tasks)
            if refusal is not None:
                self.fallbacks.take(Fallback.TASK_EXPAND, code=refusal.code)
        keys: dict[str, str] = {}
        for task in found:
            for key in task.carried_keys():
                keys.setdefault(key, task.id)
        return keys

    async def _tasks(self, upn: str, tasks: TasksRequestBuilder, params: object,
                     ) -> list[reads.Task]:
        return await reads.collect(self.send, tasks, params, reads.decode_tasks,
                                   mailbox=upn, target=MAILBOX)

    async def _tasks_one_by_one(self, upn: str, tasks: TasksRequestBuilder) -> list[reads.Task]:
        """The list without $expand, then each task's linked resources (a task whose note
        carries its key needs none)."""
        params = TasksRequestBuilder.TasksRequestBuilderGetQueryParameters(top=100)
        found = await self._tasks(upn, tasks, params)

        async def links(task: reads.Task) -> reads.Task:
            if task.carried_keys():
                return task
            resources = tasks.by_todo_task_id(task.id).linked_resources
            linked = await reads.collect(self.send, resources, None, reads.decode_links,
                                         mailbox=upn, target=MAILBOX)
            return reads.Task(task.id, task.body, linked)

        return list(await asyncio.gather(*(links(t) for t in found)))

    async def create_task(self, upn: str, list_id: str, task: NewTask) -> str:
        """One attempt: To Do has no transactionId, so the caller looks before writing
        (and again after a 5xx or a network fault). A recurrence zone the tenant refuses
        is left out."""
        tasks = self.client.users.by_user_id(upn).todo.lists.by_todo_task_list_id(list_id).tasks
        self._new_lists.discard((upn.lower(), list_id))  # written to: no longer known empty

        def find() -> Awaitable[str | None]:
            return self.find_task(upn, list_id, task.key)

        task_id, _ = await create_recurring(
            self.send, upn, tasks,
            lambda zone: writes.task_body(task, recurrence_zone=zone), find, "todoTask",
            fallbacks=self.fallbacks,
            fallback=Fallback.TASK_RECURRENCE_ZONE)
        log.debug("graph.task_ready", seller=upn, key=task.key, task_id=task_id)
        return task_id
