"""One SQLite file through aiosqlite: connecting, migrating, and transactions."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

logger = logging.getLogger(__name__)


Params = Sequence[Any] | Mapping[str, Any]


class DatabaseTooNew(RuntimeError):
    """The file was written by a newer version of the bot; refusing to touch it."""


class Unit:
    """One transaction around a whole piece of work (an update, a row of timed work): every
    change it makes and every message it owes people commit together or not at all.

    The transaction begins at the unit's first write, so reading (a report, a look-up)
    never holds up anyone else; from then until the commit it has the connection to itself.
    """

    def __init__(self) -> None:
        self.conn: aiosqlite.Connection | None = None  # set once the transaction has begun
        self.task = asyncio.current_task()
        # Statements run just before COMMIT (the outbox's rows).
        self.at_commit: list[Callable[[aiosqlite.Connection], Awaitable[None]]] = []
        # Run after COMMIT: what the work leads to (a scrub of deleted data, the sender told).
        self.after: list[Callable[[], Awaitable[None]]] = []
        self.aborted = False
        self.state: dict[str, Any] = {}  # what the storage rooms gather for the commit

    def abort(self) -> None:
        """Roll everything back at the end instead of committing (a handler failed)."""
        self.aborted = True
        self.at_commit.clear()
        self.after.clear()


_unit: ContextVar[Unit | None] = ContextVar("unit", default=None)


def current_unit() -> Unit | None:
    """The unit of work this task is inside, if any (a task started from inside one does
    not share it: it may outlive the transaction)."""
    unit = _unit.get()
    if unit is not None and unit.task is asyncio.current_task():
        return unit
    return None


# The Telegram update being handled in this task, and when it arrived (see `Database.tx`).
_current_update: ContextVar[tuple[int, datetime] | None] = ContextVar(
    "current_update", default=None
)


def processing_update(update_id: int | None, now: datetime | None = None) -> None:
    """From here on in this task, a transaction that changes anything also records
    `update_id` as processed, atomically with the change; None stops that."""
    _current_update.set(None if update_id is None or now is None else (update_id, now))


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every bundled migration, in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for item in folder.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, item.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, 1):
        if version != expected:
            raise RuntimeError(f"migration {name} is out of sequence (expected {expected:04d})")
    return found


def ts(moment: datetime) -> str:
    """A UTC timestamp as stored: sortable text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def at(text: str) -> datetime:
    """A stored timestamp that is never empty."""
    return datetime.fromisoformat(text)


class Database:
    """One connection with a lock, so each operation's statements run together.

    It connects (and migrates) on first use, so it can be handed to PTB before the event
    loop runs.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._connecting = asyncio.Lock()
        # A second connection for long reads (reports), so they never hold up conversations.
        self._reader: aiosqlite.Connection | None = None
        self._reading = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        db = cls(path)
        await db.connect()
        return db

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the database is not connected")
        return self._conn

    async def connect(self) -> None:
        """Connect and migrate, once; safe to call from every operation. Once closed, it
        stays closed (a late task must not open a connection nobody will close)."""
        if self._conn is not None:
            return
        if self._closed:
            raise RuntimeError("the database has been closed")
        async with self._connecting:
            if self._conn is not None:
                return
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            try:
                await conn.execute("PRAGMA busy_timeout=10000")
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("PRAGMA foreign_keys=ON")
                # Deleted data is overwritten with zeros, not left in free space (/forget).
                await conn.execute("PRAGMA secure_delete=ON")
                await conn.execute("PRAGMA synchronous=NORMAL")
                await _migrate(conn, self.path)
            except BaseException:
                await conn.close()
                raise
            self._conn = conn

    async def read(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """A long read (a report) on a connection of its own: it sees what has committed and
        waits for no one, and no conversation waits for it (WAL lets both run at once)."""
        await self.connect()
        async with self._reading:
            if self._reader is None:
                reader = await aiosqlite.connect(self.path, isolation_level=None)
                reader.row_factory = aiosqlite.Row
                await reader.execute("PRAGMA busy_timeout=10000")
                await reader.execute("PRAGMA query_only=ON")
                self._reader = reader
            return list(await self._reader.execute_fetchall(sql, params))

    async def close(self) -> None:
        self._closed = True
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await reader.close()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        """A unit of work: one write transaction for the whole of it, begun at its first
        write. Inside, `tx` is a savepoint; at the end everything commits together (with
        what `Unit.at_commit` adds), then `Unit.after` runs. Once it has written, nothing
        inside may wait on another task that needs the database."""
        if current_unit() is not None:
            raise RuntimeError("units of work do not nest")
        await self.connect()
        unit = Unit()
        token = _unit.set(unit)
        try:
            try:
                yield unit
                if not unit.aborted and unit.at_commit:
                    conn = await self._begin(unit)
                    for step in unit.at_commit:
                        await step(conn)
            except BaseException:
                if unit.conn is not None:
                    await unit.conn.execute("ROLLBACK")
                raise
            finally:
                _unit.reset(token)
            if unit.conn is not None:
                # An aborted unit (a handler failed) changes nothing; what it says after is
                # an apology, added after the abort.
                await unit.conn.execute("ROLLBACK" if unit.aborted else "COMMIT")
        finally:
            if unit.conn is not None:
                unit.conn = None
                self._lock.release()
        for after in unit.after:
            await after()

    async def _begin(self, unit: Unit) -> aiosqlite.Connection:
        """The unit's transaction, begun now if it has not been: it holds the connection."""
        if unit.conn is None:
            await self._lock.acquire()
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._lock.release()
                raise
            unit.conn = self.conn
        return unit.conn

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; everything inside commits together or not at all. Inside a
        unit of work it is a savepoint of the unit's transaction."""
        unit = current_unit()
        if unit is not None:
            async with self._savepoint(unit) as conn:
                yield conn
            return
        await self.connect()
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            changes = self.conn.total_changes
            try:
                yield self.conn
                await self._note_update(self.conn, changes)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    @asynccontextmanager
    async def _savepoint(self, unit: Unit) -> AsyncIterator[aiosqlite.Connection]:
        """Inside a unit, a transaction is just part of it: a failure anywhere rolls the
        whole unit back (nothing inside catches one and carries on), so no savepoint."""
        conn = await self._begin(unit)
        changes = conn.total_changes
        yield conn
        if not unit.state.get("update_noted"):
            unit.state["update_noted"] = await self._note_update(conn, changes)

    @staticmethod
    async def _note_update(conn: aiosqlite.Connection, changes: int) -> bool:
        """Record the update being handled as processed, if this changed anything."""
        current = _current_update.get()
        if current is not None and conn.total_changes != changes:
            # A redelivered update then finds its id and is ignored (handlers.common).
            await conn.execute(
                "INSERT OR IGNORE INTO processed_updates (update_id, at) VALUES (?, ?)",
                (current[0], ts(current[1])),
            )
            return True
        return False

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        unit = current_unit()
        if unit is not None and unit.conn is not None:
            return list(await unit.conn.execute_fetchall(sql, params))
        await self.connect()
        # One trip to aiosqlite's thread for the statement and its rows.
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One statement in its own transaction; returns the number of rows changed."""
        async with self.tx() as conn, conn.execute(sql, params) as cur:
            return cur.rowcount

    async def execute_one(self, sql: str, params: Params = ()) -> int:
        """One statement, atomic on its own, in one trip to the database thread. For
        bookkeeping (a message id noted, a row of timed work marked done) that is not an
        update's own effect, so it does not mark the update as handled (see `tx`)."""
        unit = current_unit()
        if unit is not None:
            cur = await (await self._begin(unit)).execute(sql, params)
            return cur.rowcount
        await self.connect()
        async with self._lock:
            cur = await self.conn.execute(sql, params)
            return cur.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.tx() as conn:
            await conn.executemany(sql, rows)

    async def checkpoint(self) -> None:
        if current_unit() is not None:
            raise RuntimeError("a checkpoint cannot run inside a unit of work")
        await self.connect()
        async with self._lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _migrate(conn: aiosqlite.Connection, path: str) -> int:
    """Apply every migration newer than the file, each in its own transaction."""
    steps = migrations()
    latest = steps[-1][0]
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    if current > latest:
        raise DatabaseTooNew(
            f"{path} is at schema version {current}, but this version of Mutual Aid Bot only "
            f"knows up to {latest}. Upgrade the bot (or restore a backup) rather than run an "
            "older version against newer data."
        )
    for version, name, sql in steps:
        if version <= current:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another connection may have applied it while this one waited for the lock.
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            if row and int(row[0]) >= version:
                await conn.execute("COMMIT")
                continue
            logger.info("Applying migration %s", name)
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version={version}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return latest


def _statements(sql: str) -> list[str]:
    """Split a migration file into whole statements (a trigger's body stays in one)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError(f"unterminated statement in a migration: {buffer.strip()[:60]}")
    return statements
