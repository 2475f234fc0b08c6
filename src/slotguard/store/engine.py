"""Engines tuned for how the ledger is used: a daemon writing and a CLI reading the same
SQLite file, or several replicas sharing one PostgreSQL database.

SQLite: WAL lets readers and one writer work side by side; a busy timeout makes a second
writer wait instead of failing. pysqlite's own transaction handling is switched off so that
write transactions can start with BEGIN IMMEDIATE: a deferred transaction that reads first
and writes later can fail at once with "database is locked" when another writer got in
between, whatever the busy timeout says.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

WRITE = "slotguard_write"  # execution option: this transaction will write


def _json_default(value: object) -> object:
    # Meeting summaries and run stats often carry dates; store them as ISO text.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


# One encoder for every bind: json.dumps with options builds a new encoder per call
# (about 2.5 µs a small payload against 2.0 µs here).
_dumps = json.JSONEncoder(default=_json_default, separators=(",", ":")).encode


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # ArgumentError; the message names the URL's problem
        raise ValueError(f"database_url: cannot parse {url!r} ({exc})") from None
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, echo=echo, json_serializer=_dumps)

    database = parsed.database or ""
    kwargs: dict[str, Any] = {"echo": echo, "json_serializer": _dumps}
    if database in ("", ":memory:"):
        # One shared connection, or every pooled connection would see its own empty
        # database. Good for tests and dry runs; not for concurrent writers.
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        private_file(Path(database).expanduser())
        # No prepared-statement cache: a finished statement keeps the buffers of its last
        # values (bound snapshots, a few hundred names of an IN list), so the default
        # cache of 128 statements holds megabytes inside SQLite for a large tenant, and
        # preparing each statement anew is cheap.
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000, "cached_statements": 0}
    engine = create_engine(parsed, **kwargs)
    _tune_sqlite(engine, busy_timeout_ms, in_memory=database in ("", ":memory:"))
    return engine


def private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by this user only, before SQLite
    would create it with the umask's mode (0644 by default): the ledger holds sellers'
    addresses and calendar times. SQLite gives its -wal and -shm files the database file's
    mode. A file an earlier version left readable by everyone loses that bit."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        info = path.stat()
        if info.st_mode & 0o007 and info.st_uid == os.geteuid():
            path.chmod(info.st_mode & 0o770)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if not in_memory:
                _enable_wal(cursor, busy_timeout_ms)
                cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough under WAL
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Connection]:
    """One short transaction; committed on success, rolled back on any exception."""
    with engine.connect() as conn:
        if write:
            conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


def _enable_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """Switch the file to WAL (a setting the file keeps). Switching needs the database to
    itself, and SQLite answers "database is locked" at once rather than calling the busy
    handler, so replicas opening a new file together would fail: retry within the busy
    timeout. A file some connection already switched only needs the cheap check."""
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)
