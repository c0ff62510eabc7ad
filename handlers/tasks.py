"""A volunteer's accepted tasks: /tasks, Done and the hours, Couldn't do it, /pause, /resume."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain.models import Need, NeedStatus
from handlers import keyboards, texts
from handlers.common import answer, edit_pressed, remove_buttons, reply
from handlers.context import Ctx
from handlers.keyboards import Action

logger = logging.getLogger(__name__)


async def _my_task(update: Update, context: Ctx, need_id: int | None) -> Need | None:
    """The need behind a task button, if it is still this volunteer's accepted task."""
    s = context.services
    need = await s.store.needs.get(need_id) if need_id is not None else None
    assert update.effective_user is not None
    if (
        need is None
        or need.volunteer_id != update.effective_user.id
        or need.status is not NeedStatus.ACCEPTED
    ):
        return None
    return need


async def task_details(context: Ctx, need: Need) -> tuple[str, InlineKeyboardMarkup]:
    """An accepted task in full for its volunteer: who the resident is and how to reach them
    (through the bot; or the contact note of someone who phoned in), the doorstep code and
    the safety rules, with its buttons (the accept message, and each /tasks entry)."""
    s = context.services
    resident = await s.store.people.get(need.resident_id)
    name = resident.first_name if resident and resident.first_name else "the resident"
    caller, note = await s.store.coordination.caller(need.id)
    if caller is None:
        who, contact = name, texts.CONTACT_RELAY.format(name=texts.html(name))
    elif note:
        who = caller
        contact = texts.CONTACT_CALLER.format(note=texts.html(note), coordinator=texts.html(name))
    else:
        who, contact = caller, texts.CONTACT_CALLER_NO_NOTE.format(coordinator=texts.html(name))
    buttons = keyboards.task(need.id, (need.resident_id, name) if resident else None)
    return texts.accepted_volunteer(need, who, contact, now=s.now(), tz=s.tz), buttons


async def tasks_command(update: Update, context: Ctx) -> None:
    """/tasks: each accepted task in full, with Done, Couldn't do it and Raise a concern."""
    assert update.effective_user is not None
    needs = await context.services.store.needs.tasks_of(update.effective_user.id)
    if not needs:
        reply(update, context, texts.TASKS_EMPTY)
        return
    for need in needs:
        text, buttons = await task_details(context, need)
        reply(update, context, text, reply_markup=buttons)


async def done(update: Update, context: Ctx) -> None:
    """`Done`: ask how long it took."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    need = await _my_task(update, context, button.number if button else None)
    if need is None:
        answer(update, texts.NOT_YOUR_TASK)
        remove_buttons(update, context)
        return
    answer(update)
    edit_pressed(
        update,
        context,
        texts.ASK_HOURS.format(id=need.id),
        reply_markup=keyboards.hours(need.id),
    )


async def hours(update: Update, context: Ctx) -> None:
    """How long it took: kept as volunteer hours; the resident is told it's done."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    parsed = keyboards.parse_hours(button.arg) if button else None
    s = context.services
    if parsed is None or not await s.aid.done(
        parsed[0], update.effective_user.id, parsed[1], s.now()
    ):
        answer(update, texts.NOT_YOUR_TASK)
        remove_buttons(update, context)
        return
    label = keyboards.hours_label(parsed[1])
    answer(update)
    edit_pressed(update, context, texts.HOURS_KEPT.format(id=parsed[0], hours=label))


async def drop(update: Update, context: Ctx) -> None:
    """`Couldn't do it`: back to matching; the resident is told honestly."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    s = context.services
    need_id = button.number if button else None
    if need_id is None or not await s.aid.drop(need_id, update.effective_user.id, s.now()):
        answer(update, texts.NOT_YOUR_TASK)
        remove_buttons(update, context)
        return
    answer(update)
    edit_pressed(update, context, texts.DROPPED_VOLUNTEER.format(id=need_id))


async def _duty(update: Update, context: Ctx, on_duty: bool) -> None:
    assert update.effective_user is not None
    s = context.services
    if not await s.aid.set_on_duty(update.effective_user.id, on_duty, s.now()):
        reply(update, context, texts.NOT_A_VOLUNTEER)
        return
    reply(update, context, texts.RESUMED if on_duty else texts.PAUSED)


async def pause(update: Update, context: Ctx) -> None:
    """/pause: off duty."""
    await _duty(update, context, False)


async def resume(update: Update, context: Ctx) -> None:
    """/resume: on duty, and open needs are looked at again."""
    await _duty(update, context, True)


def task_handlers() -> list[CommandHandler | CallbackQueryHandler]:
    return [
        CommandHandler("tasks", tasks_command),
        CommandHandler("pause", pause),
        CommandHandler("resume", resume),
        CallbackQueryHandler(done, pattern=keyboards.pattern(Action.DONE)),
        CallbackQueryHandler(hours, pattern=keyboards.pattern(Action.HOURS)),
        CallbackQueryHandler(drop, pattern=keyboards.pattern(Action.DROP)),
    ]
