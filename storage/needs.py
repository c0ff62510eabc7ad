"""Needs and the proposals that ask volunteers to take them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import aiosqlite

from domain.models import (
    Availability,
    Candidate,
    Claim,
    Need,
    NeedStatus,
    Proposal,
    ProposalStatus,
    When,
)
from storage.db import Database, parse_ts, ts
from storage.work import add_work


def _need(row: aiosqlite.Row) -> Need:
    return Need(
        id=row["id"],
        resident_id=row["resident_id"],
        category=row["category"],
        area=row["area"],
        description=row["description"],
        when=When(row["wanted"]),
        window_start=parse_ts(row["window_start"]),
        window_end=parse_ts(row["window_end"]),
        status=NeedStatus(row["status"]),
        created_at=parse_ts(row["created_at"]),
        volunteer_id=row["volunteer_id"],
        accepted_at=parse_ts(row["accepted_at"]),
        doorstep_code=row["doorstep_code"],
        wave=row["wave"],
    )


def _proposal(row: aiosqlite.Row) -> Proposal:
    return Proposal(
        id=row["id"],
        need_id=row["need_id"],
        volunteer_id=row["volunteer_id"],
        wave=row["wave"],
        status=ProposalStatus(row["status"]),
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        created_at=parse_ts(row["created_at"]),
    )


class NeedRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self,
        resident_id: int,
        category: str,
        area: str,
        description: str,
        when: When,
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> Need:
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "INSERT INTO needs (resident_id, category, area, description, wanted, "
                "window_start, window_end, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    resident_id,
                    category,
                    area,
                    description,
                    when.value,
                    ts(window[0]),
                    ts(window[1]),
                    ts(now),
                    ts(now),
                ),
            )
            need_id = cur.lastrowid
        need = await self.get(need_id)
        assert need is not None
        return need

    async def get(self, need_id: int) -> Need | None:
        row = await self.db.fetchone("SELECT * FROM needs WHERE id=?", (need_id,))
        return _need(row) if row else None

    async def for_resident(self, resident_id: int) -> list[Need]:
        rows = await self.db.fetchall(
            "SELECT * FROM needs WHERE resident_id=? ORDER BY id DESC LIMIT 50", (resident_id,)
        )
        return [_need(r) for r in rows]

    async def with_status(self, status: NeedStatus) -> list[Need]:
        rows = await self.db.fetchall(
            "SELECT * FROM needs WHERE status=? ORDER BY created_at, id", (status.value,)
        )
        return [_need(r) for r in rows]

    async def candidates(self, need: Need, areas: Iterable[str], now: datetime) -> list[Candidate]:
        """Volunteers who pass the rules SQL can check cheaply; the domain checks the rest.

        `areas` are the need's area and its neighbours; volunteers with a radius are kept
        for the domain to measure.
        """
        area_list = sorted(set(areas))
        marks = ",".join("?" * len(area_list))
        since = ts(now - timedelta(days=30))
        rows = await self.db.fetchall(
            f"""
            WITH near(user_id) AS (
                SELECT user_id FROM volunteer_areas WHERE area IN ({marks})
                UNION
                SELECT user_id FROM volunteers WHERE radius_km IS NOT NULL
            )
            SELECT v.user_id, v.availability, v.on_duty, v.approved, v.vetted,
                   v.max_open_tasks, v.lat, v.lon, v.radius_km, p.blocked, p.reachable,
                   (SELECT count(*) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status = 'accepted') AS open_tasks,
                   (SELECT count(*) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status IN ('accepted', 'done')
                        AND n.accepted_at >= ?) AS recent,
                   (SELECT max(n.accepted_at) FROM needs n
                      WHERE n.volunteer_id = v.user_id AND n.status IN ('accepted', 'done'))
                      AS last_task,
                   (SELECT group_concat(a.area, char(31)) FROM volunteer_areas a
                      WHERE a.user_id = v.user_id) AS areas
            FROM near
            JOIN volunteer_skills s ON s.category = ? AND s.user_id = near.user_id
            JOIN volunteers v ON v.user_id = near.user_id
            JOIN people p ON p.id = v.user_id
            WHERE v.on_duty = 1 AND v.approved = 1 AND p.blocked = 0 AND p.reachable = 1
              AND v.user_id != ?
              AND NOT EXISTS (SELECT 1 FROM proposals pr
                              WHERE pr.need_id = ? AND pr.volunteer_id = v.user_id)
            """,
            (*area_list, since, need.category, need.resident_id, need.id),
        )
        return [
            Candidate(
                user_id=r["user_id"],
                skills=frozenset({need.category}),
                areas=frozenset((r["areas"] or "").split("\x1f")) - {""},
                availability=Availability(r["availability"]),
                on_duty=bool(r["on_duty"]),
                approved=bool(r["approved"]),
                vetted=bool(r["vetted"]),
                blocked=bool(r["blocked"]),
                reachable=bool(r["reachable"]),
                open_tasks=r["open_tasks"],
                max_open_tasks=r["max_open_tasks"],
                tasks_last_30_days=r["recent"],
                last_task_at=parse_ts(r["last_task"]),
                lat=r["lat"],
                lon=r["lon"],
                radius_km=r["radius_km"],
            )
            for r in rows
        ]

    async def open_wave(self, need_id: int, volunteer_ids: list[int], now: datetime) -> int | None:
        """Ask these volunteers, as the need's next wave; None if the need is no longer open."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET wave = wave + 1, updated_at=? WHERE id=? AND status='open' "
                "RETURNING wave",
                (ts(now), need_id),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            wave = int(row[0])
            for volunteer_id in volunteer_ids:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO proposals (need_id, volunteer_id, wave, created_at) "
                    "VALUES (?,?,?,?)",
                    (need_id, volunteer_id, wave, ts(now)),
                )
                if cur.rowcount:
                    await add_work(conn, "send_proposal", now, now, proposal_id=cur.lastrowid)
            return wave

    async def proposal(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetchone("SELECT * FROM proposals WHERE id=?", (proposal_id,))
        return _proposal(row) if row else None

    async def proposals_for(self, need_id: int) -> list[Proposal]:
        rows = await self.db.fetchall(
            "SELECT * FROM proposals WHERE need_id=? ORDER BY id", (need_id,)
        )
        return [_proposal(r) for r in rows]

    async def set_proposal_message(self, proposal_id: int, chat_id: int, message_id: int) -> None:
        await self.db.execute(
            "UPDATE proposals SET chat_id=?, message_id=? WHERE id=?",
            (chat_id, message_id, proposal_id),
        )

    async def claim(
        self, proposal_id: int, volunteer_id: int, code: str, now: datetime
    ) -> tuple[Claim, Need | None]:
        """Accept a proposal. One conditional UPDATE decides the winner, whatever the timing."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT need_id, status FROM proposals WHERE id=? AND volunteer_id=?",
                (proposal_id, volunteer_id),
            )
            row = await cur.fetchone()
            if row is None:
                return Claim.NOT_YOURS, None
            need_id, status = row[0], row[1]
            if status != ProposalStatus.OPEN:
                result = Claim.STALE
            else:
                cur = await conn.execute(
                    "UPDATE needs SET status='accepted', volunteer_id=?, accepted_at=?, "
                    "doorstep_code=?, updated_at=? WHERE id=? AND status='open'",
                    (volunteer_id, ts(now), code, ts(now), need_id),
                )
                if cur.rowcount == 1:
                    result = Claim.WON
                    await conn.execute(
                        "UPDATE proposals SET status='accepted', answered_at=? WHERE id=?",
                        (ts(now), proposal_id),
                    )
                    cur = await conn.execute(
                        "UPDATE proposals SET status='taken', answered_at=? "
                        "WHERE need_id=? AND status='open' RETURNING id",
                        (ts(now), need_id),
                    )
                    for (other,) in await cur.fetchall():
                        await add_work(conn, "proposal_closed", now, now, proposal_id=other)
                    await add_work(conn, "tell_resident_accepted", now, now, need_id=need_id)
                else:
                    result = Claim.TAKEN
                    await conn.execute(
                        "UPDATE proposals SET status='taken', answered_at=? "
                        "WHERE id=? AND status='open'",
                        (ts(now), proposal_id),
                    )
            cur = await conn.execute("SELECT * FROM needs WHERE id=?", (need_id,))
            need_row = await cur.fetchone()
        return result, _need(need_row) if need_row else None

    async def decline(
        self, proposal_id: int, volunteer_id: int, now: datetime
    ) -> tuple[int | None, int]:
        """Record a decline: (the need's id, or None if nothing changed; open proposals left)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE proposals SET status='declined', answered_at=? "
                "WHERE id=? AND volunteer_id=? AND status='open' RETURNING need_id",
                (ts(now), proposal_id, volunteer_id),
            )
            row = await cur.fetchone()
            if row is None:
                return None, 0
            cur = await conn.execute(
                "SELECT count(*) FROM proposals WHERE need_id=? AND status='open'", (row[0],)
            )
            left = await cur.fetchone()
        return int(row[0]), int(left[0]) if left else 0

    async def open_proposal_count(self, need_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT count(*) FROM proposals WHERE need_id=? AND status='open'", (need_id,)
        )
        return int(row[0]) if row else 0
