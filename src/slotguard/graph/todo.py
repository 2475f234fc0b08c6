"""Microsoft To Do for follow-up tasks: slotguard's own list per seller, tasks found again
by their key. To Do has no transactionId, so every create looks first."""

from __future__ import annotations

import structlog
from msgraph import GraphServiceClient
from msgraph.generated.users.item.todo.lists.item.tasks.tasks_request_builder import (
    TasksRequestBuilder,
)

from slotguard.graph import reads, writes
from slotguard.graph.create import Send, create_once
from slotguard.graph.errors import Target
from slotguard.graph.pipeline import Pipeline
from slotguard.ports import NewTask

log = structlog.get_logger("slotguard.graph")
MAILBOX = Target.MAILBOX


class TodoGateway:
    def __init__(self, client: GraphServiceClient, pipeline: Pipeline,
                 send: Send | None = None) -> None:
        self.client = client
        self.pipeline = pipeline
        # ``Pipeline.send``'s contract for one mailbox's request (GraphGateway.send batches).
        self.send: Send = send or pipeline.send
        self._lists: dict[tuple[str, str], str] = {}

    async def ensure_task_list(self, upn: str, name: str) -> str:
        """slotguard's list for ``upn``, created when missing. A create that met a 5xx or
        no answer may have landed: the lists are read again before it goes again."""
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

        list_id, _ = await create_once(self.send, self.pipeline, upn, lists,
                                       writes.task_list_body(name), find, "todoTaskList",
                                       look_first=True)
        log.debug("graph.task_list_ready", seller=upn, list_id=list_id)
        self._lists[cache_key] = list_id
        return list_id

    async def find_task(self, upn: str, list_id: str, key: str) -> str | None:
        """The task carrying ``key`` as linkedResource externalId (or, for tasks edited
        elsewhere, as the key line of the body). To Do cannot filter on linked resources,
        so the list (slotguard's own) is read with them expanded."""
        tasks = self.client.users.by_user_id(upn).todo.lists.by_todo_task_list_id(list_id).tasks
        params = TasksRequestBuilder.TasksRequestBuilderGetQueryParameters(
            expand=["linkedResources"], select=["id", "body"], top=100
        )
        for task in await reads.collect(self.send, tasks, params, reads.decode_tasks,
                                           mailbox=upn, target=MAILBOX):
            if key in task.carried_keys():
                return task.id
        return None

    async def create_task(self, upn: str, list_id: str, task: NewTask, *,
                          look_first: bool = True) -> str:
        """To Do has no transactionId: look before writing, and only 429/401 are retried
        blindly; after a 5xx or a network fault the next attempt looks again first.
        ``look_first=False`` skips the first look for a key no earlier attempt can have
        written (the ledger has never seen it); later attempts still look."""
        tasks = self.client.users.by_user_id(upn).todo.lists.by_todo_task_list_id(list_id).tasks
        task_id, _ = await create_once(
            self.send, self.pipeline, upn, tasks, writes.task_body(task),
            lambda: self.find_task(upn, list_id, task.key), "todoTask", look_first=look_first)
        log.debug("graph.task_ready", seller=upn, key=task.key, task_id=task_id)
        return task_id
