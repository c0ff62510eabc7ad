"""Needs held for a coordinator (product.md, Signposts in context).

A resident shown signposts for anything but an emergency may answer `It's not that, post
it`: the need is then saved as held, the coordinators hear of it at once (the topics, never
the resident's words), and it waits in `/open` and the digest until a coordinator presses
`Release` (it goes to matching) or `Close` (the resident gets a kind message). Both buttons
check the presser's role on every press.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from domain.held import release_window
from domain.lifecycle import window_for
from domain.models import Need, NeedStatus, Role, When, Work
from handlers import keyboards, texts
from handlers.common import answer, edit_pressed, remove_buttons, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)


async def post_held(context: Ctx, resident_id: int, form: dict[str, Any]) -> Need:
    """The signposted form, saved for a coordinator to read first."""
    s = context.services
    now = s.now()
    when = When(form["when"])
    return await s.store.held.create(
        resident_id,
        form["category"],
        form["area"],
        form["description"],
        when,
        window_for(when, now, s.tz),
        now,
        topics=str(form.get("signposted") or ""),
    )


def _topics(context: Ctx, need: Need) -> str:
    """The signposts this need's words call up in its category (worked out again, so the
    words are never copied anywhere)."""
    shown = context.services.community.signposts_for(need.description, need.category)
    return ", ".join(texts.named(s.topic) for s in shown) or texts.HELD_NO_TOPICS


async def alert_held(context: Ctx, work: Work) -> None:
    """Timed work: every coordinator hears that a need is held for them, with the topics of
    the signposts shown and never the resident's words."""
    s = context.services
    need_id = work.payload.get("need_id")
    need = await s.store.needs.get(int(need_id)) if isinstance(need_id, int) else None
    if need is None or need.status is not NeedStatus.HELD:
        return  # released, closed or cancelled already
    topics = str(work.payload.get("topics") or "")
    for user_id in await s.store.people.with_role(Role.COORDINATOR):
        async with to(context, user_id):
            text = texts.ALERT_HELD.format(
                id=need.id,
                category=texts.named(need.category),
                area=texts.html(need.area),
                when=texts.need_when(need, s.now(), s.tz),
                topics=", ".join(map(texts.named, topics.split(", ")))
                if topics
                else _topics(context, need),
            )
            tell(context, user_id, text)


async def open_section(update: Update, context: Ctx, limit: int) -> int:
    """The held needs at the top of /open, each with `See in full`, `Release` and `Close`,
    its words shown (a coordinator must read them to decide). Returns how many there are."""
    s = context.services
    held = await s.store.held.waiting()
    if not held:
        return 0
    reply(update, context, texts.OPEN_HELD_HEADER.format(count=len(held)))
    for need in held[:limit]:
        text = texts.OPEN_HELD_LINE.format(
            id=need.id,
            category=texts.named(need.category),
            area=texts.html(need.area),
            when=texts.need_when(need, s.now(), s.tz),
            age=texts.age(s.now() - need.created_at),
            topics=texts.html(_topics(context, need)),
            description=texts.html(need.description),
        )
        reply(update, context, text, reply_markup=keyboards.held_need(need.id))
    if len(held) > limit:
        reply(update, context, texts.OPEN_MORE.format(count=len(held) - limit))
    return len(held)


async def _held_from_button(update: Update, context: Ctx) -> Need | None:
    """The held need a button names; anything else gets a short answer and loses nothing."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    need_id = button.number if button is not None else None
    need = await context.services.store.needs.get(need_id) if need_id is not None else None
    if need is None:
        answer(update, texts.STALE_BUTTON)
        return None
    if need.status is not NeedStatus.HELD:
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return None
    return need


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


@coordinator_only
async def release_pressed(update: Update, context: Ctx) -> None:
    """`Release`: the need goes to matching now, and its resident hears so."""
    need = await _held_from_button(update, context)
    if need is None:
        return
    s = context.services
    now = s.now()
    window = release_window(need, now, s.tz)
    if not await s.store.held.release(need.id, _actor(update), window, now):
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    asked = await s.aid.match(need.id, now)
    answer(update)
    template = texts.HELD_RELEASED if asked else texts.HELD_RELEASED_NOBODY
    edit_pressed(update, context, template.format(id=need.id, asked=asked))
    if need.resident_id != _actor(update):
        async with to(context, need.resident_id):
            tell(
                context,
                need.resident_id,
                texts.RESIDENT_RELEASED.format(id=need.id, category=texts.named(need.category)),
            )


@coordinator_only
async def close_pressed(update: Update, context: Ctx) -> None:
    """`Close`: the need ends, and its resident gets a kind message with the signposts."""
    need = await _held_from_button(update, context)
    if need is None:
        return
    s = context.services
    if not await s.store.held.close(need.id, _actor(update), s.now()):
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    edit_pressed(update, context, texts.HELD_CLOSED.format(id=need.id))
    if need.resident_id != _actor(update):
        shown = s.community.signposts_for(need.description, need.category)
        async with to(context, need.resident_id):
            signposts = (
                texts.RESIDENT_HELD_SIGNPOSTS.format(signposts=texts.signpost_lines(shown))
                if shown
                else ""
            )
            tell(
                context,
                need.resident_id,
                texts.RESIDENT_HELD_CLOSED.format(
                    id=need.id, category=texts.named(need.category), signposts=signposts
                ),
            )


def held_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """The coordinators' buttons; they work whatever flow the presser is in."""
    return [
        CallbackQueryHandler(release_pressed, pattern=keyboards.pattern(Action.HELD_RELEASE)),
        CallbackQueryHandler(close_pressed, pattern=keyboards.pattern(Action.HELD_CLOSE)),
    ]
