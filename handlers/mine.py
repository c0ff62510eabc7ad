"""A resident's own requests: /mine, Cancel, `Still need help?` and `All good?`."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain.models import NeedStatus
from handlers import keyboards, texts
from handlers.common import answer, remove_buttons, reply
from handlers.context import Ctx
from handlers.keyboards import Action

logger = logging.getLogger(__name__)

OPEN = (NeedStatus.OPEN, NeedStatus.ACCEPTED, NeedStatus.HELD)  # may still be cancelled


async def mine(update: Update, context: Ctx) -> None:
    """/mine: each request with its status, and Cancel while still open."""
    assert update.effective_user is not None
    store = context.services.store
    needs = await store.needs.for_resident(update.effective_user.id)
    offers = await store.offers.for_user(update.effective_user.id)
    if not needs and not offers:
        reply(update, context, texts.MINE_EMPTY)
        return
    now, tz = context.services.now(), context.services.tz
    if needs:
        reply(update, context, texts.MINE_HEADER)
    for need in needs[:20]:
        markup = keyboards.cancel_need(need.id) if need.status in OPEN else None
        reply(update, context, texts.mine_line(need, now=now, tz=tz), reply_markup=markup)
    if offers:
        reply(update, context, texts.MINE_OFFERS_HEADER)
    for offer in offers:
        # An open offer whose window has passed is no longer asked about: it has ended.
        current = offer.status is NeedStatus.OPEN and offer.window_end > now
        markup = keyboards.cancel_offer(offer.id) if current else None
        line = texts.offer_line(offer, ended=not current, now=now, tz=tz)
        reply(update, context, line, reply_markup=markup)


async def cancel_offer(update: Update, context: Ctx) -> None:
    """`Cancel this offer`: nobody is asked on its strength any more."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    s = context.services
    offer_id = button.number if button else None
    if offer_id is None or not await s.store.offers.cancel(
        offer_id, update.effective_user.id, s.now()
    ):
        answer(update, texts.CANNOT_CANCEL_OFFER)
        return
    answer(update)
    remove_buttons(update, context)
    reply(update, context, texts.OFFER_CANCELLED)


async def _own_need_button(update: Update, context: Ctx) -> int | None:
    """The need id on a resident's button, if the need is the presser's own."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    need = (
        await context.services.store.needs.get(button.number)
        if button and button.number is not None
        else None
    )
    if need is None or need.resident_id != update.effective_user.id:
        answer(update, texts.NOT_FOR_YOU)
        return None
    return need.id


async def _answered(update: Update, context: Ctx, text: str) -> None:
    """The button is answered and taken off its message; then the outcome, and what it set
    in motion (proposals edited, a volunteer told) happens at once."""
    query = update.callback_query
    assert query is not None
    answer(update)
    remove_buttons(update, context)
    reply(update, context, text)


async def cancel_need(update: Update, context: Ctx) -> None:
    """`Cancel #12`: withdrawn, its proposals edited, any volunteer told."""
    need_id = await _own_need_button(update, context)
    if need_id is None:
        return
    assert update.effective_user is not None
    s = context.services
    cancelled = await s.store.needs.cancel(need_id, update.effective_user.id, s.now())
    text = texts.CANCELLED_NEED if cancelled else texts.CANNOT_CANCEL
    await _answered(update, context, text.format(id=need_id))


async def keep_need_open(context: Ctx, need_id: int) -> str:
    """`Yes, keep it open` (pressed or typed): a week more; what to tell the resident."""
    s = context.services
    kept = await s.aid.keep_open(need_id, s.now())
    return (texts.KEPT_OPEN if kept else texts.CANNOT_CANCEL).format(id=need_id)


async def close_need(context: Ctx, need_id: int) -> str:
    """`No, close it` (pressed or typed); what to tell the resident."""
    s = context.services
    closed = await s.store.needs.close_unmet(need_id, s.now())
    return (texts.CLOSED_BY_RESIDENT if closed else texts.CANNOT_CANCEL).format(id=need_id)


async def keep_open(update: Update, context: Ctx) -> None:
    """`Yes, keep it open`: a week more."""
    need_id = await _own_need_button(update, context)
    if need_id is None:
        return
    await _answered(update, context, await keep_need_open(context, need_id))


async def close(update: Update, context: Ctx) -> None:
    """`No, close it`."""
    need_id = await _own_need_button(update, context)
    if need_id is None:
        return
    await _answered(update, context, await close_need(context, need_id))


async def all_good(update: Update, context: Ctx) -> None:
    """`Yes` to `All good?`."""
    need_id = await _own_need_button(update, context)
    if need_id is None:
        return
    query = update.callback_query
    assert query is not None
    answer(update)
    remove_buttons(update, context)
    reply(update, context, texts.GLAD)


async def problem(update: Update, context: Ctx) -> None:
    """`There's a problem` under `All good?`: a concern for the coordinators, at once, and
    only once however often it is pressed."""
    need_id = await _own_need_button(update, context)
    if need_id is None:
        return
    assert update.effective_user is not None
    s = context.services
    need = await s.store.needs.get(need_id)
    if need is None or need.status is not NeedStatus.DONE:
        answer(update, texts.STALE_BUTTON)  # asked only once a job is done
        return
    answer(update)
    remove_buttons(update, context)
    if await s.store.needs.add_concern(
        need_id, update.effective_user.id, texts.PROBLEM_CONCERN, s.now(), once=True
    ):
        reply(update, context, texts.PROBLEM_NOTED)


def mine_handlers() -> list[CommandHandler | CallbackQueryHandler]:
    return [
        CommandHandler("mine", mine),
        CallbackQueryHandler(cancel_need, pattern=keyboards.pattern(Action.CANCEL_NEED)),
        CallbackQueryHandler(cancel_offer, pattern=keyboards.pattern(Action.CANCEL_OFFER)),
        CallbackQueryHandler(keep_open, pattern=keyboards.pattern(Action.KEEP)),
        CallbackQueryHandler(close, pattern=keyboards.pattern(Action.CLOSE)),
        CallbackQueryHandler(all_good, pattern=keyboards.pattern(Action.GOOD)),
        CallbackQueryHandler(problem, pattern=keyboards.pattern(Action.PROBLEM)),
    ]
