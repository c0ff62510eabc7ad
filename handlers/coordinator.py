"""Coordinators' commands and buttons: /open, /approve, /vetted, /assign, /block, /unblock,
/newneed and /concerns (/invite and /roles are in handlers.roles). Every one checks the role
on every use."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.coordination import (
    Audit,
    BlockProblem,
    assign_problem,
    block_problem,
    caller_label,
    unblock_problem,
)
from domain.lifecycle import wave_deadline
from domain.matching import next_wave
from domain.models import Need, NeedStatus, Person
from handlers import keyboards, texts
from handlers.common import answer, clean_text, edit_pressed, remove_buttons, reply, tell
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.resident import need_start
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

OPEN_LIMIT = 10  # needs shown by one /open, each with its own buttons
APPROVE_LIMIT = 10
CONCERNS_LIMIT = 10
ASSIGN_CHOICES = 5


def _number(text: str | None) -> int | None:
    """A need or user id as typed: `12`, `#12`."""
    text = (text or "").strip().lstrip("#")
    return int(text) if text.isdigit() and len(text) < 16 else None


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
        category=texts.html(need.category),
        area=texts.html(need.area),
        when=texts.WHEN_LABELS[need.when].lower(),
        age=texts.age(s.now() - need.created_at),
        asked=asked,
        waiting=waiting,
    )


@coordinator_only
async def open_command(update: Update, context: Ctx) -> None:
    """/open: needs waiting for a volunteer, oldest first, each with See, Assign, Close."""
    needs = await context.services.store.needs.with_status(NeedStatus.OPEN)
    if not needs:
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
async def see_need(update: Update, context: Ctx) -> None:
    """`See in full`: everything about the need, the resident's identity included."""
    need = await _need_from_button(update, context)
    if need is None:
        return
    answer(update)
    s = context.services
    # Who looked at whose details is kept, like every other coordinator action.
    await s.store.audit.record(_actor(update), Audit.SEE_NEED, f"need:{need.id}", s.now())
    resident = await s.store.people.get(need.resident_id)
    who = (
        texts.person_label(resident.first_name, resident.username) if resident else "unknown"
    ) + f" (id {need.resident_id})"
    caller = await s.store.coordination.on_behalf_of(need.id)
    asked, waiting = await s.store.coordination.asked_count(need.id)
    text = texts.NEED_FULL.format(
        id=need.id,
        category=texts.html(need.category),
        area=texts.html(need.area),
        when=texts.WHEN_LABELS[need.when].lower(),
        until=texts.local_time(need.window_end, s.tz),
        status=texts.STATUS_LABELS[need.status.value],
        age=texts.age(s.now() - need.created_at),
        resident=who,
        caller=texts.NEED_CALLER.format(caller=texts.html(caller)) if caller else "",
        asked=asked,
        waiting=waiting,
        description=texts.html(need.description),
    )
    markup = keyboards.open_need(need.id, see=False) if need.status is NeedStatus.OPEN else None
    reply(update, context, text, reply_markup=markup)


@coordinator_only
async def assign_button(update: Update, context: Ctx) -> None:
    """`Assign`: the best-placed volunteers not yet asked, each as an `Ask <name>` button."""
    need = await _need_from_button(update, context)
    if need is None:
        return
    if need.status is not NeedStatus.OPEN:
        answer(update, texts.NEED_NOT_OPEN_SHORT.format(id=need.id))
        return
    answer(update)
    s = context.services
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
    await _assign(update, context, *parsed)


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
        tell(
            context,
            need.resident_id,
            texts.RESIDENT_NEED_CLOSED.format(id=need.id, category=texts.html(need.category)),
        )


# --- /assign -------------------------------------------------------------------------------


async def _assign(update: Update, context: Ctx, need_id: int, volunteer_id: int) -> None:
    s = context.services
    need = await s.store.needs.get(need_id)
    volunteer = await s.store.people.get(volunteer_id)
    profile = await s.store.volunteers.get(volunteer_id)
    name = texts.html(volunteer.first_name) if volunteer else f"id {volunteer_id}"
    problem = assign_problem(need, volunteer, profile, s.community)
    if problem is None:
        assert need is not None
        now = s.now()
        policy = s.aid.policy
        deadline = wave_deadline(need.when, now, policy.wave_timeout, policy.urgent_wave_timeout)
        problem = await s.store.coordination.assign(
            need.id, volunteer_id, _actor(update), now, deadline
        )
    if problem is not None:
        reply(update, context, texts.ASSIGN_PROBLEMS[problem.value].format(id=need_id, name=name))
        return
    reply(update, context, texts.ASSIGNED.format(id=need_id, name=name))


@coordinator_only
async def assign_command(update: Update, context: Ctx) -> None:
    """/assign <need> <volunteer id>: ask one volunteer; they can still decline."""
    args = _args(context)
    need_id = _number(args[0]) if len(args) == 2 else None
    volunteer_id = _number(args[1]) if len(args) == 2 else None
    if need_id is None or volunteer_id is None:
        reply(update, context, texts.ASSIGN_USAGE)
        return
    await _assign(update, context, need_id, volunteer_id)


# --- /approve ------------------------------------------------------------------------------


@coordinator_only
async def approve_command(update: Update, context: Ctx) -> None:
    """/approve: each volunteer waiting for approval, with Approve and Reject."""
    s = context.services
    pending = await s.store.coordination.pending_volunteers()
    if not pending:
        reply(update, context, texts.APPROVE_NONE)
        return
    for user_id in pending[:APPROVE_LIMIT]:
        person = await s.store.people.get(user_id)
        profile = await s.store.volunteers.get(user_id)
        if person is None or profile is None:
            continue
        text = texts.APPROVE_LINE.format(
            name=texts.html(person.first_name),
            username=f" @{texts.html(person.username)}" if person.username else "",
            id=user_id,
            skills=texts.html(", ".join(profile.skills)),
            areas=texts.html(", ".join(profile.areas)),
            availability=texts.AVAILABILITY_LABELS[profile.availability],
        )
        reply(update, context, text, reply_markup=keyboards.approve(user_id))


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
    tell(context, user_id, texts.VOLUNTEER_APPROVED if approve else texts.VOLUNTEER_NOT_APPROVED)
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


# --- /vetted -------------------------------------------------------------------------------


@coordinator_only
async def vetted_command(update: Update, context: Ctx) -> None:
    """/vetted <volunteer id> [off]: vetted volunteers may take vetted-only categories."""
    args = _args(context)
    user_id = _number(args[0]) if args else None
    off = len(args) == 2 and args[1].lower() in {"off", "no", "false"}
    if user_id is None or len(args) > 2 or (len(args) == 2 and not off):
        reply(update, context, texts.VETTED_USAGE)
        return
    s = context.services
    if await s.store.volunteers.get(user_id) is None:
        reply(update, context, texts.NOT_A_VOLUNTEER_ID.format(id=user_id))
        return
    name = await _name(context, user_id)
    now = s.now()
    if not await s.store.coordination.set_vetted(user_id, not off, _actor(update), now):
        reply(update, context, texts.VETTED_UNCHANGED.format(name=name))
        return
    reply(update, context, (texts.VETTED_OFF if off else texts.VETTED_ON).format(name=name))
    if not off:
        await s.aid.match_open_needs(now)


# --- /block and /unblock -------------------------------------------------------------------


async def _target(update: Update, context: Ctx, usage: str) -> tuple[int, Person | None] | None:
    args = _args(context)
    user_id = _number(args[0]) if args else None
    if user_id is None:
        reply(update, context, usage)
        return None
    return user_id, await context.services.store.people.get(user_id)


@coordinator_only
async def block_command(update: Update, context: Ctx) -> None:
    """/block <user id> [reason]: everything of theirs withdrawn, one neutral message."""
    found = await _target(update, context, texts.BLOCK_USAGE)
    if found is None:
        return
    user_id, person = found
    s = context.services
    problem = block_problem(_actor(update), person, s.coordinator_ids)
    name = texts.html(person.first_name) if person else ""
    if problem is None:
        reason = clean_text(" ".join(_args(context)[1:]))[:200] or None
        if not await s.store.coordination.block(user_id, _actor(update), s.now(), reason):
            problem = BlockProblem.ALREADY
    if problem is not None:
        reply(update, context, texts.BLOCK_PROBLEMS[problem.value].format(id=user_id, name=name))
        return
    logger.info("Coordinator %s blocked user %s", _actor(update), user_id)
    tell(context, user_id, texts.BLOCKED_NOTICE)
    reply(update, context, texts.BLOCKED_DONE.format(name=name))
    # Needs whose proposals or volunteer were withdrawn go to the next volunteers.
    await s.aid.match_open_needs(s.now())


@coordinator_only
async def unblock_command(update: Update, context: Ctx) -> None:
    """/unblock <user id>: they can use the bot again (what was withdrawn stays withdrawn)."""
    found = await _target(update, context, texts.UNBLOCK_USAGE)
    if found is None:
        return
    user_id, person = found
    s = context.services
    problem = unblock_problem(person)
    name = texts.html(person.first_name) if person else ""
    if problem is None and not await s.store.coordination.unblock(user_id, _actor(update), s.now()):
        problem = BlockProblem.NOT_BLOCKED
    if problem is not None:
        reply(update, context, texts.BLOCK_PROBLEMS[problem.value].format(id=user_id, name=name))
        return
    tell(context, user_id, texts.UNBLOCKED_NOTICE)
    reply(update, context, texts.UNBLOCKED_DONE.format(name=name))
    await s.aid.match_open_needs(s.now())


# --- /newneed ------------------------------------------------------------------------------


@coordinator_only
async def newneed_start(update: Update, context: Ctx) -> int:
    """/newneed [caller's name]: the /need flow, for someone who phoned in. The coordinator
    is the resident of record, so the volunteer's contact and every follow-up go to them."""
    if context.form.get("flow") not in (None, "need"):
        return await need_start(update, context)  # says to finish or cancel the other flow
    label = caller_label(clean_text(" ".join(_args(context)))) or texts.NEWNEED_CALLER
    reply(update, context, texts.NEWNEED_INTRO.format(caller=texts.html(label)))
    state = await need_start(update, context)
    context.form["on_behalf"] = label
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
        text = texts.CONCERN_LINE.format(
            who=texts.html(concern.raised_by_name or "someone"),
            id=concern.raised_by,
            about=f"#{concern.need_id}" if concern.need_id else texts.CONCERN_ABOUT_NOTHING,
            age=texts.age(s.now() - concern.created_at),
            text=texts.html(concern.text),
        )
        reply(update, context, text, reply_markup=keyboards.resolve(concern.id))


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
        CommandHandler("approve", approve_command),
        CommandHandler("assign", assign_command),
        CommandHandler("vetted", vetted_command),
        CommandHandler("block", block_command),
        CommandHandler("unblock", unblock_command),
        CommandHandler("concerns", concerns_command),
        CallbackQueryHandler(see_need, pattern=keyboards.pattern(Action.NEED_SEE)),
        CallbackQueryHandler(assign_button, pattern=keyboards.pattern(Action.NEED_ASSIGN)),
        CallbackQueryHandler(close_button, pattern=keyboards.pattern(Action.NEED_CLOSE)),
        CallbackQueryHandler(assign_to_button, pattern=keyboards.pattern(Action.ASSIGN_TO)),
        CallbackQueryHandler(approve_button, pattern=keyboards.pattern(Action.APPROVE)),
        CallbackQueryHandler(reject_button, pattern=keyboards.pattern(Action.REJECT)),
        CallbackQueryHandler(resolve_button, pattern=keyboards.pattern(Action.RESOLVE)),
    ]
