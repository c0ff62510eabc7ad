"""A person's data rights: /mydata sends what is kept, /forget deletes it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain.privacy import forget as forget_person
from handlers import keyboards, menus, outbox, texts
from handlers.common import answer, remove_buttons, reply
from handlers.context import Ctx
from handlers.keyboards import Action

logger = logging.getLogger(__name__)


async def mydata(update: Update, context: Ctx) -> None:
    """/mydata: everything kept about the caller, as a JSON document."""
    assert update.effective_user is not None and update.effective_chat is not None
    s = context.services
    data = await s.store.privacy.export(update.effective_user.id, s.now())
    chat = update.effective_chat
    # A copy of what is kept changes nothing: sent once the update is over, never stored again.
    outbox.soon(
        lambda: chat.send_document(
            document=data.model_dump_json(indent=2).encode(),
            filename=texts.MYDATA_FILENAME,
            caption=texts.MYDATA_NOTHING if data.is_empty else texts.MYDATA_CAPTION,
            parse_mode=ParseMode.HTML,
        )
    )


# In chat_data (memory only): when /forget asked `Delete your data?` (a typed answer may
# follow).
FORGET_ASKED = "forget_asked"


def _in_a_flow(context: Ctx) -> bool:
    """Half-way through a flow? (Read without creating a form for someone we may not know.)"""
    form = (context.user_data or {}).get("form")
    return isinstance(form, dict) and bool(form.get("flow"))


async def forget(update: Update, context: Ctx) -> None:
    """/forget: what deleting means, and the `Delete my data` button."""
    if _in_a_flow(context):
        # A half-filled form would be written back after deleting it: finish or cancel first.
        reply(update, context, texts.IN_A_FLOW)
        return
    reply(update, context, texts.FORGET_ASK, reply_markup=keyboards.forget())
    if context.person is not None and context.chat_data is not None:
        # So a typed "delete" or "keep" answers it (handlers/outside.py). Kept in memory
        # only (chat_data is not persisted): after a restart the buttons still work.
        context.chat_data[FORGET_ASKED] = context.services.now().isoformat()


async def forget_pressed(update: Update, context: Ctx) -> None:
    """`Delete my data` or `Keep my data`."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    if button is None or button.arg not in ("y", "n"):
        answer(update, texts.STALE_BUTTON)
        return
    if button.arg == "n":
        answer(update)
        remove_buttons(update, context)
        await keep_data(update, context)
        return
    if _in_a_flow(context):
        answer(update, texts.IN_A_FLOW)
        return
    answer(update)
    remove_buttons(update, context)
    await forget_now(update, context)


async def keep_data(update: Update, context: Ctx) -> None:
    """`Keep my data` (pressed or typed): nothing is deleted."""
    (context.chat_data or {}).pop(FORGET_ASKED, None)
    reply(update, context, texts.FORGET_KEPT)


async def forget_now(update: Update, context: Ctx) -> None:
    """`Delete my data` (pressed or typed): everything kept about them goes."""
    assert update.effective_user is not None
    (context.chat_data or {}).pop(FORGET_ASKED, None)
    s = context.services
    user_id = update.effective_user.id
    had_menu = await s.store.menus.given_to(user_id) is not None
    done = await forget_person(s.store.needs, s.store.privacy, s.aid.match, user_id, s.now())
    await s.store.privacy.purge_copies()
    # The in-memory copy of their form goes too, or the next save would write it back.
    context.application.drop_user_data(user_id)
    if had_menu:
        menus.drop(context, user_id)  # a role's menu goes with the role
    logger.info(
        "Forgot a person: %s needs withdrawn, %s tasks returned",
        len(done.needs_withdrawn),
        len(done.tasks_returned),
    )
    reply(update, context, texts.FORGET_DONE)  # leaves no trace once sent (storage.outbox)


def privacy_handlers() -> list[CommandHandler | CallbackQueryHandler]:
    """Registered before the flows, so they answer whatever the caller is in the middle of."""
    return [
        CommandHandler("mydata", mydata),
        CommandHandler("forget", forget),
        CallbackQueryHandler(forget_pressed, pattern=keyboards.pattern(Action.FORGET)),
    ]
