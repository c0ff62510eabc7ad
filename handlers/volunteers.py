"""/volunteers [words]: volunteers by name, skill or area (or `pending`, `paused`,
`vetted`), with their status, open tasks and hours in 30 days, ten a page, each with its
actions; and /approve, with `Approve all`. Every command and button checks the caller is a
coordinator, each time."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.people import VolunteerCard, page_of, search
from handlers import coordinator_keys, keyboards, menus, texts
from handlers.common import answer, clean_text, edit_pressed, remove_buttons, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.people import Among, approve_one, block_person, resolve_then, set_vetted
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

WORDS = "volunteers_words"  # user_data: what the last /volunteers searched for
APPROVE_LIMIT = 10
MAX_WORDS = 100


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def card_text(card: VolunteerCard) -> str:
    """One volunteer, as /volunteers shows them."""
    status = texts.VOLUNTEER_STATUS[card.state.value]
    if card.vetted:
        status += texts.VOLUNTEER_VETTED
    areas = list(card.areas)
    if card.radius_km is not None:
        areas.append(texts.VOLUNTEER_RADIUS.format(km=card.radius_km))
    return texts.VOLUNTEER_LINE.format(
        who=texts.reach(card.first_name, card.username, card.user_id),
        status=status,
        skills=", ".join(map(texts.named, card.skills)) or texts.NO_SKILLS,
        areas=texts.html(", ".join(areas) or texts.NO_AREAS),
        open_tasks=card.open_tasks,
        tasks=card.tasks_30d,
        hours=f"{card.hours_30d:g}",
    )


def card_buttons(card: VolunteerCard) -> InlineKeyboardMarkup | None:
    return coordinator_keys.volunteer_actions(
        card.user_id, card.state.value == "pending", card.vetted, card.blocked
    )


async def _show_page(update: Update, context: Ctx, words: str, page: int) -> None:
    s = context.services
    found = search(await s.store.directory.volunteer_cards(s.now()), words)
    if not found:
        text = texts.VOLUNTEERS_NONE.format(words=texts.html(words)) if words else None
        reply(update, context, text or texts.VOLUNTEERS_EMPTY)
        return
    shown, page, pages = page_of(found, page)
    matching = texts.VOLUNTEERS_MATCHING.format(words=texts.html(words)) if words else ""
    reply(
        update,
        context,
        texts.VOLUNTEERS_HEADER.format(matching=matching, count=len(found), page=page, pages=pages),
    )
    for card in shown:
        reply(update, context, card_text(card), reply_markup=card_buttons(card))
    nav = coordinator_keys.pages(page, page < pages)
    if nav is not None:
        reply(
            update, context, texts.VOLUNTEERS_PAGE.format(page=page, pages=pages), reply_markup=nav
        )


@coordinator_only
async def volunteers_command(update: Update, context: Ctx) -> None:
    """/volunteers [words]: the first page of volunteers these words fit."""
    words = clean_text(" ".join(context.args or []))[:MAX_WORDS]
    assert context.user_data is not None
    context.user_data[WORDS] = words
    await _show_page(update, context, words, 1)


@coordinator_only
async def page_pressed(update: Update, context: Ctx) -> None:
    """`Next` or `Previous`: another page of the last search."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    button = keyboards.parse(query.data)
    page = button.number if button is not None else None
    words = context.user_data.get(WORDS)
    if page is None or not isinstance(words, str):
        answer(update, texts.VOLUNTEERS_SEARCH_GONE)
        return
    answer(update)
    remove_buttons(update, context)
    await _show_page(update, context, words, page)


async def _refresh_card(update: Update, context: Ctx, user_id: int, note: str) -> None:
    """The pressed volunteer's message, as they are now, with what was done below it."""
    s = context.services
    cards = await s.store.directory.volunteer_cards(s.now(), user_id)
    if not cards:
        edit_pressed(update, context, note)
        return
    edit_pressed(
        update,
        context,
        card_text(cards[0]) + "\n\n" + note,
        reply_markup=card_buttons(cards[0]),
    )


@coordinator_only
async def vet_pressed(update: Update, context: Ctx) -> None:
    """`Vet` or `Unvet` under a volunteer."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    parsed = coordinator_keys.parse_vet(button.arg) if button else None
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    user_id, vetted = parsed
    answer(update)
    await _refresh_card(
        update, context, user_id, await set_vetted(update, context, user_id, vetted)
    )


@coordinator_only
async def block_pressed(update: Update, context: Ctx) -> None:
    """`Block` under a volunteer: asks first."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    user_id = button.number if button is not None else None
    person = await context.services.store.directory.known(user_id) if user_id else None
    if person is None:
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    reply(
        update,
        context,
        texts.BLOCK_ASK.format(who=texts.reach(person.first_name, person.username, person.user_id)),
        reply_markup=coordinator_keys.block_confirm(person.user_id),
    )


@coordinator_only
async def block_confirmed(update: Update, context: Ctx) -> None:
    """`Yes, block`: as /block does, with no reason given."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    user_id = button.number if button is not None else None
    if user_id is None:
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    edit_pressed(update, context, await block_person(update, context, user_id, None))


# --- /approve --------------------------------------------------------------------------------


@coordinator_only
async def approve_command(update: Update, context: Ctx) -> None:
    """/approve: each volunteer waiting (the first ten), with Approve and Reject, and
    `Approve all`; /approve Priya: that one."""
    args = list(context.args or [])
    if args:
        await resolve_then(
            update,
            context,
            " ".join(args),
            Among.PENDING,
            lambda user_id: approve_one(update, context, user_id),
            command="approve",
            usage=texts.APPROVE_USAGE,
        )
        return
    s = context.services
    pending = await s.store.directory.pending()
    if not pending:
        reply(update, context, texts.APPROVE_NONE)
        return
    for user_id in pending[:APPROVE_LIMIT]:
        person = await s.store.people.get(user_id)
        profile = await s.store.volunteers.get(user_id)
        if person is None or profile is None:
            continue
        text = texts.APPROVE_LINE.format(
            name=texts.html(person.first_name),
            username=f" @{texts.html(person.username)}" if person.username else "",
            id=user_id,
            skills=", ".join(map(texts.named, profile.skills)),
            areas=texts.html(", ".join(profile.areas)),
            availability=texts.AVAILABILITY_LABELS[profile.availability],
        )
        reply(update, context, text, reply_markup=keyboards.approve(user_id))
    if len(pending) > APPROVE_LIMIT:
        reply(update, context, texts.APPROVE_MORE.format(count=len(pending) - APPROVE_LIMIT))
    if len(pending) > 1:
        reply(
            update,
            context,
            texts.APPROVE_ALL_OFFER.format(count=len(pending)),
            reply_markup=coordinator_keys.approve_all(len(pending)),
        )


@coordinator_only
async def approve_all_pressed(update: Update, context: Ctx) -> None:
    """`Approve all`: asks first, saying how many."""
    pending = await context.services.store.directory.pending()
    if not pending:
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    reply(
        update,
        context,
        texts.APPROVE_ALL_ASK.format(count=len(pending)),
        reply_markup=coordinator_keys.approve_all_confirm(len(pending)),
    )


@coordinator_only
async def approve_all_confirmed(update: Update, context: Ctx) -> None:
    """`Yes, approve N`: everyone waiting, if they are still the N the question named;
    each is told and gets a volunteer's menu; open needs are matched once, after."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    was = button.number if button is not None else None
    s = context.services
    pending = await s.store.directory.pending()
    if was is None:
        answer(update, texts.STALE_BUTTON)
        return
    if not pending:
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    if len(pending) != was:
        edit_pressed(
            update,
            context,
            texts.APPROVE_ALL_CHANGED.format(count=len(pending), was=was),
            reply_markup=coordinator_keys.approve_all_confirm(len(pending)),
        )
        return
    now = s.now()
    approved = 0
    for user_id in pending:
        if await s.store.coordination.approve(user_id, _actor(update), now):
            approved += 1
            async with to(context, user_id):
                tell(context, user_id, texts.VOLUNTEER_APPROVED)
            menus.refresh(context, user_id)
    edit_pressed(update, context, texts.APPROVED_ALL.format(count=approved))
    if approved:
        await s.aid.match_open_needs(now)


def volunteers_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    patterns = {
        Action.VOL_PAGE: page_pressed,
        Action.VOL_VET: vet_pressed,
        Action.VOL_BLOCK: block_pressed,
        Action.VOL_BLOCK_YES: block_confirmed,
        Action.APPROVE_ALL: approve_all_pressed,
        Action.APPROVE_ALL_YES: approve_all_confirmed,
    }
    return [
        CommandHandler("volunteers", volunteers_command),
        CommandHandler("approve", approve_command),
        *(CallbackQueryHandler(h, pattern=keyboards.pattern(a)) for a, h in patterns.items()),
    ]
