"""Resident and volunteer reach each other through the bot, without accounts or numbers.

`Message <name>` (or `Reply`) under a task's messages, or any plain text outside a flow
while someone shares one live task: the text goes to the other person, headed with the
sender's first name and the request's number, with a `Reply` button. With several open
conversations the bot asks which. `Share my phone number` hands a number over only on its
owner's tap (Telegram's contact button). A conversation closes two days after its task
ends (domain.relay). Every relayed text is kept as the sender's personal data.
"""

from __future__ import annotations

import logging

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from domain.relay import MAX_RELAYED, RelayLink, open_links
from handlers import keyboards, texts
from handlers.common import answer, clean_text, reply, tell, to, unknown_message
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.outside import answered_pending

logger = logging.getLogger(__name__)

# In user_data (kept with the person's other half-done business): the conversation their
# next text goes to, a text waiting for "which one?", a number they were asked to share.
TO, WAITING, PHONE_FOR = "relay_to", "relay_waiting", "phone_for"


def _data(context: Ctx) -> dict[str, object]:
    assert context.user_data is not None
    return context.user_data


async def _links(context: Ctx, user_id: int) -> tuple[list[RelayLink], list[RelayLink]]:
    """(open conversations, all conversations) of this person."""
    every = await context.services.store.relay.links(user_id)
    return open_links(every, context.services.now()), every


def _find(links: list[RelayLink], need_id: int, other_id: int) -> RelayLink | None:
    return next((x for x in links if x.need_id == need_id and x.other_id == other_id), None)


def _stored_link(value: object) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


async def _pass_on(update: Update, context: Ctx, link: RelayLink, text: str) -> None:
    """Keep the text, send it on with a `Reply` button, and tell the sender it went."""
    assert update.effective_user is not None
    s = context.services
    me = update.effective_user.id
    await s.store.relay.add(link.need_id, me, link.other_id, text, s.now())
    name = context.person.first_name if context.person else update.effective_user.first_name
    async with to(context, link.other_id):
        tell(
            context,
            link.other_id,
            texts.RELAY_FROM.format(name=texts.html(name), id=link.need_id, text=texts.html(text)),
            keyboards.relay_reply(link.need_id, me),
        )
    reply(update, context, texts.RELAY_SENT.format(name=texts.html(link.other_name)))


async def text_outside_flow(update: Update, context: Ctx) -> None:
    """Plain text with no flow in progress: a message for the person they share a task
    with; otherwise the helpful answer anyone gets."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    data = _data(context)
    if data.get(PHONE_FOR) is not None:
        # The share-your-number keyboard is up: its Cancel, or anything else, puts it away.
        data.pop(PHONE_FOR, None)
        reply(update, context, texts.PHONE_NOT_SHARED, reply_markup=ReplyKeyboardRemove())
        return
    if await answered_pending(update, context):
        return  # "yes" to `Still need help?` is an answer to the bot, not a message
    text = clean_text(message.text)
    opened, every = await _links(context, user.id)
    if not text or not every:
        await unknown_message(update, context)
        return
    if not opened:
        newest = max(every, key=lambda x: x.need_id)
        reply(update, context, texts.RELAY_CLOSED.format(id=newest.need_id))
        return
    if len(text) > MAX_RELAYED:
        reply(update, context, texts.RELAY_TOO_LONG.format(length=len(text), limit=MAX_RELAYED))
        return
    chosen = _stored_link(data.pop(TO, None))
    link = _find(opened, *chosen) if chosen else None
    if link is None and len(opened) == 1:
        link = opened[0]
    if link is None:
        data[WAITING] = text
        choices = [(x.need_id, x.other_id, x.other_name) for x in opened]
        reply(update, context, texts.RELAY_WHICH, reply_markup=keyboards.relay_choice(choices))
        return
    data.pop(WAITING, None)
    await _pass_on(update, context, link, text)


async def _pressed_link(update: Update, context: Ctx) -> RelayLink | None:
    """The open conversation a `Message`/`Reply`/`Share` button names, if the presser is
    one of its two people; anyone else, or a closed one, gets a short answer."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    button = keyboards.parse(query.data)
    wanted = keyboards.parse_relay(button.arg) if button else None
    opened, _ = await _links(context, user.id)
    link = _find(opened, *wanted) if wanted else None
    if link is None:
        answer(update, texts.RELAY_NOT_OPEN)
    return link


async def message_pressed(update: Update, context: Ctx) -> None:
    """`Message <name>`, `Reply`, or the answer to "who is this for?"."""
    link = await _pressed_link(update, context)
    if link is None:
        return
    answer(update)
    data = _data(context)
    waiting = data.pop(WAITING, None)
    if isinstance(waiting, str) and waiting:
        await _pass_on(update, context, link, waiting)
        return
    data[TO] = [link.need_id, link.other_id]
    reply(
        update, context, texts.RELAY_TYPE.format(name=texts.html(link.other_name), id=link.need_id)
    )


async def phone_pressed(update: Update, context: Ctx) -> None:
    """`Share my phone number`: Telegram's own contact button, which only its owner can tap."""
    link = await _pressed_link(update, context)
    if link is None:
        return
    answer(update)
    _data(context)[PHONE_FOR] = [link.need_id, link.other_id]
    reply(
        update,
        context,
        texts.PHONE_ASK.format(name=texts.html(link.other_name), id=link.need_id),
        reply_markup=keyboards.share_phone(),
    )


async def contact_shared(update: Update, context: Ctx) -> None:
    """A contact sent back: passed on only if it is the sender's own, for the conversation
    they chose; anything else changes nothing."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.contact is not None and user is not None
    data = _data(context)
    chosen = _stored_link(data.get(PHONE_FOR))
    if chosen is None:
        await unknown_message(update, context)
        return
    if message.contact.user_id != user.id:
        reply(update, context, texts.PHONE_NOT_YOURS, reply_markup=keyboards.share_phone())
        return
    data.pop(PHONE_FOR, None)
    opened, _ = await _links(context, user.id)
    link = _find(opened, *chosen)
    if link is None:
        reply(update, context, texts.RELAY_NOT_OPEN, reply_markup=ReplyKeyboardRemove())
        return
    s = context.services
    phone = clean_text(message.contact.phone_number)[:32]
    name = context.person.first_name if context.person else user.first_name
    await s.store.relay.add(link.need_id, user.id, link.other_id, f"phone: {phone}", s.now())
    async with to(context, link.other_id):
        tell(
            context,
            link.other_id,
            texts.PHONE_FROM.format(
                name=texts.html(name), id=link.need_id, phone=texts.html(phone)
            ),
            keyboards.relay_reply(link.need_id, user.id),
        )
    reply(
        update,
        context,
        texts.PHONE_SENT.format(name=texts.html(link.other_name)),
        reply_markup=ReplyKeyboardRemove(),
    )


def relay_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """The buttons work anywhere; text and contacts only outside a flow (registered after
    the flows, before the catch-all answers)."""
    return [
        CallbackQueryHandler(message_pressed, pattern=keyboards.pattern(Action.RELAY)),
        CallbackQueryHandler(phone_pressed, pattern=keyboards.pattern(Action.PHONE)),
        MessageHandler(filters.CONTACT, contact_shared),
        MessageHandler(filters.TEXT & ~filters.COMMAND, text_outside_flow),
    ]
