"""What every part of the ledger shares: the engine, the clock, short transactions, and an
insert that quietly does nothing when its unique key already exists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Executable, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from slotguard.domain.model import IsoWeek
from slotguard.ports import Clock
from slotguard.store.engine import transaction

ClockLike = Callable[[], datetime] | Clock
MAX_TEXT = 4000  # error and problem messages are kept short: they are for people, not dumps
CHUNK = 500  # names per IN (...) list


def as_now(clock: ClockLike) -> Callable[[], datetime]:
    return clock if callable(clock) else clock.now


def seller_id(seller: str) -> str:
    """Sellers are compared by lower-cased UPN, as in the violation key."""
    return seller.strip().lower()


def iso_week(text: str, field: str = "week") -> str:
    try:
        return str(IsoWeek.parse(text))
    except ValueError:
        raise ValueError(f"{field}: expected an ISO week such as 2026-W48, got {text!r}") from None


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


Rows = dict[str, Any] | list[dict[str, Any]]


def insert_ignore(conn: Connection, table: Table, rows: Rows) -> int:
    """Insert, skipping rows whose unique key exists; returns how many were inserted.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and
    then skips, so the caller's transaction stays usable for a re-read."""
    if isinstance(rows, dict):
        statement = _ignoring(conn.dialect.name, table)
        if statement is not None:
            # One row, the hot case (an intent per write): a statement built once per
            # table, its values bound as parameters, so SQLAlchemy compiles it once.
            return conn.execute(statement, rows, execution_options=_ROWCOUNT).rowcount
    batch = rows if isinstance(rows, list) else [rows]
    if not batch:
        return 0
    name = conn.dialect.name
    if name in ("postgresql", "sqlite"):
        make = pg_insert if name == "postgresql" else sqlite_insert
        query = make(table).values(batch).on_conflict_do_nothing()
        return conn.execute(query, execution_options=_ROWCOUNT).rowcount
    inserted = 0
    for row in batch:  # other backends: one savepoint per row
        try:
            with conn.begin_nested():
                conn.execute(table.insert().values(row))
            inserted += 1
        except IntegrityError:
            pass
    return inserted


def insert_ignore_all(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``insert_ignore`` for many rows whose count inserted nobody needs: one executemany
    of the statement built once per table (a multi-row VALUES is compiled anew per call,
    which cost a wave's leases more than the database did)."""
    statement = _ignoring(conn.dialect.name, table)
    if statement is None or not rows:
        insert_ignore(conn, table, rows)
        return
    conn.execute(statement, rows)


# INSERT's rowcount is only kept when asked for (SQLAlchemy 2.x).
_ROWCOUNT = {"preserve_rowcount": True}
_STATEMENTS: dict[tuple[str, str], Executable] = {}


def insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]],
               key: str) -> set[Any] | None:
    """Insert ``rows`` in one statement, skipping those whose unique ``key`` exists, and
    return the keys inserted; None where that cannot tell which row went in (then nothing
    is done): a backend without it, or a key given twice."""
    if len({row[key] for row in rows}) != len(rows):
        return None
    statement = _ignoring(conn.dialect.name, table)
    if statement is None:
        return None
    cache_key = (conn.dialect.name, f"{table.name} returning {key}")
    returning = _STATEMENTS.get(cache_key)
    if returning is None:
        returning = _STATEMENTS[cache_key] = statement.returning(  # type: ignore[attr-defined]
            table.c[key])
    return set(conn.execute(returning, rows).scalars())


def _ignoring(dialect: str, table: Table) -> Executable | None:
    """INSERT ... ON CONFLICT DO NOTHING for ``table``, made once per dialect and table."""
    if dialect not in ("postgresql", "sqlite"):
        return None
    key = (dialect, table.name)
    statement = _STATEMENTS.get(key)
    if statement is None:
        make = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = _STATEMENTS[key] = make(table).on_conflict_do_nothing()
    return statement


class LedgerBase:
    def __init__(self, engine: Engine, clock: ClockLike) -> None:
        self.engine = engine
        self._clock = as_now(clock)
        # The write transaction a ``batch()`` holds open for the current task, if any.
        self._batch: ContextVar[Connection | None] = ContextVar("ledger_batch", default=None)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One write transaction for every ledger call made inside the block, committed
        when it ends (all or nothing). For a seller's many small records at once: a
        transaction each cost more than the statements in it. Keep awaits out of the
        block — it holds the write lock — and commit before the writes it announces."""
        if self._batch.get() is not None:
            yield  # already inside one: the outer block commits
            return
        with transaction(self.engine, write=True) as conn:
            token = self._batch.set(conn)
            try:
                yield
            finally:
                self._batch.reset(token)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("clock: returned a naive datetime; it must return aware UTC")
        return now

    def _write(self) -> AbstractContextManager[Connection]:
        conn = self._batch.get()
        return nullcontext(conn) if conn is not None else transaction(self.engine, write=True)

    def _read(self) -> AbstractContextManager[Connection]:
        conn = self._batch.get()
        return nullcontext(conn) if conn is not None else transaction(self.engine, write=False)
