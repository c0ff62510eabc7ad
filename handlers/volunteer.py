"""The volunteer's side: signing up, and answering proposals with Accept or Decline."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from domain.models import Availability, Claim, NeedStatus, ProposalStatus, VolunteerProfile
from handlers import keyboards, texts
from handlers.common import answer, edit_pressed, remove_buttons, reply
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.resident import choice, conversation, flow_fallbacks, pressed
from handlers.tasks import task_details

logger = logging.getLogger(__name__)

VOL_SKILLS, VOL_AREAS, VOL_AVAILABILITY, VOL_CONFIRM, VOL_RADIUS = range(10, 15)


async def volunteer_start(update: Update, context: Ctx) -> int:
    """/volunteer or `I can help`: start with skills, pre-ticked from an existing profile."""
    if update.callback_query is not None:
        await pressed(update, context)
    s = context.services
    assert update.effective_user is not None
    existing = await s.store.volunteers.get(update.effective_user.id)
    form = context.form
    form.clear()
    form["flow"] = "volunteer"
    form["skills"] = list(existing.skills) if existing else []
    form["areas"] = list(existing.areas) if existing else []
    if existing and existing.radius_km:
        form["lat"], form["lon"], form["radius_km"] = existing.lat, existing.lon, existing.radius_km
    names = s.community.category_names()
    reply(
        update,
        context,
        texts.ASK_SKILLS,
        reply_markup=keyboards.toggles(
            names, set(form["skills"]), Action.SKILL, Action.SKILLS_DONE
        ),
    )
    return VOL_SKILLS


async def _toggle(
    update: Update, context: Ctx, key: str, names: list[str], action: Action, done: Action
) -> None:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    index = button.number if button else None
    if index is None or index >= len(names):
        answer(update, texts.STALE_BUTTON)
        return
    chosen: list[str] = context.form.setdefault(key, [])
    name = names[index]
    if name in chosen:
        chosen.remove(name)
    else:
        chosen.append(name)
    answer(update)
    remove_buttons(update, context, keyboards.toggles(names, set(chosen), action, done))


async def skill_toggled(update: Update, context: Ctx) -> None:
    """Tick or untick one skill."""
    names = context.services.community.category_names()
    await _toggle(update, context, "skills", names, Action.SKILL, Action.SKILLS_DONE)


async def skills_done(update: Update, context: Ctx) -> int | None:
    """`Done` under the skills: on to areas."""
    if not context.form.get("skills"):
        answer(update, texts.PICK_ONE_SKILL)
        return None
    await pressed(update, context)
    names = context.services.community.area_names()
    reply(
        update,
        context,
        texts.ASK_VOLUNTEER_AREAS,
        reply_markup=keyboards.toggles(
            names, set(context.form.get("areas", [])), Action.VAREA, Action.VAREAS_DONE
        ),
    )
    return VOL_AREAS


async def area_toggled(update: Update, context: Ctx) -> None:
    """Tick or untick one area."""
    names = context.services.community.area_names()
    await _toggle(update, context, "areas", names, Action.VAREA, Action.VAREAS_DONE)


async def location_shared(update: Update, context: Ctx) -> int:
    """A location instead of (or besides) areas: then how far from it."""
    assert update.effective_message is not None and update.effective_message.location
    loc = update.effective_message.location
    context.form["lat"], context.form["lon"] = loc.latitude, loc.longitude
    reply(update, context, texts.ASK_RADIUS, reply_markup=keyboards.radius())
    return VOL_RADIUS


async def radius_chosen(update: Update, context: Ctx) -> int | None:
    """1, 2 or 5 km; back to the areas, where Done goes on."""
    km = await choice(update, context, keyboards.RADII)
    if km is None:
        return None
    context.form["radius_km"] = km
    names = context.services.community.area_names()
    reply(
        update,
        context,
        texts.RADIUS_KEPT.format(km=km),
        reply_markup=keyboards.toggles(
            names, set(context.form.get("areas", [])), Action.VAREA, Action.VAREAS_DONE
        ),
    )
    return VOL_AREAS


async def areas_done(update: Update, context: Ctx) -> int | None:
    """`Done` under the areas: on to availability."""
    if not context.form.get("areas") and not context.form.get("radius_km"):
        answer(update, texts.PICK_ONE_AREA)
        return None
    await pressed(update, context)
    reply(update, context, texts.ASK_AVAILABILITY, reply_markup=keyboards.availability())
    return VOL_AVAILABILITY


def _profile(context: Ctx, user_id: int) -> VolunteerProfile:
    form = context.form
    community = context.services.community
    # Keep the community's order, and drop anything renamed since the form began.
    skills = tuple(n for n in community.category_names() if n in form.get("skills", []))
    areas = tuple(n for n in community.area_names() if n in form.get("areas", []))
    return VolunteerProfile(
        user_id=user_id,
        skills=skills,
        areas=areas,
        availability=Availability(form.get("availability", Availability.ANY.value)),
        approved=not context.services.volunteer_approval,
        lat=form.get("lat") if form.get("radius_km") else None,
        lon=form.get("lon") if form.get("radius_km") else None,
        radius_km=form.get("radius_km"),
    )


async def availability_chosen(update: Update, context: Ctx) -> int | None:
    """Any time, weekdays, weekends or evenings; then the summary."""
    availability = await choice(update, context, list(Availability), by_index=False)
    if availability is None:
        return None
    context.form["availability"] = availability.value
    assert update.effective_user is not None
    profile = _profile(context, update.effective_user.id)
    reply(
        update,
        context,
        texts.volunteer_summary(profile),
        reply_markup=keyboards.confirm_volunteer(),
    )
    return VOL_CONFIRM


async def save(update: Update, context: Ctx) -> int:
    """`Save`: the profile is stored, then open needs are checked against it."""
    await pressed(update, context)
    assert update.effective_user is not None
    s = context.services
    saved = await s.aid.save_volunteer(_profile(context, update.effective_user.id), s.now())
    context.form.clear()
    reply(update, context, texts.VOLUNTEER_SAVED if saved.approved else texts.VOLUNTEER_PENDING)
    return ConversationHandler.END


def volunteer_conversation() -> ConversationHandler:
    return conversation(
        entry_points=[
            CommandHandler("volunteer", volunteer_start),
            CallbackQueryHandler(volunteer_start, pattern=r"^v1:menu:help$"),
        ],
        states={
            VOL_SKILLS: [
                CallbackQueryHandler(skill_toggled, pattern=keyboards.pattern(Action.SKILL)),
                CallbackQueryHandler(skills_done, pattern=keyboards.pattern(Action.SKILLS_DONE)),
            ],
            VOL_AREAS: [
                CallbackQueryHandler(area_toggled, pattern=keyboards.pattern(Action.VAREA)),
                CallbackQueryHandler(areas_done, pattern=keyboards.pattern(Action.VAREAS_DONE)),
                MessageHandler(filters.LOCATION, location_shared),
            ],
            VOL_RADIUS: [
                CallbackQueryHandler(radius_chosen, pattern=keyboards.pattern(Action.RADIUS))
            ],
            VOL_AVAILABILITY: [
                CallbackQueryHandler(
                    availability_chosen, pattern=keyboards.pattern(Action.AVAILABILITY)
                )
            ],
            VOL_CONFIRM: [CallbackQueryHandler(save, pattern=keyboards.pattern(Action.SAVE))],
        },
        fallbacks=flow_fallbacks(),
        name="volunteer",
    )


async def accept(update: Update, context: Ctx) -> None:
    """`Accept` on a proposal: one winner, settled in the database before anyone is told."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    proposal_id = button.number if button else None
    if proposal_id is None:
        answer(update, texts.STALE_BUTTON)
        return
    s = context.services
    result, need = await s.aid.accept(proposal_id, update.effective_user.id, s.now())
    if result is Claim.NOT_YOURS or need is None:
        answer(update, texts.NOT_FOR_YOU)
        return
    mine = need.volunteer_id == update.effective_user.id
    if result is Claim.WON or (mine and need.status is NeedStatus.ACCEPTED):
        # Won now, or pressed again on a screen that never showed the win (a crash, a slow
        # network): the task in full, once more.
        answer(update)
        text = await task_details(context, need)
        edit_pressed(update, context, text, reply_markup=keyboards.task(need.id))
    elif mine:
        answer(update)  # their task, done or handed back since: nothing to show again
    elif result is Claim.TAKEN or need.volunteer_id is not None:
        answer(update, texts.ALREADY_TAKEN)
        edit_pressed(update, context, texts.proposal_ended(need, texts.PROPOSAL_TAKEN))
    else:
        answer(update, texts.NO_LONGER_OPEN)
        edit_pressed(update, context, texts.proposal_ended(need, texts.PROPOSAL_CLOSED))


async def decline(update: Update, context: Ctx) -> None:
    """`Decline` on a proposal: recorded, and the next wave asked when this one is spent."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    proposal_id = button.number if button else None
    s = context.services
    proposal = await s.store.needs.proposal(proposal_id) if proposal_id is not None else None
    if proposal is None or proposal.volunteer_id != update.effective_user.id:
        answer(update, texts.NOT_FOR_YOU if proposal else texts.STALE_BUTTON)
        return
    changed, need = await s.aid.decline(proposal.id, update.effective_user.id, s.now())
    answer(update)
    if changed and need is not None:
        edit_pressed(update, context, texts.proposal_ended(need, texts.PROPOSAL_DECLINED))
    elif not changed and proposal.status is not ProposalStatus.ACCEPTED:
        remove_buttons(update, context)
        reply(update, context, texts.NO_LONGER_OPEN)


def proposal_handlers() -> list[CallbackQueryHandler]:
    return [
        CallbackQueryHandler(accept, pattern=keyboards.pattern(Action.ACCEPT)),
        CallbackQueryHandler(decline, pattern=keyboards.pattern(Action.DECLINE)),
    ]
