"""The relay between a resident and the volunteer of one task, and what was relayed."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.relay import RelayLink
from storage.db import Database, parse_ts, ts

# Both sides of every task someone holds or held: live (accepted), or ended at some time.
_LINKS = """
SELECT n.id AS need_id,
       CASE WHEN n.resident_id = :me THEN p.volunteer_id ELSE n.resident_id END AS other_id,
       o.first_name AS other_name,
       CASE WHEN p.status = 'accepted' AND n.status = 'accepted' THEN NULL
            WHEN p.status = 'dropped' THEN p.answered_at
            ELSE coalesce(n.done_at, n.closed_at, n.updated_at) END AS ended_at
FROM proposals p
JOIN needs n ON n.id = p.need_id
JOIN people o ON o.id = CASE WHEN n.resident_id = :me THEN p.volunteer_id ELSE n.resident_id END
WHERE p.status IN ('accepted', 'dropped')
  AND (n.resident_id = :me OR p.volunteer_id = :me)
  AND n.resident_id != p.volunteer_id
  AND o.blocked = 0 AND o.reachable = 1 AND o.first_name != ''
"""


def _link(row: aiosqlite.Row) -> RelayLink:
    return RelayLink(
        need_id=row["need_id"],
        other_id=row["other_id"],
        other_name=row["other_name"],
        ended_at=parse_ts(row["ended_at"]),
    )


class RelayRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def links(self, user_id: int) -> list[RelayLink]:
        """Every task this person shares or shared with someone still reachable."""
        rows = await self.db.fetchall(_LINKS, {"me": user_id})
        return [_link(r) for r in rows]

    async def add(
        self, need_id: int, sender_id: int, recipient_id: int, text: str, now: datetime
    ) -> None:
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT INTO relay_messages (need_id, sender_id, recipient_id, text, created_at) "
                "VALUES (?,?,?,?,?)",
                (need_id, sender_id, recipient_id, text, ts(now)),
            )

    async def transcript(self, need_id: int) -> list[tuple[int, str, datetime]]:
        """(sender, text, when) for a need's relayed messages, oldest first: for coordinators
        looking into a concern about it, and no one else."""
        rows = await self.db.fetchall(
            "SELECT sender_id, text, created_at FROM relay_messages WHERE need_id=? ORDER BY id",
            (need_id,),
        )
        return [(int(r[0]), str(r[1]), datetime.fromisoformat(r[2])) for r in rows]
