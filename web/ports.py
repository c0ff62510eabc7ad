"""What the dashboard needs from the rest of the process, wired by bot/app.py."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.community import Community
from storage import Store


class Actions(Protocol):
    """A coordinator's actions, done as the chat does them (handlers/dashboard.py): each is
    one unit of work whose messages go out through the outbox."""

    async def assign(self, actor: int, need_id: int, volunteer_id: int) -> str | None: ...

    async def close(self, actor: int, need_id: int) -> bool: ...

    async def decide(self, actor: int, user_id: int, approve: bool) -> bool: ...

    async def vet(self, actor: int, user_id: int, vetted: bool) -> bool: ...

    async def block(self, actor: int, user_id: int, reason: str | None) -> str | None: ...

    async def unblock(self, actor: int, user_id: int) -> str | None: ...

    async def resolve(self, actor: int, concern_id: int) -> bool: ...


# Telegram's update, as the webhook receives it (JSON), handed to the bot.
ReceiveUpdate = Callable[[dict[str, Any]], Awaitable[None]]


class Turns:
    """Conversations first: in the one event loop they share, the dashboard's work waits
    while the bot is handling an update (or its timed work), for at most `patience`
    seconds, so twenty pages loading at once never hold up a resident's next question.

    Long work for a page (figures worked out afresh, a chart drawn: tens of milliseconds in
    a thread that shares the interpreter and the machine's cores with the bot) waits for a
    lull: `quiet` seconds without an update, at most `patience` in all. A burst of
    conversation goes on at its own pace; the dashboard catches up between bursts."""

    def __init__(self, patience: float = 0.5, pages_at_once: int = 1, quiet: float = 0.02) -> None:
        self.patience = patience
        self.pages_at_once = pages_at_once
        self.quiet = quiet
        self._busy = 0
        self._last = -math.inf  # when the bot last finished handling something (monotonic)
        self._idle: asyncio.Event | None = None
        self._slots: asyncio.Semaphore | None = None

    def _event(self) -> asyncio.Event:
        if self._idle is None:
            self._idle = asyncio.Event()
            self._idle.set()
        return self._idle

    @contextlib.contextmanager
    def conversation(self) -> Iterator[None]:
        """Around the bot's own work."""
        self._busy += 1
        self._event().clear()
        try:
            yield
        finally:
            self._busy -= 1
            self._last = time.monotonic()
            if not self._busy:
                self._event().set()

    async def page(self) -> None:
        """Before a page's own work: the bot's turn first."""
        if self._busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event().wait(), self.patience)

    async def lull(self) -> None:
        """Before long work for a page: the bot quiet for `quiet` seconds (at most
        `patience` of waiting)."""
        give_up = time.monotonic() + self.patience
        while (now := time.monotonic()) < give_up:
            if self._busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event().wait(), give_up - now)
            elif (left := self._last + self.quiet - now) > 0:
                await asyncio.sleep(min(left, give_up - now))
            else:
                return

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A page is worked on: a few at once, the rest wait without costing anything, so
        the loop is never crowded with pages when a resident's update comes in."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.pages_at_once)
        async with self._slots:
            await self.page()
            yield


@dataclass
class Dashboard:
    """The dashboard's view of the process: the bot's store and settings."""

    store: Store
    community: Community
    tz: ZoneInfo
    clock: Callable[[], datetime]
    actions: Actions
    url: str  # the public address, for links and the cookie's Secure flag
    coordinator_ids: tuple[int, ...] = ()
    retention: timedelta = timedelta(days=30)
    # Webhook mode (MUTUALAID_WEBHOOK_URL): Telegram's updates arrive here too.
    receive_update: ReceiveUpdate | None = None
    webhook_path: str = "/telegram"
    webhook_secret: str | None = None
    # Shared with the Application, which marks its updates (bot/app.py).
    turns: Turns = field(default_factory=Turns)

    def now(self) -> datetime:
        return self.clock()

    @property
    def secure(self) -> bool:
        return self.url.startswith("https://")
