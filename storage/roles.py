"""Roles beyond resident: one-time invites, who holds what, and taking a role away."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from domain.coordination import Audit, Invite, RoleHolder
from domain.models import Role
from storage.audit import add_audit
from storage.db import Database, at, parse_ts, ts


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        code=row["code"],
        role=Role(row["role"]),
        created_by=row["created_by"],
        created_at=at(row["created_at"]),
        expires_at=at(row["expires_at"]),
        pending_by=row["pending_by"],
        used_by=row["used_by"],
        used_at=parse_ts(row["used_at"]),
    )


class RoleRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- invites ---------------------------------------------------------------------------
    async def create_invite(
        self, code: str, role: Role, by: int, now: datetime, expires_at: datetime
    ) -> Invite:
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT INTO invites (code, role, created_by, created_at, expires_at) "
                "VALUES (?,?,?,?,?)",
                (code, role.value, by, ts(now), ts(expires_at)),
            )
            await add_audit(conn, by, Audit.INVITE, f"role:{role.value}", now)
        invite = await self.invite(code)
        assert invite is not None
        return invite

    async def invite(self, code: str) -> Invite | None:
        row = await self.db.fetchone("SELECT * FROM invites WHERE code=?", (code,))
        return _invite(row) if row else None

    async def hold_invite(self, code: str, user_id: int, now: datetime) -> bool:
        """Keep a usable invite for someone who has yet to agree to the privacy notice.
        Whoever opened the link last holds it; the first to agree gets it."""
        return (
            await self.db.execute(
                "UPDATE invites SET pending_by=? "
                "WHERE code=? AND used_at IS NULL AND expires_at > ?",
                (user_id, code, ts(now)),
            )
            == 1
        )

    async def held_invite(self, user_id: int) -> Invite | None:
        """The invite this person opened before agreeing, if it was not used since."""
        row = await self.db.fetchone(
            "SELECT * FROM invites WHERE pending_by=? AND used_at IS NULL "
            "ORDER BY created_at DESC LIMIT 1",
            (user_id,),
        )
        return _invite(row) if row else None

    async def release_invites(self, user_id: int) -> None:
        """`No thanks`: nothing is kept about them, not even the invite they opened."""
        await self.db.execute(
            "UPDATE invites SET pending_by=NULL WHERE pending_by=? AND used_at IS NULL",
            (user_id,),
        )

    async def redeem(self, code: str, user_id: int, now: datetime) -> Role | None:
        """Use an invite once: the role is granted in the same transaction. None if the code
        is unknown, used or expired (one conditional UPDATE decides, whatever the timing)."""
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "UPDATE invites SET used_by=?, used_at=?, pending_by=NULL "
                "WHERE code=? AND used_at IS NULL AND expires_at > ? RETURNING role, created_by",
                (user_id, ts(now), code, ts(now)),
            )
            row = await cur.fetchone()
            if row is None:
                return None
            role = Role(row[0])
            await conn.execute(
                "INSERT OR IGNORE INTO roles (user_id, role, granted_at, granted_by) "
                "VALUES (?,?,?,?)",
                (user_id, role.value, ts(now), row[1]),
            )
            await add_audit(
                conn, user_id, Audit.INVITE_USED, f"role:{role.value}", now, f"by {row[1]}"
            )
            return role

    # --- who holds what --------------------------------------------------------------------
    async def holders(self) -> list[RoleHolder]:
        rows = await self.db.fetchall(
            "SELECT r.user_id, r.role, r.granted_at, r.granted_by, p.first_name, p.username "
            "FROM roles r JOIN people p ON p.id = r.user_id "
            "ORDER BY r.role, r.granted_at, r.user_id"
        )
        return [
            RoleHolder(
                user_id=r["user_id"],
                first_name=r["first_name"],
                username=r["username"],
                role=Role(r["role"]),
                granted_at=at(r["granted_at"]),
                granted_by=r["granted_by"],
            )
            for r in rows
        ]

    async def remove(
        self, user_id: int, role: Role, by: int, configured: Iterable[int], now: datetime
    ) -> bool:
        """Take a role away. Never a configured coordinator's, never the last coordinator's,
        checked in the same statement so two coordinators pressing together can't both win."""
        keep = json.dumps(sorted(set(configured)))
        async with self.db.tx() as conn:
            cur = await conn.execute(
                "DELETE FROM roles WHERE user_id=? AND role=? AND NOT (role='coordinator' AND "
                "(user_id IN (SELECT value FROM json_each(?)) OR "
                "(SELECT count(*) FROM roles WHERE role='coordinator') <= 1))",
                (user_id, role.value, keep),
            )
            if cur.rowcount != 1:
                return False
            await add_audit(conn, by, Audit.ROLE_REMOVED, f"user:{user_id}", now, role.value)
            return True
