"""Which command menu each chat was last given (Telegram keeps it; this remembers it), so
start-up sets only what changed."""

from __future__ import annotations

from datetime import datetime

from domain.privacy import ANONYMOUS
from storage.db import Database, ts

_SEP = "\x1f"
DEFAULT_CHAT = 0  # the menu every private chat starts with


class MenuRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def holders(
        self, user_id: int | None = None, *, default_language: str = "en"
    ) -> list[tuple[int, frozenset[str], bool, str | None]]:
        """(chat, roles, approved volunteer, language) for everyone whose menu is more than
        a resident's in the group's first language, or for this one person."""
        rows = await self.db.fetchall(
            "SELECT p.id, p.language, (SELECT group_concat(r.role, char(31)) FROM roles r "
            " WHERE r.user_id = p.id) AS roles, "
            "EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = p.id AND v.approved = 1) "
            " AS volunteer FROM people p "
            f"WHERE p.id > {ANONYMOUS} AND p.reachable = 1 AND (?1 IS NULL AND ("
            " EXISTS (SELECT 1 FROM roles r WHERE r.user_id = p.id) OR "
            " EXISTS (SELECT 1 FROM volunteers v WHERE v.user_id = p.id AND v.approved = 1) OR"
            " p.language != ?2)"
            " OR p.id = ?1) ORDER BY p.id",
            (user_id, default_language),
        )
        return [
            (
                int(r["id"]),
                frozenset(x for x in (r["roles"] or "").split(_SEP) if x),
                bool(r["volunteer"]),
                r["language"],
            )
            for r in rows
        ]

    async def given(self) -> dict[int, str]:
        rows = await self.db.fetchall("SELECT chat_id, menu FROM command_menus")
        return {int(r[0]): str(r[1]) for r in rows}

    async def given_to(self, chat_id: int) -> str | None:
        row = await self.db.fetchone("SELECT menu FROM command_menus WHERE chat_id=?", (chat_id,))
        return str(row[0]) if row else None

    async def record(self, chat_id: int, menu: str | None, now: datetime) -> None:
        """Telegram has taken this menu for the chat (None: the chat's own menu is gone)."""
        if menu is None:
            await self.db.execute_one("DELETE FROM command_menus WHERE chat_id=?", (chat_id,))
            return
        await self.db.execute_one(
            "INSERT INTO command_menus (chat_id, menu, set_at) VALUES (?,?,?) "
            "ON CONFLICT(chat_id) DO UPDATE SET menu=excluded.menu, set_at=excluded.set_at",
            (chat_id, menu, ts(now)),
        )
