"""Commands that name a person: /assign, /vetted, /block, /unblock (and /approve's name).

Wherever a command names someone it takes an `@username`, a first name or an id
(domain/people.py decides who is meant). A name that fits several people gets a button for
each, labelled so they can be told apart; a name that fits nobody gets a kind answer with
how to write it. Every command and button checks the caller is a coordinator, each time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import Enum

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from domain.coordination import BlockProblem, assign_problem, block_problem, unblock_problem
from domain.lifecycle import wave_deadline
from domain.people import Known, Outcome, PersonRef, RefKind, match, parse_ref
from handlers import coordinator_keys, keyboards, menus, texts
from handlers.common import answer, clean_text, remove_buttons, reply, tell, to
from handlers.context import Ctx
from handlers.keyboards import Action
from handlers.roles import coordinator_only

logger = logging.getLogger(__name__)

PICK_REASON = "pick_reason"  # user_data: a /block's reason while its person is picked
MAX_REASON = 200


class Among(Enum):
    """Whom a command is about first; a name that fits none of them is looked for among
    everyone, so the answer can say what is wrong (not a volunteer, not blocked)."""

    ANYONE = "anyone"
    VOLUNTEERS = "volunteers"
    PENDING = "pending"
    BLOCKED = "blocked"


def _fits(person: Known, among: Among) -> bool:
    if among is Among.VOLUNTEERS:
        return person.volunteer
    if among is Among.PENDING:
        return person.pending and not person.blocked
    if among is Among.BLOCKED:
        return person.blocked
    return True


def _actor(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _args(context: Ctx) -> list[str]:
    return list(context.args or [])


def need_number(text: str | None) -> int | None:
    """A request's number as typed: `12` or `#12`."""
    text = (text or "").strip().removeprefix("#")
    return int(text) if text.isdigit() and len(text) < 12 else None


def pick_label(person: Known) -> str:
    """`Priya @priya_k (Trinity, volunteer)`: enough to tell two Priyas apart."""
    return texts.PICK_LABEL.format(
        name=person.first_name,
        username=f" @{person.username}" if person.username else "",
        where=f"{person.area}, " if person.area else "",
        standing=texts.STANDING[person.standing.value],
        blocked=texts.PICK_BLOCKED if person.blocked else "",
    )


def _nobody(ref: PersonRef, typed: str) -> str:
    if ref.kind is RefKind.ID:
        return texts.NOBODY_WITH_ID.format(typed=ref.value)
    if ref.kind is RefKind.USERNAME:
        return texts.NOBODY_WITH_USERNAME.format(typed=texts.html(ref.value))
    return texts.NOBODY_CALLED.format(typed=texts.html(typed))


async def resolve(
    update: Update,
    context: Ctx,
    typed: str,
    among: Among,
    *,
    command: str,
    usage: str,
    need_id: int | None = None,
    keep: dict[str, object] | None = None,
) -> Known | None:
    """The one person `typed` means, or None once the coordinator has been shown who it
    could be (buttons; `keep` goes into user_data for the button pressed) or why nobody
    fits (with how to write it)."""
    typed = clean_text(typed)
    ref = parse_ref(typed)
    if ref is None:
        problem = texts.NOT_A_PERSON.format(typed=texts.html(typed)) + "\n\n" if typed else ""
        reply(update, context, problem + usage)
        return None
    found = await context.services.store.directory.find(ref)
    result = match(ref, [p for p in found if _fits(p, among)])
    if result.outcome is Outcome.NOBODY and among is not Among.ANYONE:
        result = match(ref, found)
    if result.person is not None:
        return result.person
    if result.outcome is Outcome.SEVERAL:
        choices = [(pick_label(p), p.user_id) for p in result.people]
        if keep and context.user_data is not None:
            context.user_data.update(keep)
        reply(
            update,
            context,
            texts.WHO_DO_YOU_MEAN.format(typed=texts.html(typed)),
            reply_markup=coordinator_keys.pick(command, choices, need_id),
        )
        return None
    reply(update, context, _nobody(ref, typed) + "\n\n" + usage)
    return None


async def resolve_then(
    update: Update,
    context: Ctx,
    typed: str,
    among: Among,
    act: Callable[[int], Awaitable[str]],
    *,
    command: str,
    usage: str,
) -> None:
    """Whom `typed` means (see resolve); once it is one person, `act` on them and reply
    with what it says."""
    person = await resolve(update, context, typed, among, command=command, usage=usage)
    if person is not None:
        reply(update, context, await act(person.user_id))


def reach(person: Known) -> str:
    return texts.reach(person.first_name, person.username, person.user_id)


async def _reach_id(context: Ctx, user_id: int) -> str:
    person = await context.services.store.directory.known(user_id)
    return reach(person) if person else f"id {user_id}"


# --- asking one volunteer ------------------------------------------------------------------


async def ask_volunteer(update: Update, context: Ctx, need_id: int, volunteer_id: int) -> None:
    """One proposal for that volunteer about that need, which they can still decline."""
    s = context.services
    need = await s.store.needs.get(need_id)
    volunteer = await s.store.people.get(volunteer_id)
    profile = await s.store.volunteers.get(volunteer_id)
    name = await _reach_id(context, volunteer_id)
    problem = assign_problem(need, volunteer, profile, s.community)
    if problem is None:
        assert need is not None
        now = s.now()
        policy = s.aid.policy
        deadline = wave_deadline(
            need.when,
            now,
            policy.wave_timeout,
            policy.urgent_wave_timeout,
            quiet=policy.quiet_hours,
            tz=policy.tz,
        )
        problem = await s.store.coordination.assign(
            need.id, volunteer_id, _actor(update), now, deadline
        )
    if problem is not None:
        reply(update, context, texts.ASSIGN_PROBLEMS[problem.value].format(id=need_id, name=name))
        return
    reply(update, context, texts.ASSIGNED.format(id=need_id, name=name))


@coordinator_only
async def assign_command(update: Update, context: Ctx) -> None:
    """/assign 12 @priya (or #12 Priya, or 12 5550001): ask one volunteer; they can still
    decline."""
    args = _args(context)
    need_id = need_number(args[0]) if args else None
    if need_id is None or len(args) < 2:
        reply(update, context, texts.ASSIGN_USAGE)
        return
    if await context.services.store.needs.get(need_id) is None:
        reply(update, context, texts.NO_SUCH_NEED.format(id=need_id))
        return
    person = await resolve(
        update,
        context,
        " ".join(args[1:]),
        Among.VOLUNTEERS,
        command="assign",
        usage=texts.ASSIGN_USAGE,
        need_id=need_id,
    )
    if person is not None:
        await ask_volunteer(update, context, need_id, person.user_id)


# --- /vetted -------------------------------------------------------------------------------

OFF_WORDS = {"off", "no", "false", "undo"}


async def set_vetted(update: Update, context: Ctx, user_id: int, vetted: bool) -> str:
    """Mark a volunteer vetted (or not); what to tell the coordinator."""
    s = context.services
    name = await _reach_id(context, user_id)
    if await s.store.volunteers.get(user_id) is None:
        return texts.NOT_A_VOLUNTEER_NAMED.format(name=name)
    now = s.now()
    if not await s.store.coordination.set_vetted(user_id, vetted, _actor(update), now):
        return texts.VETTED_UNCHANGED.format(name=name)
    if vetted:
        await s.aid.match_open_needs(now)
    return (texts.VETTED_ON if vetted else texts.VETTED_OFF).format(name=name)


@coordinator_only
async def vetted_command(update: Update, context: Ctx) -> None:
    """/vetted @priya [off]: vetted volunteers may take vetted-only categories."""
    args = _args(context)
    off = len(args) > 1 and args[-1].lower() in OFF_WORDS
    named = " ".join(args[:-1] if off else args)
    if not named:
        reply(update, context, texts.VETTED_USAGE)
        return
    command = "unvet" if off else "vet"
    await resolve_then(
        update,
        context,
        named,
        Among.VOLUNTEERS,
        lambda user_id: set_vetted(update, context, user_id, not off),
        command=command,
        usage=texts.VETTED_USAGE,
    )


# --- /block and /unblock -------------------------------------------------------------------


async def block_person(update: Update, context: Ctx, user_id: int, reason: str | None) -> str:
    """Block someone: everything of theirs withdrawn, one neutral message. What to tell the
    coordinator."""
    s = context.services
    person = await s.store.people.get(user_id)
    problem = block_problem(_actor(update), person, s.coordinator_ids)
    if problem is None and not await s.store.coordination.block(
        user_id, _actor(update), s.now(), reason
    ):
        problem = BlockProblem.ALREADY
    name = await _reach_id(context, user_id)
    if problem is not None:
        return texts.BLOCK_PROBLEMS[problem.value].format(id=user_id, name=name)
    logger.info("Coordinator %s blocked user %s", _actor(update), user_id)
    async with to(context, user_id):
        tell(context, user_id, texts.BLOCKED_NOTICE)
    # Needs whose proposals or volunteer were withdrawn go to the next volunteers.
    await s.aid.match_open_needs(s.now())
    return texts.BLOCKED_DONE.format(name=name)


async def unblock_person(update: Update, context: Ctx, user_id: int) -> str:
    s = context.services
    person = await s.store.people.get(user_id)
    problem = unblock_problem(person)
    if problem is None and not await s.store.coordination.unblock(user_id, _actor(update), s.now()):
        problem = BlockProblem.NOT_BLOCKED
    name = await _reach_id(context, user_id)
    if problem is not None:
        return texts.BLOCK_PROBLEMS[problem.value].format(id=user_id, name=name)
    async with to(context, user_id):
        tell(context, user_id, texts.UNBLOCKED_NOTICE)
    await s.aid.match_open_needs(s.now())
    return texts.UNBLOCKED_DONE.format(name=name)


@coordinator_only
async def block_command(update: Update, context: Ctx) -> None:
    """/block @x [reason]: everything of theirs withdrawn, one neutral message."""
    args = _args(context)
    if not args:
        reply(update, context, texts.BLOCK_USAGE)
        return
    reason = clean_text(" ".join(args[1:]))[:MAX_REASON] or None
    person = await resolve(
        update,
        context,
        args[0],
        Among.ANYONE,
        command="block",
        usage=texts.BLOCK_USAGE,
        keep={PICK_REASON: reason},  # the reason waits for the button pressed
    )
    if person is None:
        return
    reply(update, context, await block_person(update, context, person.user_id, reason))


@coordinator_only
async def unblock_command(update: Update, context: Ctx) -> None:
    """/unblock @x: they can use the bot again (what was withdrawn stays withdrawn)."""
    args = _args(context)
    if not args:
        reply(update, context, texts.UNBLOCK_USAGE)
        return
    await resolve_then(
        update,
        context,
        " ".join(args),
        Among.BLOCKED,
        lambda user_id: unblock_person(update, context, user_id),
        command="unblock",
        usage=texts.UNBLOCK_USAGE,
    )


# --- approving one volunteer ---------------------------------------------------------------


async def approve_one(update: Update, context: Ctx, user_id: int) -> str:
    """Approve a volunteer waiting for it: they are told, their menu gains their commands,
    and open needs are matched again. What to tell the coordinator."""
    s = context.services
    now = s.now()
    name = await _reach_id(context, user_id)
    if not await s.store.coordination.approve(user_id, _actor(update), now):
        return texts.NOT_PENDING.format(name=name)
    async with to(context, user_id):
        tell(context, user_id, texts.VOLUNTEER_APPROVED)
    menus.refresh(context, user_id)
    await s.aid.match_open_needs(now)
    return texts.APPROVED.format(name=name)


# --- who a name meant ----------------------------------------------------------------------


@coordinator_only
async def picked(update: Update, context: Ctx) -> None:
    """One of the buttons for a name that fitted several people: the command, for them."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    parsed = coordinator_keys.parse_pick(button.arg) if button else None
    if parsed is None:
        answer(update, texts.STALE_BUTTON)
        return
    command, need_id, user_id = parsed
    answer(update)
    remove_buttons(update, context)
    assert context.user_data is not None
    if command == "assign":
        if need_id is None:
            reply(update, context, texts.ASSIGN_USAGE)
            return
        await ask_volunteer(update, context, need_id, user_id)
    elif command in ("vet", "unvet"):
        reply(update, context, await set_vetted(update, context, user_id, command == "vet"))
    elif command == "block":
        reason = context.user_data.pop(PICK_REASON, None)
        text = await block_person(
            update, context, user_id, reason if isinstance(reason, str) else None
        )
        reply(update, context, text)
    elif command == "unblock":
        reply(update, context, await unblock_person(update, context, user_id))
    elif command == "approve":
        reply(update, context, await approve_one(update, context, user_id))


def people_handlers() -> list[BaseHandler[Update, Ctx, None]]:
    return [
        CommandHandler("assign", assign_command),
        CommandHandler("vetted", vetted_command),
        CommandHandler("block", block_command),
        CommandHandler("unblock", unblock_command),
        CallbackQueryHandler(picked, pattern=keyboards.pattern(Action.PICK)),
    ]
