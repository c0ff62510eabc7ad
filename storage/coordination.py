"""What coordinators change: approvals, vetting, hand-picked assigns, blocks, closing a need,
concerns, and needs entered for someone who phoned in. Each change and its audit row commit
together, in one transaction."""

from __future__ import annotations

from datetime import datetime

from domain.coordination import AssignProblem, Audit, Concern
from domain.models import ProposalStatus
from storage.audit import add_audit
from storage.db import Database, at, ts
from storage.needs import close_open_need, close_proposals, open_wave_in
from storage.work import add_work

# A coordinator may ask anyone again, whatever became of an earlier proposal.
ANY_ENDED = ", ".join(f"'{s.value}'" for s in ProposalStatus if s is not ProposalStatus.OPEN)


class CoordinationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- volunteers ------------------------------------------------------------------------
    async def pending_volunteers(self) -> list[int]:
        """Volunteers waiting for approval, oldest first; blocked people are not offered."""
        rows = await self.db.fetchall(
            "SELECT v.user_id FROM volunteers v JOIN people p ON p.id = v.user_id "
            "WHERE v.approved=0 AND p.blocked=0 ORDER BY v.created_at, v.user_id"
        )
        return [r[0] for r in rows]

    async def approve(self, user_id: int, by: int, now: datetime) -> bool:
        """`Approve`: False if they were approved, rejected or removed in the meantime."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE volunteers SET approved=1, updated_at=? WHERE user_id=? AND approved=0",
                (ts(now), user_id),
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.APPROVE, f"user:{user_id}", now)
            return True

    async def reject(self, user_id: int, by: int, now: datetime) -> bool:
        """`Reject`: the pending volunteer profile goes (they stay a resident)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "DELETE FROM volunteers WHERE user_id=? AND approved=0", (user_id,)
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.REJECT, f"user:{user_id}", now)
            return True

    async def set_vetted(self, user_id: int, vetted: bool, by: int, now: datetime) -> bool:
        """False when they have no volunteer profile, or it already says so."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE volunteers SET vetted=?, updated_at=? WHERE user_id=? AND vetted=?",
                (int(vetted), ts(now), user_id, int(not vetted)),
            )
            if cur.rowcount != 1:
                return False
            action = Audit.VETTED if vetted else Audit.UNVETTED
            await add_audit(conn, by, action, f"user:{user_id}", now)
            return True

    # --- needs -----------------------------------------------------------------------------
    async def assign(
        self, need_id: int, volunteer_id: int, by: int, now: datetime, deadline: datetime
    ) -> AssignProblem | None:
        """Ask one volunteer about an open need, as a wave of its own: they can accept or
        decline like any proposal, and silence moves on at `deadline`. Someone who declined
        or was moved on before is asked afresh (a coordinator may have spoken to them)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "SELECT id, status FROM proposals WHERE need_id=? AND volunteer_id=?",
                (need_id, volunteer_id),
            )
            existing = await cur.fetchone()
            if existing is not None and existing[1] == ProposalStatus.OPEN:
                return AssignProblem.ALREADY_ASKED
            if await open_wave_in(conn, need_id, [volunteer_id], now, deadline, ANY_ENDED) is None:
                return AssignProblem.NOT_OPEN
            await add_audit(
                conn, by, Audit.ASSIGN, f"need:{need_id}", now, f"volunteer:{volunteer_id}"
            )
            return None

    async def close_need(self, need_id: int, by: int, now: datetime) -> bool:
        """A coordinator closes an open need (sorted by phone, say); proposals withdrawn."""
        async with self.db.tx() as conn:
            if not await close_open_need(conn, need_id, now):
                return False
            await add_audit(conn, by, Audit.CLOSE_NEED, f"need:{need_id}", now)
            return True

    async def entered_for(
        self, need_id: int, label: str, by: int, now: datetime, contact: str | None = None
    ) -> bool:
        """Note on a need that a coordinator entered it for someone who phoned in, with the
        contact note (a phone number) that only the volunteer who accepts will see."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE needs SET on_behalf_of=?, caller_contact=? WHERE id=? AND resident_id=?",
                (label, contact, need_id, by),
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.NEWNEED, f"need:{need_id}", now, label)
            return True

    async def on_behalf_of(self, need_id: int) -> str | None:
        return (await self.caller(need_id))[0]

    async def caller(self, need_id: int) -> tuple[str | None, str | None]:
        """(name, contact note) of someone who phoned a need in; (None, None) otherwise."""
        row = await self.db.fetchone(
            "SELECT on_behalf_of, caller_contact FROM needs WHERE id=?", (need_id,)
        )
        return (row[0], row[1]) if row else (None, None)

    async def asked_count(self, need_id: int) -> tuple[int, int]:
        """(volunteers asked so far, proposals still waiting for an answer)."""
        row = await self.db.fetchone(
            "SELECT count(*), coalesce(sum(status='open'), 0) FROM proposals WHERE need_id=?",
            (need_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # --- blocking --------------------------------------------------------------------------
    async def block(self, user_id: int, by: int, now: datetime, reason: str | None) -> bool:
        """Block someone: their open needs are cancelled, their open proposals withdrawn,
        tasks they had accepted go back to matching, their open offers end. All or nothing."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE people SET blocked=1 WHERE id=? AND blocked=0", (user_id,)
            )
            if cur.rowcount != 1:
                return False
            # Their own requests: withdrawn; a volunteer on the way is told not to go.
            cur = await conn.execute(
                "UPDATE needs SET status='cancelled', closed_at=?, updated_at=? "
                "WHERE resident_id=? AND status IN ('open', 'accepted') "
                "RETURNING id, volunteer_id",
                (ts(now), ts(now), user_id),
            )
            for need_id, volunteer_id in await cur.fetchall():
                await close_proposals(conn, ProposalStatus.WITHDRAWN, now, need_id=need_id)
                if volunteer_id is not None:
                    await add_work(
                        conn,
                        "tell_volunteer_cancelled",
                        now,
                        now,
                        need_id=need_id,
                        volunteer_id=volunteer_id,
                        by="coordinator",
                    )
            # Proposals waiting for their answer.
            await close_proposals(conn, ProposalStatus.WITHDRAWN, now, volunteer_id=user_id)
            # Tasks they had accepted: back to other volunteers, the resident told.
            cur = await conn.execute(
                "UPDATE needs SET status='open', volunteer_id=NULL, doorstep_code=NULL, "
                "accepted_at=NULL, updated_at=? WHERE volunteer_id=? AND status='accepted' "
                "RETURNING id",
                (ts(now), user_id),
            )
            for (need_id,) in await cur.fetchall():
                dropped = await conn.execute(
                    "UPDATE proposals SET status='dropped', answered_at=? "
                    "WHERE need_id=? AND volunteer_id=? RETURNING id",
                    (ts(now), need_id, user_id),
                )
                # Their task message loses the resident's details and its buttons.
                for (proposal_id,) in await dropped.fetchall():
                    await add_work(conn, "proposal_closed", now, now, proposal_id=proposal_id)
                await add_work(conn, "tell_resident_dropped", now, now, need_id=need_id)
            await conn.execute(
                "UPDATE offers SET status='cancelled', updated_at=? "
                "WHERE user_id=? AND status='open'",
                (ts(now), user_id),
            )
            await add_audit(conn, by, Audit.BLOCK, f"user:{user_id}", now, reason)
            return True

    async def unblock(self, user_id: int, by: int, now: datetime) -> bool:
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE people SET blocked=0 WHERE id=? AND blocked=1", (user_id,)
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.UNBLOCK, f"user:{user_id}", now)
            return True

    # --- concerns --------------------------------------------------------------------------
    async def open_concerns(self) -> list[Concern]:
        rows = await self.db.fetchall(
            "SELECT c.*, p.first_name FROM concerns c LEFT JOIN people p ON p.id = c.raised_by "
            "WHERE c.status='open' ORDER BY c.created_at, c.id"
        )
        return [
            Concern(
                id=r["id"],
                need_id=r["need_id"],
                raised_by=r["raised_by"],
                raised_by_name=r["first_name"],
                text=r["text"],
                created_at=at(r["created_at"]),
            )
            for r in rows
        ]

    async def resolve_concern(self, concern_id: int, by: int, now: datetime) -> bool:
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE concerns SET status='resolved', resolved_at=?, resolved_by=? "
                "WHERE id=? AND status='open'",
                (ts(now), by, concern_id),
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.RESOLVE_CONCERN, f"concern:{concern_id}", now)
            return True
