"""Which replica this process is, so a restart recognises its predecessor's leases and
weekly claims instead of waiting for them to lapse.

Without SLOTGUARD_REPLICA_ID the id is stable per host and state directory
(``<hostname>-<8 hex digits of the state directory's path>``): a process that crashed and
was started again is the same owner, resumes its weekly job at once and takes its sellers'
leases back. Two processes on one host and state directory at the same time (the daemon,
and an admin's ``scan --once``) must not share an id, or each would take the other's
leases for its own and both would work on one seller. So the first holds an exclusive lock
on ``<state dir>/replica.lock`` for its lifetime and gets the stable id; a second one finds
the lock taken and runs as a replica of its own (``<stable id>-<pid>``), which leaves the
sellers the first holds alone. The kernel drops the lock when its holder dies, SIGKILL
included, so the restarted process gets the stable id back.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import structlog

try:
    import fcntl
except ImportError:  # Windows: no flock; every process runs as its own replica
    fcntl = None  # type: ignore[assignment]

log = structlog.get_logger("slotguard.replica")

LOCK_FILE = "replica.lock"
_others = itertools.count(1)


def stable_replica_id(state_dir: Path) -> str:
    digest = hashlib.blake2b(str(state_dir).encode(), digest_size=4).hexdigest()
    return f"{socket.gethostname()}-{digest}"


@dataclass
class Identity:
    replica: str
    _lock: IO[bytes] | None = None

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file drops the lock
            self._lock = None


def claim_identity(state_dir: Path, configured: str | None) -> Identity:
    """The id to use; an explicitly configured one is taken as it is."""
    if configured:
        return Identity(configured)
    stable = stable_replica_id(state_dir)
    handle = _lock(state_dir / LOCK_FILE)
    if handle is not None:
        return Identity(stable, handle)
    # Another process of this state directory runs now; within one process (tests) the
    # counter keeps the ids apart.
    other = f"{stable}-{os.getpid()}" + ("" if (n := next(_others)) == 1 else f".{n}")
    log.info("replica.state_dir_in_use", replica=other, holder=stable,
             lock=str(state_dir / LOCK_FILE))
    return Identity(other)


def _lock(path: Path) -> IO[bytes] | None:
    if fcntl is None:
        return None
    handle = open(path, "ab")  # noqa: SIM115 - held open for the process's lifetime
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
