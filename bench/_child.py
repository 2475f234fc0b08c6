"""A benchmark worker in a spawned process of its own, called over a pipe.

The parent sends ``(op, args)``; the child answers ``(True, value)`` or ``(False,
traceback)``. Keeping the simulator and the scan in separate processes is what lets each
figure (CPU, RSS) belong to one of them.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class ChildProcess:
    """Start ``target(conn, *args)`` in a spawned process; ``hello`` is the first call,
    made on entry, and its answer is kept in ``greeting``."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], *, name: str,
                 hello: str, join_timeout: float) -> None:
        self._target, self._args, self._name = target, args, name
        self._hello, self._join_timeout = hello, join_timeout
        self._conn: Connection | None = None
        self._proc: Any = None
        self.greeting: Any = None

    def __enter__(self) -> ChildProcess:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=self._target, args=(child, *self._args), daemon=True,
                                 name=self._name)
        self._proc.start()
        self._conn = parent
        self.greeting = self.call(self._hello)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            with contextlib.suppress(EOFError, OSError, RuntimeError):
                self.call("stop")
        if self._proc is not None:
            self._proc.join(timeout=self._join_timeout)
            if self._proc.is_alive():
                self._proc.kill()

    def call(self, op: str, *args: Any) -> Any:
        assert self._conn is not None
        self._conn.send((op, args))
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"{self._name}: {op} failed:\n{value}")
        return value


def serve(conn: Connection, handle: Callable[[str, tuple[Any, ...]], Any]) -> None:
    """The child's side: answer each call with ``handle(op, args)`` until "stop"."""
    while True:
        op, args = conn.recv()
        if op == "stop":
            conn.send((True, None))
            return
        try:
            conn.send((True, handle(op, args)))
        except Exception:
            conn.send((False, traceback.format_exc()))
