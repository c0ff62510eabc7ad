"""Needs and the proposals that ask volunteers to take them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from domain.models import (
    DEFAULT_MAX_OPEN_TASKS,
    Candidate,
    Claim,
    Need,
    NeedStatus,
    Proposal,
    ProposalStatus,
    When,
)
from storage.candidates import ASK_AGAIN, find_candidates
from storage.db import Database, at, parse_ts, ts
from storage.work import add_work


def posting(row: aiosqlite.Row) -> dict[str, Any]:
    """The fields a need and an offer row share, as a model wants them."""
    return {
        "id": row["id"],
        "category": row["category"],
        "area": row["area"],
        "description": row["description"],
        "when": When(row["wanted"]),
        "window_start": at(row["window_start"]),
        "window_end": at(row["window_end"]),
        "status": NeedStatus(row["status"]),
        "created_at": at(row["created_at"]),
    }


# The columns a need and an offer row share, written by `posting_values` in this order.
POSTING_COLUMNS = (
    "category, area, description, wanted, window_start, window_end, created_at, updated_at"
)


def posting_values(
    category: str,
    area: str,
    description: str,
    when: When,
    window: tuple[datetime, datetime],
    now: datetime,
) -> tuple[object, ...]:
    return (category, area, description, when.value, ts(window[0]), ts(window[1]), ts(now), ts(now))


def _need(row: aiosqlite.Row) -> Need:
    return Need(
        **posting(row),
        resident_id=row["resident_id"],
        volunteer_id=row["volunteer_id"],
        accepted_at=parse_ts(row["accepted_at"]),
        doorstep_code=row["doorstep_code"],
        wave=row["wave"],
        language=row["language"],
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
        created_at=at(row["created_at"]),
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
                f"INSERT INTO needs (resident_id, language, {POSTING_COLUMNS}) "
                "VALUES (?,(SELECT language FROM people WHERE id=?),?,?,?,?,?,?,?,?)",
                (
                    resident_id,
                    resident_id,
                    *posting_values(category, area, description, when, window, now),
                ),
            )
            need_id = int(cur.lastrowid or 0)
            # An unmatched need asks the resident `Still need help?` when its window ends.
            await add_work(conn, "still_needed", window[1], now, need_id=need_id)
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

    async def candidates(
        self,
        need: Need,
        areas: Iterable[str],
        now: datetime,
        *,
        offers_need_approval: bool = False,
        with_radius: bool = True,
        availabilities: Iterable[str] | None = None,
        vetted_only: bool = False,
        limit: int | None = None,
    ) -> list[Candidate]:
        """Volunteers (and offerers) who could be asked: see storage.candidates."""
        return await find_candidates(
            self.db,
            need,
            areas,
            now,
            offers_need_approval=offers_need_approval,
            with_radius=with_radius,
            availabilities=availabilities,
            vetted_only=vetted_only,
            limit=limit,
        )

    async def open_wave(
        self, need_id: int, volunteer_ids: list[int], now: datetime, deadline: datetime
    ) -> int | None:
        """Ask these volunteers as the need's next wave, widening at `deadline` unless
        someone accepts; None if the need is no longer open."""
        async with self.db.tx() as conn:
            return await open_wave_in(conn, need_id, volunteer_ids, now, deadline)

    async def proposal(self, proposal_id: int) -> Proposal | None:
        row = await self.db.fetchone("SELECT * FROM proposals WHERE id=?", (proposal_id,))
        return _proposal(row) if row else None

    async def proposals_for(self, need_id: int) -> list[Proposal]:
        rows = await self.db.fetchall(
            "SELECT * FROM proposals WHERE need_id=? ORDER BY id", (need_id,)
        )
        return [_proposal(r) for r in rows]

    async def set_proposal_message(self, proposal_id: int, chat_id: int, message_id: int) -> None:
        await self.db.execute_one(
            "UPDATE proposals SET chat_id=?, message_id=? WHERE id=?",
            (chat_id, message_id, proposal_id),
        )

    async def claim(
        self,
        proposal_id: int,
        volunteer_id: int,
        code: str,
        now: datetime,
        schedule: Callable[[Need], list[tuple[str, datetime]]] = lambda need: [],
    ) -> tuple[Claim, Need | None]:
        """Accept a proposal. One conditional UPDATE decides the winner, whatever the timing:
        the need must still be open and the volunteer below their open-task limit (someone
        asked about several needs may say yes to each; the limit still holds)."""
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
                    "UPDATE needs SET status='accepted', volunteer_id=?1, accepted_at=?2, "
                    "doorstep_code=?3, updated_at=?2 WHERE id=?4 AND status='open' "
                    "AND (SELECT count(*) FROM needs n WHERE n.volunteer_id=?1 "
                    "AND n.status='accepted') < coalesce((SELECT max_open_tasks FROM "
                    "volunteers WHERE user_id=?1), ?5)",
                    (volunteer_id, ts(now), code, need_id, DEFAULT_MAX_OPEN_TASKS),
                )
                if cur.rowcount == 1:
                    result = Claim.WON
                    await conn.execute(
                        "UPDATE proposals SET status='accepted', answered_at=? WHERE id=?",
                        (ts(now), proposal_id),
                    )
                    await close_proposals(conn, ProposalStatus.TAKEN, now, need_id=need_id)
                    await add_work(conn, "tell_resident_accepted", now, now, need_id=need_id)
                    cur = await conn.execute("SELECT * FROM needs WHERE id=?", (need_id,))
                    won_row = await cur.fetchone()
                    assert won_row is not None
                    won = _need(won_row)
                    # A one-off offer that let them be asked is taken up with it.
                    await conn.execute(
                        "UPDATE offers SET status='accepted', updated_at=? WHERE id = ("
                        "SELECT id FROM offers WHERE user_id=? AND status='open' "
                        "AND category=? AND area=? ORDER BY id LIMIT 1)",
                        (ts(now), volunteer_id, won.category, won.area),
                    )
                    for kind, due in schedule(won):
                        await add_work(
                            conn, kind, due, now, need_id=need_id, volunteer_id=volunteer_id
                        )
                elif await _is_open(conn, need_id):
                    result = Claim.BUSY  # their proposal stays open: a task done, and it may win
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
        """Record a decline: (the need's id, or None if nothing changed; how many in the
        need's current wave are still to answer)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE proposals SET status='declined', answered_at=? "
                "WHERE id=? AND volunteer_id=? AND status='open' RETURNING need_id",
                (ts(now), proposal_id, volunteer_id),
            )
            row = await cur.fetchone()
            if row is None:
                return None, 0
            left = await _still_to_answer(conn, int(row[0]))
        return int(row[0]), left

    async def open_proposal_count(self, need_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT count(*) FROM proposals WHERE need_id=? AND status='open'", (need_id,)
        )
        return int(row[0]) if row else 0

    async def waiting(self, need_id: int, wave: int | None = None) -> bool:
        """Whether the need is open and someone in its current wave (`wave`, if given, and
        only while it is the current one) has yet to answer. Proposals of earlier waves stay
        open too, but nobody waits on them any more."""
        row = await self.db.fetchone(
            "SELECT n.wave, EXISTS (SELECT 1 FROM proposals p WHERE p.need_id = n.id "
            "AND p.status='open' AND p.wave = n.wave) "
            "FROM needs n WHERE n.id=? AND n.status='open'",
            (need_id,),
        )
        return row is not None and bool(row[1]) and (wave is None or int(row[0]) == wave)

    async def ran_out(self, need_id: int, now: datetime) -> bool:
        """Nobody is left to ask: the current wave is over (an empty one follows it, so its
        timeout and late declines change nothing, and a new volunteer is looked for). True
        if that is news: someone was in the wave that ended, or nobody had been asked yet;
        False if the need had run out already, or is not open."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET wave = wave + 1, updated_at=? WHERE id=? AND status='open' "
                "AND (wave = 0 OR EXISTS (SELECT 1 FROM proposals p "
                "WHERE p.need_id = needs.id AND p.wave = needs.wave))",
                (ts(now), need_id),
            )
            return cur.rowcount == 1

    async def complete(self, need_id: int, volunteer_id: int, hours: float, now: datetime) -> bool:
        """`Done`: the hours are kept and the resident is told."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='done', done_at=?, hours=?, updated_at=? "
                "WHERE id=? AND volunteer_id=? AND status='accepted'",
                (ts(now), hours, ts(now), need_id, volunteer_id),
            )
            if cur.rowcount != 1:
                return False
            await add_work(conn, "tell_resident_done", now, now, need_id=need_id)
            return True

    async def drop(self, need_id: int, volunteer_id: int, now: datetime) -> bool:
        """`Couldn't do it`: the need goes back to matching without this volunteer."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='open', volunteer_id=NULL, doorstep_code=NULL, "
                "accepted_at=NULL, updated_at=? "
                "WHERE id=? AND volunteer_id=? AND status='accepted'",
                (ts(now), need_id, volunteer_id),
            )
            if cur.rowcount != 1:
                return False
            await conn.execute(
                "UPDATE proposals SET status='dropped', answered_at=? "
                "WHERE need_id=? AND volunteer_id=?",
                (ts(now), need_id, volunteer_id),
            )
            await add_work(conn, "tell_resident_dropped", now, now, need_id=need_id)
            return True

    async def cancel(self, need_id: int, resident_id: int, now: datetime) -> Need | None:
        """The resident withdraws an open, accepted or held need; its proposals are withdrawn."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT * FROM needs WHERE id=? AND resident_id=? "
                "AND status IN ('open', 'accepted', 'held')",
                (need_id, resident_id),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            before = _need(row)
            await conn.execute(
                "UPDATE needs SET status='cancelled', closed_at=?, updated_at=? WHERE id=?",
                (ts(now), ts(now), need_id),
            )
            await close_proposals(conn, ProposalStatus.WITHDRAWN, now, need_id=need_id)
            if before.volunteer_id is not None:
                await add_work(
                    conn,
                    "tell_volunteer_cancelled",
                    now,
                    now,
                    need_id=need_id,
                    volunteer_id=before.volunteer_id,
                )
            return before

    async def close_unmet(self, need_id: int, now: datetime) -> bool:
        """An open need nobody took ends; its proposals are withdrawn."""
        async with self.db.tx() as conn:
            return await close_open_need(conn, need_id, now)

    async def extend(self, need_id: int, new_end: datetime, now: datetime) -> bool:
        """`Yes, keep it open`: a longer window and another `Still need help?` at its end."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET window_end=?, extensions=extensions+1, updated_at=? "
                "WHERE id=? AND status='open'",
                (ts(new_end), ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            await add_work(conn, "still_needed", new_end, now, need_id=need_id)
            return True

    async def tasks_of(self, volunteer_id: int) -> list[Need]:
        rows = await self.db.fetchall(
            "SELECT * FROM needs WHERE volunteer_id=? AND status='accepted' "
            "ORDER BY window_start, id",
            (volunteer_id,),
        )
        return [_need(r) for r in rows]

    async def withdraw_proposals_of(self, volunteer_id: int, now: datetime) -> list[int]:
        """Someone can't be reached: their open proposals move on. Returns the needs."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE proposals SET status='moved_on', answered_at=? "
                "WHERE volunteer_id=? AND status='open' RETURNING need_id",
                (ts(now), volunteer_id),
            )
            return sorted({int(r[0]) for r in await cur.fetchall()})

    async def add_concern(
        self, need_id: int | None, raised_by: int, text: str, now: datetime, *, once: bool = False
    ) -> int:
        """A concern is a record, and every coordinator hears of it at once. With `once`, the
        same words from the same person about the same need are recorded only the first time
        (a button pressed twice); 0 then."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "INSERT INTO concerns (need_id, raised_by, text, created_at) "
                "SELECT ?,?,?,? WHERE NOT ? OR NOT EXISTS (SELECT 1 FROM concerns "
                "WHERE need_id IS ? AND raised_by=? AND text=?)",
                (need_id, raised_by, text, ts(now), once, need_id, raised_by, text),
            )
            if cur.rowcount == 0:
                return 0
            concern_id = int(cur.lastrowid or 0)
            await add_work(conn, "alert_concern", now, now, concern_id=concern_id)
            return concern_id

    async def concern(self, concern_id: int) -> aiosqlite.Row | None:
        return await self.db.fetchone("SELECT * FROM concerns WHERE id=?", (concern_id,))


async def open_wave_in(
    conn: aiosqlite.Connection,
    need_id: int,
    volunteer_ids: list[int],
    now: datetime,
    deadline: datetime,
    ask_again: str = ASK_AGAIN,
) -> int | None:
    """The need's next wave, inside the caller's transaction: proposals, their sending, and
    the next wave's turn at `deadline`. A volunteer whose earlier proposal ended in one of
    `ask_again`'s statuses is asked afresh on the same row. None if the need is not open."""
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
            "INSERT INTO proposals (need_id, volunteer_id, wave, created_at) "
            "VALUES (?,?,?,?) ON CONFLICT(need_id, volunteer_id) DO UPDATE SET "
            "status='open', wave=excluded.wave, created_at=excluded.created_at, "
            "chat_id=NULL, message_id=NULL, answered_at=NULL "
            f"WHERE proposals.status IN ({ask_again}) RETURNING id",
            (need_id, volunteer_id, wave, ts(now)),
        )
        row = await cur.fetchone()
        if row is not None:
            await add_work(conn, "send_proposal", now, now, proposal_id=row[0])
    await add_work(conn, "wave_timeout", deadline, now, need_id=need_id, wave=wave)
    return wave


async def _still_to_answer(conn: aiosqlite.Connection, need_id: int) -> int:
    """Open proposals in the need's current wave."""
    cur = await conn.execute(
        "SELECT count(*) FROM proposals p JOIN needs n ON n.id = p.need_id "
        "WHERE p.need_id=? AND p.status='open' AND p.wave = n.wave",
        (need_id,),
    )
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _is_open(conn: aiosqlite.Connection, need_id: int) -> bool:
    cur = await conn.execute("SELECT 1 FROM needs WHERE id=? AND status='open'", (need_id,))
    return await cur.fetchone() is not None


async def close_proposals(
    conn: aiosqlite.Connection,
    status: ProposalStatus,
    now: datetime,
    *,
    need_id: int | None = None,
    volunteer_id: int | None = None,
) -> list[int]:
    """Open proposals of a need (or of a volunteer) end with `status`, and each message will
    be edited to say so, keeping no Accept button. Returns the needs they were about."""
    cur = await conn.execute(
        "UPDATE proposals SET status=?, answered_at=? WHERE status='open' "
        "AND (?3 IS NULL OR need_id=?3) AND (?4 IS NULL OR volunteer_id=?4) "
        "RETURNING id, need_id",
        (status.value, ts(now), need_id, volunteer_id),
    )
    needs = set()
    for proposal_id, about in await cur.fetchall():
        await add_work(conn, "proposal_closed", now, now, proposal_id=proposal_id)
        needs.add(int(about))
    return sorted(needs)


async def close_open_need(conn: aiosqlite.Connection, need_id: int, now: datetime) -> bool:
    """An open need ends without help; its proposals are withdrawn."""
    cur = await conn.execute(
        "UPDATE needs SET status='closed', closed_at=?, updated_at=? WHERE id=? AND status='open'",
        (ts(now), ts(now), need_id),
    )
    if cur.rowcount != 1:
        return False
    await close_proposals(conn, ProposalStatus.WITHDRAWN, now, need_id=need_id)
    return True
