"""The chat's side of the dashboard: `/dashboard` gives a one-time sign-in link, and the
coordinators' actions on the dashboard are the chat's own operations, told to people the
chat's way.

web/ never imports handlers/ (nor the other way round): bot/app.py hands `ChatActions` to
the web app, which knows it only by the shape web/ports.py describes. Each action is one
unit of work, like an update: the change, its audit row and what people are owed commit
together; then the outbox is sent and the timed work it booked (a proposal, say) runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, BaseHandler, CommandHandler

from domain.coordination import BlockProblem, assign_problem, block_problem, unblock_problem
from domain.lifecycle import wave_deadline
from domain.models import Role
from domain.signin import LINK_TTL, new_token, token_hash
from handlers import jobs, outbox, texts
from handlers.common import reply, to
from handlers.context import Ctx, Services
from handlers.roles import holds
from storage.outbox import owed_in

logger = logging.getLogger(__name__)

URL_KEY = "dashboard_url"  # bot_data: the dashboard's public address, None when it is off

R = TypeVar("R")


async def dashboard_command(update: Update, context: Ctx) -> None:
    """/dashboard: a sign-in link for coordinators and liaisons, good once for 10 minutes."""
    user = update.effective_user
    assert user is not None
    if not await holds(update, context, Role.COORDINATOR, Role.LIAISON):
        reply(update, context, texts.DASHBOARD_NOT_ALLOWED)
        return
    url = context.bot_data.get(URL_KEY)
    if not url:
        reply(update, context, texts.DASHBOARD_OFF)
        return
    s = context.services
    now = s.now()
    token = new_token()
    await s.store.web.add_link(token_hash(token), user.id, now, now + LINK_TTL)
    link = texts.html(f"{url}/signin/{token}")
    chat = update.effective_chat
    assert chat is not None
    # Transient: once sent, the outbox keeps nothing of the link (the database holds only
    # its hash).
    outbox.say(
        s.store.outbox,
        now,
        chat.id,
        texts.DASHBOARD_LINK.format(
            link=f'<a href="{link}">{link}</a>', minutes=int(LINK_TTL.total_seconds() // 60)
        ),
        transient=True,
    )


def dashboard_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    return [CommandHandler("dashboard", dashboard_command)]


class ChatActions:
    """What a coordinator does on the dashboard, done as the chat does it."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.application = application

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    async def _unit(self, work: Callable[[Services], Awaitable[R]]) -> R:
        s = self.services
        async with s.store.db.unit() as unit:
            result = await work(s)
        chats = set() if unit.aborted else {row.chat_id for row in owed_in(unit)}
        await s.sender.drain(chats)
        # What it booked for now (proposals to send, edits) runs as after an update.
        await jobs.run_due_work(Ctx(self.application))
        return result

    async def _tell(self, s: Services, chat_id: int, text: Callable[[], str]) -> None:
        """A message to someone, in their language (not the coordinator's browser's)."""
        async with to(s, chat_id):
            outbox.say(s.store.outbox, s.now(), chat_id, text())

    async def assign(self, actor: int, need_id: int, volunteer_id: int) -> str | None:
        """`Ask <name>`: one proposal for that volunteer (None), or why not."""

        async def work(s: Services) -> str | None:
            need = await s.store.needs.get(need_id)
            volunteer = await s.store.people.get(volunteer_id)
            profile = await s.store.volunteers.get(volunteer_id)
            problem = assign_problem(need, volunteer, profile, s.community)
            if problem is not None or need is None:
                return problem.value if problem else "no_need"
            now = s.now()
            policy = s.aid.policy
            deadline = wave_deadline(
                need.when,
                now,
                policy.wave_timeout,
                policy.urgent_wave_timeout,
                quiet=policy.quiet_hours,
                tz=policy.tz,
            )
            found = await s.store.coordination.assign(need.id, volunteer_id, actor, now, deadline)
            return found.value if found is not None else None

        return await self._unit(work)

    async def close(self, actor: int, need_id: int) -> bool:
        """`Close`: the need ends; the resident is told."""

        async def work(s: Services) -> bool:
            need = await s.store.needs.get(need_id)
            if need is None or not await s.store.coordination.close_need(need_id, actor, s.now()):
                return False
            if need.resident_id != actor:
                await self._tell(
                    s,
                    need.resident_id,
                    lambda: texts.RESIDENT_NEED_CLOSED.format(
                        id=need.id, category=texts.named(need.category)
                    ),
                )
            return True

        return await self._unit(work)

    async def decide(self, actor: int, user_id: int, approve: bool) -> bool:
        """`Approve` or `Reject` a volunteer waiting for approval; they are told."""

        async def work(s: Services) -> bool:
            now = s.now()
            repo = s.store.coordination
            if not await (repo.approve if approve else repo.reject)(user_id, actor, now):
                return False
            await self._tell(
                s,
                user_id,
                lambda: texts.VOLUNTEER_APPROVED if approve else texts.VOLUNTEER_NOT_APPROVED,
            )
            if approve:
                await s.aid.match_open_needs(now)
            return True

        return await self._unit(work)

    async def vet(self, actor: int, user_id: int, vetted: bool) -> bool:
        """Mark a volunteer vetted (or not); vetted-only needs are looked at again."""

        async def work(s: Services) -> bool:
            now = s.now()
            if not await s.store.coordination.set_vetted(user_id, vetted, actor, now):
                return False
            if vetted:
                await s.aid.match_open_needs(now)
            return True

        return await self._unit(work)

    async def block(self, actor: int, user_id: int, reason: str | None) -> str | None:
        """Block someone, as /block does: None when done, or why not."""

        async def work(s: Services) -> str | None:
            person = await s.store.people.get(user_id)
            problem = block_problem(actor, person, s.coordinator_ids)
            if problem is None and not await s.store.coordination.block(
                user_id, actor, s.now(), reason
            ):
                problem = BlockProblem.ALREADY
            if problem is not None:
                return problem.value
            await self._tell(s, user_id, lambda: texts.BLOCKED_NOTICE)
            await s.aid.match_open_needs(s.now())
            return None

        return await self._unit(work)

    async def unblock(self, actor: int, user_id: int) -> str | None:
        async def work(s: Services) -> str | None:
            person = await s.store.people.get(user_id)
            problem = unblock_problem(person)
            if problem is None and not await s.store.coordination.unblock(user_id, actor, s.now()):
                problem = BlockProblem.NOT_BLOCKED
            if problem is not None:
                return problem.value
            await self._tell(s, user_id, lambda: texts.UNBLOCKED_NOTICE)
            await s.aid.match_open_needs(s.now())
            return None

        return await self._unit(work)

    async def resolve(self, actor: int, concern_id: int) -> bool:
        async def work(s: Services) -> bool:
            return await s.store.coordination.resolve_concern(concern_id, actor, s.now())

        return await self._unit(work)
