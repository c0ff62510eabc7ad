"""What a coordinator does to a need from its view (handlers/needview.py): `Reassign` (the
volunteer withdrawn and told, then who else could be asked), `Close` on a need a volunteer
has, `Reopen`, `Ask the usual way`, and `Add note` and `Message resident`, whose words are
the coordinator's next text. Each asks first where it can't be undone, checks the presser is
a coordinator at the press, and re-reads the need before changing it."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from domain.matching import next_wave
from domain.models import Need, NeedStatus
from domain.needview import MAX_NOTE, can_reopen, reopen_window
from handlers import awaiting, coordinator_keys, keyboards, texts
from handlers.common import answer, clean_text, edit_pressed, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.needview import pressed_facts, pressed_number, reach_named
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

ASK_CHOICES = 5
NOTE, MESSAGE = "note", "message"  # what awaiting.expect waits for


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


# --- Reassign and Close (a need a volunteer has) ---------------------------------------------


def _taken_from_button(update: Update) -> tuple[int, int] | None:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    return coordinator_keys.parse_pair(button.arg) if button else None


async def _ask_taken(update: Update, context: Ctx, template: str, confirm: Any) -> None:
    facts = await pressed_facts(update, context)
    if facts is None:
        return
    if facts.status is not NeedStatus.ACCEPTED or facts.volunteer is None:
        answer(update, texts.NOT_THEIRS_NOW.format(id=facts.id))
        return
    answer(update)
    text = template.format(id=facts.id, volunteer=reach_named(facts.volunteer))
    reply(update, context, text, reply_markup=confirm(facts.id, facts.volunteer.user_id))


@coordinator_only
async def reassign_pressed(update: Update, context: Ctx) -> None:
    """`Reassign`: asks first, naming the volunteer who would be told not to go."""
    await _ask_taken(update, context, texts.REASSIGN_ASK, coordinator_keys.reassign_confirm)


@coordinator_only
async def reassign_confirmed(update: Update, context: Ctx) -> None:
    """`Yes, reassign`: the volunteer is withdrawn and told, the resident told, and the
    coordinator offered who could be asked now."""
    parsed = _taken_from_button(update)
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    need_id, volunteer_id = parsed
    s = context.services
    now = s.now()
    facts = await s.store.cases.facts(need_id)
    if facts is None or not await s.store.cases.reassign(
        need_id, volunteer_id, _actor(update), now
    ):
        answer(update, texts.NOT_THEIRS_NOW.format(id=need_id))
        edit_pressed(update, context, texts.NOT_THEIRS_NOW.format(id=need_id))
        return
    answer(update)
    need = await s.store.needs.get(need_id)
    assert need is not None and facts.volunteer is not None
    async with to(context, volunteer_id):
        tell(
            context,
            volunteer_id,
            texts.need_line(texts.VOLUNTEER_REASSIGNED, need, now=now, tz=s.tz),
        )
    if facts.resident.known and facts.resident.user_id != _actor(update):
        async with to(context, facts.resident.user_id):
            tell(
                context,
                facts.resident.user_id,
                texts.RESIDENT_REASSIGNED.format(
                    id=need.id,
                    category=texts.named(need.category),
                    volunteer=texts.html(facts.volunteer.first_name) or texts.YOUR_VOLUNTEER_LOWER,
                ),
            )
    edit_pressed(
        update, context, texts.REASSIGNED.format(id=need.id, volunteer=reach_named(facts.volunteer))
    )
    await offer_volunteers(update, context, need)


async def offer_volunteers(update: Update, context: Ctx, need: Need) -> None:
    """The best-placed volunteers not yet asked, each as `Ask <name>`, and `Ask the usual
    way`; or how to ask someone by name when nobody is left."""
    s = context.services
    areas = {need.area} | s.community.neighbours_of(need.area)
    candidates = await s.store.needs.candidates(need, areas, s.now())
    best = next_wave(need, candidates, s.community, s.tz, ASK_CHOICES)
    if not best:
        reply(update, context, texts.ASSIGN_NOBODY.format(id=need.id))
        return
    names = []
    for c in best:
        person = await s.store.people.get(c.user_id)
        names.append((person.first_name if person else f"id {c.user_id}", c.user_id))
    reply(
        update,
        context,
        texts.ASSIGN_PICK.format(id=need.id),
        reply_markup=coordinator_keys.ask_choices(need.id, names),
    )


@coordinator_only
async def end_pressed(update: Update, context: Ctx) -> None:
    """`Close` on a need a volunteer has: asks first."""
    await _ask_taken(update, context, texts.END_ASK, coordinator_keys.end_confirm)


@coordinator_only
async def end_confirmed(update: Update, context: Ctx) -> None:
    """`Yes, close it`: closed; the volunteer is told not to go, the resident told."""
    parsed = _taken_from_button(update)
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    need_id, volunteer_id = parsed
    s = context.services
    facts = await s.store.cases.facts(need_id)
    if facts is None or not await s.store.cases.close_taken(
        need_id, volunteer_id, _actor(update), s.now()
    ):
        answer(update, texts.NOT_THEIRS_NOW.format(id=need_id))
        edit_pressed(update, context, texts.NOT_THEIRS_NOW.format(id=need_id))
        return
    answer(update)
    edit_pressed(
        update,
        context,
        texts.CLOSED_TAKEN.format(id=need_id, volunteer=reach_named(facts.volunteer)),
    )
    need = await s.store.needs.get(need_id)
    if need is not None and facts.resident.known and facts.resident.user_id != _actor(update):
        async with to(context, facts.resident.user_id):
            tell(
                context,
                facts.resident.user_id,
                texts.RESIDENT_NEED_CLOSED.format(id=need.id, category=texts.named(need.category)),
            )


@coordinator_only
async def never_mind(update: Update, context: Ctx) -> None:
    """`No` under a question: it goes, and nothing changes."""
    answer(update)
    edit_pressed(update, context, texts.LEFT_AS_IT_WAS)


@coordinator_only
async def match_pressed(update: Update, context: Ctx) -> None:
    """`Ask the usual way`: the next wave, as the bot would choose it."""
    need_id = pressed_number(update)
    s = context.services
    need = await s.store.needs.get(need_id) if need_id is not None else None
    if need is None:
        answer(update, texts.STALE_BUTTON)
        return
    if need.status is not NeedStatus.OPEN:
        answer(update, texts.NEED_NOT_OPEN_SHORT.format(id=need.id))
        return
    answer(update)
    if await s.store.needs.waiting(need.id):
        reply(update, context, texts.MATCH_ALREADY.format(id=need.id))
        return
    asked = await s.aid.match(need.id, s.now(), reopened=True)
    template = texts.MATCHED if asked else texts.MATCHED_NOBODY
    reply(update, context, template.format(id=need.id, asked=asked))


# --- Reopen ----------------------------------------------------------------------------------


@coordinator_only
async def reopen_pressed(update: Update, context: Ctx) -> None:
    """`Reopen`: a closed or cancelled need waits for a volunteer again (its window, or a
    week from now if that has passed); the resident is told."""
    facts = await pressed_facts(update, context)
    if facts is None:
        return
    s = context.services
    now = s.now()
    if not can_reopen(facts) or not await s.store.cases.reopen(
        facts.id, _actor(update), reopen_window(facts, now), now
    ):
        answer(update, texts.CANNOT_REOPEN.format(id=facts.id))
        return
    answer(update)
    asked = await s.aid.match(facts.id, now, reopened=True)
    template = texts.REOPENED if asked else texts.REOPENED_NOBODY
    reply(update, context, template.format(id=facts.id, asked=asked))
    need = await s.store.needs.get(facts.id)
    if need is not None and facts.resident.user_id != _actor(update):
        async with to(context, facts.resident.user_id):
            tell(
                context,
                facts.resident.user_id,
                texts.RESIDENT_REOPENED.format(id=need.id, category=texts.named(need.category)),
            )


# --- Add note and Message resident -----------------------------------------------------------


async def _wait_for_words(update: Update, context: Ctx, kind: str) -> None:
    facts = await pressed_facts(update, context)
    if facts is None:
        return
    if context.form.get("flow"):
        answer(update, texts.IN_A_FLOW)  # the flow would take the words
        return
    if not facts.details_kept:
        answer(update, texts.NEED_NO_NOTES.format(id=facts.id))
        return
    if kind == MESSAGE and not facts.resident.known:
        answer(update, texts.NOT_A_RESIDENT_TO_MESSAGE.format(id=facts.id))
        return
    answer(update)
    awaiting.expect(context, kind, need_id=facts.id)
    if kind == NOTE:
        reply(update, context, texts.NOTE_ASK.format(id=facts.id))
    else:
        reply(
            update,
            context,
            texts.MESSAGE_ASK.format(id=facts.id, resident=reach_named(facts.resident)),
        )


@coordinator_only
async def note_pressed(update: Update, context: Ctx) -> None:
    """`Add note`: the next text the coordinator sends is kept with the need."""
    await _wait_for_words(update, context, NOTE)


@coordinator_only
async def message_pressed(update: Update, context: Ctx) -> None:
    """`Message resident`: the next text goes to the resident, from the coordinators."""
    await _wait_for_words(update, context, MESSAGE)


def _words(update: Update, context: Ctx, text: str) -> str | None:
    words = clean_text(text)
    if not words:
        reply(update, context, texts.INPUT_EMPTY)
        return None
    if len(words) > MAX_NOTE:
        reply(update, context, texts.INPUT_TOO_LONG.format(length=len(words), limit=MAX_NOTE))
        return None
    return words


async def take_note(update: Update, context: Ctx, data: dict[str, Any], text: str) -> None:
    words = _words(update, context, text)
    if words is None:
        return  # still waiting: the note can be typed again
    awaiting.stop(context)
    need_id = int(data.get("need_id") or 0)
    s = context.services
    if not await s.store.cases.add_note(need_id, _actor(update), NOTE, words, s.now()):
        reply(update, context, texts.NEED_NO_NOTES.format(id=need_id))
        return
    reply(update, context, texts.NOTE_KEPT.format(id=need_id))


async def take_message(update: Update, context: Ctx, data: dict[str, Any], text: str) -> None:
    words = _words(update, context, text)
    if words is None:
        return
    awaiting.stop(context)
    need_id = int(data.get("need_id") or 0)
    s = context.services
    facts = await s.store.cases.facts(need_id)
    need = await s.store.needs.get(need_id)
    if facts is None or need is None or not facts.resident.known:
        reply(update, context, texts.NOT_A_RESIDENT_TO_MESSAGE.format(id=need_id))
        return
    if not await s.store.cases.add_note(need_id, _actor(update), MESSAGE, words, s.now()):
        reply(update, context, texts.NEED_NO_NOTES.format(id=need_id))
        return
    async with to(context, facts.resident.user_id):
        tell(
            context,
            facts.resident.user_id,
            texts.FROM_COORDINATORS.format(
                group=texts.html(s.community.name),
                id=need.id,
                category=texts.named(need.category),
                text=texts.html(words),
            ),
        )
    reply(
        update, context, texts.MESSAGE_SENT.format(id=need_id, resident=reach_named(facts.resident))
    )


awaiting.TAKERS.update({NOTE: take_note, MESSAGE: take_message})


def needaction_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """The view's buttons (they work whatever flow the coordinator is in)."""
    patterns = {
        Action.NEED_REASSIGN: reassign_pressed,
        Action.NEED_REASSIGN_YES: reassign_confirmed,
        Action.NEED_END: end_pressed,
        Action.NEED_END_YES: end_confirmed,
        Action.NEED_REOPEN: reopen_pressed,
        Action.NEED_NOTE: note_pressed,
        Action.NEED_MESSAGE: message_pressed,
        Action.NEED_MATCH: match_pressed,
        Action.NEVER_MIND: never_mind,
    }
    return [CallbackQueryHandler(h, pattern=keyboards.pattern(a)) for a, h in patterns.items()]
