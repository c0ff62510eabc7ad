"""Text outside any flow: a typed answer to a question the bot asked (`Still need help?`,
`Delete your data?`), or else what the person can do here, with the menu's buttons.

Reached through handlers.common.unknown_message, the last answer to text outside a flow
(the relay of handlers/relay.py hands on what is not a message for someone).
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from domain import answers
from domain.answers import Confirm
from domain.models import Need, NeedStatus
from handlers import keyboards, texts
from handlers.common import answer, reply
from handlers.context import Ctx
from handlers.flows import typed
from handlers.mine import close_need, keep_need_open
from handlers.privacy import FORGET_ASKED, forget_now, keep_data
from handlers.tasks import tasks_command

logger = logging.getLogger(__name__)


async def outside_flow(update: Update, context: Ctx) -> None:
    """Anything typed or sent outside a flow that nobody else took."""
    if not await answered_pending(update, context):
        await helpful_answer(update, context)


async def answered_pending(update: Update, context: Ctx) -> bool:
    """A typed answer to a question the bot asked (`Delete your data?`, `Still need help?`);
    it comes before anything else done with text outside a flow (the relay too)."""
    text = typed(update) if update.effective_message and update.effective_message.text else ""
    if not text:
        return False
    return await _forget_answered(update, context, text) or await _still_needed_answered(
        update, context, text
    )


async def helpful_answer(update: Update, context: Ctx) -> None:
    """What they can do here, with `I need help`, `I can help` and (a volunteer's) `My
    tasks`."""
    assert update.effective_user is not None
    volunteer = await context.services.store.volunteers.get(update.effective_user.id)
    reply(
        update,
        context,
        texts.UNKNOWN_TEXT_VOLUNTEER if volunteer else texts.UNKNOWN_TEXT,
        reply_markup=keyboards.menu(tasks=volunteer is not None),
    )


async def _forget_answered(update: Update, context: Ctx, text: str) -> bool:
    """A typed answer to `Delete your data?`, asked within the flow timeout."""
    data = context.chat_data if context.chat_data is not None else {}
    try:
        asked = datetime.fromisoformat(str(data.get(FORGET_ASKED)))
    except ValueError:
        return False
    s = context.services
    if asked.tzinfo is None or s.now() - asked > s.flow_timeout:
        data.pop(FORGET_ASKED, None)
        return False
    said = answers.yes_or_no(text, answers.DELETE_WORDS, answers.KEEP_DATA_WORDS)
    if said is Confirm.YES:
        await forget_now(update, context)
    elif said is Confirm.NO:
        await keep_data(update, context)
    else:
        reply(update, context, texts.EXPECTED["forget"], reply_markup=keyboards.forget())
    return True


async def _asked_still_needed(context: Ctx, resident_id: int) -> list[Need]:
    """The resident's needs whose `Still need help?` waits for an answer."""
    s = context.services
    mine = {n.id: n for n in await s.store.safety.open_needs_of(resident_id)}
    waiting = []
    for work in await s.store.work.pending("auto_close"):
        need = mine.get(work.payload.get("need_id"))  # type: ignore[arg-type]
        if (
            need is not None
            and need.status is NeedStatus.OPEN
            and need.window_end.isoformat() == work.payload.get("window_end")
            and need not in waiting
        ):
            waiting.append(need)
    return waiting


async def _still_needed_answered(update: Update, context: Ctx, text: str) -> bool:
    """ "yes" or "no" to `Still need help?`: done as the buttons do for the one request
    asked about; with several, the questions again."""
    said = answers.yes_or_no(text, answers.KEEP_OPEN_WORDS, answers.CLOSE_IT_WORDS)
    if said is None:
        return False
    assert update.effective_user is not None
    waiting = await _asked_still_needed(context, update.effective_user.id)
    if not waiting:
        return False
    if len(waiting) > 1:
        s = context.services
        reply(update, context, texts.STILL_NEEDED_WHICH)
        for need in waiting:
            question = texts.need_line(texts.STILL_NEEDED, need, now=s.now(), tz=s.tz)
            reply(update, context, question, reply_markup=keyboards.still_needed(need.id))
        return True
    need_id = waiting[0].id
    done = keep_need_open if said is Confirm.YES else close_need
    reply(update, context, await done(context, need_id))
    return True


async def tasks_pressed(update: Update, context: Ctx) -> None:
    """`My tasks` under the menu: the same as /tasks."""
    answer(update)
    await tasks_command(update, context)


def outside_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    return [CallbackQueryHandler(tasks_pressed, pattern=r"^v1:menu:tasks$")]
