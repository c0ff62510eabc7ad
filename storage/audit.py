"""The audit log: who did what to whom, and when. Written in the action's own transaction."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.coordination import Audit, AuditEntry
from storage.db import Database, at, ts


async def add_audit(
    conn: aiosqlite.Connection,
    actor_id: int,
    action: Audit,
    target: str | None,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Record an action inside the caller's transaction, so it exists iff the change does."""
    await conn.execute(
        "INSERT INTO audit_log (actor_id, action, target, detail, at) VALUES (?,?,?,?,?)",
        (actor_id, action.value, target, detail, ts(now)),
    )


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        actor_id: int,
        action: Audit,
        target: str | None,
        now: datetime,
        detail: str | None = None,
    ) -> None:
        async with self.db.tx() as conn:
            await add_audit(conn, actor_id, action, target, now, detail)

    async def entries(self, limit: int = 100) -> list[AuditEntry]:
        rows = await self.db.fetchall("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        return [
            AuditEntry(
                id=r["id"],
                actor_id=r["actor_id"],
                action=r["action"],
                target=r["target"],
                detail=r["detail"],
                at=at(r["at"]),
            )
            for r in rows
        ]
