"""What every user meets: the gate, /start and consent, /help, /cancel, and the fallbacks."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop, ConversationHandler

from domain.models import Role
from handlers import keyboards, texts
from handlers.context import Ctx
from handlers.keyboards import Action
from storage.db import processing_update

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str | None) -> str:
    """User text without control or direction characters, trimmed."""
    return _CONTROL.sub("", text or "").strip()


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Answer in the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, parse_mode=ParseMode.HTML, **kwargs)  # type: ignore[arg-type]


async def answer(update: Update, text: str | None = None) -> None:
    """CallbackQueries need to be answered, or the user's button keeps spinning."""
    if update.callback_query is not None:
        await update.callback_query.answer(text)


# Before agreeing (or agreeing again to a new notice) only these work: the notice itself,
# and seeing or deleting what is kept, which must never wait for a new agreement.
_BEFORE_CONSENT = ("/start", "/mydata", "/forget")


def _is_start_or_consent(update: Update) -> bool:
    if update.callback_query is not None:
        button = keyboards.parse(update.callback_query.data)
        return button is not None and button.action in (Action.CONSENT, Action.FORGET)
    message = update.effective_message
    return bool(
        message and message.text and message.text.split()[0].split("@")[0] in _BEFORE_CONSENT
    )


def _notice(context: Ctx) -> str:
    """The privacy notice, saying it has changed to someone who agreed to an older one."""
    s = context.services
    notice = texts.privacy_notice(s.community.name, s.retention.days)
    person = context.person
    return (texts.PRIVACY_UPDATED + notice) if person and person.consent_at else notice


async def gate(update: Update, context: Ctx) -> None:
    """Runs before every handler: private chats only, people known, consent first."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ApplicationHandlerStop
    s = context.services
    processing_update(None)
    seen, person = await s.store.people.at_update(user.id, update.update_id)
    if seen:
        # Delivered again (say, after a crash before Telegram heard we had it): it has
        # already changed what it was going to change, so it does nothing more.
        logger.info("Update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        message = update.effective_message
        if message is not None and message.text and message.text.startswith("/"):
            await message.reply_text(texts.GROUP_CHAT)
        elif update.callback_query is not None:
            await answer(update, texts.GROUP_CHAT)
        raise ApplicationHandlerStop
    # Nobody is recorded before agreeing; names are kept fresh for those who have.
    if person is not None and (
        person.first_name != user.first_name
        or person.username != user.username
        or not person.reachable  # blocked the bot once; writing to it again undoes that
    ):
        await s.store.people.upsert(user.id, user.first_name, user.username, s.now())
        person = await s.store.people.get(user.id)
    context.person = person
    # From here on, what this update changes records its id with the change (storage.db.tx);
    # keeping a name up to date above is housekeeping, not the update's doing.
    processing_update(update.update_id, s.now())
    if person is not None and person.blocked:
        # Blocked by a coordinator: one neutral answer to anything, and nothing else happens.
        await answer(update, texts.BLOCKED_REPLY)
        if update.callback_query is None:
            await reply(update, texts.BLOCKED_REPLY)
        raise ApplicationHandlerStop
    consented = person is not None and person.consent_version >= texts.PRIVACY_VERSION
    if not consented and not _is_start_or_consent(update):
        await answer(update, texts.NEEDS_CONSENT)
        if person is not None and person.consent_at is not None:
            # They agreed to an older notice: this one, before anything else.
            await reply(update, _notice(context), reply_markup=keyboards.consent())
        else:
            await reply(update, texts.NEEDS_CONSENT)
        raise ApplicationHandlerStop


async def start(update: Update, context: Ctx) -> None:
    """Show the privacy notice, or the menu to someone who has agreed."""
    person = context.person
    if person is not None and person.consent_version >= texts.PRIVACY_VERSION:
        await reply(update, texts.CONSENT_THANKS, reply_markup=keyboards.menu())
        return
    await reply(update, _notice(context), reply_markup=keyboards.consent())


async def consent(update: Update, context: Ctx) -> None:
    """`I agree` / `No thanks` under the privacy notice."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = keyboards.parse(query.data)
    choice = keyboards.parse_consent(button.arg) if button is not None else None
    if choice is None:
        # Empty callback data matches every pattern in PTB; anything else here is forged.
        await query.answer(texts.STALE_BUTTON)
        return
    agreed, version = choice
    if agreed and version < texts.PRIVACY_VERSION:
        # `I agree` under a notice that has changed since: agreeing needs the new one.
        await query.answer(texts.STALE_BUTTON)
        await reply(update, _notice(context), reply_markup=keyboards.consent())
        return
    await query.answer()
    s = context.services
    user = update.effective_user
    if agreed:
        await s.store.people.upsert(user.id, user.first_name, user.username, s.now())
        await s.store.people.consent(user.id, texts.PRIVACY_VERSION, s.now())
        await query.edit_message_reply_markup(None)
        await reply(update, texts.CONSENT_THANKS, reply_markup=keyboards.menu())
    else:
        await s.store.people.forget_unconsented(user.id)
        await query.edit_message_reply_markup(None)
        kept = context.person is not None and context.person.consent_at is not None
        await reply(update, texts.CONSENT_DECLINED_KEPT if kept else texts.CONSENT_DECLINED)


async def help_command(update: Update, context: Ctx) -> None:
    """List the commands the caller can use."""
    assert update.effective_user is not None
    profile = await context.services.store.volunteers.get(update.effective_user.id)
    held = context.person.roles if context.person is not None else frozenset()
    coordinator = (
        Role.COORDINATOR in held or update.effective_user.id in context.services.coordinator_ids
    )
    await reply(
        update,
        texts.HELP_RESIDENT
        + (texts.HELP_VOLUNTEER if profile else "")
        + (texts.HELP_COORDINATOR if coordinator else "")
        + (texts.HELP_LIAISON if Role.LIAISON in held else ""),
    )


async def cancel_outside(update: Update, context: Ctx) -> None:
    """/cancel with no flow in progress."""
    await reply(update, texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: Ctx) -> None:
    """Any command nobody handles."""
    await reply(update, texts.UNKNOWN_COMMAND)


async def unknown_message(update: Update, context: Ctx) -> None:
    """Text, stickers, photos and the rest outside any flow."""
    await reply(update, texts.UNKNOWN_TEXT)


async def stale_button(update: Update, context: Ctx) -> None:
    """A button from an earlier flow, a forged one, or one nobody handles now."""
    await answer(update, texts.STALE_BUTTON)


async def end_flow(update: Update, context: Ctx) -> int:
    """/cancel or the Cancel button inside a flow: forget the form, post nothing."""
    context.form.clear()
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    await reply(update, texts.CANCELLED)
    return ConversationHandler.END


async def use_buttons(update: Update, context: Ctx) -> None:
    """Text or media where a button is expected: say so and stay on this step."""
    await reply(update, texts.USE_BUTTONS)


async def busy_elsewhere(update: Update, context: Ctx) -> None:
    """Another command in the middle of a flow."""
    await reply(update, texts.IN_A_FLOW)


async def text_only(update: Update, context: Ctx) -> None:
    """A sticker, photo or voice note where words are expected."""
    await reply(update, texts.TEXT_ONLY)
