"""A need in full for a coordinator: `#12` typed, `/see 12`, `See in full` or an alert's
`See #12`. Any status; who asked and who helps (with how to reach them), the doorstep code,
its history, and the buttons its status allows (handlers/needactions.py does what they
do). Also the coordinator's text outside a flow: `#12`, or the words a button asked for."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from domain.coordination import Audit
from domain.models import Need, NeedStatus, Role
from domain.needview import (
    Event,
    Happened,
    Named,
    NeedFacts,
    NeedFile,
    acts,
    history,
)
from handlers import awaiting, coordinator_keys, keyboards, texts
from handlers.common import answer, cancel_outside, reply
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.relay import text_outside_flow
from handlers.roles import coordinator_only, holds

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4000  # a little under Telegram's 4096, for the HTML's own characters
NEED_REF = re.compile(r"^\s*#\s*(\d{1,11})\s*$")


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def reach_named(who: Named | None) -> str:
    if who is None or not who.known:
        return texts.DETAILS_DELETED
    return texts.reach(who.first_name, who.username, who.user_id)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    limit = texts.HISTORY_EXCERPT
    return texts.html(text if len(text) <= limit else text[: limit - 1] + "…")


def _line(event: Event, context: Ctx) -> str:
    hours = (
        texts.HISTORY_HOURS.format(hours=texts.hours_given(event.hours))
        if event.happened is Happened.DONE and event.hours is not None
        else ""
    )
    words = texts.HISTORY[event.happened.value].format(
        who=reach_named(event.who) if event.who is not None else "",
        other=reach_named(event.other) if event.other is not None else texts.A_VOLUNTEER_LOWER,
        text=_excerpt(event.text),
        hours=hours,
    )
    when = texts.local_time(event.at, context.services.tz)
    return texts.HISTORY_LINE.format(time=when, line=words)


async def render(context: Ctx, need: Need, file: NeedFile, viewer: int) -> tuple[str, Any]:
    """The view's text (within Telegram's limit: the oldest history goes first) and its
    buttons."""
    s = context.services
    facts = file.need
    caller_name, contact = await s.store.coordination.caller(need.id)
    caller = ""
    if caller_name:
        note = texts.VIEW_CALLER_CONTACT.format(note=texts.html(contact)) if contact else ""
        caller = texts.VIEW_CALLER.format(caller=texts.html(caller_name), contact=note)
    volunteer = ""
    if facts.volunteer is not None and facts.status in (NeedStatus.ACCEPTED, NeedStatus.DONE):
        volunteer = texts.VIEW_VOLUNTEER.format(volunteer=reach_named(facts.volunteer))
    code = ""
    if need.doorstep_code and facts.status is NeedStatus.ACCEPTED:
        code = texts.VIEW_CODE.format(code=need.doorstep_code)
    asked = ""
    if facts.status is NeedStatus.OPEN:
        count, waiting = await s.store.coordination.asked_count(need.id)
        asked = texts.VIEW_ASKED.format(asked=count, waiting=waiting)
    fields = {
        "id": need.id,
        "status": texts.VIEW_STATUS[facts.status.value],
        "category": texts.named(need.category),
        "area": texts.html(need.area),
        "when": texts.need_when(need, s.now(), s.tz),
        "resident": reach_named(facts.resident),
        "caller": caller,
        "volunteer": volunteer,
        "code": code,
        "asked": asked,
        "description": texts.html(need.description)
        if facts.details_kept
        else texts.VIEW_NO_DETAILS,
    }
    lines = [_line(e, context) for e in history(file)]
    shown, dropped = lines, 0
    while True:
        more = [texts.HISTORY_MORE.format(count=dropped)] if dropped else []
        text = texts.NEED_VIEW.format(**fields, history="\n".join(more + shown))
        if len(text) <= MAX_MESSAGE or not shown:
            break
        shown, dropped = shown[1:], dropped + 1
    markup = coordinator_keys.need_actions(need.id, acts(facts, viewer))
    return text, markup


async def show_need(update: Update, context: Ctx, need_id: int) -> None:
    """The need's view, as a new message. Who looked at whose details is kept."""
    s = context.services
    need = await s.store.needs.get(need_id)
    file = await s.store.cases.file(need_id)
    if need is None or file is None:
        reply(update, context, texts.NO_SUCH_NEED.format(id=need_id))
        return
    await s.store.audit.record(_actor(update), Audit.SEE_NEED, f"need:{need.id}", s.now())
    text, markup = await render(context, need, file, _actor(update))
    reply(update, context, text, reply_markup=markup)


@coordinator_only
async def see_command(update: Update, context: Ctx) -> None:
    """/see 12 (or /see #12): the need in full."""
    args = list(context.args or [])
    number = NEED_REF.match(f"#{args[0].removeprefix('#')}") if len(args) == 1 else None
    if number is None:
        reply(update, context, texts.SEE_USAGE)
        return
    await show_need(update, context, int(number.group(1)))


def pressed_number(update: Update) -> int | None:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    return button.number if button is not None else None


async def pressed_facts(update: Update, context: Ctx) -> NeedFacts | None:
    need_id = pressed_number(update)
    facts = await context.services.store.cases.facts(need_id) if need_id is not None else None
    if facts is None:
        answer(update, texts.STALE_BUTTON)
    return facts


@coordinator_only
async def see_pressed(update: Update, context: Ctx) -> None:
    """`See in full` (in /open) or `See #12` (under an alert)."""
    need_id = pressed_number(update)
    if need_id is None:
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    await show_need(update, context, need_id)


# --- text outside a flow ---------------------------------------------------------------------


async def text_outside(update: Update, context: Ctx) -> None:
    """A coordinator's words a button asked for, or `#12`; anyone else's text (and theirs
    otherwise) goes on to the relay and the helpful answer."""
    message = update.effective_message
    assert message is not None
    text = message.text or ""
    waited = awaiting.waiting(context)
    if waited is not None:
        if await holds(update, context, Role.COORDINATOR):
            await awaiting.TAKERS[waited["kind"]](update, context, waited, text)
            return
        awaiting.stop(context)  # the role went meanwhile: the words are not taken
    found = NEED_REF.match(text)
    if found is not None and await holds(update, context, Role.COORDINATOR):
        await show_need(update, context, int(found.group(1)))
        return
    await text_outside_flow(update, context)


async def cancel(update: Update, context: Ctx) -> None:
    """/cancel outside a flow: stop waiting for a coordinator's words, if it was."""
    if awaiting.stop(context) is not None:
        reply(update, context, texts.INPUT_CANCELLED)
        return
    await cancel_outside(update, context)


def needview_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """/see and `See in full` / `See #12` (they work whatever flow the coordinator is in)."""
    return [
        CommandHandler("see", see_command),
        CallbackQueryHandler(see_pressed, pattern=keyboards.pattern(Action.NEED_SEE)),
    ]


def needview_text_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    """After the flows (text inside one is the flow's), before the relay."""
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, text_outside),
    ]
