"""The resident's /need flow: category, area, description, when, post. Every step with
buttons takes a typed answer too (domain/answers.py)."""

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

from domain import answers
from domain.held import may_post_anyway
from domain.models import MAX_DESCRIPTION, When
from handlers import flows, keyboards, roles, texts
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
)
from handlers.context import Ctx
from handlers.held import post_held
from handlers.keyboards import Action
from handlers.safety import duplicates, note_signposted, refusal

logger = logging.getLogger(__name__)
T = TypeVar("T")

NEED_CATEGORY, NEED_AREA, NEED_DESCRIPTION, NEED_WHEN, NEED_CONFIRM = range(5)
NEED_DUPLICATE = 5  # `Yes, it's new` / `No, same one` after Post
NEED_SIGNPOSTED = 6  # shown signposts: `It's not that, post it` (held for a coordinator)


async def pressed(update: Update, context: Ctx) -> keyboards.Button | None:
    """A button that answered the question on its message: the press is answered, and the
    message becomes what comes next, or loses its buttons (handlers/flows.py `by_button`),
    so it can't be pressed twice."""
    query = update.callback_query
    assert query is not None
    flows.by_button(update, context)
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
    flows.by_button(update, context)
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
        # A menu's button: the menu stays as it was, and the first question comes below.
        answer(update)
        remove_buttons(update, context)
    message = update.effective_message
    offer = update.callback_query is None and bool(
        message and message.text and message.text.startswith("/offer")
    )
    return await begin_need(update, context, offer=offer)


async def begin_need(
    update: Update, context: Ctx, *, offer: bool, keep: dict[str, Any] | None = None
) -> int:
    """A fresh form (keeping `keep`), then the first question."""
    form = context.form
    form.clear()
    form.update(keep or {})
    form["flow"] = "need"
    form["offer"] = offer
    await ask_category(update, context)
    return NEED_CATEGORY


async def restart_need(update: Update, context: Ctx) -> int:
    """`Start again` on a need put aside: the same flow from its first question, for the
    same caller (/newneed), and an offer still an offer."""
    form = context.form
    keep: dict[str, Any] = {k: form[k] for k in ("on_behalf", "caller_contact") if k in form}
    return await begin_need(update, context, offer=bool(form.get("offer")), keep=keep)


def _category_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    return keyboards.categories(context.services.community.category_names())


def _area_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    return keyboards.areas(context.services.community.area_names())


@flows.step("need.category", _category_buttons)
async def ask_category(update: Update, context: Ctx) -> None:
    question = texts.ASK_OFFER_CATEGORY if context.form.get("offer") else texts.ASK_CATEGORY
    flows.ask(update, context, question, _category_buttons(context))


@flows.step("need.area", _area_buttons)
async def ask_area(update: Update, context: Ctx) -> None:
    chosen = [("category", context.form["category"])]
    flows.ask(update, context, texts.ASK_AREA, _area_buttons(context), chosen=chosen)


@flows.step("need.description")
async def ask_description(update: Update, context: Ctx) -> None:
    form = context.form
    question = texts.ASK_OFFER_DESCRIPTION if form.get("offer") else texts.ASK_DESCRIPTION
    # The question says the area itself (read from what was typed, perhaps).
    chosen = [("category", form["category"])]
    flows.ask(update, context, question.format(area=texts.html(form["area"])), chosen=chosen)


@flows.step("need.signposted", lambda context: keyboards.post_anyway())
async def ask_post_anyway(update: Update, context: Ctx) -> None:
    form = context.form
    shown = context.services.community.signposts_for(form["description"], form.get("category"))
    reply(
        update,
        context,
        texts.signposted(shown) + texts.SIGNPOSTED_POST_ANYWAY,
        reply_markup=keyboards.post_anyway(),
    )


@flows.step("need.when", lambda context: keyboards.when())
async def ask_when(update: Update, context: Ctx) -> None:
    flows.ask(update, context, texts.ASK_WHEN, keyboards.when())


@flows.step("need.confirm", lambda context: keyboards.confirm_need())
async def ask_confirm(update: Update, context: Ctx, lead: str = "") -> None:
    """The summary with `Post` and `Cancel` (after `lead`: what a typed day was taken as);
    it says what was chosen, so it takes the place of the question of when with nothing
    above it."""
    flows.ask(update, context, lead + _check(context), keyboards.confirm_need())


def _check(context: Ctx) -> str:
    """The summary to check before posting."""
    form = context.form
    summary = texts.need_summary(
        form["category"],
        form["area"],
        When(form["when"]),
        form["description"],
        bool(form.get("offer")),
    )
    if form.get("held"):
        summary += texts.SUMMARY_HELD
    return summary


@flows.step("need.duplicate", lambda context: keyboards.duplicate())
async def ask_duplicate(update: Update, context: Ctx) -> None:
    # Below the summary, which stays as it was: what is about to be posted stays in sight.
    flows.let_go(update, context)
    reply(update, context, _duplicate_question(context), reply_markup=keyboards.duplicate())


def _duplicate_question(context: Ctx) -> str:
    form = context.form
    return texts.DUPLICATE_ASK.format(
        needs=texts.refs([int(i) for i in form["same_as"]]),
        category=texts.html(form["category"]),
        area=texts.html(form["area"]),
    )


async def category_chosen(update: Update, context: Ctx) -> int | None:
    """A category button."""
    name = await choice(update, context, context.services.community.category_names())
    if name is None:
        return None
    return await _category_known(update, context, name)


async def category_typed(update: Update, context: Ctx) -> int | None:
    """A category typed: its name, a part of it, a plain word for it, or a close spelling."""
    options = context.services.community.category_options()
    name = answers.pick(flows.typed(update), options)
    if name is None:
        await flows.not_understood(update, context)
        return None
    return await _category_known(update, context, name)


async def _category_known(update: Update, context: Ctx, name: str) -> int:
    context.form["category"] = name
    await ask_area(update, context)
    return NEED_AREA


async def _area_known(update: Update, context: Ctx, area: str) -> int:
    context.form["area"] = area
    await ask_description(update, context)
    return NEED_DESCRIPTION


async def area_button(update: Update, context: Ctx) -> int | None:
    """An area button."""
    name = await choice(update, context, context.services.community.area_names())
    if name is None:
        return None
    return await _area_known(update, context, name)


async def area_typed(update: Update, context: Ctx) -> int | None:
    """An area name, alias or postcode typed in, after any house or flat number, or a close
    spelling of one; otherwise the nearest names and the buttons again."""
    typed = flows.typed(update)
    community = context.services.community
    area = community.read_area(typed)
    if area is None:
        reply(
            update,
            context,
            texts.unknown_area(typed, community.suggest_areas(typed)),
            reply_markup=_area_buttons(context),
        )
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
    """The free-text description; signposted instead of posted when it must be, with `It's
    not that, post it` unless a signpost is about an emergency."""
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
    form = context.form
    community = context.services.community
    signposts = [] if form.get("offer") else community.signposts_for(text, form.get("category"))
    if signposts:
        await note_signposted(update, context, signposts)
        if not may_post_anyway(signposts):
            form.clear()
            reply(update, context, texts.signposted(signposts))
            return ConversationHandler.END
        # Kept, for a coordinator to read if the resident says it's not that.
        form["description"] = text
        form["signposted"] = ", ".join(s.topic for s in signposts)
        await ask_post_anyway(update, context)
        return NEED_SIGNPOSTED
    form["description"] = text
    await ask_when(update, context)
    return NEED_WHEN


async def post_anyway_pressed(update: Update, context: Ctx) -> int | None:
    """`It's not that, post it`: the rest of the flow, then the need is held for a
    coordinator instead of being matched."""
    if not context.form.get("signposted") or "description" not in context.form:
        answer(update, texts.STALE_BUTTON)
        return None
    # The signposts stay on screen as they were (who else can help); the question comes below.
    answer(update)
    remove_buttons(update, context)
    return await _post_anyway(update, context)


async def _post_anyway(update: Update, context: Ctx) -> int:
    context.form["held"] = True
    await ask_when(update, context)
    return NEED_WHEN


async def signposted_typed(update: Update, context: Ctx) -> int | None:
    """ "post it" goes on as the button does; "no" or "thanks" ends the flow."""
    said = answers.pick(
        flows.typed(update),
        [
            (answers.Confirm.YES, answers.POST_ANYWAY_WORDS),
            (answers.Confirm.NO, (*answers.SIGNPOSTED_NO, *answers.NO)),
        ],
    )
    if said is answers.Confirm.YES:
        return await _post_anyway(update, context)
    if said is answers.Confirm.NO:
        context.form.clear()
        reply(update, context, texts.SIGNPOSTED_ENDED)
        return ConversationHandler.END
    await flows.not_understood(update, context)
    return None


async def when_chosen(update: Update, context: Ctx) -> int | None:
    """Today, tomorrow, this week or flexible; then the summary."""
    when = await choice(update, context, list(When), by_index=False)
    if when is None:
        return None
    return await _when_known(update, context, when)


async def when_typed(update: Update, context: Ctx) -> int | None:
    """`today`, `tomorrow`, `this week`, `flexible` or a plain word for one, or a weekday
    (taken in the group's time zone, and said back)."""
    s = context.services
    said = answers.pick_when(flows.typed(update), s.now().astimezone(s.tz).date())
    if said is None:
        await flows.not_understood(update, context)
        return None
    lead = texts.when_from_day(said.day, said.when) if said.day is not None else ""
    return await _when_known(update, context, said.when, lead)


async def _when_known(update: Update, context: Ctx, when: When, lead: str = "") -> int:
    context.form["when"] = when.value
    await ask_confirm(update, context, lead)
    return NEED_CONFIRM


async def confirm_typed(update: Update, context: Ctx) -> int | None:
    """ "post" or "yes" posts it; "cancel" or "no" posts nothing."""
    said = answers.yes_or_no(flows.typed(update), answers.POST_WORDS, answers.CANCEL_WORDS)
    if said is answers.Confirm.YES:
        return await post(update, context)
    if said is answers.Confirm.NO:
        return await end_flow(update, context)
    await flows.not_understood(update, context)
    return None


async def post(update: Update, context: Ctx) -> int:
    """`Post` (or typed "post"): the need is saved, the first wave asked, and only then the
    resident told. After signposts and `It's not that, post it`, it is held for a
    coordinator instead, and nobody is asked yet."""
    if update.callback_query is not None:
        await pressed(update, context)
    form = context.form
    assert update.effective_user is not None
    s = context.services
    # The question its button answered (`Post`, or `Yes, it's new`), to say under it how it went.
    question = _duplicate_question(context) if form.get("same_as") else _check(context)
    refused = await refusal(context, update.effective_user.id, form)
    if refused is not None:
        form.clear()
        reply(update, context, refused)
        return ConversationHandler.END
    same = await duplicates(context, update.effective_user.id, form)
    if same:
        form["same_as"] = [n.id for n in same]
        await ask_duplicate(update, context)
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
        flows.conclude(update, context, question, texts.OFFER_POSTED.format(id=offer.id))
        return ConversationHandler.END
    for_coordinator = bool(form.get("held"))
    if for_coordinator:
        need = await post_held(context, update.effective_user.id, form)
    else:
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
            need.id,
            str(form["on_behalf"]),
            update.effective_user.id,
            s.now(),
            contact=form.get("caller_contact"),
        )
    form.clear()
    if for_coordinator:
        flows.conclude(update, context, question, texts.NEED_HELD.format(id=need.id))
        return ConversationHandler.END
    held = s.aid.held_until(s.now())  # quiet hours: nobody is asked until they end
    if held is not None:
        at = texts.clock_time(held, s.now(), s.tz)
        told = texts.NEED_POSTED_QUIET.format(id=need.id, at=at)
    else:
        told = texts.NEED_POSTED.format(id=need.id)
    flows.conclude(update, context, question, told)
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
    await pressed(update, context)
    return _same_one(update, context)


async def duplicate_typed(update: Update, context: Ctx) -> int | None:
    """ "new" or "yes" posts it; "same" or "no" posts nothing."""
    said = answers.yes_or_no(flows.typed(update), answers.NEW_WORDS, answers.SAME_WORDS)
    if said is answers.Confirm.YES:
        return await post(update, context)
    if said is answers.Confirm.NO:
        return _same_one(update, context)
    await flows.not_understood(update, context)
    return None


def _same_one(update: Update, context: Ctx) -> int:
    same = [int(i) for i in context.form["same_as"]]
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
        # `Carry on`, `Start again`, `Cancel` under a flow put aside.
        CallbackQueryHandler(flows.resume_pressed, pattern=keyboards.pattern(Action.RESUME)),
        # Proposals, tasks and the resident's own requests stay answerable mid-flow.
        CallbackQueryHandler(
            stale_button, pattern=keyboards.pattern_except(*keyboards.GLOBAL_ACTIONS)
        ),
        # Typed text no step took, or media where buttons are: what was expected, again.
        MessageHandler(filters.ALL, flows.not_understood),
    ]


def conversation(**kwargs: Any) -> ConversationHandler:
    """A persistent flow, one per user, put aside after MUTUALAID_FLOW_TIMEOUT of silence
    (handlers/flows.py). Buttons are tracked per chat, not per message, on purpose: a
    flow's buttons are taken off each message as it is answered."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return flows.FlowConversation(persistent=True, **kwargs)


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
                CallbackQueryHandler(category_chosen, pattern=keyboards.pattern(Action.CATEGORY)),
                MessageHandler(text, category_typed),
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
            NEED_SIGNPOSTED: [
                CallbackQueryHandler(
                    post_anyway_pressed, pattern=keyboards.pattern(Action.POST_ANYWAY)
                ),
                MessageHandler(text, signposted_typed),
            ],
            NEED_WHEN: [
                CallbackQueryHandler(when_chosen, pattern=keyboards.pattern(Action.WHEN)),
                MessageHandler(text, when_typed),
            ],
            NEED_CONFIRM: [
                CallbackQueryHandler(post, pattern=keyboards.pattern(Action.POST)),
                MessageHandler(text, confirm_typed),
            ],
            NEED_DUPLICATE: [
                CallbackQueryHandler(
                    duplicate_answered, pattern=keyboards.pattern(Action.DUPLICATE)
                ),
                MessageHandler(text, duplicate_typed),
            ],
        },
        fallbacks=flow_fallbacks(),
        name="need",
    )


def _summary(context: Ctx) -> tuple[str, list[tuple[str, str]]]:
    """What a need put aside was (a request, an offer, one entered for a caller) and what
    had been chosen."""
    form = context.form
    if form.get("on_behalf"):
        what = texts.ASIDE_WHAT["newneed"].format(caller=texts.html(str(form["on_behalf"])))
    else:
        what = texts.ASIDE_WHAT["offer" if form.get("offer") else "need"]
    chosen = [(key, str(form[key])) for key in ("category", "area") if form.get(key)]
    if form.get("when"):
        chosen.append(("when", texts.WHEN_LABELS[When(form["when"])]))
    if form.get("description"):
        chosen.append(("description", str(form["description"])))
    return what, chosen


flows.register_flow("need", restart=restart_need, summary=_summary)
