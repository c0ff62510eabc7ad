"""Needs held for a coordinator: created held, then released to matching or closed."""

from __future__ import annotations

from datetime import datetime

from domain.coordination import Audit
from domain.models import Need, NeedStatus, When
from storage.audit import add_audit
from storage.db import Database, ts
from storage.needs import POSTING_COLUMNS, NeedRepo, posting_values
from storage.work import add_work


class HeldRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._needs = NeedRepo(db)

    async def create(
        self,
        resident_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        now: datetime,
        topics: str,
    ) -> Need:
        """A need nobody is asked about yet; the coordinators hear of it at once (the topics
        of the signposts shown, never the resident's words)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                f"INSERT INTO needs (resident_id, status, language, {POSTING_COLUMNS}) "
                "VALUES (?,?,(SELECT language FROM people WHERE id=?),?,?,?,?,?,?,?,?)",
                (
                    resident_id,
                    NeedStatus.HELD.value,
                    resident_id,
                    *posting_values(category, area, description, when, window, now),
                ),
            )
            need_id = int(cur.lastrowid or 0)
            await add_work(conn, "alert_held", now, now, need_id=need_id, topics=topics)
        need = await self._needs.get(need_id)
        assert need is not None
        return need

    async def waiting(self) -> list[Need]:
        """Held needs, oldest first."""
        return await self._needs.with_status(NeedStatus.HELD)

    async def release(
        self, need_id: int, by: int, window: tuple[datetime, datetime], now: datetime
    ) -> bool:
        """A coordinator lets a held need go to matching (in this window); False if it was
        released, closed or cancelled meanwhile. `Still need help?` is asked at its end."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='open', window_start=?, window_end=?, updated_at=? "
                "WHERE id=? AND status='held'",
                (ts(window[0]), ts(window[1]), ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            await add_work(conn, "still_needed", window[1], now, need_id=need_id)
            await add_audit(conn, by, Audit.RELEASE_NEED, f"need:{need_id}", now)
            return True

    async def close(self, need_id: int, by: int, now: datetime) -> bool:
        """A coordinator closes a held need (it was what the signposts said); False if it
        was released, closed or cancelled meanwhile."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='closed', closed_at=?, updated_at=? "
                "WHERE id=? AND status='held'",
                (ts(now), ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.CLOSE_NEED, f"need:{need_id}", now, "held")
            return True
