"""`Raise a concern` on any task message, for both sides: a record, coordinators told."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from handlers import flows, keyboards, texts
from handlers.common import answer, clean_text, reply, text_only
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.resident import conversation, flow_fallbacks

CONCERN_TEXT = 30


async def concern_start(update: Update, context: Ctx) -> int | None:
    """`Raise a concern`: only the need's resident or volunteer may, then ask what's wrong."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    need = (
        await context.services.store.needs.get(button.number)
        if button and button.number is not None
        else None
    )
    if need is None or update.effective_user.id not in (need.resident_id, need.volunteer_id):
        answer(update, texts.NOT_FOR_YOU)
        return ConversationHandler.END
    if context.form.get("flow"):
        # Another flow is half-way and shares the form (and would swallow the concern's text).
        answer(update, texts.IN_A_FLOW)
        return ConversationHandler.END
    answer(update)
    context.form.clear()
    context.form["flow"] = "concern"
    context.form["concern_need"] = need.id
    await ask_concern(update, context)
    return CONCERN_TEXT


@flows.step("concern.text")
async def ask_concern(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_CONCERN.format(id=context.form.get("concern_need")))


async def restart_concern(update: Update, context: Ctx) -> int:
    """`Start again` on a concern put aside: the same question about the same request."""
    await ask_concern(update, context)
    return CONCERN_TEXT


def _summary(context: Ctx) -> tuple[str, list[tuple[str, str]]]:
    return texts.ASIDE_WHAT["concern"].format(id=context.form.get("concern_need")), []


flows.register_flow("concern", restart=restart_concern, summary=_summary)


async def concern_text(update: Update, context: Ctx) -> int | None:
    """The concern in their words: saved, then every coordinator hears at once."""
    assert update.effective_message is not None and update.effective_user is not None
    text = clean_text(update.effective_message.text)[: texts.MAX_CONCERN]
    if not text:
        reply(update, context, texts.EMPTY_DESCRIPTION)
        return None
    s = context.services
    await s.store.needs.add_concern(
        context.form.get("concern_need"), update.effective_user.id, text, s.now()
    )
    context.form.clear()
    reply(update, context, texts.CONCERN_NOTED)
    return ConversationHandler.END


def concern_conversation() -> ConversationHandler:
    return conversation(
        entry_points=[
            CallbackQueryHandler(concern_start, pattern=keyboards.pattern(Action.CONCERN))
        ],
        states={
            CONCERN_TEXT: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, concern_text),
                MessageHandler(~filters.COMMAND, text_only),
            ]
        },
        fallbacks=flow_fallbacks(),
        name="concern",
    )
