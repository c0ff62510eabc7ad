"""A need as coordinators work on it: everything kept about it for its view, notes (and
what coordinators sent its resident), and the changes only a coordinator makes: take a task
from its volunteer, close a need someone has, open a closed one again. Each change and its
audit row commit together."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from domain.coordination import Audit
from domain.models import NeedStatus, ProposalStatus
from domain.needview import (
    WORK_KINDS,
    AuditFacts,
    ConcernFacts,
    Named,
    NeedFacts,
    NeedFile,
    NoteFacts,
    ProposalFacts,
    WorkFacts,
)
from storage.audit import add_audit
from storage.db import Database, at, parse_ts, ts
from storage.needs import close_proposals
from storage.work import add_work


def _named(user_id: int | None, first_name: str | None, username: str | None) -> Named | None:
    if user_id is None:
        return None
    return Named(user_id, first_name or "", username)


def _need(n: aiosqlite.Row) -> NeedFacts:
    resident = _named(n["resident_id"], n["r_name"], n["r_username"])
    assert resident is not None
    return NeedFacts(
        id=n["id"],
        status=NeedStatus(n["status"]),
        created_at=at(n["created_at"]),
        window_start=at(n["window_start"]),
        window_end=at(n["window_end"]),
        resident=resident,
        volunteer=_named(n["volunteer_id"], n["v_name"], n["v_username"]),
        accepted_at=parse_ts(n["accepted_at"]),
        done_at=parse_ts(n["done_at"]),
        closed_at=parse_ts(n["closed_at"]),
        hours=n["hours"],
        caller=n["on_behalf_of"],
        details_kept=bool(n["description"]),
        resident_blocked=bool(n["r_blocked"]),
    )


class CaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- reading --------------------------------------------------------------------------
    async def facts(self, need_id: int) -> NeedFacts | None:
        rows = await self.db.fetchall(
            "SELECT n.*, r.first_name AS r_name, r.username AS r_username, "
            "coalesce(r.blocked, 0) AS r_blocked, v.first_name AS v_name, "
            "v.username AS v_username FROM needs n "
            "LEFT JOIN people r ON r.id = n.resident_id "
            "LEFT JOIN people v ON v.id = n.volunteer_id WHERE n.id = ?",
            (need_id,),
        )
        return _need(rows[0]) if rows else None

    async def file(self, need_id: int) -> NeedFile | None:
        """The need, its proposals, the timed work done about it, its concerns, what
        coordinators did to it and its notes."""
        need = await self.facts(need_id)
        if need is None:
            return None
        proposals = await self.db.fetchall(
            "SELECT p.*, v.first_name, v.username FROM proposals p "
            "LEFT JOIN people v ON v.id = p.volunteer_id WHERE p.need_id = ? "
            "ORDER BY p.created_at, p.id",
            (need_id,),
        )
        kinds = ",".join(f"'{k}'" for k in WORK_KINDS)
        work = await self.db.fetchall(
            "SELECT kind, done_at, created_at, payload FROM scheduled_work "
            f"WHERE json_extract(payload, '$.need_id') = ? AND kind IN ({kinds}) "
            "AND (done_at IS NOT NULL OR kind = 'auto_close') ORDER BY id",
            (need_id,),
        )
        concerns = await self.db.fetchall(
            "SELECT c.*, p.first_name, p.username, b.first_name AS b_name, "
            "b.username AS b_username FROM concerns c "
            "LEFT JOIN people p ON p.id = c.raised_by LEFT JOIN people b ON b.id = c.resolved_by "
            "WHERE c.need_id = ? ORDER BY c.created_at, c.id",
            (need_id,),
        )
        audit = await self.db.fetchall(
            "SELECT a.*, p.first_name, p.username FROM audit_log a "
            "LEFT JOIN people p ON p.id = a.actor_id WHERE a.target = ? ORDER BY a.id",
            (f"need:{need_id}",),
        )
        notes = await self.notes(need_id)
        return NeedFile(
            need=need,
            proposals=tuple(
                ProposalFacts(
                    volunteer=Named(p["volunteer_id"], p["first_name"] or "", p["username"]),
                    wave=p["wave"],
                    status=p["status"],
                    created_at=at(p["created_at"]),
                    answered_at=parse_ts(p["answered_at"]),
                )
                for p in proposals
            ),
            work=tuple(_work(w) for w in work),
            concerns=tuple(
                ConcernFacts(
                    id=c["id"],
                    raised_by=Named(c["raised_by"], c["first_name"] or "", c["username"]),
                    text=c["text"],
                    created_at=at(c["created_at"]),
                    resolved_at=parse_ts(c["resolved_at"]),
                    resolved_by=_named(c["resolved_by"], c["b_name"], c["b_username"]),
                )
                for c in concerns
            ),
            audit=tuple(
                AuditFacts(
                    actor=Named(a["actor_id"], a["first_name"] or "", a["username"]),
                    action=a["action"],
                    at=at(a["at"]),
                    detail=a["detail"],
                )
                for a in audit
            ),
            notes=tuple(notes),
        )

    async def notes(self, need_id: int) -> list[NoteFacts]:
        rows = await self.db.fetchall(
            "SELECT n.*, p.first_name, p.username FROM need_notes n "
            "LEFT JOIN people p ON p.id = n.author_id WHERE n.need_id = ? ORDER BY n.id",
            (need_id,),
        )
        return [_note(r) for r in rows]

    async def latest_notes(self, need_ids: Iterable[int]) -> dict[int, NoteFacts]:
        """The newest note on each of these needs (for the digest's lines)."""
        wanted = sorted(set(need_ids))
        if not wanted:
            return {}
        rows = await self.db.read(
            "SELECT n.*, p.first_name, p.username FROM need_notes n "
            "LEFT JOIN people p ON p.id = n.author_id "
            "WHERE n.kind = 'note' AND n.id IN (SELECT max(id) FROM need_notes "
            " WHERE kind = 'note' AND need_id IN (SELECT value FROM json_each(?)) "
            " GROUP BY need_id)",
            (json.dumps(wanted),),
        )
        return {int(r["need_id"]): _note(r) for r in rows}

    # --- writing --------------------------------------------------------------------------
    async def add_note(
        self, need_id: int, author_id: int, kind: str, text: str, now: datetime
    ) -> bool:
        """A note kept with the need (or a message sent to its resident); False if the need
        is gone or has lost its details."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "INSERT INTO need_notes (need_id, author_id, kind, text, created_at) "
                "SELECT id, ?, ?, ?, ? FROM needs WHERE id = ? AND description != ''",
                (author_id, kind, text, ts(now), need_id),
            )
            if cur.rowcount != 1:
                return False
            action = Audit.MESSAGE_RESIDENT if kind == "message" else Audit.NOTE
            await add_audit(conn, author_id, action, f"need:{need_id}", now)
            return True

    async def reassign(self, need_id: int, volunteer_id: int, by: int, now: datetime) -> bool:
        """Take an accepted task from its volunteer: the need waits for a volunteer again
        (nobody asked yet: the coordinator chooses), the volunteer's task message loses the
        resident's details, and their relay closes as after `Couldn't do it`. False if the
        task is no longer theirs."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT accepted_at FROM needs WHERE id=? AND status='accepted' AND volunteer_id=?",
                (need_id, volunteer_id),
            )
            row = await cur.fetchone()
            if row is None:
                return False
            # When they had accepted goes into the history with the reassignment.
            accepted = f" accepted:{row[0]}" if row[0] else ""
            await conn.execute(
                "UPDATE needs SET status='open', volunteer_id=NULL, doorstep_code=NULL, "
                "accepted_at=NULL, updated_at=? WHERE id=?",
                (ts(now), need_id),
            )
            dropped = await conn.execute(
                "UPDATE proposals SET status='dropped', answered_at=? "
                "WHERE need_id=? AND volunteer_id=? RETURNING id",
                (ts(now), need_id, volunteer_id),
            )
            for (proposal_id,) in await dropped.fetchall():
                await add_work(conn, "proposal_closed", now, now, proposal_id=proposal_id)
            await add_audit(
                conn,
                by,
                Audit.REASSIGN,
                f"need:{need_id}",
                now,
                f"volunteer:{volunteer_id}{accepted}",
            )
            return True

    async def close_taken(self, need_id: int, volunteer_id: int, by: int, now: datetime) -> bool:
        """Close a need a volunteer has (sorted another way): they are told not to go."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET status='closed', closed_at=?, updated_at=? "
                "WHERE id=? AND status='accepted' AND volunteer_id=?",
                (ts(now), ts(now), need_id, volunteer_id),
            )
            if cur.rowcount != 1:
                return False
            await close_proposals(conn, ProposalStatus.WITHDRAWN, now, need_id=need_id)
            await add_work(
                conn,
                "tell_volunteer_cancelled",
                now,
                now,
                need_id=need_id,
                volunteer_id=volunteer_id,
                by="coordinator",
            )
            await add_audit(conn, by, Audit.CLOSE_NEED, f"need:{need_id}", now)
            return True

    async def reopen(
        self, need_id: int, by: int, window: tuple[datetime, datetime], now: datetime
    ) -> str | None:
        """Open a closed or cancelled need again, in `window`; everyone asked before may be
        asked again, and `Still need help?` comes at the window's end. Returns what it had
        been (closed, cancelled), or None if it is not closed now or has lost its details."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT status FROM needs WHERE id=? AND status IN ('closed', 'cancelled') "
                "AND description != ''",
                (need_id,),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            before = str(row[0])
            await conn.execute(
                "UPDATE needs SET status='open', closed_at=NULL, volunteer_id=NULL, "
                "doorstep_code=NULL, accepted_at=NULL, window_start=?, window_end=?, "
                "updated_at=? WHERE id=?",
                (ts(window[0]), ts(window[1]), ts(now), need_id),
            )
            # Closing withdrew everyone's proposals: they are not turned away for that.
            await conn.execute(
                "UPDATE proposals SET status=? "
                "WHERE need_id=? AND status IN ('withdrawn', 'accepted')",
                (ProposalStatus.LAPSED.value, need_id),
            )
            await add_work(conn, "still_needed", window[1], now, need_id=need_id)
            await add_audit(conn, by, Audit.REOPEN_NEED, f"need:{need_id}", now, before)
            return before


def _work(row: aiosqlite.Row) -> WorkFacts:
    payload = json.loads(row["payload"] or "{}")
    volunteer = payload.get("volunteer_id")
    when = row["created_at"] if row["kind"] == "auto_close" else row["done_at"]
    return WorkFacts(
        kind=row["kind"],
        at=at(when),
        volunteer_id=int(volunteer) if isinstance(volunteer, int) else None,
    )


def _note(row: aiosqlite.Row) -> NoteFacts:
    return NoteFacts(
        author=Named(row["author_id"], row["first_name"] or "", row["username"]),
        kind=row["kind"],
        text=row["text"],
        at=at(row["created_at"]),
    )
