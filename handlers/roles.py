"""Roles: the check every coordinator (or liaison) command and button goes through, the
one-time invite links that grant a role after the privacy notice is agreed (/invite), and
who holds which role (/roles)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.coordination import (
    InviteProblem,
    RemoveProblem,
    invite_expiry,
    invite_problem,
    looks_like_code,
    new_invite_code,
    parse_role,
    removable,
    remove_problem,
)
from domain.models import Role
from handlers import common, keyboards, menus, texts
from handlers.common import answer, edit_pressed, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action

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


async def refuse(update: Update, context: Ctx, *roles: Role) -> None:
    """A short answer to someone without the role; nothing changes."""
    if roles == (Role.COORDINATOR,):
        text = texts.NOT_ALLOWED
    elif roles == (Role.LIAISON,):
        text = texts.NOT_ALLOWED_LIAISON
    else:
        text = texts.NOT_ALLOWED_STAFF
    if update.callback_query is not None:
        answer(update, text)
    else:
        reply(update, context, text)


def requires(*roles: Role) -> Callable[[Handler[R]], Handler[R | None]]:
    """Decorate a command or button handler: it runs only for holders of one of `roles`."""

    def decorate(handler: Handler[R]) -> Handler[R | None]:
        @functools.wraps(handler)
        async def checked(update: Update, context: Ctx) -> R | None:
            if not await holds(update, context, *roles):
                await refuse(update, context, *roles)
                return None
            return await handler(update, context)

        return checked

    return decorate


coordinator_only = requires(Role.COORDINATOR)


# --- invites -------------------------------------------------------------------------------

# What each problem with an invite link reads (a name in handlers/texts.py).
_PROBLEM_TEXT = {
    InviteProblem.UNKNOWN: "INVITE_UNKNOWN",
    InviteProblem.EXPIRED: "INVITE_EXPIRED",
    InviteProblem.USED: "INVITE_USED",
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
        reply(update, context, getattr(texts, _PROBLEM_TEXT[problem or InviteProblem.UNKNOWN]))
        await common.start(update, context)
        return
    role_name = texts.role_name(invite.role)
    if person is not None and invite.role in person.roles:
        reply(update, context, texts.INVITE_ALREADY.format(role=role_name))
        if not consented:
            await common.start(update, context)
        return
    if not consented:
        # Kept in the invites table, so it survives a restart before they agree.
        await s.store.roles.hold_invite(code, user.id, now)
        reply(update, context, texts.INVITE_HELD.format(role=role_name))
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
        reply(update, context, getattr(texts, _PROBLEM_TEXT[problem]))
        return
    logger.info("User %s became a %s by invite", update.effective_user.id, role.value)
    menus.refresh(context, update.effective_user.id)  # the role's commands join their menu
    help_text = texts.HELP_COORDINATOR if role is Role.COORDINATOR else texts.HELP_LIAISON
    reply(update, context, texts.ROLE_GRANTED.format(role=texts.role_name(role)) + help_text)


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


# --- /invite and /roles --------------------------------------------------------------------


@coordinator_only
async def invite_command(update: Update, context: Ctx) -> None:
    """/invite coordinator | liaison: a one-time deep link, valid for a week."""
    args = list(context.args or [])
    role = parse_role(args[0]) if len(args) == 1 else None
    if role is None:
        reply(update, context, texts.INVITE_USAGE)
        return
    s = context.services
    now = s.now()
    invite = await s.store.roles.create_invite(
        new_invite_code(), role, _actor(update), now, invite_expiry(now)
    )
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    reply(
        update,
        context,
        texts.INVITE_LINK.format(
            role=texts.role_name(role),
            expires=texts.local_time(invite.expires_at, s.tz),
            link=link,
        ),
    )


async def _roles_view(context: Ctx) -> tuple[str, InlineKeyboardMarkup | None]:
    s = context.services
    holders = await s.store.roles.holders()
    if not holders:
        return texts.ROLES_NONE, None
    lines = [texts.ROLES_HEADER]
    buttons: list[tuple[str, int, Role]] = []
    for h in holders:
        configured = not removable(h, s.coordinator_ids)
        lines.append(
            texts.ROLES_LINE.format(
                name=texts.person_label(h.first_name, h.username),
                id=h.user_id,
                role=texts.role_name(h.role),
                note=texts.ROLES_CONFIGURED if configured else "",
            )
        )
        if not configured:
            buttons.append((f"{h.first_name} ({texts.role_name(h.role)})", h.user_id, h.role))
    return "\n".join(lines), keyboards.remove_roles(buttons)


@coordinator_only
async def roles_command(update: Update, context: Ctx) -> None:
    """/roles: who holds which role, with a Remove button where the bot may remove it."""
    text, markup = await _roles_view(context)
    reply(update, context, text, reply_markup=markup)


@coordinator_only
async def remove_role_button(update: Update, context: Ctx) -> None:
    """`Remove <name>`: the role goes at once; configured and last coordinators stay."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    parsed = keyboards.parse_role_removal(button.arg) if button else None
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    user_id, role = parsed
    s = context.services
    holders = await s.store.roles.holders()
    problem = remove_problem(user_id, role, holders, s.coordinator_ids)
    if problem is None and not await s.store.roles.remove(
        user_id, role, _actor(update), s.coordinator_ids, s.now()
    ):
        problem = RemoveProblem.LAST if role is Role.COORDINATOR else RemoveProblem.NOT_HELD
    if problem is not None:
        answer(update, texts.ROLE_CANNOT_REMOVE[problem.value])
    else:
        answer(update, texts.ROLE_REMOVED)
        async with to(context, user_id):
            tell(context, user_id, texts.ROLE_REMOVED_NOTICE.format(role=texts.role_name(role)))
        menus.refresh(context, user_id)  # and its commands leave their menu
    text, markup = await _roles_view(context)
    edit_pressed(update, context, text, reply_markup=markup)


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def roles_handlers() -> list[BaseHandler]:
    return [
        CommandHandler("invite", invite_command),
        CommandHandler("roles", roles_command),
        CallbackQueryHandler(remove_role_button, pattern=keyboards.pattern(Action.ROLE_REMOVE)),
    ]
