"""The typed context every handler receives: services reached by name, not by dict key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from domain.community import Community
from domain.models import Person
from domain.ports import Clock
from domain.quiet import QuietHours
from domain.services import MutualAid
from handlers.outbox import Sender
from storage import Store


@dataclass
class Services:
    store: Store
    aid: MutualAid
    community: Community
    clock: Clock
    sender: Sender  # delivers the outbox
    tz: ZoneInfo
    retention: timedelta
    coordinator_ids: tuple[int, ...] = ()
    volunteer_approval: bool = True
    digest_time: time = time(8, 0)  # local; the weekly report goes out on Mondays then too
    quiet_hours: QuietHours | None = None  # MUTUALAID_QUIET_HOURS (bot.app passes it)
    flow_timeout: timedelta = timedelta(minutes=30)
    work_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def now(self) -> datetime:
        return self.clock.now()


class Ctx(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the bot's services and the person behind the update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: Person | None = None
        # This update is a button that answered the flow question on its message: the next
        # question may take that message's place (handlers/flows.py `ask`); the buttons come
        # off it otherwise.
        self.answered_by_button = False

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def form(self) -> dict[str, Any]:
        """The half-filled form of the flow in progress (persisted with user_data)."""
        data = self.user_data
        assert data is not None
        form: dict[str, Any] = data.setdefault("form", {})
        return form
