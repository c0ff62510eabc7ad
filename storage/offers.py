"""One-off offers: something to give or lend, a trip someone is making."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import Offer, When
from storage.db import Database, ts
from storage.needs import POSTING_COLUMNS, posting, posting_values


def _offer(row: aiosqlite.Row) -> Offer:
    return Offer(**posting(row), user_id=row["user_id"])


class OfferRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        user_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> Offer:
        async with self.db.tx() as conn:
            cur = await conn.execute(
                f"INSERT INTO offers (user_id, {POSTING_COLUMNS}) "
                "VALUES (?,?,?,?,?,?,?,?,?) RETURNING *",
                (user_id, *posting_values(category, area, description, when, window, now)),
            )
            row = await cur.fetchone()
        assert row is not None
        return _offer(row)

    async def get(self, offer_id: int) -> Offer | None:
        row = await self.db.fetchone("SELECT * FROM offers WHERE id=?", (offer_id,))
        return _offer(row) if row else None

    async def for_user(self, user_id: int) -> list[Offer]:
        rows = await self.db.fetchall(
            "SELECT * FROM offers WHERE user_id=? ORDER BY id DESC LIMIT 20", (user_id,)
        )
        return [_offer(r) for r in rows]

    async def cancel(self, offer_id: int, user_id: int, now: datetime) -> bool:
        return (
            await self.db.execute(
                "UPDATE offers SET status='cancelled', updated_at=? "
                "WHERE id=? AND user_id=? AND status='open'",
                (ts(now), offer_id, user_id),
            )
            == 1
        )
