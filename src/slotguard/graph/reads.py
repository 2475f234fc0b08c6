"""Small decoders for the non-event payloads (users, To Do lists and tasks, created ids)
and the TTL cache for mailbox settings and group membership."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import msgspec

from slotguard.errors import BadGraphData
from slotguard.graph.marker import LEGACY_TASK_KEY_PREFIX, TASK_APPLICATION
from slotguard.graph.pipeline import request_config
from slotguard.ports import GroupMembers

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Values kept for ``ttl`` seconds of an injectable monotonic clock."""

    def __init__(self, ttl: float, clock: Callable[[], float]) -> None:
        self._ttl, self._clock = ttl, clock
        self._items: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        hit = self._items.get(key)
        if hit is None or hit[0] <= self._clock():
            return None
        return hit[1]

    def put(self, key: K, value: V) -> None:
        self._items[key] = (self._clock() + self._ttl, value)


class _Id(msgspec.Struct):
    id: str | None = None


def decode_id(raw: bytes | None, what: str) -> str:
    """The ``id`` of a created item; its absence is Graph's fault, said plainly."""
    try:
        item = msgspec.json.decode(raw or b"{}", type=_Id)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"created {what}: response is not JSON: {exc}", code="id") from exc
    if not item.id:
        raise BadGraphData(f"created {what}: response has no id", code="id")
    return item.id


class _User(msgspec.Struct):
    id: str | None = None
    userPrincipalName: str | None = None  # Graph's wire names
    accountEnabled: bool | None = None


class _Users(msgspec.Struct):
    value: list[_User] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


def decode_users(raw: bytes) -> tuple[list[_User], str | None]:
    page = _decode(raw, _Users, "transitiveMembers")
    return page.value, page.next_link


def group_members(users: list[_User]) -> GroupMembers:
    """Who of a group's users are sellers. Disabled accounts are not. Graph leaves
    accountEnabled out (null) without User.Read.All — User.ReadBasic.All reads the basic
    profile only — and gives members only their id without any user permission; both are
    counted rather than guessed."""
    upns: list[str] = []
    disabled = unknown = unnamed = 0
    for user in users:
        if not user.userPrincipalName:
            unnamed += 1
        elif user.accountEnabled is False:
            disabled += 1
        else:
            unknown += user.accountEnabled is None
            upns.append(user.userPrincipalName.lower())
    return GroupMembers(tuple(upns), disabled, unknown, unnamed)


class _Page(msgspec.Struct, Generic[V]):
    value: list[V] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


def decode_ids(raw: bytes) -> tuple[list[str], str | None]:
    """The ids of a page of items read with ``$select=id``."""
    page = _decode(raw, _Page[_Id], "ids")
    return [item.id for item in page.value if item.id], page.next_link


class TaskList(msgspec.Struct):
    id: str
    displayName: str | None = None


class _TaskLists(msgspec.Struct):
    value: list[TaskList] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


def decode_task_lists(raw: bytes) -> tuple[list[TaskList], str | None]:
    page = _decode(raw, _TaskLists, "todo/lists")
    return page.value, page.next_link


class _LinkedResource(msgspec.Struct):
    externalId: str | None = None
    applicationName: str | None = None


class _Body(msgspec.Struct):
    content: str | None = None


def decode_links(raw: bytes) -> tuple[list[_LinkedResource], str | None]:
    page = _decode(raw, _Page[_LinkedResource], "linkedResources")
    return page.value, page.next_link


class Task(msgspec.Struct):
    id: str
    body: _Body | None = None
    linkedResources: list[_LinkedResource] | None = None

    def carried_keys(self) -> set[str]:
        """Every slotguard key this task carries."""
        found = {
            link.externalId
            for link in self.linkedResources or ()
            if link.externalId and (link.applicationName or TASK_APPLICATION) == TASK_APPLICATION
        }
        content = self.body.content if self.body and self.body.content else ""
        for line in content.replace("\r", "\n").replace("<br>", "\n").splitlines():
            text = line.strip()
            if text.startswith(LEGACY_TASK_KEY_PREFIX):
                found.add(text[len(LEGACY_TASK_KEY_PREFIX):].strip())
        return found


class _Tasks(msgspec.Struct):
    value: list[Task] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")


def decode_tasks(raw: bytes) -> tuple[list[Task], str | None]:
    page = _decode(raw, _Tasks, "todo tasks")
    return page.value, page.next_link


T = TypeVar("T")


async def collect(send: Callable[..., Awaitable[bytes | None]], root: Any, params: Any,
                  decode: Callable[[bytes], tuple[list[T], str | None]], *,
                  mailbox: str | None, target: Any,
                  headers: dict[str, str] | None = None) -> list[T]:
    """Every item of a paged collection: the first request from ``root`` with ``params``,
    then each @odata.nextLink as Graph gave it (it carries the query already)."""
    out: list[T] = []
    link: str | None = None
    while True:
        builder = root.with_url(link) if link else root
        first = link is None
        raw = await send(
            lambda b=builder, f=first: b.to_get_request_information(
                request_config(params if f else None, headers=headers)
            ),
            mailbox=mailbox, target=target,
        )
        items, link = decode(raw or b"{}")
        out.extend(items)
        if not link:
            return out


def _decode(raw: bytes, kind: type[T], what: str) -> T:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"{what}: unexpected response: {exc}", code=what) from exc
