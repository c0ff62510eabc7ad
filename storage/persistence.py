"""PTB persistence in the bot's own SQLite file: conversation states and half-filled forms."""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from storage.db import Database


class SqlitePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Keeps only what a flow in progress needs; everything else lives in proper tables."""

    def __init__(self, db: Database, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        # What was last written, so an update that changed nothing writes nothing.
        self._written: dict[tuple[str, str], str] = {}
        # Writes gathered while PTB hands over an update's data, made by `flush` in one
        # transaction.
        self._pending: list[tuple[str, tuple[object, ...]]] = []

    def _changed(self, kind: str, key: str, value: str | None) -> bool:
        if value is None:
            return self._written.pop((kind, key), "") is not None
        if self._written.get((kind, key)) == value:
            return False
        self._written[(kind, key)] = value
        return True

    def rolled_back(self, user_id: int) -> None:
        """A unit of work that wrote this person's flow was rolled back: what was last
        written for them is no longer known, so the next save writes it again."""
        for kind, key in list(self._written):
            if key == str(user_id) or key.startswith(f"[{user_id},"):
                del self._written[(kind, key)]

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        rows = await self.db.fetchall("SELECT user_id, data FROM user_data")
        for r in rows:
            self._written[("user", str(r[0]))] = r[1]
        return {int(r[0]): json.loads(r[1]) for r in rows}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        text = json.dumps(data, sort_keys=True) if data else None
        if not self._changed("user", str(user_id), text):
            return
        if data:
            self._pending.append(
                (
                    "INSERT INTO user_data (user_id, data) VALUES (?, ?) "
                    # Unchanged data is not a change (a redelivered update is recognised by its
                    # changes: storage.db.tx).
                    "ON CONFLICT(user_id) DO UPDATE SET data=excluded.data "
                    "WHERE data IS NOT excluded.data",
                    (user_id, text),
                )
            )
        else:
            await self.drop_user_data(user_id)

    async def drop_user_data(self, user_id: int) -> None:
        self._written.pop(("user", str(user_id)), None)
        self._pending.append(("DELETE FROM user_data WHERE user_id=?", (user_id,)))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self.db.fetchall("SELECT key, state FROM conversations WHERE name=?", (name,))
        for r in rows:
            self._written[(name, r[0])] = r[1]
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        state = None if new_state is None else json.dumps(new_state)
        if not self._changed(name, json.dumps(list(key)), state):
            return
        if new_state is None:
            self._pending.append(
                ("DELETE FROM conversations WHERE name=? AND key=?", (name, json.dumps(list(key))))
            )
        else:
            self._pending.append(
                (
                    "INSERT INTO conversations (name, key, state) VALUES (?,?,?) "
                    "ON CONFLICT(name, key) DO UPDATE SET state=excluded.state "
                    "WHERE state IS NOT excluded.state",
                    (name, json.dumps(list(key)), state),
                )
            )

    # Chat data, bot data and callback data are not kept: the tables hold the real state.
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def flush(self) -> None:
        """Write what PTB has handed over since the last flush, together."""
        pending, self._pending = self._pending, []
        if pending:
            async with self.db.tx() as conn:
                for sql, params in pending:
                    await conn.execute(sql, params)
