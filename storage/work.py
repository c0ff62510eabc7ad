"""Timed work: rows with a due time, performed by the tick and marked done once."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from domain.models import Work
from storage.db import Database, at, current_unit, ts


async def add_work(
    conn: aiosqlite.Connection,
    kind: str,
    due_at: datetime,
    now: datetime,
    **payload: int | str | None,
) -> None:
    """Schedule work inside the caller's transaction, so it exists iff the change does."""
    unit = current_unit()
    if unit is not None and due_at <= now:
        unit.state["work_due"] = True  # the unit's owner runs it as soon as it commits
    await conn.execute(
        "INSERT INTO scheduled_work (due_at, kind, payload, created_at) VALUES (?,?,?,?)",
        (ts(due_at), kind, json.dumps(payload, sort_keys=True), ts(now)),
    )


def _work(row: aiosqlite.Row) -> Work:
    return Work(
        id=row["id"],
        kind=row["kind"],
        due_at=at(row["due_at"]),
        payload=json.loads(row["payload"]),
        attempts=row["attempts"],
    )


class WorkRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, kind: str, due_at: datetime, now: datetime, **payload: int | str | None
    ) -> None:
        async with self.db.tx() as conn:
            await add_work(conn, kind, due_at, now, **payload)

    async def due(self, now: datetime, limit: int = 100) -> list[Work]:
        rows = await self.db.fetchall(
            "SELECT id, kind, due_at, payload, attempts FROM scheduled_work "
            "WHERE done_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (ts(now), limit),
        )
        return [_work(r) for r in rows]

    async def complete(self, work_id: int, now: datetime) -> bool:
        """Mark done; False if someone else already did (a doubled tick)."""
        return (
            await self.db.execute_one(
                "UPDATE scheduled_work SET done_at=? WHERE id=? AND done_at IS NULL",
                (ts(now), work_id),
            )
            == 1
        )

    async def retry_later(self, work_id: int, due_at: datetime) -> None:
        await self.db.execute(
            "UPDATE scheduled_work SET due_at=?, attempts=attempts+1 "
            "WHERE id=? AND done_at IS NULL",
            (ts(due_at), work_id),
        )

    async def postpone(self, work_id: int, due_at: datetime) -> bool:
        """Move a row that is not done yet to a later time (quiet hours), not counting it
        as an attempt; False if it was done meanwhile."""
        return (
            await self.db.execute_one(
                "UPDATE scheduled_work SET due_at=? WHERE id=? AND done_at IS NULL",
                (ts(due_at), work_id),
            )
            == 1
        )

    async def earlier(self, work: Work, key: str) -> bool:
        """Whether a row of the same kind, with the same `key` in its payload, was booked
        before this one (done or not): something said once per need, say."""
        row = await self.db.fetchone(
            "SELECT 1 FROM scheduled_work WHERE kind=? AND id<? "
            "AND json_extract(payload, '$.' || ?) = ? LIMIT 1",
            (work.kind, work.id, key, work.payload.get(key)),
        )
        return row is not None

    async def pending(self, kind: str | None = None) -> list[Work]:
        rows = await self.db.fetchall(
            "SELECT id, kind, due_at, payload, attempts FROM scheduled_work WHERE done_at IS NULL "
            "AND (? IS NULL OR kind=?) ORDER BY due_at, id",
            (kind, kind),
        )
        return [_work(r) for r in rows]
