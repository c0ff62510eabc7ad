"""Coordinators' commands and buttons: /open, /approve, /vetted, /assign, /block, /unblock,
/newneed and /concerns (/invite and /roles are in handlers.roles). Every one checks the role
on every use."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.coordination import (
    caller_and_contact,
    caller_label,
)
from domain.held import release_window
from domain.matching import next_wave
from domain.models import Need, NeedStatus
from handlers import keyboards, menus, texts
from handlers.common import answer, clean_text, edit_pressed, remove_buttons, reply, tell, to
from handlers.context import Ctx
from handlers.held import open_section
from handlers.keyboards import Action
from handlers.people import ask_volunteer
from handlers.referrals import referred_section
from handlers.resident import need_start
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

OPEN_LIMIT = 10  # needs shown by one /open, each with its own buttons
RELAYED_SHOWN = 10  # relayed messages shown with a concern, each cut to RELAYED_CHARS
RELAYED_CHARS = 200
CONCERNS_LIMIT = 10
ASSIGN_CHOICES = 5


def _args(context: Ctx) -> list[str]:
    return list(context.args or [])


async def _name(context: Ctx, user_id: int | None) -> str:
    person = await context.services.store.people.get(user_id) if user_id else None
    return texts.html(person.first_name) if person else f"id {user_id}"


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _button_number(update: Update) -> int | None:
    assert update.callback_query is not None
    button = keyboards.parse(update.callback_query.data)
    return button.number if button else None


# --- /open and its buttons -----------------------------------------------------------------


async def _open_line(context: Ctx, need: Need) -> str:
    s = context.services
    asked, waiting = await s.store.coordination.asked_count(need.id)
    return texts.OPEN_LINE.format(
        id=need.id,
        category=texts.named(need.category),
        area=texts.html(need.area),
        when=texts.need_when(need, s.now(), s.tz),
        age=texts.age(s.now() - need.created_at),
        asked=asked,
        waiting=waiting,
    )


@coordinator_only
async def open_command(update: Update, context: Ctx) -> None:
    """/open: needs held for a coordinator (each with See, Release, Close), then needs
    waiting for a volunteer, oldest first, each with See, Assign, Close."""
    held = await referred_section(update, context, OPEN_LIMIT)  # the council's, first
    held += await open_section(update, context, OPEN_LIMIT)
    needs = await context.services.store.needs.with_status(NeedStatus.OPEN)
    if not needs:
        if not held:
            reply(update, context, texts.OPEN_NONE)
        return
    reply(update, context, texts.OPEN_HEADER.format(count=len(needs)))
    for need in needs[:OPEN_LIMIT]:
        reply(
            update,
            context,
            await _open_line(context, need),
            reply_markup=keyboards.open_need(need.id),
        )
    if len(needs) > OPEN_LIMIT:
        reply(update, context, texts.OPEN_MORE.format(count=len(needs) - OPEN_LIMIT))


async def _need_from_button(update: Update, context: Ctx) -> Need | None:
    need_id = _button_number(update)
    need = await context.services.store.needs.get(need_id) if need_id is not None else None
    if need is None:
        answer(update, texts.STALE_BUTTON)
    return need


@coordinator_only
async def assign_button(update: Update, context: Ctx) -> None:
    """`Assign`: the best-placed volunteers not yet asked, each as an `Ask <name>` button
    (a need held for a coordinator is released first, and waits for the one chosen)."""
    need = await _need_from_button(update, context)
    if need is None:
        return
    s = context.services
    if need.status is NeedStatus.HELD:
        # Held for a coordinator: assigning it is releasing it to this coordinator's choice.
        now = s.now()
        window = release_window(need, now, s.tz)
        if not await s.store.held.release(need.id, _actor(update), window, now):
            answer(update, texts.ALREADY_HANDLED)
            return
        if need.resident_id != _actor(update):
            async with to(context, need.resident_id):
                tell(
                    context,
                    need.resident_id,
                    texts.RESIDENT_RELEASED.format(id=need.id, category=texts.named(need.category)),
                )
        need = await s.store.needs.get(need.id) or need
    elif need.status is not NeedStatus.OPEN:
        answer(update, texts.NEED_NOT_OPEN_SHORT.format(id=need.id))
        return
    answer(update)
    areas = {need.area} | s.community.neighbours_of(need.area)
    candidates = await s.store.needs.candidates(need, areas, s.now())
    best = next_wave(need, candidates, s.community, s.tz, ASSIGN_CHOICES)
    if not best:
        reply(update, context, texts.ASSIGN_NOBODY.format(id=need.id))
        return
    choices = [(await _name(context, c.user_id), c.user_id) for c in best]
    reply(
        update,
        context,
        texts.ASSIGN_PICK.format(id=need.id),
        reply_markup=keyboards.assign_choices(need.id, choices),
    )


@coordinator_only
async def assign_to_button(update: Update, context: Ctx) -> None:
    """`Ask <name>`: one proposal for that volunteer, which they can still decline."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    parsed = keyboards.parse_assign(button.arg) if button else None
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    answer(update)
    await ask_volunteer(update, context, *parsed)


@coordinator_only
async def close_button(update: Update, context: Ctx) -> None:
    """`Close`: the need ends (sorted out another way); the resident is told."""
    need = await _need_from_button(update, context)
    if need is None:
        return
    s = context.services
    query = update.callback_query
    assert query is not None
    if not await s.store.coordination.close_need(need.id, _actor(update), s.now()):
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    remove_buttons(update, context)
    reply(update, context, texts.NEED_CLOSED_BY_COORDINATOR.format(id=need.id))
    if need.resident_id != _actor(update):
        async with to(context, need.resident_id):
            tell(
                context,
                need.resident_id,
                texts.RESIDENT_NEED_CLOSED.format(id=need.id, category=texts.named(need.category)),
            )


# --- /approve ------------------------------------------------------------------------------


async def _decide(update: Update, context: Ctx, approve: bool) -> None:
    query = update.callback_query
    assert query is not None
    user_id = _button_number(update)
    if user_id is None:
        answer(update, texts.STALE_BUTTON)
        return
    s = context.services
    now = s.now()
    repo = s.store.coordination
    changed = await (repo.approve if approve else repo.reject)(user_id, _actor(update), now)
    if not changed:
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    name = await _name(context, user_id)
    edit_pressed(
        update,
        context,
        (texts.APPROVED if approve else texts.REJECTED).format(name=name),
    )
    async with to(context, user_id):
        tell(
            context, user_id, texts.VOLUNTEER_APPROVED if approve else texts.VOLUNTEER_NOT_APPROVED
        )
    menus.refresh(context, user_id)  # an approved volunteer's commands join their menu
    if approve:
        await s.aid.match_open_needs(now)


@coordinator_only
async def approve_button(update: Update, context: Ctx) -> None:
    """`Approve`: the volunteer is told and open needs are matched again."""
    await _decide(update, context, approve=True)


@coordinator_only
async def reject_button(update: Update, context: Ctx) -> None:
    """`Reject`: the pending profile goes; the volunteer is told kindly."""
    await _decide(update, context, approve=False)


# --- /newneed ------------------------------------------------------------------------------


@coordinator_only
async def newneed_start(update: Update, context: Ctx) -> int:
    """/newneed [caller's name]: the /need flow, for someone who phoned in. The coordinator
    is the resident of record, so the volunteer's contact and every follow-up go to them."""
    if context.form.get("flow") not in (None, "need"):
        return await need_start(update, context)  # says to finish or cancel the other flow
    name, note = caller_and_contact(clean_text(" ".join(_args(context))))
    label = caller_label(name) or texts.NEWNEED_CALLER
    reply(update, context, texts.NEWNEED_INTRO.format(caller=texts.html(label)))
    if note is None:
        reply(update, context, texts.NEWNEED_NO_CONTACT.format(caller=texts.html(label)))
    state = await need_start(update, context)
    context.form["on_behalf"] = label
    if note is not None:
        context.form["caller_contact"] = note
    return state


# --- /concerns -----------------------------------------------------------------------------


@coordinator_only
async def concerns_command(update: Update, context: Ctx) -> None:
    """/concerns: open concerns, oldest first, each with `Resolved`."""
    s = context.services
    concerns = await s.store.coordination.open_concerns()
    if not concerns:
        reply(update, context, texts.CONCERNS_NONE)
        return
    for concern in concerns[:CONCERNS_LIMIT]:
        raiser = await s.store.directory.known(concern.raised_by)
        text = texts.CONCERN_LINE.format(
            who=(
                texts.reach(raiser.first_name, raiser.username, raiser.user_id)
                if raiser is not None
                else texts.html(concern.raised_by_name or "") or texts.SOMEONE
            ),
            about=f"#{concern.need_id}" if concern.need_id else texts.CONCERN_ABOUT_NOTHING,
            age=texts.age(s.now() - concern.created_at),
            text=texts.html(concern.text),
        )
        if concern.need_id is not None:
            text += await _relayed(context, concern.need_id)
        reply(update, context, text, reply_markup=keyboards.resolve(concern.id))


async def _relayed(context: Ctx, need_id: int) -> str:
    """What resident and volunteer said to each other about a need with a concern: shown to
    coordinators here, and nowhere else (the last messages, newest last)."""
    said = await context.services.store.relay.transcript(need_id)
    if not said:
        return ""
    names: dict[int, str] = {}
    lines = []
    for sender, words, _ in said[-RELAYED_SHOWN:]:
        if sender not in names:
            names[sender] = await _name(context, sender)
        short = words if len(words) <= RELAYED_CHARS else words[: RELAYED_CHARS - 1] + "…"
        lines.append(f"{names[sender]}: {texts.html(short)}")
    return texts.CONCERN_TRANSCRIPT.format(id=need_id, lines="\n".join(lines))


@coordinator_only
async def resolve_button(update: Update, context: Ctx) -> None:
    """`Resolved`: the concern leaves the list; the message says who resolved it."""
    query = update.callback_query
    assert query is not None and query.message is not None
    concern_id = _button_number(update)
    s = context.services
    if concern_id is None or not await s.store.coordination.resolve_concern(
        concern_id, _actor(update), s.now()
    ):
        answer(update, texts.ALREADY_HANDLED)
        remove_buttons(update, context)
        return
    answer(update)
    name = await _name(context, _actor(update))
    message_html = getattr(query.message, "text_html", None) or ""
    edit_pressed(update, context, message_html + texts.CONCERN_RESOLVED.format(name=name))


def coordinator_handlers() -> list[BaseHandler]:
    """Commands and buttons; /newneed is an entry point of the need conversation instead."""
    return [
        CommandHandler("open", open_command),
        CommandHandler("concerns", concerns_command),
        CallbackQueryHandler(assign_button, pattern=keyboards.pattern(Action.NEED_ASSIGN)),
        CallbackQueryHandler(close_button, pattern=keyboards.pattern(Action.NEED_CLOSE)),
        CallbackQueryHandler(assign_to_button, pattern=keyboards.pattern(Action.ASSIGN_TO)),
        CallbackQueryHandler(approve_button, pattern=keyboards.pattern(Action.APPROVE)),
        CallbackQueryHandler(reject_button, pattern=keyboards.pattern(Action.REJECT)),
        CallbackQueryHandler(resolve_button, pattern=keyboards.pattern(Action.RESOLVE)),
    ]
