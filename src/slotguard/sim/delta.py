"""Server-side sync state behind calendarView/delta links.

A delta round remembers, per token, which instances it reported and their changeKeys; the
next round reports what differs (new or changed instances, and ``@removed`` for instances
that were deleted, cancelled from a series, or moved out of the window). Tokens are opaque
and evicted from a bounded cache, like Exchange's sync states: an evicted or expired token
answers 410 Gone with code SyncStateNotFound
(github.com/microsoftgraph/microsoft-graph-docs/issues/2350).
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class SyncState:
    user_id: str
    start: datetime
    end: datetime
    seen: dict[str, str]  # instance id -> changeKey
    generation: int


@dataclass(slots=True)
class PendingPages:
    state: SyncState  # what the deltaLink at the end of these pages will stand for
    remaining: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 10
    # Empty pages with only a nextLink still to come before these (quirks.py).
    leading_empty: int = 0


class DeltaStore:
    def __init__(self, capacity: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._tokens: OrderedDict[str, SyncState] = OrderedDict()
        self._pages: OrderedDict[str, PendingPages] = OrderedDict()
        self._capacity = capacity
        self._generation = 0

    def save_state(self, state: SyncState) -> str:
        with self._lock:
            self._generation += 1
            state.generation = self._generation
            token = secrets.token_urlsafe(48)
            self._tokens[token] = state
            while len(self._tokens) > self._capacity:
                self._tokens.popitem(last=False)
            return token

    def state(self, token: str) -> SyncState | None:
        with self._lock:
            state = self._tokens.get(token)
            if state is not None:
                self._tokens.move_to_end(token)
            return state

    def save_pages(self, pending: PendingPages) -> str:
        with self._lock:
            token = secrets.token_urlsafe(48)
            self._pages[token] = pending
            while len(self._pages) > self._capacity:
                self._pages.popitem(last=False)
            return token

    def take_pages(self, token: str) -> PendingPages | None:
        with self._lock:
            return self._pages.pop(token, None)

    def expire(self, user_id: str | None = None) -> int:
        """Forget sync states (all, or one mailbox's); returns how many were dropped."""
        with self._lock:
            doomed = [t for t, s in self._tokens.items() if user_id is None or s.user_id == user_id]
            for t in doomed:
                del self._tokens[t]
            pages = [
                t for t, p in self._pages.items() if user_id is None or p.state.user_id == user_id
            ]
            for t in pages:
                del self._pages[t]
            return len(doomed) + len(pages)

    @property
    def generation(self) -> int:
        return self._generation
