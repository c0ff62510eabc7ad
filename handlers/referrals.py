"""Council referrals (product.md, Council referrals).

A liaison's `/refer` asks what a council hub would note from a call: the kind of help, the
area, what would help, when, the resident's first name and a phone number, the council's
own case reference, and whether the resident agreed to be referred. Without that agreement
nothing is kept. The referral is then held for a coordinator: the coordinators hear of it at
once (never the name or number), and it waits in `/open` and the digest with `Take` (the
coordinator becomes its follow-up contact and it is matched like any need) and `Decline`
(a reason is asked, and passed back to the liaison). The first name and phone number reach
the volunteer who accepts, the way a phoned-in need's do (handlers/tasks.py `task_details`).

`/referrals` shows a liaison their own referrals by the council's reference, with the status
and the time to each step, and nothing else. Roles are checked on every command, button and
step: a liaison for `/refer` and `/referrals`, a coordinator for `Take` and `Decline`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain import answers, referrals
from domain.held import release_window
from domain.lifecycle import window_for
from domain.models import MAX_DESCRIPTION, Need, NeedStatus, Role, When, Work
from domain.privacy import is_anonymous
from domain.referrals import ReferralFacts, ReferralStatus, status_of, steps
from handlers import flows, keyboards, texts
from handlers.common import answer, clean_text, edit_pressed, remove_buttons, reply, tell, to
from handlers.context import Ctx
from handlers.digest import split_message
from handlers.keyboards import Action
from handlers.resident import choice, conversation, flow_fallbacks, pressed
from handlers.roles import holds, refuse, requires

logger = logging.getLogger(__name__)

(
    REFER_CATEGORY,
    REFER_AREA,
    REFER_DESCRIPTION,
    REFER_WHEN,
    REFER_NAME,
    REFER_CONTACT,
    REFER_REFERENCE,
    REFER_AGREED,
) = range(8)
DECLINE_REASON = 0
REFERRALS_SHOWN = 20  # a liaison's /referrals, newest first

Step = Callable[[Update, Ctx], Coroutine[Any, Any, object]]


def holding(role: Role, *, entry: bool = False) -> Callable[[Step], Step]:
    """A flow's step runs only while its person still holds `role` (checked at every answer,
    not only at the start); otherwise they are told, and the flow ends keeping nothing. At
    an `entry` point, someone without the role is told and nothing else happens (a form of
    theirs, from another flow, is left as it was)."""

    def decorate(step: Step) -> Step:
        @functools.wraps(step)
        async def checked(update: Update, context: Ctx) -> object:
            if not await holds(update, context, role):
                await refuse(update, context, role)
                if not entry:
                    context.form.clear()
                return ConversationHandler.END
            return await step(update, context)

        return checked

    return decorate


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


# --- /refer: the liaison's flow -----------------------------------------------------------------


@holding(Role.LIAISON, entry=True)
async def refer_start(update: Update, context: Ctx) -> object:
    """/refer: pass the group a request for a resident who called the council."""
    if context.form.get("flow") not in (None, "refer"):
        reply(update, context, texts.IN_A_FLOW)  # another flow shares the form
        return ConversationHandler.END
    return await begin_refer(update, context)


async def begin_refer(update: Update, context: Ctx) -> int:
    form = context.form
    form.clear()
    form["flow"] = "refer"
    await ask_category(update, context)
    return REFER_CATEGORY


def _category_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    return keyboards.categories(context.services.community.category_names())


def _area_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    return keyboards.areas(context.services.community.area_names())


@flows.step("refer.category", _category_buttons)
async def ask_category(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_REFER_CATEGORY, reply_markup=_category_buttons(context))


@flows.step("refer.area", _area_buttons)
async def ask_area(update: Update, context: Ctx) -> None:
    chosen = [("category", context.form["category"])]
    flows.ask(update, context, texts.ASK_REFER_AREA, _area_buttons(context), chosen=chosen)


@flows.step("refer.description")
async def ask_description(update: Update, context: Ctx) -> None:
    chosen = [(key, context.form[key]) for key in ("category", "area")]
    flows.ask(update, context, texts.ASK_REFER_DESCRIPTION, chosen=chosen)


@flows.step("refer.when", lambda context: keyboards.when())
async def ask_when(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_REFER_WHEN, reply_markup=keyboards.when())


@flows.step("refer.name")
async def ask_name(update: Update, context: Ctx) -> None:
    chosen = [("when", texts.WHEN_LABELS[When(context.form["when"])])]
    flows.ask(update, context, texts.ASK_REFER_NAME, chosen=chosen)


@flows.step("refer.contact")
async def ask_contact(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_REFER_CONTACT)


@flows.step("refer.reference")
async def ask_reference(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_REFER_REFERENCE)


@flows.step("refer.agreed", lambda context: keyboards.refer_agreed())
async def ask_agreed(update: Update, context: Ctx, lead: str = "") -> None:
    reply(update, context, lead + _check(context), reply_markup=keyboards.refer_agreed())


def _check(context: Ctx) -> str:
    """The referral as it would be kept, and whether the resident agreed."""
    form = context.form
    return texts.REFER_SUMMARY.format(
        ref=texts.html(form["ref"]),
        category=texts.html(form["category"]),
        area=texts.html(form["area"]),
        when=texts.WHEN_LABELS[When(form["when"])].lower(),
        description=texts.html(form["description"]),
        name=texts.html(form["name"]),
        contact=texts.html(form["contact"]),
    )


@holding(Role.LIAISON)
async def category_chosen(update: Update, context: Ctx) -> object:
    name = await choice(update, context, context.services.community.category_names())
    return None if name is None else await _category_known(update, context, name)


@holding(Role.LIAISON)
async def category_typed(update: Update, context: Ctx) -> object:
    options = context.services.community.category_options()
    name = answers.pick(flows.typed(update), options)
    if name is None:
        await flows.not_understood(update, context)
        return None
    return await _category_known(update, context, name)


async def _category_known(update: Update, context: Ctx, name: str) -> int:
    context.form["category"] = name
    await ask_area(update, context)
    return REFER_AREA


@holding(Role.LIAISON)
async def area_chosen(update: Update, context: Ctx) -> object:
    name = await choice(update, context, context.services.community.area_names())
    return None if name is None else await _area_known(update, context, name)


@holding(Role.LIAISON)
async def area_typed(update: Update, context: Ctx) -> object:
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


async def _area_known(update: Update, context: Ctx, area: str) -> int:
    context.form["area"] = area
    await ask_description(update, context)
    return REFER_DESCRIPTION


@holding(Role.LIAISON)
async def description_given(update: Update, context: Ctx) -> object:
    text = flows.typed(update)
    if not text:
        reply(update, context, texts.EMPTY_DESCRIPTION)
        return None
    if len(text) > MAX_DESCRIPTION:
        reply(
            update, context, texts.LONG_DESCRIPTION.format(length=len(text), limit=MAX_DESCRIPTION)
        )
        return None
    context.form["description"] = text
    await ask_when(update, context)
    return REFER_WHEN


@holding(Role.LIAISON)
async def when_chosen(update: Update, context: Ctx) -> object:
    when = await choice(update, context, list(When), by_index=False)
    return None if when is None else await _when_known(update, context, when)


@holding(Role.LIAISON)
async def when_typed(update: Update, context: Ctx) -> object:
    s = context.services
    said = answers.pick_when(flows.typed(update), s.now().astimezone(s.tz).date())
    if said is None:
        await flows.not_understood(update, context)
        return None
    if said.day is not None:
        reply(update, context, texts.when_from_day(said.day, said.when).strip())
    return await _when_known(update, context, said.when)


async def _when_known(update: Update, context: Ctx, when: When) -> int:
    context.form["when"] = when.value
    await ask_name(update, context)
    return REFER_NAME


@holding(Role.LIAISON)
async def name_given(update: Update, context: Ctx) -> object:
    name = referrals.first_name(flows.typed(update))
    if name is None:
        reply(update, context, texts.BAD_REFER_NAME)
        return None
    context.form["name"] = name
    await ask_contact(update, context)
    return REFER_CONTACT


@holding(Role.LIAISON)
async def contact_given(update: Update, context: Ctx) -> object:
    note = referrals.contact_note(flows.typed(update))
    if note is None:
        reply(update, context, texts.BAD_REFER_CONTACT)
        return None
    context.form["contact"] = note
    await ask_reference(update, context)
    return REFER_REFERENCE


@holding(Role.LIAISON)
async def reference_given(update: Update, context: Ctx) -> object:
    ref = referrals.council_reference(flows.typed(update))
    if ref is None:
        reply(update, context, texts.BAD_REFER_REFERENCE)
        return None
    context.form["ref"] = ref
    await ask_agreed(update, context)
    return REFER_AGREED


@holding(Role.LIAISON)
async def agreed_pressed(update: Update, context: Ctx) -> object:
    """`Yes, they agreed` keeps the referral; `No` keeps nothing."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    if button is None or button.arg not in ("y", "n") or "ref" not in context.form:
        answer(update, texts.STALE_BUTTON)
        return None
    await pressed(update, context)
    return await (_refer if button.arg == "y" else _not_agreed)(update, context)


@holding(Role.LIAISON)
async def agreed_typed(update: Update, context: Ctx) -> object:
    said = answers.yes_or_no(flows.typed(update), answers.AGREED_WORDS)
    if said is answers.Confirm.YES:
        return await _refer(update, context)
    if said is answers.Confirm.NO:
        return await _not_agreed(update, context)
    await flows.not_understood(update, context)
    return None


async def _not_agreed(update: Update, context: Ctx) -> int:
    """No agreement, no referral: the half-filled form (name and number too) goes."""
    context.form.clear()
    reply(update, context, texts.REFER_NOT_AGREED)
    return ConversationHandler.END


async def _refer(update: Update, context: Ctx) -> int:
    """The resident agreed: the referral is kept, held for a coordinator, who hears at once."""
    form = context.form
    s = context.services
    now = s.now()
    when = When(form["when"])
    await s.store.referrals.create(
        _user_id(update),
        str(form["ref"]),
        str(form["category"]),
        str(form["area"]),
        str(form["description"]),
        when,
        window_for(when, now, s.tz),
        str(form["name"]),
        str(form["contact"]),
        now,
    )
    question, ref = _check(context), str(form["ref"])
    form.clear()
    flows.conclude(update, context, question, texts.REFER_SENT.format(ref=texts.html(ref)))
    return ConversationHandler.END


def _refer_summary(context: Ctx) -> tuple[str, list[tuple[str, str]]]:
    """What a referral put aside had chosen (never the resident's name or number)."""
    form = context.form
    chosen = [(key, str(form[key])) for key in ("category", "area") if form.get(key)]
    if form.get("when"):
        chosen.append(("when", texts.WHEN_LABELS[When(form["when"])]))
    if form.get("description"):
        chosen.append(("description", str(form["description"])))
    return texts.ASIDE_WHAT["refer"], chosen


flows.register_flow("refer", restart=begin_refer, summary=_refer_summary)


def refer_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND
    return conversation(
        entry_points=[CommandHandler("refer", refer_start)],
        states={
            REFER_CATEGORY: [
                CallbackQueryHandler(category_chosen, pattern=keyboards.pattern(Action.CATEGORY)),
                MessageHandler(text, category_typed),
            ],
            REFER_AREA: [
                CallbackQueryHandler(area_chosen, pattern=keyboards.pattern(Action.AREA)),
                MessageHandler(text, area_typed),
                MessageHandler(other, _text_only),
            ],
            REFER_DESCRIPTION: [
                MessageHandler(text, description_given),
                MessageHandler(other, _text_only),
            ],
            REFER_WHEN: [
                CallbackQueryHandler(when_chosen, pattern=keyboards.pattern(Action.WHEN)),
                MessageHandler(text, when_typed),
            ],
            REFER_NAME: [MessageHandler(text, name_given), MessageHandler(other, _text_only)],
            REFER_CONTACT: [
                MessageHandler(text, contact_given),
                MessageHandler(other, _text_only),
            ],
            REFER_REFERENCE: [
                MessageHandler(text, reference_given),
                MessageHandler(other, _text_only),
            ],
            REFER_AGREED: [
                CallbackQueryHandler(
                    agreed_pressed, pattern=keyboards.pattern(Action.REFER_AGREED)
                ),
                MessageHandler(text, agreed_typed),
            ],
        },
        fallbacks=flow_fallbacks(),
        name="refer",
    )


async def _text_only(update: Update, context: Ctx) -> None:
    """A sticker, photo or voice note where words are expected."""
    reply(update, context, texts.TEXT_ONLY)


# --- coordinators: the alert, /open, Take and Decline -------------------------------------------


def _line_fields(context: Ctx, need: Need, ref: str) -> dict[str, object]:
    s = context.services
    return {
        "id": need.id,
        "category": texts.named(need.category),
        "area": texts.html(need.area),
        "when": texts.need_when(need, s.now(), s.tz),
        "ref": texts.html(ref),
    }


async def alert_referral(context: Ctx, work: Work) -> None:
    """Timed work: every coordinator hears at once that the council has referred a request
    (never the resident's name or number)."""
    s = context.services
    need_id = work.payload.get("need_id")
    need = await s.store.needs.get(int(need_id)) if isinstance(need_id, int) else None
    referral = await s.store.referrals.get(need.id) if need is not None else None
    if need is None or referral is None or need.status is not NeedStatus.REFERRED:
        return  # taken or declined already
    for user_id in await s.store.people.with_role(Role.COORDINATOR):
        async with to(context, user_id):
            fields = _line_fields(context, need, referral.council_ref)
            tell(context, user_id, texts.ALERT_REFERRAL.format(**fields))


async def referred_section(update: Update, context: Ctx, limit: int) -> int:
    """The council's referrals at the top of /open, each with `Take` and `Decline`, its words
    shown (a coordinator reads them to decide). Returns how many there are."""
    s = context.services
    waiting = await s.store.referrals.waiting()
    if not waiting:
        return 0
    reply(update, context, texts.OPEN_REFERRED_HEADER.format(count=len(waiting)))
    for need, referral in waiting[:limit]:
        text = texts.OPEN_REFERRED_LINE.format(
            **_line_fields(context, need, referral.council_ref),
            age=texts.age(s.now() - need.created_at),
            description=texts.html(need.description),
        )
        reply(update, context, text, reply_markup=keyboards.referral(need.id))
    if len(waiting) > limit:
        reply(update, context, texts.OPEN_MORE.format(count=len(waiting) - limit))
    return len(waiting)


async def _waiting_referral(
    update: Update, context: Ctx, need_id: int | None
) -> tuple[Need, str] | None:
    """The referral a button (or a form) names, if it still waits; anything else gets a short
    answer and loses its buttons."""
    s = context.services
    need = await s.store.needs.get(need_id) if need_id is not None else None
    referral = await s.store.referrals.get(need.id) if need is not None else None
    if need is None or referral is None:
        answer(update, texts.STALE_BUTTON)
        return None
    if need.status is not NeedStatus.REFERRED:
        answer(update, texts.REFERRAL_GONE)
        remove_buttons(update, context)
        return None
    return need, referral.council_ref


def _button_number(update: Update) -> int | None:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    return button.number if button is not None else None


@requires(Role.COORDINATOR)
async def take_pressed(update: Update, context: Ctx) -> None:
    """`Take`: the coordinator becomes the referral's follow-up contact (its resident of
    record, as with /newneed) and it goes to matching now."""
    found = await _waiting_referral(update, context, _button_number(update))
    if found is None:
        return
    need, ref = found
    s = context.services
    now = s.now()
    window = release_window(need, now, s.tz)
    if not await s.store.referrals.take(need.id, _user_id(update), window, now):
        answer(update, texts.REFERRAL_GONE)
        remove_buttons(update, context)
        return
    asked = await s.aid.match(need.id, now)
    answer(update)
    quiet = s.aid.held_until(now)
    fields = {"id": need.id, "ref": texts.html(ref), "asked": asked}
    if quiet is not None:
        text = texts.REFERRAL_TAKEN_QUIET.format(**fields, at=texts.clock_time(quiet, now, s.tz))
    else:
        text = (texts.REFERRAL_TAKEN if asked else texts.REFERRAL_TAKEN_NOBODY).format(**fields)
    edit_pressed(update, context, text)


@holding(Role.COORDINATOR, entry=True)
async def decline_start(update: Update, context: Ctx) -> object:
    """`Decline`: ask why (the liaison will read it); nothing changes until it is given."""
    found = await _waiting_referral(update, context, _button_number(update))
    if found is None:
        return ConversationHandler.END
    if context.form.get("flow"):
        answer(update, texts.IN_A_FLOW)  # another flow would swallow the reason
        return ConversationHandler.END
    answer(update)
    need, ref = found
    context.form.clear()
    context.form.update(flow="decline", decline_need=need.id, decline_ref=ref)
    await ask_reason(update, context)
    return DECLINE_REASON


@flows.step("decline.reason")
async def ask_reason(update: Update, context: Ctx) -> None:
    form = context.form
    reply(
        update,
        context,
        texts.ASK_DECLINE_REASON.format(
            id=form.get("decline_need"), ref=texts.html(str(form.get("decline_ref")))
        ),
    )


async def restart_decline(update: Update, context: Ctx) -> int:
    await ask_reason(update, context)
    return DECLINE_REASON


def _decline_summary(context: Ctx) -> tuple[str, list[tuple[str, str]]]:
    return texts.ASIDE_WHAT["decline"].format(id=context.form.get("decline_need")), []


flows.register_flow("decline", restart=restart_decline, summary=_decline_summary)


@holding(Role.COORDINATOR)
async def reason_given(update: Update, context: Ctx) -> object:
    """The reason: the referral is declined, and its liaison told why."""
    reason = referrals.decline_reason(clean_text(flows.typed(update)))
    if reason is None:
        reply(update, context, texts.EMPTY_DESCRIPTION)
        return None
    form = context.form
    need_id = int(form.get("decline_need") or 0)
    s = context.services
    referral = await s.store.referrals.get(need_id)
    form.clear()
    if referral is None or not await s.store.referrals.decline(
        need_id, _user_id(update), reason, s.now()
    ):
        reply(update, context, texts.REFERRAL_GONE)
        return ConversationHandler.END
    reply(update, context, texts.REFERRAL_DECLINED.format(id=need_id))
    if not is_anonymous(referral.liaison_id):
        async with to(context, referral.liaison_id):
            tell(
                context,
                referral.liaison_id,
                texts.LIAISON_DECLINED.format(
                    ref=texts.html(referral.council_ref), reason=texts.html(reason)
                ),
            )
    return ConversationHandler.END


def decline_conversation() -> ConversationHandler:
    return conversation(
        entry_points=[
            CallbackQueryHandler(decline_start, pattern=keyboards.pattern(Action.REFER_DECLINE))
        ],
        states={
            DECLINE_REASON: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, reason_given),
                MessageHandler(~filters.COMMAND, _text_only),
            ]
        },
        fallbacks=flow_fallbacks(),
        name="decline",
    )


# --- /referrals: the liaison's own, and nothing else ---------------------------------------------


def referral_text(facts: ReferralFacts, context: Ctx) -> str:
    """One referral as its liaison reads it: the reference they typed, the status (and a
    decline's reason), when it was referred and the time to each step."""
    s = context.services
    status = status_of(facts)
    said = texts.REFERRAL_STATUS[status.value]
    if status is ReferralStatus.DECLINED and facts.decline_reason:
        said += texts.REFERRAL_REASON.format(reason=texts.html(facts.decline_reason))
    parts = [texts.REFERRAL_STEP[step.value].format(age=texts.age(d)) for step, d in steps(facts)]
    if status is ReferralStatus.WAITING:
        parts.append(texts.REFERRAL_WAITING.format(age=texts.age(s.now() - facts.referred_at)))
    return texts.REFERRAL_LINE.format(
        ref=texts.html(facts.council_ref),
        status=said,
        day=texts.referral_day(facts.referred_at, s.tz),
        steps="".join(f" · {p}" for p in parts),
    )


@requires(Role.LIAISON)
async def referrals_command(update: Update, context: Ctx) -> None:
    """/referrals: each of the caller's own referrals, newest first."""
    facts, total = await context.services.store.referrals.of_liaison(
        _user_id(update), REFERRALS_SHOWN
    )
    if not facts:
        reply(update, context, texts.REFERRALS_NONE)
        return
    blocks = [[texts.REFERRALS_HEADER], *([referral_text(f, context)] for f in facts)]
    if total > len(facts):
        blocks.append([texts.REFERRALS_MORE.format(count=total - len(facts))])
    for text in split_message(blocks):
        reply(update, context, text)


def referral_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """/referrals and `Take`; they work whatever flow the presser is in."""
    return [
        CommandHandler("referrals", referrals_command),
        CallbackQueryHandler(take_pressed, pattern=keyboards.pattern(Action.REFER_TAKE)),
    ]
