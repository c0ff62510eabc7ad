"""The outbox: what the bot owes people, written in the transaction of the change that owes it.

A row is a message to send, a message to edit or the buttons to change under one. It is
written inside a unit of work (`Database.unit`), so it exists exactly when the change does,
and settled by the sender only after Telegram has accepted it (or refused it for good).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database, Unit, current_unit, parse_ts, ts

# Methods a row can carry (the sender knows how to perform each).
SEND, EDIT, MARKUP = "send", "edit", "markup"
# Telegram's budget goes first to the answer to what someone just did, then to what people
# are owed otherwise (a proposal, news of their request), then to bulk messages (digests,
# announcements).
ANSWER, PERSONAL, BULK = 0, 1, 2

_COLUMNS = "id, chat_id, method, payload, key, target, priority, transient, attempts, not_before"


@dataclass
class Owed:
    """One row of the outbox, as the sender works through it."""

    id: int
    chat_id: int
    method: str
    payload: dict[str, Any]
    key: str | None = None
    target: str | None = None
    priority: int = PERSONAL
    transient: bool = False
    attempts: int = 0
    not_before: datetime | None = None


@dataclass
class _Batch:
    """The rows one unit of work owes, inserted together just before it commits."""

    rows: list[Owed] = field(default_factory=list)


def _owed(row: aiosqlite.Row) -> Owed:
    return Owed(
        id=row["id"],
        chat_id=row["chat_id"],
        method=row["method"],
        payload=json.loads(row["payload"] or "{}"),
        key=row["key"],
        target=row["target"],
        priority=row["priority"],
        transient=bool(row["transient"]),
        attempts=row["attempts"],
        not_before=parse_ts(row["not_before"]),
    )


def owed_in(unit: Unit) -> list[Owed]:
    """The rows a unit of work owed (with their ids once it has committed)."""
    batch = unit.state.get("outbox")
    return batch.rows if isinstance(batch, _Batch) else []


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Told of every committed batch (the sender queues them); set by the composition root.
        self.listener: Callable[[list[Owed]], None] | None = None

    def owe(
        self,
        chat_id: int,
        method: str,
        payload: dict[str, Any],
        now: datetime,
        *,
        key: str | None = None,
        target: str | None = None,
        priority: int = PERSONAL,
        transient: bool = False,
    ) -> None:
        """Owe someone a message (or an edit) as part of the unit of work in progress.
        A transient row leaves nothing behind once sent (the last word to someone forgotten)."""
        unit = current_unit()
        if unit is None:
            raise RuntimeError("what people are owed is written inside a unit of work")
        batch = unit.state.get("outbox")
        if not isinstance(batch, _Batch):
            batch = unit.state["outbox"] = _Batch()
            unit.at_commit.append(lambda conn: self._insert(conn, batch, now))
            unit.after.append(lambda: self._committed(batch))
        batch.rows.append(Owed(0, chat_id, method, payload, key, target, priority, transient))

    async def _insert(self, conn: aiosqlite.Connection, batch: _Batch, now: datetime) -> None:
        unit = current_unit()
        # Rows to someone this unit forgot (/forget): their last words, then no trace.
        forgotten = unit.state.get("forgotten", set()) if unit is not None else set()
        values: list[object] = []
        for row in batch.rows:
            row.transient = row.transient or row.chat_id in forgotten
            payload = json.dumps(row.payload, ensure_ascii=False)
            values += [row.chat_id, row.method, payload, row.key, row.target, row.priority]
            values += [int(row.transient), ts(now)]
        # One statement for the whole batch; rowids are handed out in order within it.
        returned = await conn.execute_fetchall(
            "INSERT INTO outbox "
            "(chat_id, method, payload, key, target, priority, transient, created_at) VALUES "
            + ", ".join(["(?,?,?,?,?,?,?,?)"] * len(batch.rows))
            + " RETURNING id",
            values,
        )
        ids = sorted(int(r[0]) for r in returned)
        for row, row_id in zip(batch.rows, ids, strict=True):
            row.id = row_id

    async def _committed(self, batch: _Batch) -> None:
        if self.listener is not None:
            self.listener(batch.rows)

    async def unsettled(self) -> list[Owed]:
        """Everything not yet settled, in the order it was owed (start-up reads this)."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE settled_at IS NULL ORDER BY id"
        )
        return [_owed(r) for r in rows]

    async def settle(
        self, row: Owed, outcome: str, now: datetime, message_id: int | None = None
    ) -> None:
        """Done with a row: what it says is no longer kept, only which message it made."""
        if row.transient:
            await self.db.execute_one("DELETE FROM outbox WHERE id=?", (row.id,))
            await self.db.checkpoint()  # not even in the -wal file
            return
        await self.db.execute_one(
            "UPDATE outbox SET settled_at=?, outcome=?, message_id=?, payload=NULL "
            "WHERE id=? AND settled_at IS NULL",
            (ts(now), outcome, message_id, row.id),
        )
        if message_id is not None and row.key and row.key.startswith("proposal:"):
            # A proposal's message is edited when it stops being open (and by its buttons).
            await self.db.execute_one(
                "UPDATE proposals SET chat_id=?, message_id=? WHERE id=?",
                (row.chat_id, message_id, int(row.key.removeprefix("proposal:"))),
            )

    async def retry_later(self, row: Owed, when: datetime) -> None:
        row.attempts += 1
        row.not_before = when
        await self.db.execute_one(
            "UPDATE outbox SET attempts=?, not_before=? WHERE id=?",
            (row.attempts, ts(when), row.id),
        )

    async def message_for(self, key: str, chat_id: int) -> int | None:
        """The Telegram message a keyed row became, if it has been sent."""
        row = await self.db.fetchone(
            "SELECT message_id FROM outbox WHERE key=? AND chat_id=? AND message_id IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            (key, chat_id),
        )
        return int(row[0]) if row else None

    async def prune(self, before: datetime) -> None:
        """Settled rows are kept a while (edits find their messages), then go."""
        await self.db.execute_one(
            "DELETE FROM outbox WHERE settled_at IS NOT NULL AND settled_at < ?", (ts(before),)
        )
