"""Delivery and abuse guards: updates already handled, how much someone has posted, and
requests that may be the same one."""

from __future__ import annotations

from datetime import datetime

from domain.models import Need
from storage.db import Database, ts
from storage.needs import _need


class SafetyRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- updates already handled --------------------------------------------------------

    async def processed(self, update_id: int) -> bool:
        """Whether an update with this id has already changed something (storage.db.tx)."""
        row = await self.db.fetchone(
            "SELECT 1 FROM processed_updates WHERE update_id=?", (update_id,)
        )
        return row is not None

    async def prune_updates(self, before: datetime) -> int:
        """Forget update ids older than Telegram would ever redeliver."""
        return await self.db.execute("DELETE FROM processed_updates WHERE at < ?", (ts(before),))

    # --- posting limits -------------------------------------------------------------------

    async def open_needs_of(self, resident_id: int) -> list[Need]:
        """The resident's requests still open (waiting or accepted), oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM needs WHERE resident_id=? AND status IN ('open', 'accepted') "
            "ORDER BY id",
            (resident_id,),
        )
        return [_need(r) for r in rows]

    async def posts_since(self, user_id: int, since: datetime) -> int:
        """Needs and offers this person has posted since `since`."""
        row = await self.db.fetchone(
            "SELECT (SELECT count(*) FROM needs WHERE resident_id=? AND created_at >= ?)"
            " + (SELECT count(*) FROM offers WHERE user_id=? AND created_at >= ?)",
            (user_id, ts(since), user_id, ts(since)),
        )
        return int(row[0]) if row else 0

    # --- possible duplicates --------------------------------------------------------------

    async def link(self, need_id: int, related_ids: list[int], now: datetime) -> None:
        """The resident said this is a new request: coordinators see it next to the others."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO need_links (need_id, related_id, created_at) VALUES (?,?,?)",
            [(need_id, related, ts(now)) for related in related_ids if related != need_id],
        )

    async def linked(self, need_id: int) -> list[int]:
        """Every request linked to this one, either way round."""
        rows = await self.db.fetchall(
            "SELECT related_id FROM need_links WHERE need_id=? "
            "UNION SELECT need_id FROM need_links WHERE related_id=? ORDER BY 1",
            (need_id, need_id),
        )
        return [int(r[0]) for r in rows]
