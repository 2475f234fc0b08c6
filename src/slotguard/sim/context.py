"""Everything a running simulator shares between its HTTP layer, handlers and tests."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from slotguard.sim.delta import DeltaStore
from slotguard.sim.faults import Faults
from slotguard.sim.tenant import Tenant
from slotguard.sim.tokens import TokenIssuer


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the simulator answered (a $batch item is a record of its own)."""

    seq: int
    at: float
    method: str
    path: str  # as received, before normalisation
    query: dict[str, str]
    status: int
    mailbox: str | None  # UPN of the mailbox touched, if any
    transaction_id: str | None = None
    prefer: str | None = None
    client_request_id: str | None = None
    retry_attempt: str | None = None
    batch_item: str | None = None  # "<batch request-id>/<item id>" for $batch items
    error_code: str | None = None
    duration_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_graph_write(self) -> bool:
        """A Graph request that changes the tenant. A $batch envelope is not one (its items
        are records of their own), nor are token requests or /_sim/ administration."""
        path = self.path.rstrip("/")
        return (self.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
                and "/v1.0/" in path and not path.endswith("$batch"))


@dataclass
class RequestLog:
    _items: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def add(self, **values: Any) -> RequestRecord:
        with self._lock:
            self._seq += 1
            record = RequestRecord(seq=self._seq, at=time.time(), **values)
            self._items.append(record)
            return record

    def all(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass
class SimContext:
    tenant: Tenant
    tokens: TokenIssuer
    faults: Faults
    delta: DeltaStore
    log: RequestLog
    # The resource (aud) values accepted in ".default" scopes besides graph.microsoft.com;
    # the server adds its own Graph URL once it knows its port.
    graph_resources: set[str] = field(default_factory=set)
