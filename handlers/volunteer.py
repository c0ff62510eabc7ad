"""The volunteer's side: signing up (buttons or typed answers), and answering proposals with
Accept or Decline."""

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

from domain import answers
from domain.models import Availability, Claim, NeedStatus, ProposalStatus, VolunteerProfile
from handlers import flows, i18n, keyboards, language, menus, texts
from handlers.common import answer, edit_pressed, end_flow, remove_buttons, reply
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.resident import choice, conversation, flow_fallbacks, pressed
from handlers.tasks import task_details

logger = logging.getLogger(__name__)

VOL_SKILLS, VOL_AREAS, VOL_AVAILABILITY, VOL_CONFIRM, VOL_RADIUS, VOL_LANGUAGES = range(10, 16)


async def volunteer_start(update: Update, context: Ctx) -> int:
    """/volunteer or `I can help`: start with skills, pre-ticked from an existing profile."""
    if update.callback_query is not None:
        # A menu's button: the menu stays as it was, and the first question comes below.
        answer(update)
        remove_buttons(update, context)
    return await begin_volunteer(update, context)


async def begin_volunteer(update: Update, context: Ctx) -> int:
    """A fresh form from the saved profile (if any), then the skills."""
    s = context.services
    assert update.effective_user is not None
    existing = await s.store.volunteers.get(update.effective_user.id)
    form = context.form
    form.clear()
    form["flow"] = "volunteer"
    form["skills"] = list(existing.skills) if existing else []
    form["areas"] = list(existing.areas) if existing else []
    # The languages they speak: their own ticked to begin with.
    form["languages"] = list(existing.languages) if existing else [i18n.current()]
    if existing and existing.radius_km:
        form["lat"], form["lon"], form["radius_km"] = existing.lat, existing.lon, existing.radius_km
    await ask_skills(update, context)
    return VOL_SKILLS


def _skill_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    names = context.services.community.category_names()
    return keyboards.toggles(
        names, set(context.form.get("skills", [])), Action.SKILL, Action.SKILLS_DONE
    )


def _area_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    names = context.services.community.area_names()
    return keyboards.toggles(
        names, set(context.form.get("areas", [])), Action.VAREA, Action.VAREAS_DONE
    )


@flows.step("volunteer.skills", _skill_buttons)
async def ask_skills(update: Update, context: Ctx, text: str | None = None) -> None:
    reply(update, context, text or texts.ASK_SKILLS, reply_markup=_skill_buttons(context))


def _chosen(context: Ctx, *keys: str) -> list[tuple[str, str]]:
    """What was ticked so far, in the community's order: shown above the next question."""
    form = context.form
    community = context.services.community
    names = {"skills": community.category_names(), "areas": community.area_names()}
    picked = [(key, [n for n in names[key] if n in form.get(key, [])]) for key in keys]
    return [(key, ", ".join(ticked)) for key, ticked in picked if ticked]


@flows.step("volunteer.areas", _area_buttons)
async def ask_areas(update: Update, context: Ctx, text: str | None = None) -> None:
    chosen = _chosen(context, "skills")
    flows.ask(
        update, context, text or texts.ASK_VOLUNTEER_AREAS, _area_buttons(context), chosen=chosen
    )


@flows.step("volunteer.radius", lambda context: keyboards.radius())
async def ask_radius(update: Update, context: Ctx) -> None:
    reply(update, context, texts.ASK_RADIUS, reply_markup=keyboards.radius())


@flows.step("volunteer.availability", lambda context: keyboards.availability())
async def ask_availability(update: Update, context: Ctx) -> None:
    chosen = _chosen(context, "skills", "areas")
    flows.ask(update, context, texts.ASK_AVAILABILITY, keyboards.availability(), chosen=chosen)


def _language_buttons(context: Ctx) -> keyboards.InlineKeyboardMarkup:
    return keyboards.toggles(
        list(context.services.community.languages),
        set(context.form.get("languages", [])),
        Action.VLANG,
        Action.VLANGS_DONE,
        shown=i18n.NAMES.__getitem__,
    )


@flows.step("volunteer.languages", _language_buttons)
async def ask_languages(update: Update, context: Ctx, text: str | None = None) -> None:
    chosen = _chosen(context, "skills", "areas")
    flows.ask(
        update,
        context,
        text or texts.ASK_VOLUNTEER_LANGUAGES,
        _language_buttons(context),
        chosen=chosen,
    )


async def language_toggled(update: Update, context: Ctx) -> None:
    """Tick or untick one language."""
    codes = list(context.services.community.languages)
    await _toggle(update, context, "languages", codes, Action.VLANG, Action.VLANGS_DONE)


async def languages_typed(update: Update, context: Ctx) -> int | None:
    """A language typed ("Polish", "українська") ticks or unticks it; "done" goes on."""
    text = flows.typed(update)
    if _is_done(text):
        return await _languages_done(update, context)
    codes = list(context.services.community.languages)
    options = [(code, language.WORDS[code]) for code in codes]
    found = answers.pick_many(text, options)
    if found is None:
        await flows.not_understood(update, context)
        return None
    ticked, unticked = _toggle_typed(context, "languages", found)
    names = i18n.NAMES.__getitem__
    await ask_languages(
        update, context, texts.toggled(list(map(names, ticked)), list(map(names, unticked)))
    )
    return None


async def languages_done(update: Update, context: Ctx) -> int | None:
    """`Done` under the languages: on to the profile to save."""
    if not context.form.get("languages"):
        answer(update, texts.PICK_ONE_LANGUAGE)
        return None
    await pressed(update, context)
    return await _languages_done(update, context)


async def _languages_done(update: Update, context: Ctx) -> int | None:
    if not context.form.get("languages"):
        await ask_languages(update, context, texts.PICK_ONE_LANGUAGE)
        return None
    await ask_save(update, context)
    return VOL_CONFIRM


@flows.step("volunteer.confirm", lambda context: keyboards.confirm_volunteer())
async def ask_save(update: Update, context: Ctx) -> None:
    """The profile to save: it says everything chosen, so nothing more goes above it."""
    flows.ask(update, context, _check(update, context), keyboards.confirm_volunteer())


def _check(update: Update, context: Ctx) -> str:
    assert update.effective_user is not None
    return texts.volunteer_summary(_profile(context, update.effective_user.id))


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


def _toggle_typed(context: Ctx, key: str, names: list[str]) -> tuple[list[str], list[str]]:
    """Tick what is not ticked and untick what is, as a press would: (ticked, unticked)."""
    chosen: list[str] = context.form.setdefault(key, [])
    ticked, unticked = [], []
    for name in names:
        if name in chosen:
            chosen.remove(name)
            unticked.append(name)
        else:
            chosen.append(name)
            ticked.append(name)
    return ticked, unticked


def _is_done(text: str) -> bool:
    return answers.pick(text, [(True, answers.DONE_WORDS)]) is not None


async def skill_toggled(update: Update, context: Ctx) -> None:
    """Tick or untick one skill."""
    names = context.services.community.category_names()
    await _toggle(update, context, "skills", names, Action.SKILL, Action.SKILLS_DONE)


async def skills_typed(update: Update, context: Ctx) -> int | None:
    """Skills typed ("shopping, dog walking") tick or untick like presses; "done" goes on."""
    text = flows.typed(update)
    if _is_done(text):
        return await _skills_done(update, context)
    options = context.services.community.category_options()
    names = answers.pick_many(text, options)
    if names is None:
        await flows.not_understood(update, context)
        return None
    await ask_skills(update, context, texts.toggled(*_toggle_typed(context, "skills", names)))
    return None


async def skills_done(update: Update, context: Ctx) -> int | None:
    """`Done` under the skills: on to areas."""
    if not context.form.get("skills"):
        answer(update, texts.PICK_ONE_SKILL)
        return None
    await pressed(update, context)
    return await _skills_done(update, context)


async def _skills_done(update: Update, context: Ctx) -> int | None:
    if not context.form.get("skills"):
        await ask_skills(update, context, texts.PICK_ONE_SKILL)
        return None
    await ask_areas(update, context)
    return VOL_AREAS


async def area_toggled(update: Update, context: Ctx) -> None:
    """Tick or untick one area."""
    names = context.services.community.area_names()
    await _toggle(update, context, "areas", names, Action.VAREA, Action.VAREAS_DONE)


async def areas_typed(update: Update, context: Ctx) -> int | None:
    """Areas typed (names, streets, postcodes, with or without a house number) tick or
    untick like presses; "done" goes on."""
    text = flows.typed(update)
    if _is_done(text):
        return await _areas_done(update, context)
    community = context.services.community
    # A list ("Trinity, Badcox and 12 Milk Street") if every item is an area; otherwise
    # one place, perhaps an address ("12 Selwood Road, Frome").
    parts = [community.read_area(p) for p in answers.list_parts(text)]
    names: list[str] | None = None
    if len(parts) > 1 and all(parts):
        names = list(dict.fromkeys(a.name for a in parts if a is not None))
    else:
        whole = community.read_area(text)
        names = [whole.name] if whole is not None else None
    if names is None:
        await flows.not_understood(update, context)
        return None
    await ask_areas(update, context, texts.toggled(*_toggle_typed(context, "areas", names)))
    return None


async def location_shared(update: Update, context: Ctx) -> int:
    """A location instead of (or besides) areas: then how far from it."""
    assert update.effective_message is not None and update.effective_message.location
    loc = update.effective_message.location
    context.form["lat"], context.form["lon"] = loc.latitude, loc.longitude
    await ask_radius(update, context)
    return VOL_RADIUS


async def radius_chosen(update: Update, context: Ctx) -> int | None:
    """1, 2 or 5 km; back to the areas, where Done goes on."""
    km = await choice(update, context, keyboards.RADII)
    if km is None:
        return None
    return await _radius_known(update, context, km)


async def radius_typed(update: Update, context: Ctx) -> int | None:
    """`2`, `2 km`, `5k`."""
    km = answers.pick_km(flows.typed(update), keyboards.RADII)
    if km is None:
        await flows.not_understood(update, context)
        return None
    return await _radius_known(update, context, km)


async def _radius_known(update: Update, context: Ctx, km: float) -> int:
    context.form["radius_km"] = km
    await ask_areas(update, context, texts.RADIUS_KEPT.format(km=km))
    return VOL_AREAS


async def areas_done(update: Update, context: Ctx) -> int | None:
    """`Done` under the areas: on to availability."""
    if not context.form.get("areas") and not context.form.get("radius_km"):
        answer(update, texts.PICK_ONE_AREA)
        return None
    await pressed(update, context)
    return await _areas_done(update, context)


async def _areas_done(update: Update, context: Ctx) -> int | None:
    if not context.form.get("areas") and not context.form.get("radius_km"):
        await ask_areas(update, context, texts.PICK_ONE_AREA)
        return None
    await ask_availability(update, context)
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
        languages=tuple(c for c in community.languages if c in form.get("languages", []))
        or (i18n.current(),),
    )


async def availability_chosen(update: Update, context: Ctx) -> int | None:
    """Any time, weekdays, weekends or evenings; then the summary."""
    availability = await choice(update, context, list(Availability), by_index=False)
    if availability is None:
        return None
    return await _availability_known(update, context, availability)


async def availability_typed(update: Update, context: Ctx) -> int | None:
    """`any time`, `weekdays`, `weekends`, `evenings`, or a plain word for one."""
    availability = answers.pick(flows.typed(update), list(answers.AVAILABILITY_WORDS.items()))
    if availability is None:
        await flows.not_understood(update, context)
        return None
    return await _availability_known(update, context, availability)


async def _availability_known(update: Update, context: Ctx, availability: Availability) -> int:
    context.form["availability"] = availability.value
    await ask_languages(update, context)
    return VOL_LANGUAGES


async def save(update: Update, context: Ctx) -> int:
    """`Save` (or typed "save"): the profile is stored, then open needs are checked."""
    if update.callback_query is not None:
        await pressed(update, context)
    assert update.effective_user is not None
    s = context.services
    question = _check(update, context)
    saved = await s.aid.save_volunteer(_profile(context, update.effective_user.id), s.now())
    context.form.clear()
    told = texts.VOLUNTEER_SAVED if saved.approved else texts.VOLUNTEER_PENDING
    flows.conclude(update, context, question, told)
    menus.refresh(context, update.effective_user.id)  # an approved volunteer's commands
    return ConversationHandler.END


async def save_typed(update: Update, context: Ctx) -> int | None:
    """ "save" or "yes" saves; "cancel" or "no" saves nothing."""
    said = answers.yes_or_no(flows.typed(update), answers.SAVE_WORDS, answers.CANCEL_WORDS)
    if said is answers.Confirm.YES:
        return await save(update, context)
    if said is answers.Confirm.NO:
        return await end_flow(update, context)
    await flows.not_understood(update, context)
    return None


def _summary(context: Ctx) -> tuple[str, list[tuple[str, str]]]:
    """What a sign-up put aside had chosen so far."""
    form = context.form
    chosen = [(key, ", ".join(form[key])) for key in ("skills", "areas") if form.get(key)]
    return texts.ASIDE_WHAT["volunteer"], chosen


flows.register_flow("volunteer", restart=begin_volunteer, summary=_summary)


def volunteer_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return conversation(
        entry_points=[
            CommandHandler("volunteer", volunteer_start),
            CallbackQueryHandler(volunteer_start, pattern=r"^v1:menu:help$"),
        ],
        states={
            VOL_SKILLS: [
                CallbackQueryHandler(skill_toggled, pattern=keyboards.pattern(Action.SKILL)),
                CallbackQueryHandler(skills_done, pattern=keyboards.pattern(Action.SKILLS_DONE)),
                MessageHandler(text, skills_typed),
            ],
            VOL_AREAS: [
                CallbackQueryHandler(area_toggled, pattern=keyboards.pattern(Action.VAREA)),
                CallbackQueryHandler(areas_done, pattern=keyboards.pattern(Action.VAREAS_DONE)),
                MessageHandler(filters.LOCATION, location_shared),
                MessageHandler(text, areas_typed),
            ],
            VOL_RADIUS: [
                CallbackQueryHandler(radius_chosen, pattern=keyboards.pattern(Action.RADIUS)),
                MessageHandler(text, radius_typed),
            ],
            VOL_AVAILABILITY: [
                CallbackQueryHandler(
                    availability_chosen, pattern=keyboards.pattern(Action.AVAILABILITY)
                ),
                MessageHandler(text, availability_typed),
            ],
            VOL_LANGUAGES: [
                CallbackQueryHandler(language_toggled, pattern=keyboards.pattern(Action.VLANG)),
                CallbackQueryHandler(languages_done, pattern=keyboards.pattern(Action.VLANGS_DONE)),
                MessageHandler(text, languages_typed),
            ],
            VOL_CONFIRM: [
                CallbackQueryHandler(save, pattern=keyboards.pattern(Action.SAVE)),
                MessageHandler(text, save_typed),
            ],
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
    if result is Claim.BUSY:
        # At their open-task limit: the proposal keeps its Accept for when one is done.
        answer(update)
        reply(update, context, texts.ACCEPT_AT_LIMIT)
        return
    mine = need.volunteer_id == update.effective_user.id
    if result is Claim.WON or (mine and need.status is NeedStatus.ACCEPTED):
        # Won now, or pressed again on a screen that never showed the win (a crash, a slow
        # network): the task in full, once more.
        answer(update)
        text, buttons = await task_details(context, need)
        edit_pressed(update, context, text, reply_markup=buttons)
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
