"""People and their roles."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import Person, Role
from storage.db import Database, parse_ts, ts

_PERSON = "p.*, (SELECT group_concat(role) FROM roles r WHERE r.user_id=p.id) AS roles"


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        id=row["id"],
        first_name=row["first_name"],
        username=row["username"],
        consent_at=parse_ts(row["consent_at"]),
        consent_version=row["consent_version"],
        roles=frozenset(Role(r) for r in (row["roles"] or "").split(",") if r),
        reachable=bool(row["reachable"]),
        blocked=bool(row["blocked"]),
        language=row["language"],
    )


class PeopleRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        now: datetime,
        language: str | None = None,
    ) -> None:
        """Record who someone is, refreshing their name; marks them reachable again. A
        language is kept only where none is known yet."""
        await self.db.execute(
            "INSERT INTO people (id, first_name, username, created_at, language) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET first_name=excluded.first_name, "
            "username=excluded.username, reachable=1, "
            "language=coalesce(people.language, excluded.language) "
            "WHERE first_name IS NOT excluded.first_name OR username IS NOT excluded.username "
            "OR reachable=0 OR (people.language IS NULL AND excluded.language IS NOT NULL)",
            (user_id, first_name[:64], username, ts(now), language),
        )

    async def set_language(self, user_id: int, language: str) -> None:
        await self.db.execute("UPDATE people SET language=? WHERE id=?", (language, user_id))

    async def language(self, user_id: int) -> str | None:
        """The language someone reads, if known."""
        row = await self.db.fetchone("SELECT language FROM people WHERE id=?", (user_id,))
        return row["language"] if row else None

    async def get(self, user_id: int) -> Person | None:
        row = await self.db.fetchone(f"SELECT {_PERSON} FROM people p WHERE p.id=?", (user_id,))
        return _person(row) if row else None

    async def at_update(self, user_id: int, update_id: int) -> tuple[bool, Person | None]:
        """For the gate, in one read: whether this update was handled before (it changed
        something: storage.db.tx), and who sent it."""
        row = await self.db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM processed_updates WHERE update_id=?) AS seen, "
            f"{_PERSON} FROM (SELECT 1) LEFT JOIN people p ON p.id=?",
            (update_id, user_id),
        )
        assert row is not None
        return bool(row["seen"]), _person(row) if row["id"] is not None else None

    async def consent(self, user_id: int, version: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE people SET consent_at=?, consent_version=? WHERE id=?",
            (ts(now), version, user_id),
        )

    async def grant(self, user_id: int, role: Role, now: datetime, by: int | None = None) -> None:
        await self.db.execute(
            "INSERT OR IGNORE INTO roles (user_id, role, granted_at, granted_by) VALUES (?,?,?,?)",
            (user_id, role.value, ts(now), by),
        )

    async def ensure_coordinators(self, ids: list[int], now: datetime) -> None:
        """Configured coordinators exist and hold the role, even before they say hello."""
        async with self.db.tx() as conn:
            for user_id in ids:
                await conn.execute(
                    "INSERT OR IGNORE INTO people (id, first_name, created_at) VALUES (?,?,?)",
                    (user_id, "Coordinator", ts(now)),
                )
                await conn.execute(
                    "INSERT OR IGNORE INTO roles (user_id, role, granted_at) VALUES (?,?,?)",
                    (user_id, Role.COORDINATOR.value, ts(now)),
                )

    async def with_role(self, role: Role) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT r.user_id FROM roles r JOIN people p ON p.id=r.user_id "
            "WHERE r.role=? AND p.reachable=1 ORDER BY r.user_id",
            (role.value,),
        )
        return [r[0] for r in rows]

    async def mark_unreachable(self, user_id: int) -> None:
        await self.db.execute("UPDATE people SET reachable=0 WHERE id=?", (user_id,))

    async def forget_unconsented(self, user_id: int) -> None:
        """`No thanks`: someone who never agreed and holds nothing leaves no row behind."""
        await self.db.execute(
            "DELETE FROM people WHERE id=? AND consent_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM roles WHERE user_id=people.id) "
            "AND NOT EXISTS (SELECT 1 FROM needs WHERE resident_id=people.id)",
            (user_id,),
        )
