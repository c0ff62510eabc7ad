"""Roles: the check every coordinator (or liaison) command and button goes through, and the
one-time invite links that grant a role after the privacy notice is agreed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update

from domain.coordination import InviteProblem, invite_problem, looks_like_code
from domain.models import Role
from handlers import common, texts
from handlers.common import answer, reply
from handlers.context import Ctx

logger = logging.getLogger(__name__)

R = TypeVar("R")
Handler = Callable[[Update, Ctx], Coroutine[Any, Any, R]]


async def holds(update: Update, context: Ctx, *roles: Role) -> bool:
    """Whether the person behind this update holds one of these roles right now.

    Read from the database at the time of the update (not from a menu shown earlier), so a
    role taken away stops working with the very next press. Configured coordinators always
    hold theirs.
    """
    user = update.effective_user
    if user is None:
        return False
    s = context.services
    if Role.COORDINATOR in roles and user.id in s.coordinator_ids:
        return True
    person = await s.store.people.get(user.id)
    return person is not None and not person.blocked and bool(person.roles & set(roles))


async def refuse(update: Update, *roles: Role) -> None:
    """A short answer to someone without the role; nothing changes."""
    if roles == (Role.COORDINATOR,):
        text = texts.NOT_ALLOWED
    else:
        text = texts.NOT_ALLOWED_ROLE.format(role=" or ".join(texts.role_name(r) for r in roles))
    if update.callback_query is not None:
        await answer(update, text)
    else:
        await reply(update, text)


def requires(*roles: Role) -> Callable[[Handler[R]], Handler[R | None]]:
    """Decorate a command or button handler: it runs only for holders of one of `roles`."""

    def decorate(handler: Handler[R]) -> Handler[R | None]:
        @functools.wraps(handler)
        async def checked(update: Update, context: Ctx) -> R | None:
            if not await holds(update, context, *roles):
                await refuse(update, *roles)
                return None
            return await handler(update, context)

        return checked

    return decorate


coordinator_only = requires(Role.COORDINATOR)


# --- invites -------------------------------------------------------------------------------

_PROBLEM_TEXT = {
    InviteProblem.UNKNOWN: texts.INVITE_UNKNOWN,
    InviteProblem.EXPIRED: texts.INVITE_EXPIRED,
    InviteProblem.USED: texts.INVITE_USED,
}


async def start_with_code(update: Update, context: Ctx) -> None:
    """/start <code>, from an invite link: the role now, or once the privacy notice is agreed."""
    user = update.effective_user
    assert user is not None
    s = context.services
    now = s.now()
    code = (context.args or [""])[0]
    invite = await s.store.roles.invite(code) if looks_like_code(code) else None
    problem = invite_problem(invite, user.id, now)
    person = context.person
    consented = person is not None and person.consent_version >= texts.PRIVACY_VERSION
    if problem is not None or invite is None:
        await reply(update, _PROBLEM_TEXT[problem or InviteProblem.UNKNOWN])
        await common.start(update, context)
        return
    role_name = texts.role_name(invite.role)
    if person is not None and invite.role in person.roles:
        await reply(update, texts.INVITE_ALREADY.format(role=role_name))
        if not consented:
            await common.start(update, context)
        return
    if not consented:
        # Kept in the invites table, so it survives a restart before they agree.
        await s.store.roles.hold_invite(code, user.id, now)
        await reply(update, texts.INVITE_HELD.format(role=role_name))
        await common.start(update, context)
        return
    await _redeem(update, context, code)


async def _redeem(update: Update, context: Ctx, code: str) -> None:
    assert update.effective_user is not None
    s = context.services
    now = s.now()
    role = await s.store.roles.redeem(code, update.effective_user.id, now)
    if role is None:
        # Used or expired between opening the link and agreeing.
        invite = await s.store.roles.invite(code)
        problem = invite_problem(invite, update.effective_user.id, now) or InviteProblem.USED
        await reply(update, _PROBLEM_TEXT[problem])
        return
    logger.info("User %s became a %s by invite", update.effective_user.id, role.value)
    help_text = texts.HELP_COORDINATOR if role is Role.COORDINATOR else texts.HELP_LIAISON
    await reply(update, texts.ROLE_GRANTED.format(role=texts.role_name(role)) + help_text)


async def consent(update: Update, context: Ctx) -> None:
    """`I agree` / `No thanks`, then any invite they opened before: granted once they have
    agreed, let go if they have not (whatever the button said, the database decides)."""
    await common.consent(update, context)
    user = update.effective_user
    assert user is not None
    s = context.services
    person = await s.store.people.get(user.id)
    if person is None or person.consent_version < texts.PRIVACY_VERSION:
        await s.store.roles.release_invites(user.id)
        return
    held = await s.store.roles.held_invite(user.id)
    if held is not None:
        await _redeem(update, context, held.code)
