"""The resident's /need flow: category, area, description, when, post."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from domain.models import MAX_DESCRIPTION, When
from handlers import keyboards, roles, texts
from handlers.common import (
    answer,
    busy_elsewhere,
    clean_text,
    end_flow,
    help_command,
    remove_buttons,
    reply,
    stale_button,
    start,
    text_only,
    use_buttons,
)
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.safety import duplicate_question, duplicates, note_signposted, refusal

logger = logging.getLogger(__name__)
T = TypeVar("T")

NEED_CATEGORY, NEED_AREA, NEED_DESCRIPTION, NEED_WHEN, NEED_CONFIRM = range(5)
NEED_DUPLICATE = 5  # `Yes, it's new` / `No, same one` after Post


async def pressed(update: Update, context: Ctx) -> keyboards.Button | None:
    """Answer a press and take the buttons off its message, so it can't be pressed twice."""
    query = update.callback_query
    assert query is not None
    answer(update)
    remove_buttons(update, context)
    return keyboards.parse(query.data)


async def choice(
    update: Update, context: Ctx, options: Sequence[T], by_index: bool = True
) -> T | None:
    """The option a button stands for; a forged or stale one gets a short answer and leaves
    the message and its buttons as they were."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    picked: T | None = None
    if button is not None and by_index:
        index = button.number
        picked = options[index] if index is not None and index < len(options) else None
    elif button is not None:
        picked = next((o for o in options if str(o) == button.arg), None)
    if picked is None:
        answer(update, texts.STALE_BUTTON)
        return None
    answer(update)
    remove_buttons(update, context)
    return picked


async def need_start(update: Update, context: Ctx) -> int:
    """/need or `I need help`: ask for the category."""
    if context.form.get("flow") not in (None, "need"):
        # Another flow (signing up) is half-way and shares the form: finish or cancel it first.
        answer(update, texts.IN_A_FLOW)
        if update.callback_query is None:
            reply(update, context, texts.IN_A_FLOW)
        return ConversationHandler.END
    if update.callback_query is not None:
        await pressed(update, context)
    context.form.clear()
    context.form["flow"] = "need"
    message = update.effective_message
    offer = update.callback_query is None and bool(
        message and message.text and message.text.startswith("/offer")
    )
    context.form["offer"] = offer
    names = context.services.community.category_names()
    question = texts.ASK_OFFER_CATEGORY if offer else texts.ASK_CATEGORY
    reply(update, context, question, reply_markup=keyboards.categories(names))
    return NEED_CATEGORY


async def ask_area(update: Update, context: Ctx) -> int:
    names = context.services.community.area_names()
    reply(update, context, texts.ASK_AREA, reply_markup=keyboards.areas(names))
    return NEED_AREA


async def category_chosen(update: Update, context: Ctx) -> int | None:
    """A category button."""
    name = await choice(update, context, context.services.community.category_names())
    if name is None:
        return None
    context.form["category"] = name
    return await ask_area(update, context)


async def _area_known(update: Update, context: Ctx, area: str) -> int:
    context.form["area"] = area
    question = texts.ASK_OFFER_DESCRIPTION if context.form.get("offer") else texts.ASK_DESCRIPTION
    reply(update, context, question.format(area=texts.html(area)))
    return NEED_DESCRIPTION


async def area_button(update: Update, context: Ctx) -> int | None:
    """An area button."""
    name = await choice(update, context, context.services.community.area_names())
    if name is None:
        return None
    return await _area_known(update, context, name)


async def area_typed(update: Update, context: Ctx) -> int | None:
    """An area name, alias or postcode district typed in."""
    assert update.effective_message is not None
    typed = clean_text(update.effective_message.text)
    community = context.services.community
    area = community.find_area(typed)
    if area is None:
        reply(update, context, texts.unknown_area(typed, community.suggest_areas(typed)))
        return None
    return await _area_known(update, context, area.name)


async def area_located(update: Update, context: Ctx) -> int | None:
    """A shared location: the area with the nearest centroid."""
    assert update.effective_message is not None and update.effective_message.location
    loc = update.effective_message.location
    area = context.services.community.nearest_area(loc.latitude, loc.longitude)
    if area is None:
        reply(update, context, texts.NO_LOCATED_AREAS)
        return None
    return await _area_known(update, context, area.name)


async def description_given(update: Update, context: Ctx) -> int | None:
    """The free-text description; signposted instead of posted when it must be."""
    assert update.effective_message is not None
    text = clean_text(update.effective_message.text)
    if not text:
        reply(update, context, texts.EMPTY_DESCRIPTION)
        return None
    if len(text) > MAX_DESCRIPTION:
        reply(
            update, context, texts.LONG_DESCRIPTION.format(length=len(text), limit=MAX_DESCRIPTION)
        )
        return None
    signposts = [] if context.form.get("offer") else context.services.community.signposts_for(text)
    if signposts:
        await note_signposted(update, context, signposts)
        context.form.clear()
        reply(update, context, texts.signposted(signposts))
        return ConversationHandler.END
    context.form["description"] = text
    reply(update, context, texts.ASK_WHEN, reply_markup=keyboards.when())
    return NEED_WHEN


async def when_chosen(update: Update, context: Ctx) -> int | None:
    """Today, tomorrow, this week or flexible; then the summary."""
    when = await choice(update, context, list(When), by_index=False)
    if when is None:
        return None
    form = context.form
    form["when"] = when.value
    reply(
        update,
        context,
        texts.need_summary(
            form["category"], form["area"], when, form["description"], bool(form.get("offer"))
        ),
        reply_markup=keyboards.confirm_need(),
    )
    return NEED_CONFIRM


async def post(update: Update, context: Ctx) -> int:
    """`Post`: the need is saved, the first wave asked, and only then the resident told."""
    await pressed(update, context)
    form = context.form
    assert update.effective_user is not None
    s = context.services
    refused = await refusal(context, update.effective_user.id, form)
    if refused is not None:
        form.clear()
        reply(update, context, refused)
        return ConversationHandler.END
    same = await duplicates(context, update.effective_user.id, form)
    if same:
        form["same_as"] = [n.id for n in same]
        reply(update, context, duplicate_question(same, form), reply_markup=keyboards.duplicate())
        return NEED_DUPLICATE
    if form.get("offer"):
        offer = await s.aid.post_offer(
            update.effective_user.id,
            form["category"],
            form["area"],
            form["description"],
            When(form["when"]),
            s.now(),
        )
        form.clear()
        reply(update, context, texts.OFFER_POSTED.format(id=offer.id))
        return ConversationHandler.END
    need = await s.aid.post_need(
        update.effective_user.id,
        form["category"],
        form["area"],
        form["description"],
        When(form["when"]),
        s.now(),
    )
    if form.get("same_as"):
        # `Yes, it's new`: kept, and linked to the open ones for coordinators to see.
        await s.store.safety.link(need.id, list(form["same_as"]), s.now())
    if form.get("on_behalf"):
        # Entered by a coordinator (/newneed) for someone who phoned in: noted on the need.
        await s.store.coordination.entered_for(
            need.id, str(form["on_behalf"]), update.effective_user.id, s.now()
        )
    form.clear()
    reply(update, context, texts.NEED_POSTED.format(id=need.id))
    return ConversationHandler.END


async def duplicate_answered(update: Update, context: Ctx) -> int | None:
    """`Yes, it's new` posts it (linked to the open ones); `No, same one` posts nothing."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    if button is None or button.arg not in ("y", "n") or "same_as" not in context.form:
        answer(update, texts.STALE_BUTTON)
        return None
    if button.arg == "y":
        return await post(update, context)
    same = list(context.form["same_as"])
    await pressed(update, context)
    context.form.clear()
    reply(update, context, texts.DUPLICATE_SAME.format(needs=texts.refs(same)))
    return ConversationHandler.END


async def start_over(update: Update, context: Ctx) -> int:
    """/start in the middle of a flow: leave it (nothing posted) and show the menu, or take
    up the invite link it came from."""
    context.form.clear()
    if context.args:
        await roles.start_with_code(update, context)
    else:
        await start(update, context)
    return ConversationHandler.END


def flow_fallbacks() -> list[BaseHandler]:
    """What every flow does with /cancel, other commands, stray buttons and stray input."""
    return [
        CommandHandler("cancel", end_flow),
        CommandHandler("help", help_command),
        CommandHandler("start", start_over),
        CallbackQueryHandler(end_flow, pattern=keyboards.pattern(Action.ABORT)),
        MessageHandler(filters.COMMAND, busy_elsewhere),
        # Proposals, tasks and the resident's own requests stay answerable mid-flow.
        CallbackQueryHandler(
            stale_button, pattern=keyboards.pattern_except(*keyboards.GLOBAL_ACTIONS)
        ),
        MessageHandler(filters.ALL, use_buttons),
    ]


def conversation(**kwargs: Any) -> ConversationHandler:
    """A persistent flow, one per user. Buttons are tracked per chat, not per message, on
    purpose: a flow's buttons are taken off each message as it is answered."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(persistent=True, **kwargs)


def need_conversation(*more_entry_points: BaseHandler) -> ConversationHandler:
    """The /need flow; `more_entry_points` start it another way (a coordinator's /newneed)."""
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        entry_points=[
            CommandHandler("need", need_start),
            CommandHandler("offer", need_start),
            CallbackQueryHandler(need_start, pattern=r"^v1:menu:need$"),
            *more_entry_points,
        ],
        states={
            NEED_CATEGORY: [
                CallbackQueryHandler(category_chosen, pattern=keyboards.pattern(Action.CATEGORY))
            ],
            NEED_AREA: [
                CallbackQueryHandler(area_button, pattern=keyboards.pattern(Action.AREA)),
                MessageHandler(filters.LOCATION, area_located),
                MessageHandler(text, area_typed),
                MessageHandler(~filters.COMMAND, text_only),
            ],
            NEED_DESCRIPTION: [
                MessageHandler(text, description_given),
                MessageHandler(~filters.COMMAND, text_only),
            ],
            NEED_WHEN: [CallbackQueryHandler(when_chosen, pattern=keyboards.pattern(Action.WHEN))],
            NEED_CONFIRM: [CallbackQueryHandler(post, pattern=keyboards.pattern(Action.POST))],
            NEED_DUPLICATE: [
                CallbackQueryHandler(
                    duplicate_answered, pattern=keyboards.pattern(Action.DUPLICATE)
                )
            ],
        },
        fallbacks=flow_fallbacks(),
        name="need",
    )
