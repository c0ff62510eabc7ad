"""/announce: a message from the coordinators to volunteers, all of them or those of one area
and one skill. Chosen with buttons (or typed), then the message, previewed with how many
will get it, then `Send` or `Cancel`.

`Send` books one row of timed work, `announcement`. Its performer works out who gets it
then, and owes each of them one message (bulk: after people's own messages), all in the
row's one unit of work: the messages exist exactly when the row is done, so a crash sends
nobody a second copy, and quiet hours hold the row until they end (handlers/jobs.py).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain import answers
from domain.announce import audience, means_every
from domain.coordination import Audit
from domain.models import Work
from domain.quiet import after_quiet, is_quiet
from handlers import awaiting, coordinator_keys, keyboards, outbox, texts
from handlers.common import answer, clean_text, edit_pressed, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

KIND = "announcement"  # the row of timed work (held in quiet hours by handlers/jobs.py)
DRAFT = "announce_draft"  # user_data: the announcement being written
CHOOSE, WORDS = "announce_choose", "announce_words"  # what awaiting.expect waits for


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _draft(context: Ctx) -> dict[str, Any]:
    assert context.user_data is not None
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = context.user_data[DRAFT] = {}
    return draft


def _drop(context: Ctx) -> dict[str, Any] | None:
    assert context.user_data is not None
    draft = context.user_data.pop(DRAFT, None)
    return draft if isinstance(draft, dict) else None


async def _count(context: Ctx, area: str | None, skill: str | None, sender: int) -> int:
    s = context.services
    listeners = await s.store.directory.listeners()
    return len(audience(listeners, s.community, area, skill, sender=sender))


@coordinator_only
async def announce_command(update: Update, context: Ctx) -> None:
    """/announce: who is it for? An area (or every area) first."""
    if context.form.get("flow"):
        reply(update, context, texts.IN_A_FLOW)  # the flow would take the message's words
        return
    assert context.user_data is not None
    context.user_data[DRAFT] = {"step": "area"}
    awaiting.expect(context, CHOOSE)
    names = context.services.community.area_names()
    reply(update, context, texts.ANNOUNCE_AREA, reply_markup=coordinator_keys.announce_areas(names))


def _ask_skill(update: Update, context: Ctx, area: str | None, pressed: bool) -> None:
    draft = _draft(context)
    draft.update(step="skill", area=area)
    awaiting.expect(context, CHOOSE)
    where = texts.ANNOUNCE_THERE.format(area=texts.html(area)) if area else texts.ANNOUNCE_ANYWHERE
    markup = coordinator_keys.announce_skills(context.services.community.category_names())
    text = texts.ANNOUNCE_SKILL.format(where=where)
    if pressed:
        edit_pressed(update, context, text, reply_markup=markup)
    else:
        reply(update, context, text, reply_markup=markup)


def _ask_words(update: Update, context: Ctx, skill: str | None, pressed: bool) -> None:
    draft = _draft(context)
    draft.update(step="words", skill=skill)
    awaiting.expect(context, WORDS)
    text = texts.ANNOUNCE_TYPE.format(audience=texts.audience(draft.get("area"), skill))
    if pressed:
        edit_pressed(update, context, text)
    else:
        reply(update, context, text)


def _choice(update: Update, names: list[str]) -> tuple[bool, str | None]:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    if button is None:
        return False, None
    ok, index = coordinator_keys.parse_choice(button.arg, len(names))
    return ok, (names[index] if index is not None else None)


@coordinator_only
async def area_pressed(update: Update, context: Ctx) -> None:
    ok, area = _choice(update, context.services.community.area_names())
    if not ok or _draft(context).get("step") != "area":
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    _ask_skill(update, context, area, pressed=True)


@coordinator_only
async def skill_pressed(update: Update, context: Ctx) -> None:
    ok, skill = _choice(update, context.services.community.category_names())
    if not ok or _draft(context).get("step") != "skill":
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    _ask_words(update, context, skill, pressed=True)


async def take_choice(update: Update, context: Ctx, data: dict[str, Any], text: str) -> None:
    """An area or a skill typed instead of tapped."""
    s = context.services
    draft = _draft(context)
    if draft.get("step") == "area":
        area = None if means_every(text) else s.community.read_area(text)
        if area is None and not means_every(text):
            markup = coordinator_keys.announce_areas(s.community.area_names())
            reply(update, context, texts.ANNOUNCE_EXPECTED_AREA, reply_markup=markup)
            return
        _ask_skill(update, context, area.name if area else None, pressed=False)
        return
    names = s.community.category_names()
    skill = None if means_every(text) else answers.pick(text, s.community.category_options())
    if skill is None and not means_every(text):
        markup = coordinator_keys.announce_skills(names)
        reply(update, context, texts.ANNOUNCE_EXPECTED_SKILL, reply_markup=markup)
        return
    _ask_words(update, context, skill, pressed=False)


async def take_words(update: Update, context: Ctx, data: dict[str, Any], text: str) -> None:
    """The message: previewed as volunteers will read it, with how many will get it."""
    words = clean_text(text)
    if not words:
        reply(update, context, texts.INPUT_EMPTY)
        return
    if len(words) > texts.ANNOUNCE_MAX:
        limit = texts.ANNOUNCE_MAX
        reply(update, context, texts.INPUT_TOO_LONG.format(length=len(words), limit=limit))
        return
    awaiting.stop(context)
    draft = _draft(context)
    area, skill = draft.get("area"), draft.get("skill")
    count = await _count(context, area, skill, _actor(update))
    who = texts.audience(area, skill)
    if not count:
        _drop(context)
        reply(update, context, texts.ANNOUNCE_NOBODY.format(audience=who))
        return
    draft.update(step="send", text=words)
    message = texts.ANNOUNCE_MESSAGE.format(
        group=texts.html(context.services.community.name), text=texts.html(words)
    )
    reply(
        update,
        context,
        texts.ANNOUNCE_PREVIEW.format(count=count, audience=who, message=message),
        reply_markup=coordinator_keys.announce_send(),
    )


awaiting.TAKERS.update({CHOOSE: take_choice, WORDS: take_words})


@coordinator_only
async def send_pressed(update: Update, context: Ctx) -> None:
    """`Send`: one row of timed work owes it to everyone it is for."""
    draft = _draft(context)
    if draft.get("step") != "send" or not draft.get("text"):
        answer(update, texts.ANNOUNCE_GONE)
        edit_pressed(update, context, texts.ANNOUNCE_GONE)
        return
    _drop(context)
    answer(update)
    s = context.services
    now = s.now()
    area, skill, words = draft.get("area"), draft.get("skill"), str(draft["text"])
    count = await _count(context, area, skill, _actor(update))
    who = texts.audience(area, skill)
    await s.store.work.add(KIND, now, now, by=_actor(update), area=area, skill=skill, text=words)
    await s.store.audit.record(
        _actor(update), Audit.ANNOUNCE, None, now, f"{count} to {who}: {words[:200]}"
    )
    if is_quiet(now, s.quiet_hours, s.tz):
        at = texts.clock_time(after_quiet(now, s.quiet_hours, s.tz), now, s.tz)
        edit_pressed(
            update, context, texts.ANNOUNCE_QUIET.format(count=count, audience=who, time=at)
        )
    else:
        edit_pressed(update, context, texts.ANNOUNCE_SENDING.format(count=count, audience=who))


@coordinator_only
async def cancel_pressed(update: Update, context: Ctx) -> None:
    """`Cancel`, at any step: nothing is sent."""
    answer(update)
    _drop(context)
    waited = awaiting.waiting(context)
    if waited is not None and waited.get("kind") in (CHOOSE, WORDS):
        awaiting.stop(context)
    edit_pressed(update, context, texts.ANNOUNCE_CANCELLED)


async def send_announcement(context: Ctx, work: Work) -> None:
    """Timed work: the announcement to everyone it is for now (someone blocked or gone since
    the preview is not), as bulk messages after people's own."""
    s = context.services
    area = work.payload.get("area")
    skill = work.payload.get("skill")
    text = str(work.payload.get("text") or "")
    sender = work.payload.get("by")
    if not text:
        return
    listeners = await s.store.directory.listeners()
    wanted = audience(
        listeners,
        s.community,
        area if isinstance(area, str) else None,
        skill if isinstance(skill, str) else None,
        sender=sender if isinstance(sender, int) else None,
    )
    for user_id in wanted:
        # The coordinator's own words as written; the heading in each volunteer's language.
        async with to(context, user_id):
            message = texts.ANNOUNCE_MESSAGE.format(
                group=texts.html(s.community.name), text=texts.html(text)
            )
            tell(context, user_id, message, priority=outbox.BULK)
    logger.info("Announcement (row %s) owed to %s volunteers", work.id, len(wanted))


def announce_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    patterns = {
        Action.ANN_AREA: area_pressed,
        Action.ANN_SKILL: skill_pressed,
        Action.ANN_SEND: send_pressed,
        Action.ANN_CANCEL: cancel_pressed,
    }
    return [
        CommandHandler("announce", announce_command),
        *(CallbackQueryHandler(h, pattern=keyboards.pattern(a)) for a, h in patterns.items()),
    ]
