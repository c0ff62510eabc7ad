"""Many people at once, each person in order: python-telegram-bot's update processor.

PTB hands every update to `do_process_update` in a task of its own. Updates of different
people run side by side (while one waits for the database or Telegram, another goes on);
updates of one person wait for each other, strictly in the order they came, so a flow
never sees its answers out of order. At most `limit` updates are at work at once, and a
person's place is taken before a slot is: someone with a hundred updates queued holds one
slot, never a hundred, and everyone else goes past. Past `FLOOD_MESSAGES` messages a
minute a person is asked once to slow down, and what they send then is not handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from domain.safety import Flood, FloodWatch

logger = logging.getLogger(__name__)

# PTB's own bound is taken before ours; ours (after the person's turn) is the one that counts.
_UNBOUNDED = 1_000_000


def person_of(update: object) -> int | None:
    """Whose turn an update waits for: the person (a private chat is theirs alone)."""
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerPersonProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        limit: int,
        clock: Callable[[], datetime],
        slow_down: Callable[[Update], Awaitable[None]],
        flood: FloodWatch | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self._clock = clock
        self._slow_down = slow_down
        self._flood = flood or FloodWatch()
        self._turns: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        who = person_of(update)
        if who is None:
            async with self._slots:
                await coroutine
            return
        if isinstance(update, Update) and update.message is not None:
            verdict = self._flood.admit(who, self._clock())
            if verdict is not Flood.OK:
                _discard(coroutine)
                if verdict is Flood.WARN:
                    logger.info("User %s is sending too fast; asked to slow down", who)
                    await self._slow_down(update)
                return
        turn = self._turns.setdefault(who, asyncio.Lock())
        self._queued[who] = self._queued.get(who, 0) + 1
        try:
            async with turn, self._slots:
                await coroutine
        finally:
            self._queued[who] -= 1
            if not self._queued[who]:
                # Nobody of theirs waiting: their lock goes, so memory follows the active.
                del self._queued[who]
                del self._turns[who]


def _discard(coroutine: Awaitable[Any]) -> None:
    """An update not handled: its coroutine is closed, never awaited."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()
